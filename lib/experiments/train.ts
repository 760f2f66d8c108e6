import * as tf from '@tensorflow/tfjs';
import { Rng } from '../util/rng';
import { check } from '../util/errors';
import type { FeatureMatrix } from './types';
import { gatherRows, rowSize } from './features';
import { createParallelTrainer, currentInference, defaultWorkerCount, InferenceName, openOnnxSession, ParallelTrainer } from '../engine';
import { sequentialOnnxModel } from '../models/onnx';
import { stratifiedSplit } from './split';
import { CONSTANT_LEARNING_RATE, LearningRateSchedule, learningRateAt, validateSchedule } from './schedule';
import { Checkpoint, interruptCheckpoint } from '../util/interrupt';
import { WarmStartMethod, WarmStartRecord, warmStartFromProbe } from './warm-start';

/**
 * Early stopping on validation accuracy, with Keras' semantics: `best` starts at `baseline`, an
 * epoch improves when accuracy exceeds best by more than `minDelta`, training stops after
 * `patience` epochs without improvement. The last epoch's weights are kept (Keras' default)
 * unless `restoreBest`.
 */
export interface ValidationOptions {
  /** Stratified fraction of the training rows held out. Reference: 0.2. */
  fraction: number;
  /** Reference (CNN): 10. */
  patience: number;
  /** Reference: 0.01. */
  minDelta: number;
  /** Reference (CNN): 0.3; 0 for none. */
  baseline: number;
  /**
   * Return the weights of the epoch with the highest validation accuracy (ties: the lower
   * validation loss) instead of the last epoch's. Reference: false.
   */
  restoreBest?: boolean;
  /**
   * Then train a fresh model on every training row (the validation rows too) for the epochs
   * validation chose, on the same learning-rate curve, and keep that one (runUnit does this): a
   * small dataset gives up a fifth of its rows to validation, which costs more than it does at
   * 1000 clips. Default false.
   */
  refit?: boolean;
}

export const REFERENCE_CNN_VALIDATION: Readonly<ValidationOptions> = Object.freeze({ fraction: 0.2, patience: 10, minDelta: 0.01, baseline: 0.3 });

/** How a model is trained; recorded in a run's config. */
export interface TrainingSettings {
  /** Maximum epochs (> 0). */
  epochs: number;
  /** Rows per optimiser step (> 0). */
  batchSize: number;
  /** Hold out a validation split and stop early; undefined trains on every row for all epochs. */
  validation?: ValidationOptions;
  /** Learning rate per step; default constant (the optimizer's own rate). */
  schedule?: LearningRateSchedule;
  /**
   * Shrink the batch below `batchSize` where the training rows would give fewer optimiser steps
   * per epoch than this (see effectiveBatchSize), so that a small dataset is not trained with a
   * handful of steps. Undefined: always `batchSize` (the reference).
   */
  minStepsPerEpoch?: number;
  /**
   * 'linear-probe': start from the ridge probe fitted on the rows the model trains on (never the
   * validation rows), scored as epoch 0 when validating (warm-start.ts; models that cannot hold it
   * start as built). Undefined: start as built (the reference).
   */
  warmStart?: WarmStartMethod;
}

/**
 * Rows per optimiser step for `trainRows` rows: `batchSize`, or the largest batch that still gives
 * at least `minStepsPerEpoch` steps an epoch when `batchSize` would give fewer (never below 1 row).
 * E.g. batch 128, 8 steps: 256 rows train at batch 32, 1000 rows at 125, 2000 rows at 128.
 */
export function effectiveBatchSize(trainRows: number, batchSize: number, minStepsPerEpoch?: number): number {
  if (minStepsPerEpoch === undefined) return batchSize;
  check(Number.isInteger(minStepsPerEpoch) && minStepsPerEpoch >= 1, `minStepsPerEpoch must be an integer >= 1, got ${minStepsPerEpoch}`);
  return Math.max(1, Math.min(batchSize, Math.floor(trainRows / minStepsPerEpoch)));
}

