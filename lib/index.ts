/**
 * lacuna's public API: the one module that notebooks, benches and a user's own script import
 * (`import { loadCachedDataset, runCrossValidation } from 'lacuna'`, or `from '../dist'` in the
 * notebooks). Names are flat, as in a notebook they read best unqualified; each name is exported
 * once (tsc rejects two `export *` that bring the same name, and test/public-api.test.ts checks the
 * compiled entry). What is not exported here is internal and may change without notice. The command
 * line (lib/cli) and the Redis queue (lib/queue) are applications of this API, not part of it.
 */
export * from './types';
export { LacunaError, ParameterError, AudioFileError, DatasetError, ModelError, ConfigMismatchError } from './util/errors';
export { Rng } from './util/rng';

export * from './engine';
export * from './audio';
export * from './data';
export * from './corrupt';

export { buildCnn, REFERENCE_CNN } from './models/cnn';
export type { CnnHyperparameters, CnnOptions } from './models/cnn';
export { buildYamnetHead, REFERENCE_YAMNET_HEAD, TUNED_YAMNET_HEAD, YAMNET_HEAD } from './models/head';
export type { YamnetHeadHyperparameters, YamnetHeadOptions } from './models/head';
export { trainTinyModel } from './models/tiny';
export type { TinyTrainingOptions, TinyTrainingResult } from './models/tiny';
export * from './models/yamnet';

export * from './reconstruct';
export * from './reconstruct/gan';
export * from './reconstruct/literature';

export * from './experiments';
export {
  yamnetFeatureProvider, yamnetExperiment, YAMNET_HEAD_TRAINING, REFERENCE_YAMNET_HEAD_TRAINING,
} from './experiments/yamnet-features';
export type { YamnetFeatureOptions, YamnetFeatureProvider, YamnetPreset } from './experiments/yamnet-features';
export { runStudy, QUICK_STUDY, FULL_STUDY } from './experiments/study';
export type { StudyModel, StudyOptions, StudyResult } from './experiments/study';

// The tuning study shares its names with the full study above; it is exported under its own.
export { runStudy as runTuningStudy } from './tuning';
export type { StudyOptions as TuningStudyOptions, StudyConfig as TuningStudyConfig } from './tuning';
export {
  encodePoint, fromUnit, parseSpace, pointFromUnit, samePoint, spaceToJson, validatePoint, validateSpace,
  latinHypercube, uniformPoints, fitForest, ACQUISITIONS, lowerConfidenceBound, negativeExpectedImprovement, normalCdf,
  bestSoFar, createRandomSearch, createSmbo, minimize, BRANIN_MINIMUM, BRANIN_SPACE, HARTMANN6_MINIMUM, HARTMANN6_SPACE,
  branin, hartmann6, compareWithRandom, meanCurve, OBJECTIVE_KINDS, bestTrial, claimStudyDir, loadTrials, observationsOf,
  trialFile, trialRecord, evaluateFolds, CNN_SPACE, MODEL_TUNING, TUNED_MODELS, YAMNET_SPACE, checkModelSpace,
  cnnHyperparameters, yamnetHyperparameters, defaultStudyDir, findStudyParams, paramsFileOf, paramsFromTrial,
  paramsModelName, readParams, withParams, writeParams, REFERENCE_KAPPA, studyOptimizer, tune,
} from './tuning';
export type {
  CategoryValue, Dimension, Point, SearchSpace, ForestOptions, SurrogatePrediction, AcquisitionName, Observation,
  Optimizer, SmboOptions, OptimizerComparison, Evaluation, ObjectiveKind, TrialRecord, FoldEvaluationOptions,
  ModelTuning, TunedModel, ParamsFile, TuneOptions, TuneResult,
} from './tuning';

export * from './plots';
export * from './notebook';

export const VERSION: string = (require('../package.json') as { version: string }).version;
