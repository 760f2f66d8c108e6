/**
 * Tiny GAN fixtures for the tests: synthetic mel power clips with structure a generator can
 * learn quickly (smooth band envelopes that drift over time), at 16 mel bands.
 */
import { Rng } from '../../lib/util/rng';
import type { MelPower } from '../../lib/reconstruct/types';

export const TINY_MELS = 16;

export function tinyMelClips(count: number, frames: number, seed: number): MelPower[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => {
    const data = new Float32Array(frames * TINY_MELS);
    const centre = rng.range(2, TINY_MELS - 2);
    const drift = rng.range(-0.05, 0.05);
    const level = rng.range(0.01, 1);
    for (let f = 0; f < frames; f++) {
      for (let m = 0; m < TINY_MELS; m++) {
        const d = m - (centre + drift * f);
        data[f * TINY_MELS + m] = level * Math.exp(-0.5 * d * d) + 0.001 * rng.uniform();
      }
    }
    return { data, frames, nMels: TINY_MELS };
  });
}
