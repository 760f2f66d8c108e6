/** Reconstruction of missing audio: one interface, the baselines, gap geometry, metrics, fold schemes. The GAN itself (tfjs) is lib/reconstruct/gan, loaded only when it trains. */
export type { Reconstructor, RepairInput, RepairOutput, RepairDomain, GapSpan, MelPower } from './types';
export * from './geometry';
export { checkRepairInput, melPowerOf, waveformFromMel, HOP_LENGTH, WINDOW_LENGTH, LOG_OFFSET } from './mel';
export { zeroFill } from './zero';
export { linearInterpolation } from './linear';
export type { MelMethodOptions } from './linear';
export { repeatContext } from './repeat';
export { arInpainting, arOrder, arFillGap } from './ar';
export type { ArOptions } from './ar';
export { fitAr, lsarFill } from './lsar';
export * from './methods';
export * from './metrics';
export * from './evaluate';
export * from './run';
export * from './folds';
export { GAN_PRESETS, ganGapSamples } from './gan-method';
export type { GanPresetOption } from './gan-method';