export interface TrainOptions extends TrainingSettings {
  /** Stop after this many epochs of `epochs` (the learning-rate curve still spans `epochs`): a refit's length. */
  stopAfterEpochs?: number;
  /** Seeds the shuffles and the validation split. */
  seed: number;
  /** Called after each optimiser step with the rows it used (for progress). */
  onBatch?: (rows: number) => void;
  /**
   * Worker threads for data-parallel training on wasm. Default: trainingWorkers(): several for
   * the waveform CNN, 1 for dense heads (they lose more to messaging than they gain).
   * Results depend on the count (dropout masks differ per replica), so it is recorded.
   */
  workers?: number;
  /**
   * Awaited before every optimiser step; throws to stop training (a kernel interrupt). Default:
   * interruptCheckpoint('training'), taken when training starts.
   */
  checkpoint?: Checkpoint;
}

export interface TrainHistory {
  loss: number[];
  accuracy: number[];
  /** Per epoch, when a validation split was used. */
  valAccuracy: number[];
  /** Per epoch, mean cross-entropy on the validation rows (when a validation split was used). */
  valLoss: number[];
  /** Learning rate at the end of each epoch (when a schedule sets it). */
  learningRate: number[];
  /** 1-based epoch whose weights the model holds (the last one unless restoreBest); 0: the warm start, untrained. */
  restoredEpoch: number;
  epochsRun: number;
  stoppedEarly: boolean;
  trainRows: number;
  validationRows: number;
  seconds: number;
  /** Model replicas that trained (1 = this thread). */
  replicas: number;
  /** Rows per optimiser step (effectiveBatchSize) and steps taken. */
  batchSize: number;
  steps: number;
  /** The refit on every training row (ValidationOptions.refit), when there was one; `seconds` above includes it. */
  refit?: TrainRefit;
  /** What TrainingSettings.warmStart did, when asked for. */
  warmStart?: WarmStartRecord;
}

export interface TrainRefit { epochs: number; trainRows: number; steps: number; seconds: number; warmStart?: WarmStartRecord }

function batchTensor(matrix: FeatureMatrix, rows: ArrayLike<number>): tf.Tensor {
  return tf.tensor(gatherRows(matrix, rows), [rows.length, ...matrix.rowShape]);
}

/**
 * Class probabilities [rows.length * numClasses] for the given rows, in batches: on onnxruntime's
 * native kernels when `inference` (default currentInference()) is 'onnx' and the model's layers
 * convert (lib/models/onnx), else on the TensorFlow.js engine. Both agree within 1e-4.
 */
export async function predictProbabilities(model: tf.LayersModel, matrix: FeatureMatrix, rows: readonly number[], batchSize = 64, inference: InferenceName = currentInference().name): Promise<Float32Array> {
  const graph = inference === 'onnx' ? sequentialOnnxModel(model) : undefined;
  return graph ? predictNative(graph, matrix, rows, Math.max(batchSize, 128)) : predictTfjs(model, matrix, rows, batchSize);
}

/** predict() on onnxruntime with this thread's share of cores (training is not running meanwhile). */
async function predictNative(graph: Uint8Array, matrix: FeatureMatrix, rows: readonly number[], batchSize: number): Promise<Float32Array> {
  const session = await openOnnxSession(graph, defaultWorkerCount());
  try {
    const chunks: Float32Array[] = [];
    for (let b = 0; b < rows.length; b += batchSize) {
      const part = rows.slice(b, b + batchSize);
      chunks.push((await session.run({ x: { values: gatherRows(matrix, part), dims: [part.length, ...matrix.rowShape] } }, ['y']))[0]);
    }
    return concatenate(chunks);
  } finally {
    await session.dispose();
  }
}

function concatenate(chunks: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const c of chunks) { out.set(c, offset); offset += c.length; }
  return out;
}

function predictTfjs(model: tf.LayersModel, matrix: FeatureMatrix, rows: readonly number[], batchSize: number): Float32Array {
  const chunks: Float32Array[] = [];
  for (let b = 0; b < rows.length; b += batchSize) {
    const part = rows.slice(b, b + batchSize);
    chunks.push(tf.tidy(() => (model.predict(batchTensor(matrix, part)) as tf.Tensor).dataSync() as Float32Array).slice());
  }
  return concatenate(chunks);
}

