import type { CachedDataset } from '../types';
import { CnnHyperparameters, LACUNA_CNN, REFERENCE_CNN, buildCnn } from '../models/cnn';
import { check } from '../util/errors';
import { waveformProvider } from './features';
import type { FeatureProvider, ModelFactory } from './types';
import { REFERENCE_CNN_VALIDATION, TrainingSettings } from './train';
import { CONSTANT_LEARNING_RATE } from './schedule';

/**
 * The reference study's CNN training: batch 128, up to 25 epochs, a stratified 20 % validation
 * split of the training folds, Keras early stopping (patience 10, min delta 0.01, baseline 0.3)
 * keeping the last epoch's weights, Adam at a constant 1e-3.
 */
export const REFERENCE_CNN_TRAINING: Readonly<TrainingSettings> = Object.freeze({
  epochs: 25, batchSize: 128, validation: REFERENCE_CNN_VALIDATION, schedule: CONSTANT_LEARNING_RATE,
});

/**
 * lacuna's CNN training (for LACUNA_CNN): the reference's validation split, a warm-up + cosine
 * learning-rate schedule peaking at 4x the reference's rate, early stopping after 5 epochs without
 * a gain, and the best validation epoch's weights. It converges in 10 epochs, where the
 * reference's 25 take ~30 min per 10-fold run on 2 cores without tfjs-node. At least 8 steps an
 * epoch: below 256 training rows the batch shrinks (72 rows, the tiny set's: batch 9), so a small
 * dataset still gets 80 steps; from 256 rows on it is batch 32 as before.
 */
export const CNN_TRAINING_DEFAULTS: Readonly<TrainingSettings> = Object.freeze({
  epochs: 10, batchSize: 32, minStepsPerEpoch: 8,
  validation: Object.freeze({ fraction: 0.2, patience: 5, minDelta: 0, baseline: 0, restoreBest: true }),
  schedule: Object.freeze({ kind: 'warmup-cosine', peak: 0.004, warmupEpochs: 1, finalFraction: 0.02 }),
});

/**
 * Everything runCrossValidation needs for the CNN on an 8 kHz cache: LACUNA_CNN (or, with preset
 * 'reference', REFERENCE_CNN) with the given hyperparameters merged over it. Pair it with the
 * preset's training (CNN_TRAINING_DEFAULTS or REFERENCE_CNN_TRAINING).
 */
export function cnnExperiment(dataset: CachedDataset, hyperparameters: Partial<CnnHyperparameters> = {}, preset: 'default' | 'reference' = 'default'): {
  provider: FeatureProvider; modelFactory: ModelFactory; modelConfig: Record<string, unknown>;
} {
  check(dataset.clipSamples >= 1024, `the CNN needs clips of >= 1024 samples, the cache holds ${dataset.clipSamples}`);
  const hp: CnnHyperparameters = { ...(preset === 'reference' ? REFERENCE_CNN : LACUNA_CNN), ...hyperparameters };
  return {
    provider: waveformProvider(dataset, 'cnn'),
    modelFactory: ({ inputShape, numClasses, seed }) => buildCnn({ inputSamples: inputShape[0], numClasses, seed, hyperparameters: hp }),
    modelConfig: { architecture: 'reference_cnn', ...hp },
  };
}
