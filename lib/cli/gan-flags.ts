import type { Flags } from './args';
import { GAN_PRESETS } from '../reconstruct';
import type { GanPresetOption } from '../reconstruct';
import { DEFAULT_TRAIN_SECONDS } from '../reconstruct/gan/config';
import { ParameterError } from '../util/errors';

/**
 * `--preset` and `--train-seconds` of a trained reconstruction method (the GAN), checked; the
 * preset's default filled in, the budget left to each method's own default. `untrained` names what runs when no trained method does (e.g. `--method ar`): the
 * flags would change nothing, so giving them is an error.
 */
export function readGanFlags(flags: Flags, untrained?: string): { preset: GanPresetOption; trainSeconds?: number } {
  for (const f of ['preset', 'train-seconds']) {
    if (untrained !== undefined && flags.has(f)) throw new ParameterError(`--${f} applies to trained methods (gan) only, not ${untrained}`);
  }
  const preset = flags.string('preset', 'default');
  if (!(GAN_PRESETS as readonly string[]).includes(preset)) throw new ParameterError(`--preset must be one of ${GAN_PRESETS.join(', ')}; got "${preset}"`);
  // Left out when not given: each method has its own default (gan 600 s, gan-masked 300 s; lib/reconstruct/methods).
  if (!flags.has('train-seconds')) return { preset: preset as GanPresetOption };
  const trainSeconds = flags.number('train-seconds', DEFAULT_TRAIN_SECONDS);
  if (!(trainSeconds > 0)) throw new ParameterError(`--train-seconds must be > 0, got ${trainSeconds}`);
  return { preset: preset as GanPresetOption, trainSeconds };
}
