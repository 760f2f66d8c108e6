import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../lib/engine';
import { buildCnn } from '../lib/models/cnn';
import { Rng } from '../lib/util/rng';
import type { FeatureMatrix } from '../lib/experiments/types';
import {
  LearningRateSchedule, argmaxRows, effectiveBatchSize, fitLinearProbe, fitStandardizer, learningRateAt, predictProbabilities, softmaxScale, standardize, stratifiedSplit, trainModel,
  validationSplit, warmStartFromProbe,
} from '../lib/experiments';
import { buildYamnetHead, YAMNET_HEAD } from '../lib/models/head';
import type { TrainOptions } from '../lib/experiments';

const SAMPLES = 1024;
const CLASSES = 3;

before(async () => {
  // wasm, so that workers: 2 really trains in worker threads (replicas hold the weights).
  const info = await initEngine({ engine: 'wasm', quiet: true });
  assert.equal(info.backend, 'wasm');
});

function smallCnn(seed: number): tf.LayersModel {
  return buildCnn({
    inputSamples: SAMPLES, numClasses: CLASSES, seed,
    hyperparameters: { convFilters: [4, 4, 8], denseUnits: [8, 8], dropout: 0, l2: 0, learningRate: 1e-2 },
  });
}

/** Noisy tones of three frequencies, one row [SAMPLES, 1] per clip. */
function tones(rows: number, seed: number): { matrix: FeatureMatrix; labels: number[] } {
  const rng = new Rng(seed);
  const data = new Float32Array(rows * SAMPLES);
  const labels: number[] = [];
  for (let r = 0; r < rows; r++) {
    const y = r % CLASSES;
    labels.push(y);
    const freq = [0.01, 0.05, 0.2][y];
    const phase = rng.range(0, 2 * Math.PI);
    for (let i = 0; i < SAMPLES; i++) data[r * SAMPLES + i] = Math.sin(2 * Math.PI * freq * i + phase) + 0.8 * rng.normal();
  }
  return { matrix: { data, rows, rowShape: [SAMPLES, 1] }, labels };
}

async function accuracyOn(model: tf.LayersModel, matrix: FeatureMatrix, labels: number[], rows: number[]): Promise<number> {
  const predicted = argmaxRows(await predictProbabilities(model, matrix, rows), CLASSES);
  return predicted.filter((p, i) => p === labels[rows[i]]).length / rows.length;
}

// A rate that climbs until it wrecks the model: the best validation epoch comes early.
const RISING: LearningRateSchedule = { kind: 'warmup-cosine', peak: 0.5, warmupEpochs: 8, finalFraction: 1 };

for (const workers of [1, 2]) {
  test(`restoreBest returns the best validation epoch's weights (workers: ${workers})`, async () => {
    const { matrix, labels } = tones(60, 1);
    const rows = labels.map((_, i) => i);
    const options: TrainOptions = {
      epochs: 8, batchSize: 12, seed: 4, workers, schedule: RISING,
      validation: { fraction: 0.25, patience: 100, minDelta: 0, baseline: 0, restoreBest: true },
    };
    const validation = stratifiedSplit(rows, labels, 0.25, new Rng(options.seed).fork('validation')).validation;
    const best = smallCnn(2);
    const h = await trainModel(best, matrix, labels, rows, options);
    assert.equal(h.replicas, workers);
    const top = Math.max(...h.valAccuracy);
    assert.ok(h.restoredEpoch < h.epochsRun && h.valAccuracy[h.epochsRun - 1] < top,
      `the setup must make the last epoch worse than the best: ${h.valAccuracy}`);
    assert.equal(h.valAccuracy[h.restoredEpoch - 1], top);
    assert.equal(await accuracyOn(best, matrix, labels, validation), top);

    const last = smallCnn(2);
    const h2 = await trainModel(last, matrix, labels, rows, { ...options, validation: { ...options.validation!, restoreBest: false } });
    assert.deepEqual(h2.valAccuracy, h.valAccuracy, 'same seeds, same training');
    assert.equal(h2.restoredEpoch, h2.epochsRun);
    assert.equal(await accuracyOn(last, matrix, labels, validation), h2.valAccuracy[h2.epochsRun - 1]);
    tf.dispose([best, last]);
  });
}

