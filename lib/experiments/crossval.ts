import * as fs from 'fs';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../util/rng';
import { check } from '../util/errors';
import { readJsonIfExists, writeJsonAtomic } from '../util/atomic';
import { createProgress } from '../util/progress';
import { InterruptedError, interruptCheckpoint } from '../util/interrupt';
import { gapModelLabel, validateGapModel } from '../corrupt/gaps';
import type { CorruptionMode, CorruptionSpec, FeatureMatrix, FeatureProvider, GapModel, ModelFactory } from './types';
import { FoldSplit, foldSplit, stratifiedDummyPredictions } from './split';
import { TrainHistory, TrainingSettings, argmaxRows, predictProbabilities, trainModel } from './train';
import { CONSTANT_LEARNING_RATE } from './schedule';
import { fitStandardizer, standardize } from './standardize';
import { LinearProbeOptions, fitLinearProbe } from './probe';
import { defaultWorkerCount } from '../engine';
import { claimRunDir, foldFile, loadWeights, runDir, saveWeights, trainedDir } from './store';
import { FoldResult, RunSummary, confusionCounts, summarise, writeRunFiles } from './results';
import { writeRunFigures } from './report';

/** One run of the matrix: a mode and, unless NC, its gap model. */
export interface RunSpec {
  mode: CorruptionMode;
  gapModel?: GapModel;
}

export interface CrossValOptions extends TrainingSettings {
  provider: FeatureProvider;
  modelFactory: ModelFactory;
  /** Hyperparameters and anything else that defines the model; recorded and compared. */
  modelConfig: Record<string, unknown>;
  /** Name in result paths. Default: provider.name. */
  modelName?: string;
  runs: RunSpec[];
  /** Test folds to compute now (a subset for quick runs). Default: every fold of the dataset. */
  folds?: number[];
  /**
   * 'standardize': the model sees features standardised with the mean and spread of the fold's
   * training rows (fitted on those only, applied to every row it is shown).
   */
  inputScaling?: 'standardize';
  /** Fit a linear probe per fold as a second baseline beside the dummy (the YAMNet path). */
  linearProbe?: LinearProbeOptions;
  /** Seeds model initialisation, shuffles and the dummy classifier. */
  seed: number;
  /** Worker threads for training (see trainingWorkers). Default: automatic. */
  workers?: number;
  /** Seeds the gaps (each clip forks it by id). Default: seed. */
  corruptionSeed?: number;
  /** Results root, e.g. `outputs/results/<dataset name>` (resultsRoot in lib/data/paths.ts). */
  root: string;
  /** Replace runs whose saved config differs instead of failing. */
  overwrite?: boolean;
  /** Keep trained weights per (training data, fold) for reuse. Default true. */
  cacheWeights?: boolean;
  /** Write standalone HTML figures beside each run. Default true. */
  figures?: boolean;
  quiet?: boolean;
}

interface PlannedRun {
  spec: RunSpec;
  label: string;
  dir: string;
  trainKey: string;
  trainCorruption?: CorruptionSpec;
  testCorruption?: CorruptionSpec;
  pendingFolds: number[];
}

const TRAIN_ON_CORRUPTED: Record<CorruptionMode, boolean> = { NC: false, C_ts: false, C_tr: true, C_all: true };
const TEST_ON_CORRUPTED: Record<CorruptionMode, boolean> = { NC: false, C_tr: false, C_ts: true, C_all: true };

function seedFor(seed: number, label: string): number {
  return new Rng(seed).fork(label).nextSeed();
}

/**
 * Leave-one-fold-out cross-validation of several runs (mode x gap model) that share training:
 * NC and C_ts use the model trained on clean data, C_tr and C_all the one trained on the same
 * corruption, so each (training data, fold) is trained once — and its weights cached for later
 * invocations. Every finished fold is saved at once; a restarted call skips it.
 */
