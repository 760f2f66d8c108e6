/**
 * Head or probe, chosen by validation: on a small training set a linear probe can generalise
 * better than a trained head, and which one does is not known in advance. Both are scored on the
 * validation rows the head already held out (a stratified part of the training folds, never the
 * test fold): the head by its restored epoch's validation accuracy, the probe fitted on the rest
 * of the training rows. The probe wins only when it is strictly better; the head's figure is the
 * best of its epochs, so the comparison leans towards the head.
 */
import type { FeatureMatrix } from './types';
import type { TrainHistory, ValidationOptions } from './train';
import { validationSplit } from './train';
import { LinearProbeOptions, fitLinearProbe } from './probe';

export interface HeadOrProbe {
  chosen: 'head' | 'probe';
  /** Validation accuracy of the head's restored epoch, and of the probe fitted without the validation rows. */
  headValidation: number;
  probeValidation: number;
  validationRows: number;
}

/**
 * Chooses between the head trained with `history` and the linear probe. `trainRows`, `validation`
 * and `seed` must be those the head was trained with (so the validation rows are the same);
 * undefined when the head held no rows out.
 */
export function chooseHeadOrProbe(args: {
  matrix: FeatureMatrix; labels: ArrayLike<number>; trainRows: readonly number[]; numClasses: number;
  validation?: ValidationOptions; seed: number; probe: LinearProbeOptions;
  history: Pick<TrainHistory, 'valAccuracy' | 'restoredEpoch' | 'warmStart'>;
}): HeadOrProbe | undefined {
  const { history, validation } = args;
  // Epoch 0 is the warm start's, scored before training.
  const headValidation = history.restoredEpoch === 0 ? history.warmStart?.valAccuracy : history.valAccuracy[history.restoredEpoch - 1];
  if (!validation || headValidation === undefined) return undefined;
  const split = validationSplit(args.trainRows, args.labels, validation, args.seed);
  if (split.validation.length === 0 || split.train.length < 2) return undefined;
  const probe = fitLinearProbe(args.matrix, args.labels, split.train, args.numClasses, args.probe);
  const predicted = probe.predict(args.matrix, split.validation);
  const probeValidation = predicted.filter((p, i) => p === args.labels[split.validation[i]]).length / split.validation.length;
  return { chosen: probeValidation > headValidation ? 'probe' : 'head', headValidation, probeValidation, validationRows: split.validation.length };
}