test('effectiveBatchSize: the batch shrinks only where an epoch would have fewer steps than asked', () => {
  assert.equal(effectiveBatchSize(256, 128), 128, 'no minimum: the batch as given');
  assert.equal(effectiveBatchSize(256, 128, 8), 32);
  assert.equal(effectiveBatchSize(1000, 128, 8), 125);
  assert.equal(effectiveBatchSize(2000, 128, 8), 128);
  assert.equal(effectiveBatchSize(5, 128, 8), 1, 'never below one row');
  for (const rows of [9, 72, 256, 700]) assert.ok(Math.ceil(rows / effectiveBatchSize(rows, 32, 8)) >= 8, `${rows} rows`);
  assert.throws(() => effectiveBatchSize(100, 32, 0), /minStepsPerEpoch must be an integer >= 1, got 0/);
});

test('trainModel: minStepsPerEpoch and stopAfterEpochs set the steps taken; the schedule still spans every epoch', async () => {
  const { matrix, labels } = tones(24, 3);
  const rows = labels.map((_, i) => i);
  const schedule: LearningRateSchedule = { kind: 'warmup-cosine', peak: 0.01, warmupEpochs: 1, finalFraction: 0 };
  const model = smallCnn(5);
  const h = await trainModel(model, matrix, labels, rows, { epochs: 4, batchSize: 32, minStepsPerEpoch: 6, seed: 1, workers: 1, schedule, stopAfterEpochs: 2 });
  assert.deepEqual([h.batchSize, h.epochsRun, h.steps], [4, 2, 12]);
  assert.ok(Math.abs(h.learningRate[1] - learningRateAt(schedule, 2, 4)!) < 1e-12, 'epoch 2 of 4 ends half-way down the curve, not at its floor');
  model.dispose();
});

test('warmup-cosine: linear warm-up to the peak, cosine down to the floor', () => {
  const s: LearningRateSchedule = { kind: 'warmup-cosine', peak: 0.01, warmupEpochs: 2, finalFraction: 0.1 };
  assert.equal(learningRateAt({ kind: 'constant' }, 3, 10), undefined);
  assert.ok(Math.abs(learningRateAt(s, 1, 10)! - 0.005) < 1e-12);
  assert.ok(Math.abs(learningRateAt(s, 2, 10)! - 0.01) < 1e-12);
  assert.ok(Math.abs(learningRateAt(s, 6, 10)! - 0.0055) < 1e-12);
  assert.ok(Math.abs(learningRateAt(s, 10, 10)! - 0.001) < 1e-12);
  for (let t = 2; t < 10; t += 0.25) assert.ok(learningRateAt(s, t + 0.25, 10)! < learningRateAt(s, t, 10)!);
});

test('the schedule reaches the optimizer, in this thread and in the workers alike', async () => {
  const { matrix, labels } = tones(24, 3);
  const rows = labels.map((_, i) => i);
  const schedule: LearningRateSchedule = { kind: 'warmup-cosine', peak: 0.02, warmupEpochs: 1, finalFraction: 0.05 };
  const base: TrainOptions = { epochs: 2, batchSize: 8, seed: 1, schedule };
  const inThread = smallCnn(5);
  const h = await trainModel(inThread, matrix, labels, rows, { ...base, workers: 1 });
  assert.deepEqual(h.learningRate, [learningRateAt(schedule, 1, 2), learningRateAt(schedule, 2, 2)]);
  assert.equal((inThread.optimizer as unknown as { learningRate: number }).learningRate, h.learningRate[1]);
  const parallel = smallCnn(5);
  await trainModel(parallel, matrix, labels, rows, { ...base, workers: 2 });
  const constant = smallCnn(5);
  await trainModel(constant, matrix, labels, rows, { ...base, workers: 2, schedule: { kind: 'constant' } });
  const flat = (m: tf.LayersModel) => m.getWeights().flatMap((w) => Array.from(w.dataSync()));
  const [a, b, c] = [flat(inThread), flat(parallel), flat(constant)];
  const diff = (x: number[], y: number[]) => Math.max(...x.map((v, i) => Math.abs(v - y[i])));
  assert.ok(diff(a, b) < 1e-4, `workers vs this thread: ${diff(a, b)}`);
  assert.ok(diff(a, c) > 1e-3, 'a constant rate gives other weights');
  tf.dispose([inThread, parallel, constant]);
});