async function predictWith(trainer: ParallelTrainer, matrix: FeatureMatrix, rows: readonly number[], batchSize: number): Promise<Float32Array> {
  const parts: Float32Array[] = [];
  for (let b = 0; b < rows.length; b += batchSize) {
    const part = rows.slice(b, b + batchSize);
    parts.push(await trainer.predict(gatherRows(matrix, part), part.length));
  }
  return concatenate(parts);
}

/**
 * Worker threads to train with: the request, else defaultWorkerCount() for rows of >= 16384 values
 * (raw waveforms: conv layers dominate and 2 workers train ~1.9x faster) and 1 for embedding rows
 * (YAMNet's 8192-d head trains in milliseconds per step and would only pay for messaging).
 * `autoCount` lets a unit of work carry the count of the machine that planned it.
 */
export function trainingWorkers(rowValues: number, requested?: number, autoCount: number = defaultWorkerCount()): number {
  return requested ?? (rowValues >= 16384 ? autoCount : 1);
}

/** Index of the largest value in each row of a [n * k] array. */
export function argmaxRows(values: Float32Array, k: number): number[] {
  const out: number[] = [];
  for (let r = 0; r * k < values.length; r++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (values[r * k + j] > values[r * k + best]) best = j;
    out.push(best);
  }
  return out;
}

function accuracyOf(predicted: readonly number[], labels: ArrayLike<number>, rows: readonly number[]): number {
  let hit = 0;
  rows.forEach((r, i) => { if (predicted[i] === labels[r]) hit++; });
  return rows.length ? hit / rows.length : 0;
}

/** Mean cross-entropy of [rows.length * k] probabilities against the rows' labels. */
function crossEntropyOf(probabilities: Float32Array, k: number, labels: ArrayLike<number>, rows: readonly number[]): number {
  let sum = 0;
  rows.forEach((r, i) => { sum -= Math.log(Math.max(probabilities[i * k + labels[r]], 1e-7)); });
  return rows.length ? sum / rows.length : 0;
}

/** The rows trainModel holds out for validation (and the rest it trains on), for the same seed. */
export function validationSplit(rows: readonly number[], labels: ArrayLike<number>, validation: ValidationOptions, seed: number): { train: number[]; validation: number[] } {
  return stratifiedSplit(rows, labels, validation.fraction, new Rng(seed).fork('validation'));
}

/**
 * Trains a compiled model on the given rows: seeded shuffles each epoch, one trainOnBatch per
 * batch (so every draw is reproducible, unlike fit()'s Math.random shuffle), optional
 * stratified validation with early stopping and a learning-rate schedule.
 */
export async function trainModel(model: tf.LayersModel, matrix: FeatureMatrix, labels: ArrayLike<number>, rows: readonly number[], options: TrainOptions): Promise<TrainHistory> {
  check(options.epochs >= 1, `epochs must be >= 1, got ${options.epochs}`);
  check(options.batchSize >= 1, `batchSize must be >= 1, got ${options.batchSize}`);
  check(rows.length > 0, 'no training rows');
  if (options.schedule) validateSchedule(options.schedule);
  const rng = new Rng(options.seed);
  // Taken before the workers start, so an interrupt while they load stops training too.
  const checkpoint = options.checkpoint ?? interruptCheckpoint('training');
  const split = options.validation
    ? validationSplit(rows, labels, options.validation, options.seed)
    : { train: rows.slice(), validation: [] as number[] };
  const numClasses = (model.outputs[0].shape[1] as number) ?? 2;
  const start = Date.now();
  const history: TrainHistory = {
    loss: [], accuracy: [], valAccuracy: [], valLoss: [], learningRate: [], restoredEpoch: 0, epochsRun: 0, stoppedEarly: false,
    trainRows: split.train.length, validationRows: split.validation.length, seconds: 0, replicas: 1,
    batchSize: effectiveBatchSize(split.train.length, options.batchSize, options.minStepsPerEpoch), steps: 0,
  };
  if (options.warmStart === 'linear-probe') history.warmStart = warmStartFromProbe(model, matrix, labels, split.train, numClasses);
  const workers = trainingWorkers(rowSize(matrix), options.workers);
  const trainer = await createParallelTrainer(model, { workers, seed: options.seed, quiet: true });
  history.replicas = trainer.replicas;
  let best: tf.Tensor[] | undefined;
  try {
    // The replicas hold the weights: a snapshot is a sync into `model` (a no-op in-thread,
    // where `model` is the one training) and a copy of its tensors.
    const snapshot = async () => {
      await trainer.syncWeightsTo(model);
      tf.dispose(best);
      best = model.getWeights().map((w) => w.clone());
    };
    await trainEpochs(trainer, matrix, labels, split, numClasses, { ...options, checkpoint }, rng, history, options.validation?.restoreBest ? snapshot : undefined);
    if (best) model.setWeights(best);
    else { await trainer.syncWeightsTo(model); history.restoredEpoch = history.epochsRun; }
  } finally {
    tf.dispose(best);
    await trainer.dispose();
  }
  history.seconds = (Date.now() - start) / 1000;
  return history;
}

