import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../lib/engine';
import type { CachedDataset } from '../lib/types';
import { loadYamnet, Yamnet } from '../lib/models/yamnet/model';
import { cachedEmbeddings, embedWaveforms, embeddingKey, fitMinMax, scaleClip } from '../lib/models/yamnet/embeddings';
import { workerPoolFor } from '../lib/models/yamnet/pool';
import { yamnetFeatureProvider } from '../lib/experiments/yamnet-features';
import { buildYamnetHead, TUNED_YAMNET_HEAD } from '../lib/models/head';
import { readNpy, writeNpy } from '../lib/util/npy';
import { ParameterError } from '../lib/util/errors';
import { Rng } from '../lib/util/rng';
import { yamnetPath } from './support/yamnet';

const MODEL = yamnetPath();
const skip = MODEL ? false : 'YAMNet model not found';
const CLIP = 64000;
let yamnet: Yamnet;
let tmp: string;

/** A small 16 kHz cache in memory: tones and noise, two folds. */
function dataset(n: number, seed: number): CachedDataset {
  const rng = new Rng(seed);
  const waveforms = new Float32Array(n * CLIP);
  for (let c = 0; c < n; c++) {
    const f = 200 + 300 * c;
    for (let i = 0; i < CLIP; i++) waveforms[c * CLIP + i] = 2 * Math.sin((2 * Math.PI * f * i) / 16000) + 0.3 * rng.normal();
  }
  return {
    sampleRate: 16000, clipSamples: CLIP, waveforms, classNames: ['a', 'b'], cacheDir: tmp, fingerprint: `test-${seed}`,
    clips: Array.from({ length: n }, (_, i) => ({ id: `clip${i}`, classIndex: i % 2, className: i % 2 ? 'b' : 'a', fold: 1 + (i % 2) })),
  };
}

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lacuna-embed-'));
  await initEngine({ engine: 'wasm', quiet: true });
  if (MODEL) yamnet = loadYamnet({ path: MODEL });
});
after(() => { yamnet?.dispose(); fs.rmSync(tmp, { recursive: true, force: true }); });

test('scaling: peak maps each clip to ±1; min-max maps the training range to [-1, 1]', () => {
  const x = Float32Array.from([0, 2, -4, 1]);
  assert.deepEqual(Array.from(scaleClip(x, 'peak')), [0, 0.5, -1, 0.25]);
  assert.deepEqual(Array.from(scaleClip(new Float32Array(3), 'peak')), [0, 0, 0]);
  const all = Float32Array.from([0, 1, 2, 3, -10, 10]);
  const mm = fitMinMax(all, 2, [0, 1]);
  assert.deepEqual(mm, { min: 0, max: 3 });
  assert.deepEqual(Array.from(scaleClip(Float32Array.from([0, 1.5, 3]), 'minmax', mm)), [-1, 0, 1]);
  assert.throws(() => scaleClip(x, 'minmax'), ParameterError);
});

test('provider: 8192-value rows, cached as [N, 8, 1024] .npy, reused, and equal to direct embedding', { skip }, async () => {
  const ds = dataset(5, 1);
  const provider = yamnetFeatureProvider(ds, { model: yamnet, quiet: true });
  assert.equal(provider.dependsOnSplit, false);
  const clean = await provider.features({});
  assert.equal(clean.rows, 5);
  assert.deepEqual(clean.rowShape, [8192]);
  const direct = await embedWaveforms(yamnet, ds.waveforms.subarray(2 * CLIP, 3 * CLIP), CLIP, { quiet: true });
  for (let i = 0; i < 8192; i++) assert.ok(Math.abs(direct[i] - clean.data[2 * 8192 + i]) < 1e-4);
  const dir = path.join(tmp, 'yamnet-embeddings');
  const [sub] = fs.readdirSync(dir);
  const npy = readNpy(path.join(dir, sub, 'embeddings.npy'));
  assert.deepEqual(npy.shape, [5, 8, 1024]);
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, sub, 'manifest.json'), 'utf8'));
  assert.equal(manifest.complete, true);
  assert.equal(manifest.scaling, 'peak');
  const again = await cachedEmbeddings(yamnet, ds.waveforms, CLIP, dir, { quiet: true });
  assert.equal(again.reused, true);
  assert.deepEqual(again.data, clean.data);

  const corrupted = await provider.features({ corruption: { gapModel: { kind: 'single', gapSamples: 16000 }, seed: 3 } });
  assert.equal(corrupted.rows, 5);
  assert.notDeepEqual(corrupted.data, clean.data);
  assert.equal(fs.readdirSync(dir).length, 2, 'one cache folder per distinct input');
});

test('an interrupted run resumes from its finished parts', { skip }, async () => {
  const ds = dataset(3, 2);
  const dir = path.join(tmp, 'resume');
  const key = embeddingKey(ds.waveforms, CLIP, yamnet.file.sha256, 'peak');
  const sub = path.join(dir, key.slice(0, 24));
  fs.mkdirSync(sub, { recursive: true });
  // A part left by an earlier run: its values must be taken as they are, not recomputed.
  writeNpy(path.join(sub, 'part-0000000.npy'), new Float32Array(3 * 8 * 1024).fill(42), [3, 8, 1024]);
  const r = await cachedEmbeddings(yamnet, ds.waveforms, CLIP, dir, { quiet: true });
  assert.equal(r.reused, false);
  assert.ok(r.data.every((v) => v === 42));
  assert.deepEqual(fs.readdirSync(sub).sort(), ['embeddings.npy', 'manifest.json']);
});