/** Three Gaussian blobs in 40 dimensions, on wildly different scales and offsets per feature. */
function blobs(rows: number, seed: number): { matrix: FeatureMatrix; labels: number[] } {
  const rng = new Rng(seed);
  const d = 40;
  const centres = Array.from({ length: CLASSES }, () => Array.from({ length: d }, () => rng.normal()));
  const scale = Array.from({ length: d }, (_, j) => 10 ** ((j % 5) - 2));
  const data = new Float32Array(rows * d);
  const labels: number[] = [];
  for (let r = 0; r < rows; r++) {
    const y = r % CLASSES;
    labels.push(y);
    for (let j = 0; j < d; j++) data[r * d + j] = 1000 + scale[j] * (centres[y][j] + 0.4 * rng.normal());
  }
  return { matrix: { data, rows, rowShape: [d] }, labels };
}

test('linear probe: separates separable classes, fitted on training rows only', () => {
  const { matrix, labels } = blobs(90, 7);
  const train = labels.map((_, i) => i).filter((i) => i % 3 !== 0 || i < 9);
  const test = labels.map((_, i) => i).filter((i) => !train.includes(i));
  const probe = fitLinearProbe(matrix, labels, train, CLASSES);
  const predicted = probe.predict(matrix, test);
  assert.deepEqual(predicted, test.map((i) => labels[i]));
  assert.ok(probe.looAccuracy > 0.9);
  const dummyLabels = labels.map(() => 0);
  assert.throws(() => fitLinearProbe(matrix, dummyLabels, [0], CLASSES), /at least 2/);

  // Test rows changed beyond recognition: the standardisation and the fit stay the same.
  const d = 40;
  const altered = Float32Array.from(matrix.data);
  for (const r of test) for (let j = 0; j < d; j++) altered[r * d + j] = 1e6 * (j + 1);
  const other = { ...matrix, data: altered };
  const s1 = fitStandardizer(matrix, train);
  const s2 = fitStandardizer(other, train);
  assert.deepEqual(s2, s1);
  const probe2 = fitLinearProbe(other, labels, train, CLASSES);
  assert.deepEqual(probe2.standardizer, probe.standardizer);
  assert.equal(probe2.penalty, probe.penalty);
  assert.deepEqual(probe2.predict(matrix, test), predicted);
  // …while a standardizer fitted on every row would have moved.
  assert.notDeepEqual(fitStandardizer(other, labels.map((_, i) => i)).mean, fitStandardizer(matrix, labels.map((_, i) => i)).mean);
});