/**
 * The epoch loop: seeded shuffles, one step per batch at the schedule's rate, Keras-style early
 * stopping; `onBest` is called after each epoch that beats every earlier one on validation.
 */
async function trainEpochs(
  trainer: ParallelTrainer, matrix: FeatureMatrix, labels: ArrayLike<number>, split: { train: number[]; validation: number[] },
  numClasses: number, options: TrainOptions, rng: Rng, history: TrainHistory, onBest?: () => Promise<void>,
): Promise<void> {
  let best = options.validation?.baseline ?? -Infinity;
  let wait = 0;
  let top = { accuracy: -Infinity, loss: Infinity };
  const schedule = options.schedule ?? CONSTANT_LEARNING_RATE;
  const checkpoint = options.checkpoint!;
  const batchSize = history.batchSize;
  const steps = Math.ceil(split.train.length / batchSize);
  const lastEpoch = Math.min(options.epochs, options.stopAfterEpochs ?? options.epochs);
  const scoreValidation = async () => {
    const probabilities = await predictWith(trainer, matrix, split.validation, options.batchSize);
    return {
      accuracy: accuracyOf(argmaxRows(probabilities, numClasses), labels, split.validation),
      loss: crossEntropyOf(probabilities, numClasses, labels, split.validation),
    };
  };
  if (history.warmStart?.applied && options.validation && split.validation.length > 0) {
    // The start is a candidate like any epoch (epoch 0): training must beat the probe on validation to be kept.
    top = await scoreValidation();
    history.warmStart = { ...history.warmStart, valAccuracy: top.accuracy, valLoss: top.loss };
    history.restoredEpoch = 0;
    await onBest?.();
  }
  for (let epoch = 0; epoch < lastEpoch; epoch++) {
    const order = rng.fork(`epoch-${epoch}`).shuffled(split.train);
    let lossSum = 0;
    let accSum = 0;
    let rate: number | undefined;
    for (let b = 0, step = 0; b < order.length; b += batchSize, step++) {
      await checkpoint();
      const part = order.slice(b, b + batchSize);
      rate = learningRateAt(schedule, epoch + (step + 1) / steps, options.epochs);
      const out = await trainer.trainOnBatch(gatherRows(matrix, part), Float32Array.from(part, (r) => labels[r]), part.length, rate);
      lossSum += out.loss * part.length;
      accSum += (out.accuracy ?? NaN) * part.length;
      history.steps++;
      options.onBatch?.(part.length);
    }
    history.loss.push(lossSum / order.length);
    history.accuracy.push(accSum / order.length);
    if (rate !== undefined) history.learningRate.push(rate);
    history.epochsRun = epoch + 1;
    if (options.validation && split.validation.length > 0) {
      const { accuracy: valAcc, loss: valLoss } = await scoreValidation();
      history.valAccuracy.push(valAcc);
      history.valLoss.push(valLoss);
      if (valAcc > top.accuracy || (valAcc === top.accuracy && valLoss < top.loss)) {
        top = { accuracy: valAcc, loss: valLoss };
        history.restoredEpoch = epoch + 1;
        await onBest?.();
      }
      wait++;
      if (valAcc - options.validation.minDelta > best) { best = valAcc; wait = 0; }
      if (wait >= options.validation.patience && epoch > 0 && epoch + 1 < options.epochs) { history.stoppedEarly = true; break; }
    }
  }
}
