import * as tf from '@tensorflow/tfjs';
import { Rng } from '../util/rng';
import type { CorruptionMode, CorruptionSpec, FeatureMatrix, FeatureProvider, ModelFactory } from './types';
import { foldSplit, stratifiedDummyPredictions } from './split';
import { TrainHistory, TrainOptions, TrainingSettings, argmaxRows, predictProbabilities, trainModel, trainingWorkers } from './train';
import { rowSize } from './features';
import { fitStandardizer, standardize } from './standardize';
import { LinearProbe, LinearProbeOptions, fitLinearProbe } from './probe';
import { ExactMemo, fitKey } from './probe-memo';
import { chooseHeadOrProbe, type HeadOrProbe } from './selection';
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

// Per fold, R_ts evaluates every method and gap model on one training: its probe is fitted once.
const PROBES = new ExactMemo<LinearProbe>(12);
const SELECTIONS = new ExactMemo<HeadOrProbe | undefined>(12);

export function seedFor(seed: number, label: string): number {
  return new Rng(seed).fork(label).nextSeed();
}

/** Progress rows of a unit's training: epochs x the fold's training rows (twice with a refit, at most). */
export function unitTrainRows(unit: TrainingUnit, clipFolds: readonly number[]): number {
  return unit.training.epochs * clipFolds.filter((f) => f !== unit.fold).length * (unit.training.validation?.refit ? 2 : 1);
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
  const build = () => ctx.modelFactory({ inputShape: trainFeatures.rowShape, numClasses, seed: seedFor(unit.seed, `init-${fold}`) });
  let net = build();
  try {
    const engine = tf.getBackend();
    const trainRows = unitTrainRows(unit, clipFolds);
    const trainSeed = seedFor(unit.seed, `train-${fold}`);
    let done = 0;
    const cachedMeta = options.cachedWeights && applyWeights(net, options.cachedWeights);
    let history: TrainHistory;
    let weights: SavedWeights | undefined;
    if (cachedMeta) {
      history = cachedMeta.history as TrainHistory;
    } else {
      const { workers, autoWorkers, ...settings } = unit.training;
      const train = (model: tf.LayersModel, refit?: Partial<TrainOptions>) => trainModel(model, modelInput(trainFeatures), labels, split.train, {
        ...settings, seed: trainSeed, ...refit,
        workers: trainingWorkers(rowSize(trainFeatures), workers, autoWorkers), checkpoint: options.checkpoint,
        onBatch: (rows) => { done += rows; onRows(rows, `fold ${fold}: ${refit ? 'training on every row' : 'training'} (${trainKey})`); },
      });
      history = await train(net);
      // Epoch 0 is a warm start's (the probe): the refit then starts from the probe on every row and trains no epoch.
      const chosen = history.restoredEpoch >= 1 || (history.restoredEpoch === 0 && history.warmStart?.valAccuracy !== undefined);
      if (settings.validation?.refit && chosen && history.validationRows > 0) {
        // Same initialisation and learning-rate curve, every training row, the epochs validation chose.
        const refitNet = build();
        const refit = await train(refitNet, { validation: undefined, stopAfterEpochs: history.restoredEpoch })
          .catch((err: unknown) => { refitNet.dispose(); throw err; });
        net.dispose();
        net = refitNet;
        history = {
          ...history, seconds: history.seconds + refit.seconds,
          refit: { epochs: refit.epochsRun, trainRows: refit.trainRows, steps: refit.steps, seconds: refit.seconds, ...(refit.warmStart ? { warmStart: refit.warmStart } : {}) },
        };
      }
      weights = weightsOf(net, { history, engine });
      options.onTrained?.(weights);
    }
    onRows(trainRows - done, `fold ${fold} ${cachedMeta ? 'weights reused' : 'trained'} (${trainKey})`);
    const dummyRng = new Rng(seedFor(unit.seed, `dummy-${fold}`));
    const dummy = stratifiedDummyPredictions(split.train.map((i) => labels[i]), split.test.length, numClasses, dummyRng);
    const probeOptions = unit.linearProbe;
    const probeKey = probeOptions && fitKey(trainFeatures, labels, {
      rows: split.train, numClasses, probeOptions, validation: unit.training.validation, seed: trainSeed,
      history: { valAccuracy: history.valAccuracy, restoredEpoch: history.restoredEpoch, warmStart: history.warmStart },
    });
    const probe = probeOptions && PROBES.get(probeKey!, () => fitLinearProbe(trainFeatures, labels, split.train, numClasses, probeOptions));
    const selection = probeOptions && SELECTIONS.get(probeKey!, () => chooseHeadOrProbe({
      matrix: trainFeatures, labels, trainRows: split.train, numClasses, validation: unit.training.validation, seed: trainSeed, history, probe: probeOptions,
    }));
    const results: UnitResult['results'] = [];
    for (const evaluation of unit.evaluations) {
      const t0 = Date.now();
      const testFeatures = await featuresFor(evaluation.testCorruption);
      const predictions = argmaxRows(await predictProbabilities(net, modelInput(testFeatures), split.test), numClasses);
      const truth = split.test.map((i) => labels[i]);
      const hits = (pred: number[]) => pred.reduce((n, p, i) => n + (p === truth[i] ? 1 : 0), 0) / truth.length;
      const probeAccuracy = probe ? hits(probe.predict(testFeatures, split.test)) : undefined;
      const accuracy = hits(predictions);
      const result: FoldResult = {
        fold, accuracy, dummyAccuracy: hits(dummy),
        ...(probe ? { probeAccuracy, probe: { penalty: probe.penalty, looAccuracy: probe.looAccuracy } } : {}),
        ...(selection ? { selection, selectedAccuracy: selection.chosen === 'probe' ? probeAccuracy : accuracy } : {}),
        clipIds: split.test.map((i) => provider.clips[i].id), labels: truth, predictions,
        confusion: confusionCounts(truth, predictions, numClasses),
        training: {
          trainKey, reused: Boolean(cachedMeta), epochsRun: history.epochsRun, stoppedEarly: history.stoppedEarly,
          loss: history.loss, valAccuracy: history.valAccuracy, valLoss: history.valLoss, learningRate: history.learningRate,
          restoredEpoch: history.restoredEpoch, trainRows: history.trainRows, batchSize: history.batchSize, steps: history.steps,
          ...(history.refit ? { refit: history.refit } : {}), ...(history.warmStart ? { warmStart: history.warmStart } : {}),
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
