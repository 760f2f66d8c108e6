import type { CachedDataset } from '../types';
import { CnnHyperparameters, REFERENCE_CNN, buildCnn } from '../models/cnn';
import { check } from '../util/errors';
import { waveformProvider } from './features';
import type { FeatureProvider, ModelFactory } from './types';

/**
 * Training defaults for the reference CNN on this project's engines. The reference trained
 * with batch 128 for up to 25 epochs; on a 2-core machine without tfjs-node (~60 training
 * samples/s) that is hours per grid point, so lacuna defaults to a few epochs with smaller
 * batches (more optimiser steps per epoch). Pass `--epochs 25 --batch-size 128` for the reference.
 */
export const CNN_TRAINING_DEFAULTS = Object.freeze({ epochs: 3, batchSize: 32 });

/** Everything runCrossValidation needs for the CNN on an 8 kHz cache. */
export function cnnExperiment(dataset: CachedDataset, hyperparameters: Partial<CnnHyperparameters> = {}): {
  provider: FeatureProvider; modelFactory: ModelFactory; modelConfig: Record<string, unknown>;
} {
  check(dataset.clipSamples >= 1024, `the CNN needs clips of >= 1024 samples, the cache holds ${dataset.clipSamples}`);
  const hp: CnnHyperparameters = { ...REFERENCE_CNN, ...hyperparameters };
  return {
    provider: waveformProvider(dataset, 'cnn'),
    modelFactory: ({ inputShape, numClasses, seed }) => buildCnn({ inputSamples: inputShape[0], numClasses, seed, hyperparameters: hp }),
    modelConfig: { architecture: 'reference_cnn', ...hp },
  };
}
