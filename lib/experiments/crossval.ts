import * as fs from 'fs';
import * as path from 'path';
import { check } from '../util/errors';
import { readJsonIfExists, writeJsonAtomic } from '../util/atomic';
import { createProgress } from '../util/progress';
import { InterruptedError, interruptCheckpoint } from '../util/interrupt';
import { gapModelLabel, validateGapModel } from '../corrupt/gaps';
import type { CorruptionMode, CorruptionSpec, FeatureProvider, GapModel, ModelFactory } from './types';
import type { TrainingSettings } from './train';
import { CONSTANT_LEARNING_RATE } from './schedule';
import type { LinearProbeOptions } from './probe';
import { defaultWorkerCount } from '../engine';
import { claimRunDir } from '../util/owned-dir';
import { foldFile, readWeights, runDir, trainedDir, writeWeights } from './store';
import { FoldResult, summarize, writeRunFiles } from './results';
import type { RunSummary } from './types';
import { TrainingUnit, UnitResult, runUnit, unitTrainRows } from './unit';
import { writeRunFigures } from './report';
import { repairRunName } from './repaired';

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
  /**
   * Classification after reconstruction (lib/experiments/repaired.ts): the provider's corrupted
   * features are `method`'s repairs; C_ts runs become `<model>/R_ts-<method>/<label>`, C_all runs
   * `<model>/R_all-<method>/<label>`. `source` (the reconstruction run's config) is recorded.
   */
  repair?: { method: string; source: Record<string, unknown> };
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

/** A unit with what only the planning machine needs: where its weights are cached and its runs live. */
export interface PlannedUnit {
  unit: TrainingUnit;
  /** Folder of the weight cache of the unit's training variant. */
  cacheDir: string;
  /** Recorded in the cached weights' meta. */
  trainingConfig: Record<string, unknown>;
  /** Progress rows of the unit (training and its evaluations). */
  rows: number;
}

/** A planned cross-validation: the units still to compute, and how to store and summarize them. */
export interface CrossValPlan {
  model: string;
  units: PlannedUnit[];
  /** Writes a unit's results into the run folders (and its new weights into the cache), atomically. */
  store(planned: PlannedUnit, result: UnitResult): void;
  /** Aggregates every run from what is on disk and writes its summary files. */
  finish(): RunSummary[];
}

const TRAIN_ON_CORRUPTED: Record<CorruptionMode, boolean> = { NC: false, C_ts: false, C_tr: true, C_all: true };
const TEST_ON_CORRUPTED: Record<CorruptionMode, boolean> = { NC: false, C_tr: false, C_ts: true, C_all: true };

/**
 * Plans a cross-validation without training anything: claims every run folder (a config
 * mismatch stops here), and returns one unit per (training data, fold) that still has a run
 * without a saved fold result.
 */
