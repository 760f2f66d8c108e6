import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initEngine } from '../lib/engine';
import { melSpectrogram, padForPatches, patches } from '../lib/audio/spectral';
import { loadYamnet, Yamnet } from '../lib/models/yamnet/model';
import { embedWaveforms, scaleClip } from '../lib/models/yamnet/embeddings';
import { cachedMelEmbeddings, embedMelSpectrograms, melEmbeddingKey, stackMels, MelClip } from '../lib/models/yamnet/mel-embeddings';
import type { MelScale } from '../lib/models/yamnet/frontend';
import { readNpy, writeNpy } from '../lib/util/npy';
import { ParameterError } from '../lib/util/errors';
import { Rng } from '../lib/util/rng';
import { yamnetPath } from './support/yamnet';

/** Embeddings from mel spectrograms (YAMNet's body without its waveform front end). */

const MODEL = yamnetPath();
const skip = MODEL ? false : 'YAMNet model not found';
const CLIP = 64000;
let yamnet: Yamnet;
let tmp: string;

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lacuna-mel-'));
  await initEngine({ engine: 'wasm', quiet: true });
  if (MODEL) yamnet = loadYamnet({ path: MODEL });
});
after(() => { yamnet?.dispose(); fs.rmSync(tmp, { recursive: true, force: true }); });

/** Tones in noise with a silent stretch, at different loudness. */
function clips(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(n * CLIP);
  for (let c = 0; c < n; c++) {
    const f = rng.range(150, 3000);
    for (let i = 0; i < CLIP; i++) out[c * CLIP + i] = (i > 20000 && i < 30000 ? 0 : (c + 1) * Math.sin((2 * Math.PI * f * i) / 16000)) + 0.05 * rng.normal();
  }
  return out;
}

/** The spectrogram the waveform path sees: peak-scaled, YAMNet-padded, mel-weighted. */
function melsOf(waveforms: Float32Array, scale: MelScale): MelClip[] {
  const out: MelClip[] = [];
  for (let c = 0; c < waveforms.length / CLIP; c++) {
    const x = padForPatches(scaleClip(waveforms.subarray(c * CLIP, (c + 1) * CLIP), 'peak'));
    out.push(melSpectrogram(x, { power: scale === 'power' }));
  }
  return out;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

test('clean clips: the spectrogram path gives the waveform path\'s embeddings (this thread and worker threads)', { skip }, async () => {
  const waves = clips(4, 1);
  const fromWave = await embedWaveforms(yamnet, waves, CLIP, { quiet: true, workers: 1 });
  const mels = melsOf(waves, 'magnitude');
  assert.equal(mels[0].frames, 432);
  const here = await embedMelSpectrograms(yamnet, mels, { scale: 'magnitude', quiet: true, workers: 1 });
  const pooled = await embedMelSpectrograms(yamnet, mels, { scale: 'magnitude', quiet: true, workers: 2, batchClips: 2 });
  assert.equal(here.length, 4 * 8 * 1024);
  assert.ok(fromWave.some((v) => v !== 0));
  assert.ok(maxAbsDiff(here, fromWave) <= 1e-5, `this thread vs waveform path: ${maxAbsDiff(here, fromWave)}`);
  assert.ok(maxAbsDiff(pooled, fromWave) <= 1e-5, `workers vs waveform path: ${maxAbsDiff(pooled, fromWave)}`);
});

test('power spectrograms follow the reference recipe, log(power + 0.001), and differ from the waveform path', { skip }, async () => {
  const waves = clips(2, 2);
  const mels = melsOf(waves, 'power');
  const got = await embedMelSpectrograms(yamnet, mels, { scale: 'power', quiet: true, workers: 1 });
  // By hand: log(x + 0.001) of the power values, 96-frame patches with hop 48, the body.
  const logged = mels.map((m) => ({ data: m.data.map((v) => Math.log(v + 0.001)), frames: m.frames, nMels: 64 }));
  const p = logged.map((l) => patches(l));
  const all = new Float32Array(p.reduce((n, x) => n + x.data.length, 0));
  p.forEach((x, i) => all.set(x.data, i * x.data.length));
  const byHand = await yamnet.network.infer(all, 16, { batchSize: 16 });
  assert.ok(maxAbsDiff(got, byHand.embeddings) <= 1e-5);
  const fromWave = await embedWaveforms(yamnet, waves, CLIP, { quiet: true, workers: 1 });
  assert.ok(maxAbsDiff(got, fromWave) > 0.05, 'power features are not YAMNet\'s own: the embeddings must differ');
});

test('spectrogram embeddings are cached as [N, 8, 1024], reused, resumed, and keyed by scale', { skip }, async () => {
  const waves = clips(3, 3);
  const mels = melsOf(waves, 'power');
  const dir = path.join(tmp, 'cache');
  const first = await cachedMelEmbeddings(yamnet, mels, dir, { scale: 'power', quiet: true, workers: 1 });
  assert.equal(first.reused, false);
  assert.equal(first.rows, 3);
  const [sub] = fs.readdirSync(dir);
  assert.deepEqual(readNpy(path.join(dir, sub, 'embeddings.npy')).shape, [3, 8, 1024]);
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, sub, 'manifest.json'), 'utf8'));
  assert.equal(manifest.complete, true);
  assert.equal(manifest.scale, 'power');
  const again = await cachedMelEmbeddings(yamnet, mels, dir, { scale: 'power', quiet: true, workers: 1 });
  assert.equal(again.reused, true);
  assert.deepEqual(again.data, first.data);
  const magnitude = await cachedMelEmbeddings(yamnet, mels, dir, { scale: 'magnitude', quiet: true, workers: 1 });
  assert.equal(magnitude.reused, false, 'the same values declared as magnitudes are another cache entry');
  assert.equal(fs.readdirSync(dir).length, 2);

  // An interrupted run: a finished part is taken as it is, not recomputed.
  const other = melsOf(clips(2, 4), 'power');
  const stack = stackMels(other);
  const partDir = path.join(tmp, 'resume', melEmbeddingKey(stack, yamnet.file.sha256, 'power').slice(0, 24));
  fs.mkdirSync(partDir, { recursive: true });
  writeNpy(path.join(partDir, 'part-0000000.npy'), new Float32Array(2 * 8 * 1024).fill(7), [2, 8, 1024]);
  const resumed = await cachedMelEmbeddings(yamnet, stack, path.join(tmp, 'resume'), { scale: 'power', quiet: true, workers: 1 });
  assert.ok(resumed.data.every((v) => v === 7));
});

