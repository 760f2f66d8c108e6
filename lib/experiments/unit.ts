import * as tf from '@tensorflow/tfjs';
import { Rng } from '../util/rng';
import type { CorruptionMode, CorruptionSpec, FeatureMatrix, FeatureProvider, ModelFactory } from './types';
import { foldSplit, stratifiedDummyPredictions } from './split';
import { TrainHistory, TrainingSettings, argmaxRows, predictProbabilities, trainModel, trainingWorkers } from './train';
import { rowSize } from './features';
import { fitStandardizer, standardize } from './standardize';
import { LinearProbeOptions, fitLinearProbe } from './probe';
import { SavedWeights, applyWeights, weightsOf } from './store';
import { FoldResult, confusionCounts } from './results';
import type { Checkpoint } from '../util/interrupt';

/**
 * The grid's independent unit of work: one (training data, fold) training and every evaluation
 * that shares its weights (NC and every C_ts length of a fold on the clean model; C_tr and C_all of
 * one corruption on the corrupted model). Plain JSON, so a queue can carry it to another machine;
 * every seed comes from here, never from the machine that runs it.
 */
export interface TrainingUnit {
  trainKey: string;
  fold: number;
  trainCorruption?: CorruptionSpec;
  /** The runs evaluated on this training's weights (label `clean` for NC). */
  evaluations: { mode: CorruptionMode; label: string; testCorruption?: CorruptionSpec }[];
  training: TrainingSettings & {
    /** Worker threads asked for; undefined → trainingWorkers' choice with `autoWorkers`. */
    workers?: number;
    /** defaultWorkerCount() of the machine that planned the unit: the count is part of the result. */
    autoWorkers: number;
  };
  /** Seeds model initialisation, shuffles and the dummy classifier. */
  seed: number;
  inputScaling?: 'standardize';
  linearProbe?: LinearProbeOptions;
}

/** What runs a unit: the model path built on the machine's own copy of the dataset. */
export interface UnitContext {
  provider: FeatureProvider;
  modelFactory: ModelFactory;
}

export interface UnitResult {
  trainKey: string;
  fold: number;
  /** One fold result per evaluation, in the unit's order. */
  results: { mode: CorruptionMode; label: string; result: FoldResult }[];
  /** The weights trained now (meta: history, engine); absent when they were given. */
  weights?: SavedWeights;
}

export interface RunUnitOptions {
  /** Weights of an earlier training of this unit (its cache); used instead of training when they fit. */
  cachedWeights?: SavedWeights;
  /** Called as soon as new weights exist, before the evaluations (the local runner caches them then). */
  onTrained?: (weights: SavedWeights) => void;
  /** Rows processed: epochs x training rows while training, test rows per evaluation. */
  onRows?: (rows: number, note: string) => void;
  /** Awaited before every optimiser step; throws to stop (a kernel interrupt). Default: training's own. */
  checkpoint?: Checkpoint;
}

export function seedFor(seed: number, label: string): number {
  return new Rng(seed).fork(label).nextSeed();
}

/** Progress rows of a unit's training: epochs x the fold's training rows. */
export function unitTrainRows(unit: TrainingUnit, clipFolds: readonly number[]): number {
  return unit.training.epochs * clipFolds.filter((f) => f !== unit.fold).length;
}

/**
 * Trains (or loads) one fold's model and evaluates it on every run of the unit. Writes nothing:
 * the caller stores the results, so the same function serves the local runner and queue workers.
 */
