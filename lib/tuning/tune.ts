/**
 * A tuning study of the CNN or the YAMNet head on one dataset, from options to finished trials
 * and the best point's params file: what `lacuna tune` and notebook 04 call.
 */
import { check } from '../util/errors';
import type { FeatureProvider } from '../experiments/types';
import type { TrainingSettings } from '../experiments/train';
import { AcquisitionName } from './acquisition';
import { Optimizer, createRandomSearch, createSmbo } from './optimizer';
import { spaceToJson } from './space';
import type { Point, SearchSpace } from './types';
import { Evaluation, StudyConfig, bestTrial, runStudy } from './study';
import type { ObjectiveKind, TrialRecord } from './types';
import { MODEL_TUNING, TunedModel, checkModelSpace, defaultsIn } from './objectives';
import { evaluateFolds } from './evaluate';
import { ParamsFile, paramsFileOf, paramsFromTrial, writeParams } from './params';

/** The reference's LCB kappa per model. */
export const REFERENCE_KAPPA: Readonly<Record<TunedModel, number>> = { cnn: 3, yamnet: 4 };

export interface TuneOptions {
  model: TunedModel;
  /** Waveforms (CNN, 8 kHz) or YAMNet embeddings (16 kHz) of the dataset. */
  provider: FeatureProvider;
  /** Study folder (see defaultStudyDir). */
  dir: string;
  /** Finished points wanted in total; a larger number later extends the study. */
  calls: number;
  /** Default 'validation'; 'test' is the reference's optimistic objective. */
  objective?: ObjectiveKind;
  /** 'smbo' (default) or the 'random' baseline. */
  method?: 'smbo' | 'random';
  /** Latin-hypercube points first. Default 10 (a study of fewer calls is all initial points). */
  initialPoints?: number;
  acquisition?: AcquisitionName;
  /** Default REFERENCE_KAPPA[model]. */
  kappa?: number;
  /** Default the model's reference space. */
  space?: SearchSpace;
  /** Default the model's reference training (see MODEL_TUNING); fewer epochs make a study cheaper. */
  training?: TrainingSettings;
  /** Evaluate the untuned defaults first (SMBO only; when the space holds them). Default true. */
  startWithDefaults?: boolean;
  /** Test folds scored per point. Default every fold of the dataset. */
  folds?: number[];
  /** Seeds the optimiser, the models, the shuffles and the validation split. Default 0. */
  seed?: number;
  quiet?: boolean;
  log?: (line: string) => void;
  /**
   * Evaluate `size` points at a time elsewhere (lib/queue's tune-point jobs), proposed by constant
   * liar; `evaluate` gets the points and the study's resolved training, folds and seed.
   */
  batch?: { size: number; evaluate: (points: { params: Point; index: number }[], study: TunePointSettings) => Promise<Evaluation[]> };
}

/** What scores a point besides the point itself: the same on the coordinator and on a queue worker. */
export interface TunePointSettings {
  model: TunedModel;
  training: TrainingSettings;
  folds: number[];
  seed: number;
}

/** One point's cross-validation: what tune() runs here and a queue worker runs for a tune-point job. */
export function evaluatePoint(provider: FeatureProvider, params: Point, s: TunePointSettings): Promise<Evaluation> {
  const tuning = MODEL_TUNING[s.model];
  return evaluateFolds({
    provider, modelFactory: tuning.factory(params), training: tuning.trainingFor(params, s.training), folds: s.folds, seed: s.seed, inputScaling: tuning.inputScaling,
  });
}

export interface TuneResult {
  dir: string;
  trials: TrialRecord[];
  best: TrialRecord;
  params: ParamsFile;
  paramsFile: string;
  config: StudyConfig;
}

/** The optimiser a study of these options uses. */
export function studyOptimizer(o: TuneOptions): Optimizer {
  const space = o.space ? checkModelSpace(o.model, o.space, 'search space') : MODEL_TUNING[o.model].space;
  const seed = o.seed ?? 0;
  if ((o.method ?? 'smbo') === 'random') return createRandomSearch(space, { seed });
  const start = o.startWithDefaults === false ? undefined : defaultsIn(o.model, space);
  return createSmbo(space, {
    seed, initialPoints: o.initialPoints ?? 10, acquisition: o.acquisition ?? 'lcb',
    kappa: o.kappa ?? REFERENCE_KAPPA[o.model], ...(start ? { startPoints: [start] } : {}),
  });
}

export async function tune(o: TuneOptions): Promise<TuneResult> {
  const tuning = MODEL_TUNING[o.model];
  const objective = o.objective ?? 'validation';
  const training = o.training ?? tuning.training;
  check(training.validation !== undefined, 'tuning needs training with a validation split');
  const datasetFolds = [...new Set(o.provider.clips.map((c) => c.fold))].sort((a, b) => a - b);
  const folds = o.folds ?? datasetFolds;
  for (const f of folds) check(datasetFolds.includes(f), `--folds: fold ${f} is not in the dataset (folds: ${datasetFolds.join(', ')})`);
  const seed = o.seed ?? 0;
  const optimizer = studyOptimizer(o);
  const config: StudyConfig = {
    optimizer: optimizer.settings,
    objective,
    model: {
      name: o.model, features: o.provider.describe(), training, inputScaling: tuning.inputScaling ?? 'none', folds, seed,
      space: spaceToJson(o.space ?? tuning.space),
    },
    dataset: { name: o.provider.datasetName, fingerprint: o.provider.fingerprint, clips: o.provider.clips.length, classNames: o.provider.classNames, folds: datasetFolds },
  };
  const trials = await runStudy({
    dir: o.dir, config, optimizer, calls: o.calls, quiet: o.quiet, log: o.log,
    label: `tuning ${o.model} (${objective}${objective === 'test' ? ', optimistic' : ''})`,
    evaluate: (p) => evaluatePoint(o.provider, p, { model: o.model, training, folds, seed }),
    ...(o.batch ? { batch: { size: o.batch.size, evaluate: (points) => o.batch!.evaluate(points, { model: o.model, training, folds, seed }) } } : {}),
  });
  const best = bestTrial(trials)!;
  const params = paramsFromTrial(o.model, best, tuning.hyperparameters(best.params), tuning.trainingFor(best.params, training), tuning.inputScaling, o.dir, o.provider.fingerprint);
  const paramsFile = paramsFileOf(o.dir);
  writeParams(paramsFile, params);
  return { dir: o.dir, trials, best, params, paramsFile, config };
}
