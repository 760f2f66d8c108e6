import { check } from '../../util/errors';
import type { MelPower } from '../types';

/**
 * The GAN sees log-mel, standardised: v = (log(power + 0.001) − mean) / std, with one mean and
 * std over all values of the training clips (stored with the model). The log matches YAMNet's
 * log offset, and it turns power's many decades into a range MAE can weigh evenly.
 */
export interface MelNormalization {
  logOffset: number;
  mean: number;
  std: number;
}

export const LOG_OFFSET = 0.001;

export function fitNormalization(clips: readonly MelPower[], logOffset = LOG_OFFSET): MelNormalization {
  check(clips.length > 0, 'no training clips to fit the GAN normalisation on');
  let n = 0;
  let sum = 0;
  let sumSq = 0;
  for (const clip of clips) {
    for (let i = 0; i < clip.data.length; i++) {
      const v = Math.log(clip.data[i] + logOffset);
      sum += v;
      sumSq += v * v;
      n++;
    }
  }
  const mean = sum / n;
  const std = Math.sqrt(Math.max(sumSq / n - mean * mean, 1e-12));
  return { logOffset, mean, std };
}

export function normalize(power: Float32Array, norm: MelNormalization): Float32Array {
  const out = new Float32Array(power.length);
  for (let i = 0; i < power.length; i++) out[i] = (Math.log(Math.max(power[i], 0) + norm.logOffset) - norm.mean) / norm.std;
  return out;
}

/** Back to mel power; never negative. */
export function denormalize(values: Float32Array, norm: MelNormalization): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.max(0, Math.exp(values[i] * norm.std + norm.mean) - norm.logOffset);
  return out;
}
