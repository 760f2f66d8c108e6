import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { SeededDropout } from '../lib/models/layers';
import { buildCnn } from '../lib/models/cnn';
import { trainTinyModel } from '../lib/models/tiny';
import { initEngine } from '../lib/engine';

test('SeededDropout: a new mask per training call, the same sequence for the same seed, identity at inference', () => {
  const x = tf.ones([4, 64]);
  const masks = (seed: number) => {
    const layer = new SeededDropout({ rate: 0.5, seed });
    return [0, 1, 2].map(() => Array.from((layer.apply(x, { training: true }) as tf.Tensor).dataSync()));
  };
  const a = masks(3);
  assert.notDeepEqual(a[0], a[1], 'successive steps must drop different units');
  assert.deepEqual(a, masks(3), 'same seed, same masks');
  assert.notDeepEqual(a[0], masks(4)[0]);
  const kept = a[0].filter((v) => v !== 0);
  assert.ok(kept.every((v) => Math.abs(v - 2) < 1e-6), 'kept units are scaled by 1/(1-rate)');
  assert.ok(Math.abs(kept.length / a[0].length - 0.5) < 0.15);
  const layer = new SeededDropout({ rate: 0.5, seed: 1 });
  assert.deepEqual(Array.from((layer.apply(x) as tf.Tensor).dataSync()), Array.from(x.dataSync()));
});

test('reference CNN: the study\'s layer stack, and a training step changes dropout masks between steps', async () => {
  await initEngine({ engine: 'wasm', quiet: true });
  const model = buildCnn({ inputSamples: 32000, numClasses: 10, seed: 5 });
  const kinds = model.layers.map((l) => l.getClassName());
  assert.deepEqual(kinds, ['Conv1D', 'MaxPooling1D', 'Conv1D', 'MaxPooling1D', 'Conv1D', 'MaxPooling1D', 'Flatten',
    'Dense', 'LacunaSeededDropout', 'Dense', 'LacunaSeededDropout', 'Dense']);
  assert.deepEqual(model.outputs[0].shape, [null, 10]);
  // 32000 → conv(8,4) 7999 → pool 2000 → conv(8,4) 499 → pool 125 → conv(4,4) 31 → pool 8 → 8 * 128
  assert.deepEqual(model.layers[6].outputShape, [null, 1024]);
  assert.equal(model.countParams(), 64 * 8 + 64 + 64 * 64 * 8 + 64 + 128 * 64 * 4 + 128 + 1024 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10);
  model.dispose();
});

test('tiny model trains on the wasm engine: loss falls, same seed gives the same losses', async () => {
  await initEngine({ engine: 'wasm', quiet: true });
  const a = await trainTinyModel({ steps: 12, seed: 3, clipSamples: 512 });
  const b = await trainTinyModel({ steps: 12, seed: 3, clipSamples: 512 });
  assert.equal(a.backend, 'wasm');
  assert.deepEqual(a.losses, b.losses);
  const head = a.losses.slice(0, 3).reduce((s, v) => s + v, 0) / 3;
  const tail = a.losses.slice(-3).reduce((s, v) => s + v, 0) / 3;
  assert.ok(tail < head, `loss should fall: ${head} → ${tail}`);
});
