/** The flags of a trained reconstruction method (the GAN): its architecture and training budget. */
import { GAN_PRESETS } from '../../reconstruct/types';
import type { GanPresetOption } from '../../reconstruct/types';
import { DEFAULT_TRAIN_SECONDS } from '../../reconstruct/gan/config';
import { MASKED_TRAIN_SECONDS } from '../../reconstruct/gan-method';
import { ParameterError } from '../../util/errors';
import type { Options, OptionGroup } from '../../util/options';

export const GAN_GROUP: OptionGroup = {
  title: 'Trained methods (gan)',
  options: [
    {
      name: 'gan-preset', type: 'string', choices: GAN_PRESETS, default: 'default',
      help: 'the GAN\'s architecture: default (the light generator) or reference (the study\'s; ~30x the multiply-adds)',
    },
    {
      name: 'train-seconds', type: 'number', unit: 'seconds', above: 0,
      defaultText: `${DEFAULT_TRAIN_SECONDS} for gan, ${MASKED_TRAIN_SECONDS} for gan-masked`,
      help: 'training budget per model, seconds of training steps',
    },
  ],
};

/**
 * The GAN's preset (default filled in) and training budget (left out when not given: each trained method has its
 * own default, lib/reconstruct/methods). `untrained` names what runs when no
 * trained method does (e.g. `--method ar`): the flags would change nothing, so giving them is an error.
 */
export function readGanFlags(flags: Options, untrained?: string): { preset: GanPresetOption; trainSeconds?: number } {
  for (const f of ['gan-preset', 'train-seconds']) {
    if (untrained !== undefined && flags.has(f)) throw new ParameterError(`--${f} applies to trained methods (gan) only, not ${untrained}`);
  }
  const preset = flags.string('gan-preset', 'default') as GanPresetOption;
  return flags.has('train-seconds') ? { preset, trainSeconds: flags.number('train-seconds') } : { preset };
}