export async function runUnit(ctx: UnitContext, unit: TrainingUnit, options: RunUnitOptions = {}): Promise<UnitResult> {
  const { provider } = ctx;
  const onRows = options.onRows ?? (() => undefined);
  const { fold, trainKey } = unit;
  const labels = Int32Array.from(provider.clips, (c) => c.classIndex);
  const clipFolds = provider.clips.map((c) => c.fold);
  const numClasses = provider.classNames.length;
  const split = foldSplit(clipFolds, fold);
  const featuresFor = (corruption: CorruptionSpec | undefined): Promise<FeatureMatrix> =>
    provider.features({ corruption, trainFolds: provider.dependsOnSplit ? split.trainFolds : undefined });
  const trainFeatures = await featuresFor(unit.trainCorruption);
  const scaler = unit.inputScaling === 'standardize' ? fitStandardizer(trainFeatures, split.train) : undefined;
  const modelInput = (m: FeatureMatrix) => (scaler ? standardize(m, scaler) : m);
  const net = ctx.modelFactory({ inputShape: trainFeatures.rowShape, numClasses, seed: seedFor(unit.seed, `init-${fold}`) });
  try {
    const engine = tf.getBackend();
    const trainRows = unitTrainRows(unit, clipFolds);
    let done = 0;
    const cachedMeta = options.cachedWeights && applyWeights(net, options.cachedWeights);
    let history: TrainHistory;
    let weights: SavedWeights | undefined;
    if (cachedMeta) {
      history = cachedMeta.history as TrainHistory;
    } else {
      const { workers, autoWorkers, ...settings } = unit.training;
      history = await trainModel(net, modelInput(trainFeatures), labels, split.train, {
        ...settings, seed: seedFor(unit.seed, `train-${fold}`),
        workers: trainingWorkers(rowSize(trainFeatures), workers, autoWorkers), checkpoint: options.checkpoint,
        onBatch: (rows) => { done += rows; onRows(rows, `fold ${fold}: training (${trainKey})`); },
      });
      weights = weightsOf(net, { history, engine });
      options.onTrained?.(weights);
    }
    onRows(trainRows - done, `fold ${fold} ${cachedMeta ? 'weights reused' : 'trained'} (${trainKey})`);
    const dummyRng = new Rng(seedFor(unit.seed, `dummy-${fold}`));
    const dummy = stratifiedDummyPredictions(split.train.map((i) => labels[i]), split.test.length, numClasses, dummyRng);
    const probe = unit.linearProbe ? fitLinearProbe(trainFeatures, labels, split.train, numClasses, unit.linearProbe) : undefined;
    const results: UnitResult['results'] = [];
    for (const evaluation of unit.evaluations) {
      const t0 = Date.now();
      const testFeatures = await featuresFor(evaluation.testCorruption);
      const predictions = argmaxRows(await predictProbabilities(net, modelInput(testFeatures), split.test), numClasses);
      const truth = split.test.map((i) => labels[i]);
      const hits = (pred: number[]) => pred.reduce((n, p, i) => n + (p === truth[i] ? 1 : 0), 0) / truth.length;
      const result: FoldResult = {
        fold, accuracy: hits(predictions), dummyAccuracy: hits(dummy),
        ...(probe ? { probeAccuracy: hits(probe.predict(testFeatures, split.test)), probe: { penalty: probe.penalty, looAccuracy: probe.looAccuracy } } : {}),
        clipIds: split.test.map((i) => provider.clips[i].id), labels: truth, predictions,
        confusion: confusionCounts(truth, predictions, numClasses),
        training: {
          trainKey, reused: Boolean(cachedMeta), epochsRun: history.epochsRun, stoppedEarly: history.stoppedEarly,
          loss: history.loss, valAccuracy: history.valAccuracy, valLoss: history.valLoss, learningRate: history.learningRate,
          restoredEpoch: history.restoredEpoch, trainRows: history.trainRows,
          validationRows: history.validationRows, seconds: history.seconds, engine: String((cachedMeta?.engine as string) ?? engine),
        },
        testSeconds: (Date.now() - t0) / 1000, engine, finishedAt: new Date().toISOString(),
      };
      results.push({ mode: evaluation.mode, label: evaluation.label, result });
      onRows(split.test.length, `${evaluation.mode} ${evaluation.label} fold ${fold}: ${result.accuracy.toFixed(3)}`);
    }
    return { trainKey, fold, results, ...(weights ? { weights } : {}) };
  } finally {
    net.dispose();
  }
}
