import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { runLacuna } from './support/cli';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { chooseInference, initEngine, openOnnxSession, probeOnnxRuntime } from '../lib/engine';
import { LacunaError } from '../lib/util/errors';
import { loadYamnet, Yamnet } from '../lib/models/yamnet/model';
import { embedWaveforms } from '../lib/models/yamnet/embeddings';
import { buildCnn, LACUNA_CNN } from '../lib/models/cnn';
import { buildYamnetHead, TUNED_YAMNET_HEAD } from '../lib/models/head';
import { sequentialOnnxModel } from '../lib/models/onnx';
import { encodeModel } from '../lib/engine/onnx/proto';
import { predictProbabilities, trainModel } from '../lib/experiments/train';
import { Rng } from '../lib/util/rng';
import { exampleClip16k, exampleClipsDir, yamnetPath } from './support/yamnet';

/**
 * The native inference engine (onnxruntime-node) against the WASM path: the graphs lacuna writes
 * must compute what tfjs computes, within 1e-4, so embeddings cached by either engine stay valid.
 */

const TOLERANCE = 1e-4;
const MODEL = yamnetPath();
const ROOT = path.resolve(__dirname, '..');

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

function noise(n: number, seed: number, scale = 1): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => scale * rng.normal());
}

before(async () => {
  await initEngine({ engine: 'wasm', quiet: true });
});

test('onnxruntime-node loads here, and a hand-encoded graph runs: y = relu(x W + b)', async () => {
  assert.ok(probeOnnxRuntime().available, probeOnnxRuntime().reason);
  const model = encodeModel({
    name: 'tiny',
    nodes: [{ opType: 'Gemm', inputs: ['x', 'w', 'b'], outputs: ['g'] }, { opType: 'Relu', inputs: ['g'], outputs: ['y'] }],
    initializers: [{ name: 'w', dims: [2, 3], values: Float32Array.of(1, -1, 2, 0.5, 3, -4) }, { name: 'b', dims: [3], values: Float32Array.of(0, 1, -1) }],
    inputs: [{ name: 'x', dims: ['batch', 2] }], outputs: [{ name: 'y', dims: ['batch', 3] }],
  });
  const session = await openOnnxSession(model, 1);
  const [y] = await session.run({ x: { values: Float32Array.of(1, 2, -1, 0), dims: [2, 2] } }, ['y']);
  await session.dispose();
  // Row 1: [1+1, -1+6+1, 2-8-1] → relu; row 2: [-1, 1+1, -2-1] → relu.
  assert.deepEqual(Array.from(y), [2, 6, 0, 0, 2, 0]);
});

test('engine choice: native when it loads, tfjs when an engine is asked for by name or it is missing', () => {
  assert.equal(chooseInference({ engine: 'auto', source: 'default' }).name, 'onnx');
  assert.equal(chooseInference({ engine: 'onnx', source: 'option' }).name, 'onnx');
  const wasm = chooseInference({ engine: 'wasm', source: 'LACUNA_ENGINE' });
  assert.equal(wasm.name, 'tfjs');
  assert.match(wasm.reason, /LACUNA_ENGINE/);
  const missing = { LACUNA_ONNXRUNTIME: path.join(ROOT, 'no-such-onnxruntime') };
  const fallback = chooseInference({ engine: 'auto', source: 'default' }, missing);
  assert.equal(fallback.name, 'tfjs');
  assert.match(fallback.reason, /no-such-onnxruntime did not load/);
  assert.throws(() => chooseInference({ engine: 'onnx', source: 'option' }, missing), (e: Error) => e instanceof LacunaError && /engine "onnx" asked for explicitly/.test(e.message));
});

test('lacuna engine names the inference engine; LACUNA_ENGINE=wasm forces WASM', { skip: fs.existsSync(path.join(ROOT, 'dist/cli/main.js')) ? false : 'dist/ not built' }, () => {
  const json = (env: NodeJS.ProcessEnv) => {
    const r = runLacuna(['engine', '--json'], { env: { LACUNA_QUIET: undefined, ...env } });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
  };
  const auto = json({ LACUNA_ENGINE: undefined });
  assert.equal(auto.inference, 'onnx');
  assert.match(auto.inferenceReason, /onnxruntime-node@/);
  const forced = json({ LACUNA_ENGINE: 'wasm' });
  assert.equal(forced.name, 'wasm');
  assert.equal(forced.inference, 'tfjs');
});