test('bad spectrograms: wrong band count, ragged lengths, no scale, too short are named; non-finite clips embed as silence', { skip }, async () => {
  const good = melsOf(clips(2, 5), 'power');
  const wrongBands: MelClip = { data: new Float32Array(432 * 32), frames: 432, nMels: 32 };
  await assert.rejects(embedMelSpectrograms(yamnet, [good[0], wrongBands], { scale: 'power', quiet: true }), (e: Error) => e instanceof ParameterError && /32 mel bands/.test(e.message));
  const short: MelClip = { data: good[1].data.subarray(0, 200 * 64), frames: 200, nMels: 64 };
  await assert.rejects(embedMelSpectrograms(yamnet, [good[0], short], { scale: 'power', quiet: true }), /200 frames, the first has 432/);
  await assert.rejects(embedMelSpectrograms(yamnet, { data: new Float32Array(50 * 64), frames: 50 }, { scale: 'power', quiet: true }), /at least one patch/);
  await assert.rejects(embedMelSpectrograms(yamnet, good, { scale: 'loud' as MelScale, quiet: true }), /scale must be "magnitude" or "power"/);
  const broken = stackMels(good);
  broken.data[432 * 64 + 5] = NaN;
  const notes: string[] = [];
  const got = await embedMelSpectrograms(yamnet, broken, { scale: 'power', quiet: true, workers: 1, warn: (m) => notes.push(m) });
  assert.deepEqual(notes, ['lacuna: clip 1 has non-finite values; embedding it as silence']);
  const silence = await embedMelSpectrograms(yamnet, { data: new Float32Array(432 * 64), frames: 432 }, { scale: 'power', quiet: true, workers: 1 });
  assert.ok(maxAbsDiff(got.subarray(8192), silence) <= 1e-6);
});
