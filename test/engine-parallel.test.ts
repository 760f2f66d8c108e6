import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../lib/engine';
import { createParallelTrainer, defaultWorkerCount, shardSizes } from '../lib/engine/parallel';
import { applyFlatGradients, averageShards, shardGradients } from '../lib/engine/parallel-step';
import { decorrelateDropout } from '../lib/engine/parallel-worker';
import { buildCnn } from '../lib/models/cnn';
import { SeededDropout } from '../lib/models/layers';
import { Rng } from '../lib/util/rng';

const SAMPLES = 1024;
const CLASSES = 3;

function smallCnn(seed: number, dropout = 0): tf.LayersModel {
  return buildCnn({
    inputSamples: SAMPLES, numClasses: CLASSES, seed,
    hyperparameters: { convFilters: [8, 8, 16], denseUnits: [16, 8], dropout, l2: 1e-3, learningRate: 1e-2 },
  });
}

/** Three classes of noisy tones (different frequencies): learnable in a few dozen steps. */
function toneBatch(rng: Rng, rows: number): { x: Float32Array; y: Int32Array } {
  const x = new Float32Array(rows * SAMPLES);
  const y = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    y[r] = rng.int(0, CLASSES - 1);
    const freq = [0.01, 0.05, 0.2][y[r]];
    const phase = rng.range(0, 2 * Math.PI);
    for (let i = 0; i < SAMPLES; i++) x[r * SAMPLES + i] = Math.sin(2 * Math.PI * freq * i + phase) + 0.3 * rng.normal();
  }
  return { x, y };
}

function weightsOf(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => w.dataSync() as Float32Array);
}

/** Largest |a - b| relative to the largest |b| of each tensor. */
function maxRelDiff(a: Float32Array[], b: Float32Array[]): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  a.forEach((t, k) => {
    const scale = Math.max(1e-12, ...b[k].map(Math.abs));
    for (let i = 0; i < t.length; i++) worst = Math.max(worst, Math.abs(t[i] - b[k][i]) / scale);
  });
  return worst;
}

function threadCount(): number | undefined {
  try { return fs.readdirSync('/proc/self/task').length; } catch { return undefined; }
}

before(async () => {
  const info = await initEngine({ engine: 'wasm', quiet: true });
  assert.equal(info.backend, 'wasm');
});

test('shardSizes splits rows contiguously and evenly, never empty', () => {
  assert.deepEqual(shardSizes(11, 2), [6, 5]);
  assert.deepEqual(shardSizes(128, 2), [64, 64]);
  assert.deepEqual(shardSizes(1, 2), [1]);
  assert.deepEqual(shardSizes(7, 3), [3, 2, 2]);
});

test('defaultWorkerCount: LACUNA_WORKERS wins, else min(2, cores)', () => {
  assert.equal(defaultWorkerCount({ LACUNA_WORKERS: '1' }), 1);
  assert.equal(defaultWorkerCount({ LACUNA_WORKERS: ' 3 ' }), 3);
  assert.equal(defaultWorkerCount({}), Math.min(2, os.cpus().length));
  assert.throws(() => defaultWorkerCount({ LACUNA_WORKERS: 'two' }), /LACUNA_WORKERS must be/);
});

