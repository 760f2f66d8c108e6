import type { Flags } from './args';
import { GAN_PRESETS } from '../reconstruct';
import type { GanPresetOption } from '../reconstruct';
import { DEFAULT_TRAIN_SECONDS } from '../reconstruct/gan/config';
import { ParameterError } from '../util/errors';

/** `--preset` and `--train-seconds` of a trained reconstruction method (the GAN), checked, defaults filled in. */
export function readGanFlags(flags: Flags): { preset: GanPresetOption; trainSeconds: number } {
  const preset = flags.string('preset', 'default');
  if (!(GAN_PRESETS as readonly string[]).includes(preset)) throw new ParameterError(`--preset must be one of ${GAN_PRESETS.join(', ')}; got "${preset}"`);
  const trainSeconds = flags.number('train-seconds', DEFAULT_TRAIN_SECONDS);
  if (!(trainSeconds > 0)) throw new ParameterError(`--train-seconds must be > 0, got ${trainSeconds}`);
  return { preset: preset as GanPresetOption, trainSeconds };
}
