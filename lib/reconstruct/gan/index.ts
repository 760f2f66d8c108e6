export { trainGan, DEFAULT_TRAIN_SECONDS } from './train';
export type { TrainGanOptions, GanModel, GanProgressInfo } from './train';
export { loadGan, ganReconstructor } from './repair';
export { readLossCurve, lossCurveCsv, latestCheckpoint } from './checkpoint';
export type { GanConfig, LossPoint } from './config';
export { REFERENCE_GAN, DEFAULT_GAN, GAN_PRESET_NAMES, ganPreset } from './presets';
export type { GanPreset, GanPresetName, ConvSpec } from './presets';
export { generatorMacs, discriminatorMacs, trainingMacsPerSample } from './cost';