test('two workers stay bit-identical and equal a single-thread run of the same averaged steps', async () => {
  const steps = 4;
  const rows = 11; // uneven shards (6 + 5) exercise the row weighting
  const trained = smallCnn(3);
  const reference = smallCnn(3);
  const keras = smallCnn(3);
  const trainer = await createParallelTrainer(trained, { workers: 2, quiet: true });
  try {
    assert.equal(trainer.mode, 'workers', trainer.reason);
    assert.equal(trainer.replicas, 2);
    const rng = new Rng(11);
    for (let s = 0; s < steps; s++) {
      const { x, y } = toneBatch(rng, rows);
      const result = await trainer.trainOnBatch(x, y, rows);
      let start = 0;
      const shards = shardSizes(rows, 2).map((n) => {
        const part = shardGradients(reference, x.subarray(start * SAMPLES, (start + n) * SAMPLES), y.subarray(start, start + n), n);
        start += n;
        return part;
      });
      const mean = averageShards(shards);
      applyFlatGradients(reference, mean.grads);
      assert.ok(Math.abs(result.loss - mean.loss) <= 1e-5 * Math.abs(mean.loss), `step ${s}: loss ${result.loss} vs ${mean.loss}`);
      assert.equal(result.accuracy, mean.metric);
      assert.equal(result.replicaMs?.length, 2);
      // Keras' own full-batch step: the same loss (penalties included); weights compared below.
      const [kLoss] = (await keras.trainOnBatch(tf.tensor(x, [rows, SAMPLES, 1]), tf.tensor1d(Float32Array.from(y)))) as number[];
      assert.ok(Math.abs(kLoss - result.loss) <= 1e-4 * kLoss, `step ${s}: keras loss ${kLoss} vs ${result.loss}`);
    }
    const replica0 = smallCnn(99);
    const replica1 = smallCnn(98);
    await trainer.syncWeightsTo(replica0, 0);
    await trainer.syncWeightsTo(replica1, 1);
    const w0 = weightsOf(replica0);
    const w1 = weightsOf(replica1);
    w0.forEach((t, k) => assert.deepEqual(t, w1[k], `replicas differ in weight ${k}`));
    const start = weightsOf(smallCnn(3));
    assert.ok(maxRelDiff(w0, start) > 1e-3, 'training did not move the weights');
    assert.ok(maxRelDiff(w0, weightsOf(reference)) <= 1e-5, `replica vs reference: ${maxRelDiff(w0, weightsOf(reference))}`);
    assert.ok(maxRelDiff(w0, weightsOf(keras)) <= 1e-5, `replica vs keras: ${maxRelDiff(w0, weightsOf(keras))}`);
    // The optimizer state came back too: one more step from the synced model matches the reference.
    const { x, y } = toneBatch(rng, rows);
    const [after] = (await replica0.trainOnBatch(tf.tensor(x, [rows, SAMPLES, 1]), tf.tensor1d(Float32Array.from(y)))) as number[];
    const [expected] = (await reference.trainOnBatch(tf.tensor(x, [rows, SAMPLES, 1]), tf.tensor1d(Float32Array.from(y)))) as number[];
    assert.ok(Math.abs(after - expected) <= 1e-5 * expected);
    assert.ok(maxRelDiff(weightsOf(replica0), weightsOf(reference)) <= 1e-5);
    const predicted = await trainer.predict(x, rows);
    const local = (replica1.predict(tf.tensor(x, [rows, SAMPLES, 1])) as tf.Tensor).dataSync();
    assert.equal(predicted.length, rows * CLASSES);
    assert.ok(predicted.every((p, i) => Math.abs(p - local[i]) <= 1e-6));
  } finally {
    await trainer.dispose();
  }
});

test('with dropout, replicas still stay identical (same applied gradients)', async () => {
  const trainer = await createParallelTrainer(smallCnn(4, 0.5), { workers: 2, seed: 7, quiet: true });
  try {
    const rng = new Rng(2);
    for (let s = 0; s < 2; s++) {
      const { x, y } = toneBatch(rng, 8);
      await trainer.trainOnBatch(x, y, 8);
    }
    const a = smallCnn(1, 0.5);
    const b = smallCnn(2, 0.5);
    await trainer.syncWeightsTo(a, 0);
    await trainer.syncWeightsTo(b, 1);
    weightsOf(a).forEach((t, k) => assert.deepEqual(t, weightsOf(b)[k]));
  } finally {
    await trainer.dispose();
  }
});

test('replicas other than the first draw their own dropout masks', () => {
  const seeds = (m: tf.LayersModel) => m.layers.filter((l) => l instanceof SeededDropout).map((l) => (l as SeededDropout).seed);
  const [first, second, third] = [smallCnn(4, 0.5), smallCnn(4, 0.5), smallCnn(4, 0.5)];
  decorrelateDropout(first, 0);
  decorrelateDropout(second, 1);
  decorrelateDropout(third, 1);
  assert.equal(seeds(first).length, 2);
  assert.deepEqual(seeds(first), seeds(smallCnn(4, 0.5)));
  assert.ok(seeds(second).every((s, i) => s !== seeds(first)[i]));
  assert.deepEqual(seeds(second), seeds(third), 'derived seeds are reproducible');
});

