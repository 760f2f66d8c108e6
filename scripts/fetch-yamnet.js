#!/usr/bin/env node
/**
 * Downloads the official YAMNet TFLite file (TensorFlow task library, Apache-2.0) to
 * data/models/yamnet.tflite and checks its sha256. Usage:
 *   npm run fetch:yamnet [-- --out PATH] [-- --force]
 * Plain Node (no build step) so it works on a fresh clone.
 */
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const https = require('https');
const path = require('path');

const URL = 'https://storage.googleapis.com/download.tensorflow.org/models/tflite/task_library/audio_classification/rpi/lite-model_yamnet_classification_tflite_1.tflite';
const SHA256 = '10c95ea3eb9a7bb4cb8bddf6feb023250381008177ac162ce169694d05c317de';
const SIZE = 4126810;

function parse(argv) {
  const out = { out: path.join(__dirname, '..', 'data', 'models', 'yamnet.tflite'), force: false, url: URL };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out') out.out = path.resolve(argv[++i]);
    else if (argv[i] === '--url') out.url = argv[++i];
    else if (argv[i] === '--force') out.force = true;
    else throw new Error(`unknown option ${argv[i]} (options: --out PATH, --force)`);
  }
  return out;
}

function sha256(bytes) {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

function download(url, redirects = 5) {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { timeout: 30000 }, (res) => {
      if (res.statusCode >= 300 && res.statusCode < 400 && res.headers.location && redirects > 0) {
        res.resume();
        resolve(download(new URL(res.headers.location, url).toString(), redirects - 1));
        return;
      }
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`HTTP ${res.statusCode} from ${url}`));
        return;
      }
      const chunks = [];
      let got = 0;
      res.on('data', (c) => {
        chunks.push(c);
        got += c.length;
        if (process.stderr.isTTY) process.stderr.write(`\rdownloading YAMNet: ${(got / 1e6).toFixed(1)} / ${(SIZE / 1e6).toFixed(1)} MB`);
      });
      res.on('end', () => { if (process.stderr.isTTY) process.stderr.write('\n'); resolve(Buffer.concat(chunks)); });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timed out connecting to ${new URL(url).host}`)));
    req.on('error', reject);
  });
}

async function main() {
  const opts = parse(process.argv.slice(2));
  if (!opts.force && fs.existsSync(opts.out)) {
    const have = sha256(fs.readFileSync(opts.out));
    if (have === SHA256) {
      console.log(`YAMNet already present and verified: ${opts.out}`);
      return;
    }
    console.error(`${opts.out} exists but its sha256 is ${have}; downloading the official file again`);
  }
  const bytes = await download(opts.url);
  const got = sha256(bytes);
  if (got !== SHA256) throw new Error(`downloaded file has sha256 ${got} (${bytes.length} bytes), expected ${SHA256}; not saved`);
  fs.mkdirSync(path.dirname(opts.out), { recursive: true });
  const tmp = `${opts.out}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, bytes);
  fs.renameSync(tmp, opts.out);
  console.log(`YAMNet saved to ${opts.out} (sha256 verified)`);
}

main().catch((err) => {
  console.error(`fetch-yamnet: ${err.message}`);
  console.error('Without internet, copy the file by hand and pass --yamnet PATH or set LACUNA_YAMNET.');
  process.exit(1);
});
