import { hashString } from '../../util/rng';
import type { MelPower } from '../types';
import type { MelNormalization } from './normalize';
import type { GanPresetName } from './presets';

/**
 * Training budget when none is given: 10 minutes per model. With the default cross-fit scheme
 * (2 models per gap length) the built-in dataset at four gap lengths trains 8 models: 80 min.
 * (Here, not in train.ts, so the CLI can show it without loading tfjs.)
 */
export const DEFAULT_TRAIN_SECONDS = 600;

/** Everything that defines a GAN training run; a checkpoint of another config is never resumed. */
export interface GanConfig {
  preset: GanPresetName;
  /** Hash of the preset's layers, so a checkpoint of an older architecture is never resumed. */
  architecture: string;
  gapFrames: number;
  nMels: number;
  seed: number;
  batchSize: number;
  normalisation: MelNormalization;
  /** Training clips and a fingerprint of their values. */
  clips: number;
  dataFingerprint: string;
}

/** One training step's losses. */
export interface LossPoint {
  step: number;
  /** Training seconds so far (over all sessions). */
  seconds: number;
  d: number;
  g: number;
  mae: number;
  adv: number;
}

/** Cheap fingerprint of the training mels: count, shapes and a strided sample of values. */
export function dataFingerprint(clips: readonly MelPower[]): string {
  const parts: string[] = [String(clips.length)];
  for (const c of clips) {
    let acc = 0;
    for (let i = 0; i < c.data.length; i += 97) acc += c.data[i];
    parts.push(`${c.frames}x${c.nMels}:${acc.toPrecision(8)}`);
  }
  return hashString(parts.join('|')).toString(16).padStart(8, '0');
}