test('loss decreases on a learnable task with two workers', async () => {
  const model = smallCnn(5);
  const trainer = await createParallelTrainer(model, { workers: 2, quiet: true });
  const rng = new Rng(21);
  const losses: number[] = [];
  const accuracies: number[] = [];
  try {
    for (let s = 0; s < 25; s++) {
      const { x, y } = toneBatch(rng, 32);
      const r = await trainer.trainOnBatch(x, y, 32);
      losses.push(r.loss);
      accuracies.push(r.accuracy!);
    }
    await trainer.syncWeightsTo(model);
  } finally {
    await trainer.dispose();
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  assert.ok(mean(losses.slice(-5)) < 0.6 * mean(losses.slice(0, 3)), `losses: ${losses.map((l) => l.toFixed(3)).join(' ')}`);
  assert.ok(mean(accuracies.slice(-5)) > 0.7, `accuracies: ${accuracies.join(' ')}`);
  // The synced main-thread model has learned too.
  const { x, y } = toneBatch(new Rng(99), 30);
  const predicted = (model.predict(tf.tensor(x, [30, SAMPLES, 1])) as tf.Tensor).argMax(-1).dataSync();
  assert.ok(predicted.filter((p, i) => p === y[i]).length >= 20);
});

test('workers that cannot start fall back to this thread, with the reason', async () => {
  const broken = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lacuna-par-')), 'replica.js');
  fs.writeFileSync(broken, "throw new Error('replica exploded on purpose');\n");
  for (const [workerFile, expected] of [[broken, /replica exploded on purpose/], ['/nonexistent/replica.js', /not found/]] as const) {
    const model = smallCnn(6);
    const before = weightsOf(model);
    const trainer = await createParallelTrainer(model, { workers: 2, workerFile, quiet: true });
    assert.equal(trainer.mode, 'in-thread');
    assert.match(trainer.reason, /worker threads unavailable/);
    assert.match(trainer.reason, expected);
    const { x, y } = toneBatch(new Rng(3), 6);
    const r = await trainer.trainOnBatch(x, y, 6);
    assert.ok(Number.isFinite(r.loss) && r.accuracy !== undefined);
    assert.ok(maxRelDiff(weightsOf(model), before) > 0, 'in-thread training trains the model itself');
    await trainer.syncWeightsTo(model);
    await trainer.dispose();
    await assert.rejects(trainer.trainOnBatch(x, y, 6), /disposed/);
  }
  const single = await createParallelTrainer(smallCnn(6), { workers: 1, quiet: true });
  assert.equal(single.mode, 'in-thread');
  await assert.rejects(createParallelTrainer(smallCnn(6), { workers: 0, quiet: true }), /workers must be/);
  const uncompiled = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
  await assert.rejects(createParallelTrainer(uncompiled, { quiet: true }), /not compiled/);
});

test('a worker that dies mid-training makes the step fail clearly instead of hanging', async () => {
  const dying = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lacuna-par-')), 'replica.js');
  fs.writeFileSync(dying, [
    "const { parentPort } = require('node:worker_threads');",
    "parentPort.postMessage({ kind: 'ready', engine: 'wasm', parameters: 0 });",
    'parentPort.on(\'message\', () => process.exit(3));',
  ].join('\n'));
  const trainer = await createParallelTrainer(smallCnn(7), { workers: 2, workerFile: dying, quiet: true });
  assert.equal(trainer.mode, 'workers');
  const { x, y } = toneBatch(new Rng(5), 4);
  await assert.rejects(trainer.trainOnBatch(x, y, 4), /worker \d exited \(code 3\)/);
  await assert.rejects(trainer.trainOnBatch(x, y, 4), /exited/);
  await trainer.dispose();
});

test('bad batches are refused with a clear message', async () => {
  const trainer = await createParallelTrainer(smallCnn(8), { workers: 2, quiet: true });
  try {
    await assert.rejects(trainer.trainOnBatch(new Float32Array(SAMPLES * 3), new Float32Array(3), 4), /expected 4 rows/);
    await assert.rejects(trainer.trainOnBatch(new Float32Array(SAMPLES * 4), new Float32Array(3), 4), /not a whole number/);
  } finally {
    await trainer.dispose();
  }
});

test('dispose stops the worker threads; a forgotten trainer does not keep the process alive', async () => {
  const threadsBefore = threadCount();
  const trainer = await createParallelTrainer(smallCnn(9), { workers: 2, quiet: true });
  const { x, y } = toneBatch(new Rng(4), 4);
  await trainer.trainOnBatch(x, y, 4);
  const threadsDuring = threadCount();
  await trainer.dispose();
  await assert.rejects(trainer.trainOnBatch(x, y, 4), /disposed/);
  if (threadsBefore !== undefined) {
    assert.ok(threadsDuring! >= threadsBefore + 2, `threads ${threadsBefore} -> ${threadsDuring}`);
    assert.ok(threadCount()! <= threadsBefore, `threads after dispose: ${threadCount()} (before ${threadsBefore})`);
  }
  const script = `
    const { initEngine } = require('./lib/engine');
    const { createParallelTrainer } = require('./lib/engine/parallel');
    const { buildCnn } = require('./lib/models/cnn');
    (async () => {
      await initEngine({ engine: 'wasm', quiet: true });
      const model = buildCnn({ inputSamples: 1024, numClasses: 3 });
      const kept = await createParallelTrainer(model, { workers: 2, quiet: true });
      await kept.trainOnBatch(new Float32Array(2048), new Float32Array([0, 1]), 2);
      console.log('mode ' + kept.mode);
    })();`;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
    cwd: path.join(__dirname, '..'), encoding: 'utf8', timeout: 60_000,
  });
  assert.equal(child.signal, null, 'the process did not exit by itself (killed after 60 s)');
  assert.equal(child.status, 0, child.stderr.slice(-2000));
  assert.match(child.stdout, /mode workers/);
});
