export type {
  CorruptionMode, CorruptionSpec, FeatureMatrix, FeatureProvider, FeatureRequest, GapModel, GapModelName, ModelFactory,
} from './types';
export { CORRUPTION_MODES } from './types';
export { waveformProvider, corruptionKey, gatherRows, rowSize } from './features';
export { foldSplit, stratifiedSplit, stratifiedDummyPredictions } from './split';
export type { FoldSplit } from './split';
export { trainModel, trainingWorkers, predictProbabilities, argmaxRows, effectiveBatchSize, validationSplit, REFERENCE_CNN_VALIDATION } from './train';
export type { TrainOptions, TrainHistory, TrainRefit, TrainingSettings, ValidationOptions } from './train';
export { chooseHeadOrProbe } from './selection';
export type { HeadOrProbe } from './selection';
export { CONSTANT_LEARNING_RATE, learningRateAt } from './schedule';
export type { LearningRateSchedule } from './schedule';
export { fitStandardizer, standardize } from './standardize';
export type { Standardizer } from './standardize';
export { fitLinearProbe, LINEAR_PROBE } from './probe';
export { softmaxScale, warmStartFromProbe } from './warm-start';
export type { WarmStartMethod, WarmStartRecord } from './warm-start';
export type { LinearProbe, LinearProbeOptions } from './probe';
export { runCrossValidation, planCrossValidation } from './crossval';
export type { CrossValOptions, CrossValPlan, PlannedUnit, RunSpec } from './crossval';
export { runUnit } from './unit';
export type { TrainingUnit, UnitResult, UnitContext } from './unit';
export { loadRunSummaries, summaryRows, summarize, confusionCounts, rowNormalize } from './results';
export type { FoldResult } from './results';
export { runModeName } from './types';
export type { Headline, HeadlineLength, RepairMode, RunSummary } from './types';
export { writeOverview, writeRunFigures } from './report';
export { runDir } from './store';
export { gridRuns, GRID_LENGTHS } from './grid';
export type { GridOptions } from './grid';
export { cnnExperiment, CNN_TRAINING_DEFAULTS, REFERENCE_CNN_TRAINING } from './cnn';
export { classifyAfterRepair } from './after-repair';
export type { AfterRepairOptions, RepairedPath } from './after-repair';
export {
  REPAIR_MODES, REPAIRED_MODE, repairRunName, loadRepairedAudio, magnitudeMelForYamnet, repairedYamnetInput, withRepairedFeatures,
} from './repaired';
export type { RepairedAudio } from './repaired';
export { foldWinsTiesLosses, headlineOf, headlineRows, recoveredFraction, writeHeadline } from './headline';
export type { Recoverability, RecoverabilityGroup, RecoverabilityLength } from './types';
export { gapEnergyShare, gapEnergyShares } from './gap-energy';
export {
  ENERGY_BINS, HALF_ENERGY, RECOVERABILITY_COLUMNS, energyBin, energyBinNames, readClipResults, recoverabilityOf, recoverabilityOfLength,
  recoverabilityRows, recoverabilitySummaryRows, writeRecoverability,
} from './recoverable';
export type { ClipResult, LostClipsInput } from './recoverable';
