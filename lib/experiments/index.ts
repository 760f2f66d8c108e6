export type {
  CorruptionMode, CorruptionSpec, FeatureMatrix, FeatureProvider, FeatureRequest, GapModel, GapModelName, ModelFactory,
} from './types';
export { CORRUPTION_MODES } from './types';
export { waveformProvider, corruptionKey, gatherRows, rowSize } from './features';
export { foldSplit, stratifiedSplit, stratifiedDummyPredictions } from './split';
export type { FoldSplit } from './split';
export { trainModel, trainingWorkers, predictProbabilities, argmaxRows, REFERENCE_CNN_VALIDATION } from './train';
export type { TrainOptions, TrainHistory, TrainingSettings, ValidationOptions } from './train';
export { CONSTANT_LEARNING_RATE, learningRateAt } from './schedule';
export type { LearningRateSchedule } from './schedule';
export { fitStandardizer, standardize } from './standardize';
export type { Standardizer } from './standardize';
export { fitLinearProbe, LINEAR_PROBE } from './probe';
export type { LinearProbe, LinearProbeOptions } from './probe';
export { runCrossValidation, planCrossValidation } from './crossval';
export type { CrossValOptions, CrossValPlan, PlannedUnit, RunSpec } from './crossval';
export { runUnit } from './unit';
export type { TrainingUnit, UnitResult, UnitContext } from './unit';
export { loadRunSummaries, summaryRows, summarise, confusionCounts, rowNormalise } from './results';
export type { FoldResult, RunSummary } from './results';
export { writeOverview, writeRunFigures } from './report';
export { runDir, claimRunDir, diffKeys } from './store';
export { gridRuns, GRID_LENGTHS } from './grid';
export type { GridOptions } from './grid';
export { cnnExperiment, CNN_TRAINING_DEFAULTS, REFERENCE_CNN_TRAINING } from './cnn';
