/** The flags of a trained reconstruction method (the GAN): its architecture and training budget. */
import { GAN_PRESETS } from '../../reconstruct/types';
import type { GanPresetOption } from '../../reconstruct/types';
import { DEFAULT_TRAIN_SECONDS } from '../../reconstruct/gan/config';
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
      name: 'train-seconds', type: 'number', unit: 'seconds', above: 0, default: DEFAULT_TRAIN_SECONDS,
      help: 'training budget per model, seconds of training steps',
    },
  ],
};

/**
 * The GAN's preset and training budget, defaults filled in. `untrained` names what runs when no
 * trained method does (e.g. `--method ar`): the flags would change nothing, so giving them is an error.
 */
export function readGanFlags(flags: Options, untrained?: string): { preset: GanPresetOption; trainSeconds: number } {
  for (const f of ['gan-preset', 'train-seconds']) {
    if (untrained !== undefined && flags.has(f)) throw new ParameterError(`--${f} applies to trained methods (gan) only, not ${untrained}`);
  }
  return {
    preset: flags.string('gan-preset', 'default') as GanPresetOption,
    trainSeconds: flags.number('train-seconds', DEFAULT_TRAIN_SECONDS),
  };
}