export function planCrossValidation(options: CrossValOptions): CrossValPlan {
  const { provider } = options;
  const model = options.modelName ?? provider.name;
  const corruptionSeed = options.corruptionSeed ?? options.seed;
  const clipFolds = provider.clips.map((c) => c.fold);
  const datasetFolds = [...new Set(clipFolds)].sort((a, b) => a - b);
  const testFolds = options.folds ?? datasetFolds;
  for (const f of testFolds) check(datasetFolds.includes(f), `fold ${f} is not in the dataset (folds: ${datasetFolds.join(', ')})`);
  // The worker count changes the numbers (dropout masks differ per replica), so it is part of the config.
  const autoWorkers = defaultWorkerCount();
  const training = {
    epochs: options.epochs, batchSize: options.batchSize, validation: options.validation ?? null,
    schedule: options.schedule ?? CONSTANT_LEARNING_RATE, inputScaling: options.inputScaling ?? 'none', seed: options.seed,
    workers: options.workers ?? `auto (max ${autoWorkers})`,
    // Only when set: runs trained at a fixed batch (the reference preset) keep their saved configs.
    ...(options.minStepsPerEpoch !== undefined ? { minStepsPerEpoch: options.minStepsPerEpoch } : {}),
    ...(options.warmStart !== undefined ? { warmStart: options.warmStart } : {}),
  };
  const common = {
    model, modelConfig: options.modelConfig, features: provider.describe(),
    dataset: { name: provider.datasetName, fingerprint: provider.fingerprint, clips: provider.clips.length, classNames: provider.classNames, folds: datasetFolds },
    training, corruptionSeed, linearProbe: options.linearProbe ?? null,
  };
  // Repaired training data is part of what a training is; clean training stays the grid's (shared weights).
  const trainingConfig = (trainKey: string) => ({ ...common, trainKey, ...(options.repair && trainKey !== 'clean' ? { repair: options.repair } : {}) });

  const plans: PlannedRun[] = options.runs.map((spec) => {
    check(spec.mode === 'NC' || spec.gapModel !== undefined, `mode ${spec.mode} needs a gap model`);
    if (spec.gapModel) validateGapModel(spec.gapModel);
    const corruption = spec.mode === 'NC' || !spec.gapModel ? undefined : { gapModel: spec.gapModel, seed: corruptionSeed };
    const label = corruption ? gapModelLabel(corruption.gapModel) : 'clean';
    const trainCorruption = TRAIN_ON_CORRUPTED[spec.mode] ? corruption : undefined;
    const testCorruption = TEST_ON_CORRUPTED[spec.mode] ? corruption : undefined;
    const repair = options.repair;
    check(!repair || spec.mode === 'C_ts' || spec.mode === 'C_all', `a repaired run is C_ts or C_all, not ${spec.mode}`);
    const trainKey = trainCorruption ? (repair ? `${label}-${repair.method}` : label) : 'clean';
    const dir = repair ? path.join(options.root, model, repairRunName(spec.mode, repair.method), label) : runDir(options.root, model, spec.mode, label);
    claimRunDir(dir, {
      ...common, ...(repair ? { repair } : {}), mode: spec.mode, gapModel: corruption?.gapModel ?? null,
      trainedOn: trainKey, testedOn: testCorruption ? label : 'clean',
      sharing: 'NC and C_ts evaluate the clean-trained model of each fold; C_tr and C_all the model trained on the same corruption',
    }, { overwrite: options.overwrite });
    const pendingFolds = testFolds.filter((f) => !fs.existsSync(foldFile(dir, f)));
    return { spec, label, dir, trainKey, trainCorruption, testCorruption, pendingFolds };
  });

  const groups = new Map<string, PlannedRun[]>();
  for (const p of plans) if (p.pendingFolds.length) groups.set(p.trainKey, [...(groups.get(p.trainKey) ?? []), p]);
  const foldRows = (fold: number) => clipFolds.filter((c) => c === fold).length;
  const units: PlannedUnit[] = [];
  for (const [trainKey, runs] of groups) {
    const cacheDir = trainedDir(options.root, model, trainKey, trainingConfig(trainKey));
    for (const fold of [...new Set(runs.flatMap((r) => r.pendingFolds))].sort((a, b) => a - b)) {
      const evaluations = runs.filter((r) => r.pendingFolds.includes(fold))
        .map((r) => ({ mode: r.spec.mode, label: r.label, ...(r.testCorruption ? { testCorruption: r.testCorruption } : {}) }));
      const unit: TrainingUnit = {
        trainKey, fold, ...(runs[0].trainCorruption ? { trainCorruption: runs[0].trainCorruption } : {}), evaluations,
        training: {
          epochs: options.epochs, batchSize: options.batchSize, validation: options.validation, schedule: options.schedule,
          minStepsPerEpoch: options.minStepsPerEpoch, warmStart: options.warmStart, workers: options.workers, autoWorkers,
        },
        seed: options.seed, inputScaling: options.inputScaling, linearProbe: options.linearProbe,
      };
      // JSON round trip: the unit a worker receives is exactly the unit run locally.
      const plain = JSON.parse(JSON.stringify(unit)) as TrainingUnit;
      units.push({ unit: plain, cacheDir, trainingConfig: trainingConfig(trainKey), rows: unitTrainRows(plain, clipFolds) + evaluations.length * foldRows(fold) });
    }
  }
  const dirOf = (mode: CorruptionMode, label: string): string => {
    const plan = plans.find((p) => p.spec.mode === mode && p.label === label);
    if (!plan) throw new Error(`lacuna bug: a unit result for ${mode} ${label}, which is not a run of this plan`);
    return plan.dir;
  };
  return {
    model, units,
    store(planned, result) {
      check(result.trainKey === planned.unit.trainKey && result.fold === planned.unit.fold,
        `a result for ${result.trainKey} fold ${result.fold} was returned for the unit ${planned.unit.trainKey} fold ${planned.unit.fold}`);
      if (result.weights && options.cacheWeights !== false) storeWeights(planned, result.weights);
      for (const r of result.results) writeJsonAtomic(foldFile(dirOf(r.mode, r.label), result.fold), r.result);
    },
    finish: () => plans.map((p) => finishRun(p, model, provider.classNames.slice(), datasetFolds, options.figures !== false, options.repair?.method)),
  };
}