export async function runCrossValidation(options: CrossValOptions): Promise<RunSummary[]> {
  const { provider } = options;
  const model = options.modelName ?? provider.name;
  const corruptionSeed = options.corruptionSeed ?? options.seed;
  const labels = Int32Array.from(provider.clips, (c) => c.classIndex);
  const clipFolds = provider.clips.map((c) => c.fold);
  const datasetFolds = [...new Set(clipFolds)].sort((a, b) => a - b);
  const testFolds = options.folds ?? datasetFolds;
  for (const f of testFolds) check(datasetFolds.includes(f), `fold ${f} is not in the dataset (folds: ${datasetFolds.join(', ')})`);
  const numClasses = provider.classNames.length;
  // The worker count changes the numbers (dropout masks differ per replica), so it is part of the config.
  const training = {
    epochs: options.epochs, batchSize: options.batchSize, validation: options.validation ?? null,
    schedule: options.schedule ?? CONSTANT_LEARNING_RATE, inputScaling: options.inputScaling ?? 'none', seed: options.seed,
    workers: options.workers ?? `auto (max ${defaultWorkerCount()})`,
  };
  const common = {
    model, modelConfig: options.modelConfig, features: provider.describe(),
    dataset: { name: provider.datasetName, fingerprint: provider.fingerprint, clips: provider.clips.length, classNames: provider.classNames, folds: datasetFolds },
    training, corruptionSeed, linearProbe: options.linearProbe ?? null,
  };
  const trainingConfig = (trainKey: string) => ({ ...common, trainKey });

  // Plan first: a config mismatch must stop the call before any training.
  const plans: PlannedRun[] = options.runs.map((spec) => {
    check(spec.mode === 'NC' || spec.gapModel !== undefined, `mode ${spec.mode} needs a gap model`);
    if (spec.gapModel) validateGapModel(spec.gapModel);
    const corruption = spec.mode === 'NC' || !spec.gapModel ? undefined : { gapModel: spec.gapModel, seed: corruptionSeed };
    const label = corruption ? gapModelLabel(corruption.gapModel) : 'clean';
    const trainCorruption = TRAIN_ON_CORRUPTED[spec.mode] ? corruption : undefined;
    const testCorruption = TEST_ON_CORRUPTED[spec.mode] ? corruption : undefined;
    const trainKey = trainCorruption ? label : 'clean';
    const dir = runDir(options.root, model, spec.mode, label);
    claimRunDir(dir, {
      ...common, mode: spec.mode, gapModel: corruption?.gapModel ?? null,
      trainedOn: trainKey, testedOn: testCorruption ? label : 'clean',
      sharing: 'NC and C_ts evaluate the clean-trained model of each fold; C_tr and C_all the model trained on the same corruption',
    }, options.overwrite);
    const pendingFolds = testFolds.filter((f) => !fs.existsSync(foldFile(dir, f)));
    return { spec, label, dir, trainKey, trainCorruption, testCorruption, pendingFolds };
  });

  const groups = new Map<string, PlannedRun[]>();
  for (const p of plans) if (p.pendingFolds.length) groups.set(p.trainKey, [...(groups.get(p.trainKey) ?? []), p]);
  const foldsOfGroup = (runs: PlannedRun[]) => [...new Set(runs.flatMap((r) => r.pendingFolds))].sort((a, b) => a - b);
  // Progress counts rows: each training as epochs x training rows, each evaluation as test rows.
  const foldRows = new Map(datasetFolds.map((f) => [f, clipFolds.filter((c) => c === f).length]));
  const trainWork = (fold: number) => options.epochs * (provider.clips.length - (foldRows.get(fold) ?? 0));
  let total = 0;
  for (const runs of groups.values()) {
    for (const f of foldsOfGroup(runs)) total += trainWork(f);
    for (const r of runs) for (const f of r.pendingFolds) total += foldRows.get(f) ?? 0;
  }
  const progress = createProgress({ total, label: `${model} cross-validation (rows)`, quiet: options.quiet });

  const featuresFor = (corruption: CorruptionSpec | undefined, split: FoldSplit): Promise<FeatureMatrix> =>
    provider.features({ corruption, trainFolds: provider.dependsOnSplit ? split.trainFolds : undefined });

  // One checkpoint for the whole call: an interrupt between folds stops the next fold's training too.
  const checkpoint = interruptCheckpoint(`${model} cross-validation`);
  try {
    for (const [trainKey, runs] of groups) {
      const cacheDir = trainedDir(options.root, model, trainKey, trainingConfig(trainKey));
      for (const fold of foldsOfGroup(runs)) {
        await checkpoint();
        const split = foldSplit(clipFolds, fold);
        const trainFeatures = await featuresFor(runs[0].trainCorruption, split);
        const scaler = options.inputScaling === 'standardize' ? fitStandardizer(trainFeatures, split.train) : undefined;
        const modelInput = (m: FeatureMatrix) => (scaler ? standardize(m, scaler) : m);
        const net = options.modelFactory({ inputShape: trainFeatures.rowShape, numClasses, seed: seedFor(options.seed, `init-${fold}`) });
        try {
          const engine = tf.getBackend();
          let done = 0;
          const cached = options.cacheWeights === false ? undefined : loadWeights(cacheDir, fold, net);
          let history: TrainHistory;
          if (cached) {
            history = cached.history as TrainHistory;
          } else {
            history = await trainModel(net, modelInput(trainFeatures), labels, split.train, {
              epochs: options.epochs, batchSize: options.batchSize, validation: options.validation, schedule: options.schedule,
              seed: seedFor(options.seed, `train-${fold}`),
              workers: options.workers, checkpoint,
              onBatch: (rows) => { done += rows; progress.tick(rows, `fold ${fold}: training (${trainKey})`); },
            });
            if (options.cacheWeights !== false) saveWeights(cacheDir, fold, net, { history, engine, trainingConfig: trainingConfig(trainKey) });
          }
          progress.tick(trainWork(fold) - done, `fold ${fold} ${cached ? 'weights reused' : 'trained'} (${trainKey})`);
          const dummyRng = new Rng(seedFor(options.seed, `dummy-${fold}`));
          const dummy = stratifiedDummyPredictions(split.train.map((i) => labels[i]), split.test.length, numClasses, dummyRng);
          const probe = options.linearProbe ? fitLinearProbe(trainFeatures, labels, split.train, numClasses, options.linearProbe) : undefined;
          for (const run of runs.filter((r) => r.pendingFolds.includes(fold))) {
            const t0 = Date.now();
            const testFeatures = await featuresFor(run.testCorruption, split);
            const predictions = argmaxRows(predictProbabilities(net, modelInput(testFeatures), split.test), numClasses);
            const truth = split.test.map((i) => labels[i]);
            const hits = (pred: number[]) => pred.reduce((n, p, i) => n + (p === truth[i] ? 1 : 0), 0) / truth.length;
            const result: FoldResult = {
              fold, accuracy: hits(predictions), dummyAccuracy: hits(dummy),
              ...(probe ? { probeAccuracy: hits(probe.predict(testFeatures, split.test)), probe: { penalty: probe.penalty, looAccuracy: probe.looAccuracy } } : {}),
              clipIds: split.test.map((i) => provider.clips[i].id), labels: truth, predictions,
              confusion: confusionCounts(truth, predictions, numClasses),
              training: {
                trainKey, reused: Boolean(cached), epochsRun: history.epochsRun, stoppedEarly: history.stoppedEarly,
                loss: history.loss, valAccuracy: history.valAccuracy, valLoss: history.valLoss, learningRate: history.learningRate,
                restoredEpoch: history.restoredEpoch, trainRows: history.trainRows,
                validationRows: history.validationRows, seconds: history.seconds, engine: String((cached?.engine as string) ?? engine),
              },
              testSeconds: (Date.now() - t0) / 1000, engine, finishedAt: new Date().toISOString(),
            };
            writeJsonAtomic(foldFile(run.dir, fold), result);
            progress.tick(split.test.length, `${run.spec.mode} ${run.label} fold ${fold}: ${result.accuracy.toFixed(3)}`);
          }
        } finally {
          net.dispose();
        }
      }
    }
  } catch (err) {
    // The live line would otherwise keep its last "eta"; say where the work stopped and why.
    progress.stop(err instanceof InterruptedError
      ? 'interrupted: finished folds are saved, running it again resumes'
      : `stopped: ${(err as Error).message.split('\n')[0]}`);
    throw err;
  }
  progress.done();
  return plans.map((p) => finishRun(p, model, provider.classNames.slice(), datasetFolds, options.figures !== false));
}

/** Aggregates whatever folds a run has on disk and writes its summary files. */
function finishRun(plan: PlannedRun, model: string, classNames: string[], datasetFolds: number[], figures: boolean): RunSummary {
  const results = datasetFolds
    .map((f) => readJsonIfExists<FoldResult>(foldFile(plan.dir, f)))
    .filter((r): r is FoldResult => r !== undefined);
  const summary = summarise({
    model, mode: plan.spec.mode, label: plan.label, gapModel: plan.spec.mode === 'NC' ? null : plan.spec.gapModel ?? null,
    classNames, datasetFolds, results, dir: plan.dir,
  });
  writeRunFiles(summary, results);
  if (figures) writeRunFigures(summary);
  return summary;
}