test('worker threads embed exactly as this thread does, bad clips included', { skip }, async () => {
  const ds = dataset(5, 6);
  ds.waveforms[3 * CLIP + 10] = NaN;
  const clipIds = ds.clips.map((c) => c.id);
  const notes: string[] = [];
  const warn = (m: string) => notes.push(m);
  const here = await embedWaveforms(yamnet, ds.waveforms, CLIP, { quiet: true, batchClips: 2, workers: 1, clipIds, warn });
  assert.deepEqual(notes, ['lacuna: clip clip3 has non-finite samples; embedding it as silence']);
  notes.length = 0;
  const pooled = await embedWaveforms(yamnet, ds.waveforms, CLIP, { quiet: true, batchClips: 2, workers: 2, clipIds, warn });
  const pool = await workerPoolFor(yamnet, 2, warn);
  assert.equal(pool?.size, 2, `both threads started (${notes.join('; ')})`);
  assert.deepEqual(notes, ['lacuna: clip clip3 has non-finite samples; embedding it as silence']);
  assert.equal(pooled.length, here.length);
  let maxDiff = 0;
  for (let i = 0; i < here.length; i++) maxDiff = Math.max(maxDiff, Math.abs(here[i] - pooled[i]));
  assert.ok(maxDiff <= 1e-5, `max |difference| ${maxDiff}`);
  // The silent clip's rows are the network's response to silence, not zeros or garbage.
  const silence = await embedWaveforms(yamnet, new Float32Array(CLIP), CLIP, { quiet: true, workers: 1 });
  for (let i = 0; i < 8192; i += 97) assert.ok(Math.abs(pooled[3 * 8192 + i] - silence[i]) <= 1e-5);
});

test('when no worker thread can start, embedding says so and runs in this thread', { skip }, async () => {
  const ds = dataset(3, 8);
  const here = await embedWaveforms(yamnet, ds.waveforms, CLIP, { quiet: true, batchClips: 1, workers: 1 });
  // The same model, but pointing workers at a file that is not there: every worker fails to load.
  const broken = { ...yamnet, file: { ...yamnet.file, path: path.join(tmp, 'gone.tflite') } };
  const notes: string[] = [];
  const r = await embedWaveforms(broken, ds.waveforms, CLIP, { quiet: true, batchClips: 1, workers: 2, warn: (m) => notes.push(m) });
  assert.equal(notes.length, 1, notes.join('\n'));
  assert.match(notes[0], /no YAMNet worker thread started: .*gone\.tflite.*embedding in this thread instead/);
  assert.deepEqual(r, here);
});

test('one thread means no worker threads at all; a bad thread count is named', { skip }, async () => {
  const ds = dataset(3, 9);
  const notes: string[] = [];
  // Workers pointed at a missing file would fail and say so; with workers: 1 none is started.
  const broken = { ...yamnet, file: { ...yamnet.file, path: path.join(tmp, 'gone.tflite') } };
  await embedWaveforms(broken, ds.waveforms, CLIP, { quiet: true, batchClips: 1, workers: 1, warn: (m) => notes.push(m) });
  assert.deepEqual(notes, []);
  await assert.rejects(embedWaveforms(yamnet, ds.waveforms, CLIP, { quiet: true, workers: 0 }), (e: Error) => e instanceof ParameterError && /workers must be an integer >= 1/.test(e.message));
});

test('min-max provider depends on the split and needs the training folds', { skip }, async () => {
  const ds = dataset(2, 4);
  const provider = yamnetFeatureProvider(ds, { model: yamnet, quiet: true, scaling: 'minmax', cacheDir: path.join(tmp, 'mm') });
  assert.equal(provider.dependsOnSplit, true);
  await assert.rejects(provider.features({}), /trainFolds/);
  const a = await provider.features({ trainFolds: [1] });
  const b = await provider.features({ trainFolds: [2] });
  assert.notDeepEqual(a.data, b.data);
  assert.throws(() => yamnetFeatureProvider({ ...ds, sampleRate: 8000 }), /16000 Hz/);
});

test('YAMNet head: reference layout, seeded, trainable', async () => {
  const m = buildYamnetHead({ inputSize: 8192, numClasses: 10, seed: 5 });
  assert.deepEqual(m.outputs[0].shape, [null, 10]);
  const expected = (8192 * 128 + 128) + (128 * 64 + 64) + (64 * 32 + 32) + (32 * 10 + 10);
  assert.equal(m.countParams(), expected);
  const same = buildYamnetHead({ inputSize: 8192, numClasses: 10, seed: 5 });
  assert.deepEqual(await m.getWeights()[2].data(), await same.getWeights()[2].data());
  const tuned = buildYamnetHead({ inputSize: 64, numClasses: 3, seed: 1, hyperparameters: TUNED_YAMNET_HEAD });
  assert.deepEqual(tuned.layers.filter((l) => l.getClassName() === 'Dense').map((l) => (l.getConfig() as { units: number }).units), [256, 64, 16, 3]);
  const rng = new Rng(9);
  const x = tf.tensor2d(Array.from({ length: 60 }, (_, i) => Array.from({ length: 64 }, (_, j) => (j % 3 === i % 3 ? 1 : 0) + 0.1 * rng.normal())));
  const y = tf.tensor1d(Array.from({ length: 60 }, (_, i) => i % 3), 'float32');
  const h = await tuned.fit(x, y, { epochs: 15, batchSize: 20, verbose: 0, shuffle: false });
  const loss = h.history.loss as number[];
  assert.ok(loss[loss.length - 1] < loss[0], `loss ${loss[0]} → ${loss[loss.length - 1]}`);
  assert.throws(() => buildYamnetHead({ numClasses: 1 }), ParameterError);
  [x, y].forEach((t) => t.dispose());
  [m, same, tuned].forEach((mm) => mm.dispose());
});
