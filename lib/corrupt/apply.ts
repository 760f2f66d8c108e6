import { Rng } from '../util/rng';
import { check } from '../util/errors';
import type { CachedDataset } from '../types';
import { Gap, GapModel, drawGaps, validateGapModel } from './gaps';

/** A corrupted copy of a clip and where its samples went missing. */
export interface CorruptedClip {
  /** A copy of the input with zeros written into the gaps. */
  samples: Float32Array;
  /** 1 where a sample is missing, 0 elsewhere; same length as samples. */
  mask: Uint8Array;
  gaps: Gap[];
}

/** Marks the gaps in a fresh mask of `length` samples. */
export function gapMask(gaps: readonly Gap[], length: number): Uint8Array {
  const mask = new Uint8Array(length);
  for (const g of gaps) mask.fill(1, Math.max(0, g.start), Math.min(length, g.start + g.length));
  return mask;
}

/**
 * Writes zeros into the gaps of `samples`, in place, and returns it: `zeroGaps(clean.slice(), gaps)`
 * is the corrupted copy every gap model, repair run and figure starts from. Gaps are clipped to the clip.
 */
export function zeroGaps(samples: Float32Array, gaps: readonly Gap[]): Float32Array {
  for (const g of gaps) samples.fill(0, Math.max(0, g.start), g.start + g.length);
  return samples;
}

/** Number of missing samples in a mask. */
export function maskedCount(mask: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i];
  return n;
}

/** Draws gaps for one clip and returns a corrupted copy; the input is never changed. */
export function corruptClip(samples: Float32Array, sampleRate: number, model: GapModel, rng: Rng): CorruptedClip {
  check(samples.length > 0, 'cannot corrupt an empty clip');
  const gaps = drawGaps(samples, sampleRate, model, rng);
  return { samples: zeroGaps(samples.slice(), gaps), mask: gapMask(gaps, samples.length), gaps };
}

/** The generator of one clip: forked from the seed by clip id, so order never matters. */
export function clipRng(seed: number, clipId: string): Rng {
  return new Rng(seed).fork(clipId);
}

export interface CorruptedDataset {
  /** A copy of the dataset whose waveforms carry the gaps (metadata shared). */
  dataset: CachedDataset;
  /** [N * clipSamples]: 1 where a sample is missing. */
  masks: Uint8Array;
  /** Missing samples per clip. */
  missingPerClip: Int32Array;
}

/**
 * Corrupts every clip of a cached dataset. Each clip draws from `clipRng(seed, clip.id)`, so a
 * clip gets the same gaps in any subset or order of the dataset.
 */
export function corruptDataset(dataset: CachedDataset, model: GapModel, seed: number): CorruptedDataset {
  validateGapModel(model);
  const n = dataset.clips.length;
  const len = dataset.clipSamples;
  check(dataset.waveforms.length === n * len,
    `dataset waveforms hold ${dataset.waveforms.length} samples, expected ${n} clips x ${len}`);
  const waveforms = dataset.waveforms.slice();
  const masks = new Uint8Array(n * len);
  const missingPerClip = new Int32Array(n);
  for (let c = 0; c < n; c++) {
    const row = waveforms.subarray(c * len, (c + 1) * len);
    const gaps = drawGaps(row, dataset.sampleRate, model, clipRng(seed, dataset.clips[c].id));
    zeroGaps(row, gaps);
    const mask = gapMask(gaps, len);
    masks.set(mask, c * len);
    missingPerClip[c] = maskedCount(mask);
  }
  return { dataset: { ...dataset, waveforms }, masks, missingPerClip };
}
