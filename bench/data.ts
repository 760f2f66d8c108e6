/**
 * Data-creation throughput: 4 s, 44.1 kHz, stereo, 16-bit WAV files → cached 8 kHz and 16 kHz rows.
 *
 *   npx tsx bench/data.ts [--clips 200]   (--help lists the options)
 *
 * Measures (same files, same run):
 *   clips_per_s            the whole createDataset (read, mix down, resample to both rates, z-score,
 *                          pad, write .npy + labels + manifest with output hashes)
 *   core_clips_per_s       read + resample + preprocess per clip with the SIMD polyphase kernel
 *   js_polyphase_clips_per_s  the same with the plain-JavaScript polyphase loop (baseline 1)
 *   linear_clips_per_s     the same with linear interpolation, no anti-aliasing (naive baseline 2;
 *                          faster but aliases, so not usable for data)
 * The last line is one JSON object with these figures. Timings on a shared machine are noisy.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  applyPolyphase, encodeWav, fixLength, polyphaseFilter, readWav, resampleLinear, resampleToRates, zscore,
  createDataset, Rng,
} from '../lib';
import { benchOptions, countOption } from './options';

const RATES = [8000, 16000];

function makeFiles(root: string, clips: number): string[] {
  const rng = new Rng(1);
  const files: string[] = [];
  const n = 4 * 44100;
  for (let i = 0; i < clips; i++) {
    const f0 = rng.range(100, 3000);
    const left = new Float32Array(n);
    const right = new Float32Array(n);
    for (let j = 0; j < n; j++) {
      const s = 0.3 * Math.sin((2 * Math.PI * f0 * j) / 44100);
      left[j] = s + 0.05 * rng.normal();
      right[j] = 0.8 * s + 0.05 * rng.normal();
    }
    const file = path.join(root, `class${i % 10}`, `clip${i}.wav`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, encodeWav({ samples: left, sampleRate: 44100 }, { format: 'pcm16', extraChannels: [right] }));
    files.push(file);
  }
  return files;
}

type Resampler = (x: Float32Array, inRate: number) => Map<number, Float32Array>;

function core(files: string[], resampler: Resampler): number {
  const start = performance.now();
  let check = 0;
  for (const f of files) {
    const a = readWav(f);
    for (const [rate, y] of resampler(a.samples, a.sampleRate)) check += fixLength(zscore(y), rate * 4)[100];
  }
  if (!Number.isFinite(check)) throw new Error('non-finite output');
  return files.length / ((performance.now() - start) / 1000);
}

const simd: Resampler = (x, r) => resampleToRates(x, r, RATES);
const jsPoly: Resampler = (x, r) => new Map(RATES.map((o) => [o, applyPolyphase(x, polyphaseFilter(r, o), 'js')]));
const linear: Resampler = (x, r) => new Map(RATES.map((o) => [o, resampleLinear(x, r, o)]));

function main(): void {
  const flags = benchOptions({
    name: 'bench/data.ts',
    summary: 'data-creation throughput: 4 s, 44.1 kHz stereo WAV files to cached 8 kHz and 16 kHz rows, ' +
      'against plain-JavaScript and linear resampling',
    options: [countOption('clips', 'WAV files written and read (10 or more: the first 10 warm up)', 200, 10)],
  });
  const clips = flags.number('clips')!;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lacuna-bench-data-'));
  try {
    console.log(`writing ${clips} clips (4 s, 44.1 kHz, stereo, 16-bit) to ${dir}`);
    const files = makeFiles(path.join(dir, 'audio'), clips);
    core(files.slice(0, 10), simd); // warm-up: filter tables, JIT
    const coreRate = core(files, simd);
    const jsRate = core(files, jsPoly);
    const linearRate = core(files, linear);
    const t = performance.now();
    const { report } = createDataset({ kind: 'folders', root: path.join(dir, 'audio'), rates: RATES, cacheRoot: path.join(dir, 'cache'), force: true, quiet: true });
    const fullRate = report.cached / ((performance.now() - t) / 1000);
    console.log(`createDataset (both rates, .npy + manifest): ${fullRate.toFixed(0)} clips/s`);
    console.log(`core, SIMD polyphase:       ${coreRate.toFixed(0)} clips/s`);
    console.log(`core, JavaScript polyphase: ${jsRate.toFixed(0)} clips/s (baseline, same filter)`);
    console.log(`core, linear interpolation: ${linearRate.toFixed(0)} clips/s (naive baseline, aliases)`);
    console.log(JSON.stringify({
      bench: 'data', clips, clips_per_s: +fullRate.toFixed(1), core_clips_per_s: +coreRate.toFixed(1),
      js_polyphase_clips_per_s: +jsRate.toFixed(1), linear_clips_per_s: +linearRate.toFixed(1),
      speedup_vs_js_polyphase: +(coreRate / jsRate).toFixed(2),
    }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();