/** Cached weights of a planned unit, if an earlier run left them. */
export function cachedWeightsOf(planned: PlannedUnit, options: Pick<CrossValOptions, 'cacheWeights'>): ReturnType<typeof readWeights> {
  return options.cacheWeights === false ? undefined : readWeights(planned.cacheDir, planned.unit.fold);
}

function storeWeights(planned: PlannedUnit, weights: NonNullable<UnitResult['weights']>): void {
  const meta = { ...weights.manifest.meta, trainingConfig: planned.trainingConfig };
  writeWeights(planned.cacheDir, planned.unit.fold, { manifest: { ...weights.manifest, meta }, bin: weights.bin });
}

/**
 * Leave-one-fold-out cross-validation of several runs (mode x gap model) that share training:
 * NC and C_ts use the model trained on clean data, C_tr and C_all the one trained on the same
 * corruption, so each (training data, fold) is trained once — and its weights cached for later
 * invocations. Every finished fold is saved at once; a restarted call skips it.
 */
export async function runCrossValidation(options: CrossValOptions): Promise<RunSummary[]> {
  const plan = planCrossValidation(options);
  const total = plan.units.reduce((n, u) => n + u.rows, 0);
  const progress = createProgress({ total, label: `${plan.model} cross-validation (rows)`, quiet: options.quiet });
  const ctx = { provider: options.provider, modelFactory: options.modelFactory };
  // One checkpoint for the whole call: an interrupt between units stops the next unit's training too.
  const checkpoint = interruptCheckpoint(`${plan.model} cross-validation`);
  try {
    for (const planned of plan.units) {
      await checkpoint();
      const result = await runUnit(ctx, planned.unit, {
        cachedWeights: cachedWeightsOf(planned, options),
        // Cached at once, so an interruption during the evaluations does not lose the training.
        onTrained: (weights) => { if (options.cacheWeights !== false) storeWeights(planned, weights); },
        onRows: (rows, note) => progress.tick(rows, note),
        checkpoint,
      });
      plan.store(planned, { ...result, weights: undefined });
    }
  } catch (err) {
    // The live line would otherwise keep its last "eta"; say where the work stopped and why.
    progress.stop(err instanceof InterruptedError
      ? 'interrupted: finished folds are saved, running it again resumes'
      : `stopped: ${(err as Error).message.split('\n')[0]}`);
    throw err;
  }
  progress.done();
  return plan.finish();
}
/** Aggregates whatever folds a run has on disk and writes its summary files. */
function finishRun(plan: PlannedRun, model: string, classNames: string[], datasetFolds: number[], figures: boolean, repair?: string): RunSummary {
  const results = datasetFolds
    .map((f) => readJsonIfExists<FoldResult>(foldFile(plan.dir, f)))
    .filter((r): r is FoldResult => r !== undefined);
  const summary = summarize({
    model, mode: plan.spec.mode, label: plan.label, gapModel: plan.spec.mode === 'NC' ? null : plan.spec.gapModel ?? null,
    classNames, datasetFolds, results, dir: plan.dir,
  });
  if (repair) summary.repair = repair;
  writeRunFiles(summary, results);
  if (figures) writeRunFigures(summary);
  return summary;
}