test('CNN predictions: onnx equals tfjs within 1e-4 (trained a few steps, odd pooling lengths)', async () => {
  for (const inputSamples of [32000, 5003]) {
    const rows = 12;
    const model = buildCnn({ inputSamples, numClasses: 5, seed: 3, hyperparameters: LACUNA_CNN });
    const matrix = { data: noise(rows * inputSamples, 1, 0.3), rows, rowShape: [inputSamples, 1] };
    const labels = Array.from({ length: rows }, (_, i) => i % 5);
    const order = labels.map((_, i) => i);
    await trainModel(model, matrix, labels, order, { epochs: 2, batchSize: 6, seed: 1, workers: 1 });
    assert.ok(sequentialOnnxModel(model), 'the CNN converts');
    const native = await predictProbabilities(model, matrix, order, 64, 'onnx');
    const wasm = await predictProbabilities(model, matrix, order, 64, 'tfjs');
    assert.equal(native.length, rows * 5);
    assert.ok(maxAbsDiff(native, wasm) < TOLERANCE, `inputSamples ${inputSamples}: max |onnx - tfjs| = ${maxAbsDiff(native, wasm)}`);
    model.dispose();
  }
});

test('head predictions: onnx equals tfjs within 1e-4; an unsupported layer falls back to tfjs', async () => {
  const rows = 20;
  const head = buildYamnetHead({ inputSize: 8192, numClasses: 10, seed: 2, hyperparameters: TUNED_YAMNET_HEAD });
  const matrix = { data: noise(rows * 8192, 2), rows, rowShape: [8192] };
  const order = Array.from({ length: rows }, (_, i) => i);
  const native = await predictProbabilities(head, matrix, order, 64, 'onnx');
  const wasm = await predictProbabilities(head, matrix, order, 64, 'tfjs');
  assert.ok(maxAbsDiff(native, wasm) < TOLERANCE, `max |onnx - tfjs| = ${maxAbsDiff(native, wasm)}`);
  head.dispose();

  const odd = tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [6] }), tf.layers.batchNormalization(), tf.layers.dense({ units: 3, activation: 'softmax' })] });
  assert.equal(sequentialOnnxModel(odd), undefined);
  const m = { data: noise(5 * 6, 3), rows: 5, rowShape: [6] };
  const p = await predictProbabilities(odd, m, [0, 1, 2, 3, 4], 64, 'onnx');
  assert.ok(maxAbsDiff(p, await predictProbabilities(odd, m, [0, 1, 2, 3, 4], 64, 'tfjs')) === 0);
  odd.dispose();
});

test('YAMNet on onnx: embeddings and scores equal the WASM path within 1e-4 (real clips; in this thread and on the worker pool)', { skip: MODEL ? false : 'YAMNet model not found' }, async () => {
  const native: Yamnet = loadYamnet({ path: MODEL, inference: 'onnx' });
  const wasm: Yamnet = loadYamnet({ path: MODEL, inference: 'tfjs' });
  try {
    assert.equal(native.network.engine, 'onnx');
    assert.equal(wasm.network.engine, 'tfjs');
    const clipSamples = 16000;
    const dir = exampleClipsDir();
    const real = dir ? fs.readdirSync(dir).filter((f) => f.endsWith('.wav')).map((f) => {
      const mono = exampleClip16k(f);
      const clip = new Float32Array(clipSamples);
      clip.set(mono.subarray(0, clipSamples));
      return clip;
    }) : [];
    const synthetic = [noise(clipSamples, 5, 0.1), Float32Array.from({ length: clipSamples }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / 16000))];
    const clips = [...real, ...synthetic, ...synthetic.map((c) => c.map((v) => -v))];
    const waveforms = new Float32Array(clips.length * clipSamples);
    clips.forEach((c, i) => waveforms.set(c, i * clipSamples));
    const a = await embedWaveforms(native, waveforms, clipSamples, { quiet: true, workers: 1 });
    const b = await embedWaveforms(wasm, waveforms, clipSamples, { quiet: true, workers: 1 });
    assert.ok(maxAbsDiff(a, b) < TOLERANCE, `embeddings: max |onnx - wasm| = ${maxAbsDiff(a, b)}`);
    assert.ok(Math.max(...a) > 0.1, 'embeddings are not all ~0');
    const pooled = await embedWaveforms(native, waveforms, clipSamples, { quiet: true, workers: 2, batchClips: 2 });
    assert.ok(maxAbsDiff(pooled, b) < TOLERANCE, `embeddings on onnx worker threads: max |onnx - wasm| = ${maxAbsDiff(pooled, b)}`);
    const patches = new Float32Array(3 * 96 * 64).map((_, i) => Math.sin(i / 7) * 4 - 3);
    const sa = await native.network.infer(patches, 3);
    const sb = await wasm.network.infer(patches, 3);
    assert.ok(maxAbsDiff(sa.scores, sb.scores) < TOLERANCE, `scores: max |onnx - wasm| = ${maxAbsDiff(sa.scores, sb.scores)}`);
    assert.ok(maxAbsDiff(sa.embeddings, sb.embeddings) < TOLERANCE);
  } finally {
    native.dispose();
    wasm.dispose();
  }
});

after(() => undefined);
