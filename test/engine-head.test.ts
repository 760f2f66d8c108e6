import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initEngine, useStockWasmKernels } from '../lib/engine';
import { shardGradients } from '../lib/engine/parallel-step';
import { buildYamnetHead } from '../lib/models/head';
import { Rng } from '../lib/util/rng';

/**
 * The YAMNet head trains on lacuna's wasm kernels (untransposed matrix products) with the same
 * maths as the cpu backend and as wasm's stock kernels: same gradients (dropout, L2 and all) and
 * the same weights after several Adam steps.
 */

const INPUT = 1024;
const ROWS = 32;
const CLASSES = 10;

before(async () => {
  const info = await initEngine({ engine: 'wasm', quiet: true });
  assert.equal(info.backend, 'wasm');
});

function batch(seed: number): { x: Float32Array; y: Float32Array } {
  const rng = new Rng(seed);
  const x = Float32Array.from({ length: ROWS * INPUT }, () => rng.normal());
  const y = Float32Array.from({ length: ROWS }, (_, i) => i % CLASSES);
  return { x, y };
}

/** A fresh head (same seed: same initial weights and dropout masks on every backend). */
function head(): tf.LayersModel {
  return buildYamnetHead({ inputSize: INPUT, numClasses: CLASSES, seed: 3, hyperparameters: { units: [128, 64, 32], dropout: 0.5, l2: 1e-3 } });
}

/** max |a - b| / max |b| */
function relError(a: Float32Array, b: Float32Array): number {
  let diff = 0, scale = 0;
  for (let i = 0; i < b.length; i++) { diff = Math.max(diff, Math.abs(a[i] - b[i])); scale = Math.max(scale, Math.abs(b[i])); }
  return diff / scale;
}

async function onBackend<T>(backend: string, stock: boolean, fn: () => T | Promise<T>): Promise<T> {
  await tf.setBackend(backend);
  useStockWasmKernels(stock);
  try {
    return await fn();
  } finally {
    useStockWasmKernels(false);
    await tf.setBackend('wasm');
  }
}

test('head gradients (dropout, L2) on wasm with lacuna kernels match the cpu backend and stock wasm', async () => {
  const { x, y } = batch(1);
  const grads = (backend: string, stock: boolean) => onBackend(backend, stock, () => {
    const model = head();
    const shard = shardGradients(model, x, y, ROWS);
    model.dispose();
    return shard;
  });
  const cpu = await grads('cpu', false);
  const stock = await grads('wasm', true);
  const ours = await grads('wasm', false);
  assert.ok(cpu.grads.some((g) => g !== 0));
  assert.ok(relError(ours.grads, cpu.grads) < 1e-4, `vs cpu: ${relError(ours.grads, cpu.grads)}`);
  assert.ok(relError(ours.grads, stock.grads) < 1e-5, `vs stock wasm: ${relError(ours.grads, stock.grads)}`);
  assert.ok(Math.abs(ours.loss - cpu.loss) < 1e-4 * Math.abs(cpu.loss), `loss ${ours.loss} vs ${cpu.loss}`);
});

test('five trainOnBatch steps of the head: same losses and weights with lacuna kernels as with stock wasm and cpu', async () => {
  const batches = [1, 2, 3, 4, 5].map(batch);
  const train = (backend: string, stock: boolean) => onBackend(backend, stock, async () => {
    const model = head();
    const before = model.getWeights().map((w) => w.dataSync().slice() as Float32Array);
    const losses: number[] = [];
    for (const b of batches) {
      const xs = tf.tensor2d(b.x, [ROWS, INPUT]), ys = tf.tensor1d(b.y);
      losses.push(((await model.trainOnBatch(xs, ys)) as number[])[0]);
      tf.dispose([xs, ys]);
    }
    const after = model.getWeights().map((w) => w.dataSync().slice() as Float32Array);
    model.dispose();
    return { losses, before, after };
  });
  const cpu = await train('cpu', false);
  const stock = await train('wasm', true);
  const ours = await train('wasm', false);
  ours.losses.forEach((l, i) => {
    assert.ok(Math.abs(l - cpu.losses[i]) < 1e-4 * cpu.losses[i], `step ${i}: loss ${l} vs cpu ${cpu.losses[i]}`);
    assert.ok(Math.abs(l - stock.losses[i]) < 1e-5 * stock.losses[i], `step ${i}: loss ${l} vs stock ${stock.losses[i]}`);
  });
  // Adam moves each weight by ~lr (1e-3) per step: compare the moves, not the weights.
  // Where a gradient is ~0 its sign is float noise and Adam still moves the weight by up to lr,
  // so stock wasm and cpu already differ a little: ours may differ from cpu about as much.
  ours.after.forEach((w, i) => {
    const move = (r: { before: Float32Array[]; after: Float32Array[] }) => r.after[i].map((v, j) => v - r.before[i][j]);
    const stockVsCpu = relError(move(stock), move(cpu));
    const oursVsCpu = relError(move(ours), move(cpu));
    const oursVsStock = relError(move(ours), move(stock));
    console.log(`weight ${i}: update differences ours-cpu ${oursVsCpu.toExponential(2)}, stock-cpu ${stockVsCpu.toExponential(2)}, ours-stock ${oursVsStock.toExponential(2)}`);
    assert.ok(oursVsCpu < Math.max(2 * stockVsCpu, 1e-3), `weight ${i}: update vs cpu ${oursVsCpu} (stock wasm vs cpu ${stockVsCpu})`);
    assert.ok(oursVsStock < Math.max(2 * stockVsCpu, 1e-3), `weight ${i}: update vs stock ${oursVsStock} (stock wasm vs cpu ${stockVsCpu})`);
  });
  assert.ok(ours.losses[4] < ours.losses[0], `the head learns: loss ${ours.losses[0]} -> ${ours.losses[4]}`);
});