test('warm start (LP-FT): the head starts as the probe fitted on its training rows, scored as epoch 0; a refit of 0 epochs is the probe on every row', async () => {
  const blobbed = blobs(60, 11);
  const labels = blobbed.labels;
  const rows = labels.map((_, i) => i).filter((i) => i % 5 !== 0);
  // As runUnit gives the head its input: standardised with the training rows' mean and spread.
  const matrix = standardize(blobbed.matrix, fitStandardizer(blobbed.matrix, rows));
  const held = labels.map((_, i) => i).filter((i) => i % 5 === 0);
  const all = labels.map((_, i) => i);
  const head = () => buildYamnetHead({ inputSize: 40, numClasses: CLASSES, seed: 3, hyperparameters: YAMNET_HEAD });
  /** The probe's scores x·W + b, [rows, k]. */
  const scoresOf = (p: { weights: Float32Array; bias: ArrayLike<number> }, r: number): number[] =>
    Array.from({ length: CLASSES }, (_, c) => Array.from({ length: 40 }, (_, j) => matrix.data[r * 40 + j] * p.weights[j * CLASSES + c]).reduce((a, b) => a + b, p.bias[c]));

  // The affine map with the standardisation folded in predicts what the probe predicts.
  const probe = fitLinearProbe(matrix, labels, rows, CLASSES);
  assert.deepEqual(all.map((r) => argmaxRows(Float32Array.from(scoresOf(probe, r)), CLASSES)[0]), probe.predict(matrix, all));
  const s = softmaxScale(probe.looScores, rows.map((r) => labels[r]), CLASSES);
  const ce = (k: number) => rows.reduce((sum, r, i) => {
    const z = Array.from({ length: CLASSES }, (_, c) => k * probe.looScores[i * CLASSES + c]);
    return sum + Math.log(z.reduce((a, v) => a + Math.exp(v), 0)) - z[labels[r]];
  }, 0);
  assert.ok(s > 1 && s <= 100 && ce(s) <= ce(s * 1.05) + 1e-9 && ce(s) <= ce(s / 1.05) + 1e-9, `scale ${s} minimises the leave-one-out cross-entropy`);
  // Every fifth row scored highest for a wrong class.
  const noisy = Float64Array.from(probe.looScores, (v, j) => {
    const i = Math.floor(j / CLASSES);
    return v + (i % 5 === 0 && j % CLASSES === (labels[rows[i]] + 1) % CLASSES ? 2 : 0);
  });
  const t = softmaxScale(noisy, rows.map((r) => labels[r]), CLASSES);
  const ceOf = (k: number) => rows.reduce((sum, r, i) => {
    const z = Array.from({ length: CLASSES }, (_, c) => k * noisy[i * CLASSES + c]);
    return sum + Math.log(z.reduce((a, v) => a + Math.exp(v), 0)) - z[labels[r]];
  }, 0);
  assert.ok(t < s && ceOf(t) < ceOf(t * 1.05) && ceOf(t) < ceOf(t / 1.05), `scores that rank some rows wrong get a flatter softmax: ${t}`);

  // Set up as the probe: log-odds are the scaled score differences, on tfjs and on onnxruntime.
  const model = head();
  const record = warmStartFromProbe(model, matrix, labels, rows, CLASSES);
  assert.deepEqual({ ...record }, { method: 'linear-probe', applied: true, penalty: probe.penalty, looAccuracy: probe.looAccuracy, scale: s });
  const p = await predictProbabilities(model, matrix, all, 64, 'tfjs');
  for (const r of all) {
    const sc = scoresOf(probe, r);
    for (let c = 1; c < CLASSES; c++) {
      const logOdds = Math.log(p[r * CLASSES + c] / p[r * CLASSES]);
      assert.ok(Math.abs(logOdds - s * (sc[c] - sc[0])) < 1e-3 * Math.max(1, Math.abs(logOdds)), `row ${r}: ${logOdds} vs ${s * (sc[c] - sc[0])}`);
    }
  }
  const native = await predictProbabilities(model, matrix, all, 64, 'onnx');
  assert.ok(p.every((v, i) => Math.abs(v - native[i]) < 1e-4), 'the ONNX export computes the warm-started head');

  // trainModel: the probe sees the rows it trains on only (not the validation rows); the start is epoch 0.
  const validation = { fraction: 0.25, patience: 100, minDelta: 0, baseline: 0, restoreBest: true };
  const split = validationSplit(rows, labels, validation, 4);
  const inner = fitLinearProbe(matrix, labels, split.train, CLASSES);
  const trained = head();
  const history = await trainModel(trained, matrix, labels, rows, { epochs: 2, batchSize: 16, seed: 4, validation, warmStart: 'linear-probe' });
  assert.equal(history.warmStart?.penalty, inner.penalty);
  assert.equal(history.warmStart?.looAccuracy, inner.looAccuracy);
  const innerHits = inner.predict(matrix, split.validation).filter((c, i) => c === labels[split.validation[i]]).length;
  assert.equal(history.warmStart?.valAccuracy, innerHits / split.validation.length, 'epoch 0 is the probe on the validation rows');
  assert.ok(history.restoredEpoch >= 0 && history.restoredEpoch <= 2 && history.valAccuracy.length === 2);
  // A refit for the 0 epochs validation may choose: the probe on every training row, no step taken.
  const refit = head();
  const zero = await trainModel(refit, matrix, labels, rows, { epochs: 2, batchSize: 16, seed: 4, stopAfterEpochs: 0, warmStart: 'linear-probe' });
  assert.deepEqual([zero.epochsRun, zero.steps, zero.restoredEpoch], [0, 0, 0]);
  assert.deepEqual(argmaxRows(await predictProbabilities(refit, matrix, held, 64, 'tfjs'), CLASSES), probe.predict(matrix, held));

  // Heads that cannot hold the probe start as built, and say why.
  for (const units of [[4], [16, 8]]) {
    const other = buildYamnetHead({ inputSize: 40, numClasses: CLASSES, seed: 3, hyperparameters: { ...YAMNET_HEAD, units } });
    const before = other.getWeights().map((w) => Array.from(w.dataSync()));
    const skipped = warmStartFromProbe(other, matrix, labels, rows, CLASSES);
    assert.equal(skipped.applied, false);
    assert.match(skipped.reason!, units.length === 1 ? /4 hidden units cannot hold 3 classes/ : /one hidden layer/);
    assert.deepEqual(other.getWeights().map((w) => Array.from(w.dataSync())), before);
    other.dispose();
  }
  const lone = head();
  assert.deepEqual(warmStartFromProbe(lone, matrix, labels, [rows[0]], CLASSES), { method: 'linear-probe', applied: false, reason: '1 training row (the probe needs 2)' });
  tf.dispose([model, trained, refit, lone]);
});
