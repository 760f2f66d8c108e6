/**
 * Scores one point of a study: leave-one-fold-out over the chosen test folds, each trained with a
 * stratified validation split of its training folds and early stopping. The validation accuracy
 * of the kept epoch is the honest score; the test fold's accuracy is measured afterwards and only
 * stored. Seeds are derived per fold exactly as runCrossValidation derives them, so
 * `lacuna classify --params` on the best point retrains the very same models.
 */
import * as tf from '@tensorflow/tfjs';
import { check } from '../util/errors';
import type { FeatureProvider, ModelFactory } from '../experiments/types';
import { foldSplit } from '../experiments/split';
import { TrainingSettings, argmaxRows, predictProbabilities, trainModel } from '../experiments/train';
import { fitStandardizer, standardize } from '../experiments/standardize';
import { seedFor } from '../experiments/unit';
import type { Evaluation } from './study';

export interface FoldEvaluationOptions {
  provider: FeatureProvider;
  modelFactory: ModelFactory;
  /** Must hold a validation split: the score comes from it. */
  training: TrainingSettings;
  /** Test folds to evaluate (a subset makes a study affordable). */
  folds: number[];
  seed: number;
  inputScaling?: 'standardize';
  workers?: number;
  /** Rows trained, for a progress line inside a point. */
  onBatch?: (rows: number) => void;
}

export async function evaluateFolds(options: FoldEvaluationOptions): Promise<Evaluation> {
  const { provider, training } = options;
  check(training.validation !== undefined, 'tuning needs a validation split in the training settings: the score is validation accuracy');
  const labels = Int32Array.from(provider.clips, (c) => c.classIndex);
  const clipFolds = provider.clips.map((c) => c.fold);
  const numClasses = provider.classNames.length;
  const out: Evaluation = { folds: [], validationAccuracy: [], testAccuracy: [], epochsRun: [], engine: tf.getBackend() };
  for (const fold of options.folds) {
    const split = foldSplit(clipFolds, fold);
    const raw = await provider.features({ trainFolds: provider.dependsOnSplit ? split.trainFolds : undefined });
    // Standardised with the training folds' statistics only: the test fold never shapes the input.
    const features = options.inputScaling === 'standardize' ? standardize(raw, fitStandardizer(raw, split.train)) : raw;
    const net = options.modelFactory({ inputShape: features.rowShape, numClasses, seed: seedFor(options.seed, `init-${fold}`) });
    try {
      const history = await trainModel(net, features, labels, split.train, {
        ...training, seed: seedFor(options.seed, `train-${fold}`), workers: options.workers, onBatch: options.onBatch,
      });
      const predictions = argmaxRows(await predictProbabilities(net, features, split.test), numClasses);
      const hits = predictions.reduce((n, p, i) => n + (p === labels[split.test[i]] ? 1 : 0), 0);
      out.folds.push(fold);
      out.validationAccuracy.push(history.valAccuracy[history.restoredEpoch - 1] ?? 0);
      out.testAccuracy.push(hits / split.test.length);
      out.epochsRun.push(history.epochsRun);
    } finally {
      net.dispose();
    }
  }
  return out;
}
