/**
 * The training flags of classify and grid: a named preset (lacuna's settings or the reference
 * study's), then --epochs / --batch-size / --early-stopping on top of it.
 */
import type { Options, OptionGroup } from '../../util/options';
import { CNN_TRAINING_DEFAULTS, REFERENCE_CNN_TRAINING, REFERENCE_CNN_VALIDATION } from '../../experiments';
import type { TrainingSettings } from '../../experiments';
import { REFERENCE_YAMNET_HEAD_TRAINING, YAMNET_HEAD_TRAINING, YamnetPreset } from '../../experiments/yamnet-features';

export type TrainingPreset = YamnetPreset;

const rate = (t: TrainingSettings): string =>
  (t.schedule?.kind === 'warmup-cosine' ? `warm-up + cosine rate, peak ${t.schedule.peak}` : 'constant rate');
const [cnn, head, refCnn, refHead] = [CNN_TRAINING_DEFAULTS, YAMNET_HEAD_TRAINING, REFERENCE_CNN_TRAINING, REFERENCE_YAMNET_HEAD_TRAINING];

export const TRAINING_GROUP: OptionGroup = {
  title: 'Training',
  options: [
    {
      name: 'preset', type: 'string', choices: ['default', 'reference'], default: 'default',
      help: `model and training settings: lacuna's or the reference's
default: 20 % of the training folds validate; the best epoch is kept;
  CNN dropout 0.3, ${cnn.epochs} epochs, batch ${cnn.batchSize} (smaller where an epoch
  would have fewer than ${cnn.minStepsPerEpoch} steps), ${rate(cnn)}
  YAMNet head 256 units on standardised embeddings, starting from the linear probe
  fitted on its training rows (epoch 0), ${head.epochs} epochs, batch ${head.batchSize},
  ${rate(head)}; then trained again on every training row for the
  epochs validation chose; head or probe chosen by validation, reported beside
reference: Keras early stopping, last epoch's weights, ${rate(refCnn)};
  CNN dropout 0.6, ${refCnn.epochs} epochs, batch ${refCnn.batchSize}
  YAMNet head 128/64/32 on raw embeddings, ${refHead.epochs} epochs, batch ${refHead.batchSize}`,
    },
    { name: 'epochs', type: 'number', integer: true, min: 1, defaultText: 'the preset\'s', help: 'maximum training epochs per fold' },
    { name: 'batch-size', type: 'number', integer: true, min: 1, defaultText: 'the preset\'s', help: 'rows per step' },
    {
      name: 'early-stopping', type: 'boolean',
      help: 'the reference\'s early-stopping rule instead of the preset\'s: patience 10,\n' +
        'min delta 0.01, baseline 0.3 (YAMNet: patience 20, baseline 0.5),\n' +
        'last epoch\'s weights',
    },
  ],
};

/** The preset's settings for the CNN or (pretrained) the YAMNet head. */
export function presetTraining(preset: TrainingPreset, pretrained: boolean): TrainingSettings {
  if (pretrained) return preset === 'reference' ? REFERENCE_YAMNET_HEAD_TRAINING : YAMNET_HEAD_TRAINING;
  return preset === 'reference' ? REFERENCE_CNN_TRAINING : CNN_TRAINING_DEFAULTS;
}

export function readTrainingFlags(flags: Options, pretrained: boolean): { preset: TrainingPreset; training: TrainingSettings } {
  const preset = flags.string('preset', 'default') as TrainingPreset;
  const base = presetTraining(preset, pretrained);
  const referenceStopping = pretrained ? REFERENCE_YAMNET_HEAD_TRAINING.validation : REFERENCE_CNN_VALIDATION;
  return {
    preset,
    training: {
      ...base,
      epochs: flags.number('epochs', base.epochs),
      batchSize: flags.number('batch-size', base.batchSize),
      ...(flags.bool('early-stopping') ? { validation: referenceStopping } : {}),
    },
  };
}
