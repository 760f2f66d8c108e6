/**
 * Per-clip preprocessing as in the reference study: normalize each clip on its own, then
 * zero-pad at the end or cut to a fixed duration (4 s → 32000 samples at 8 kHz, 64000 at 16 kHz).
 */
import { AudioData } from '../types';
import { ParameterError } from '../util/errors';

export type Normalization = 'none' | 'zscore' | 'peak';
export const NORMALIZATIONS: readonly Normalization[] = ['none', 'zscore', 'peak'];

/**
 * Z-score: subtract the mean, divide by the standard deviation. A constant clip (silence) has no
 * spread to divide by; it comes back as zeros instead of NaN.
 */
export function zscore(samples: Float32Array): Float32Array {
  const n = samples.length;
  const out = new Float32Array(n);
  if (n === 0) return out;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += samples[i];
  mean /= n;
  let variance = 0;
  for (let i = 0; i < n; i++) variance += (samples[i] - mean) ** 2;
  const std = Math.sqrt(variance / n);
  const scale = std > 1e-12 ? 1 / std : 0;
  for (let i = 0; i < n; i++) out[i] = (samples[i] - mean) * scale;
  return out;
}

/** Peak: divide by the largest absolute value, so the clip peaks at ±1. Silence stays zeros. */
export function peakNormalize(samples: Float32Array): Float32Array {
  let peak = 0;
  for (let i = 0; i < samples.length; i++) peak = Math.max(peak, Math.abs(samples[i]));
  const out = new Float32Array(samples.length);
  if (peak === 0) return out;
  const scale = 1 / peak;
  for (let i = 0; i < samples.length; i++) out[i] = samples[i] * scale;
  return out;
}

/** Applies one of the normalisations (`none` returns a copy). */
export function normalize(samples: Float32Array, mode: Normalization): Float32Array {
  switch (mode) {
    case 'none': return samples.slice();
    case 'zscore': return zscore(samples);
    case 'peak': return peakNormalize(samples);
    default: throw new ParameterError(`normalize must be one of ${NORMALIZATIONS.join(', ')}, got "${String(mode)}"`);
  }
}

/** Zero-pads at the end or cuts to exactly `length` samples (≥ 0). */
export function fixLength(samples: Float32Array, length: number): Float32Array {
  if (!(Number.isInteger(length) && length >= 0)) throw new ParameterError(`length must be an integer >= 0, got ${length}`);
  if (samples.length === length) return samples;
  if (samples.length > length) return samples.slice(0, length);
  const out = new Float32Array(length);
  out.set(samples);
  return out;
}

export interface PreprocessOptions {
  /** Per-clip normalisation; default 'zscore' (the reference). */
  normalize?: Normalization;
  /** Target duration in seconds (> 0); default 4. */
  durationSec?: number;
}

/** Samples in `durationSec` at `sampleRate`, rounded to the nearest integer. */
export function clipSamples(sampleRate: number, durationSec = 4): number {
  if (!(durationSec > 0)) throw new ParameterError(`durationSec must be > 0, got ${durationSec}`);
  return Math.round(sampleRate * durationSec);
}

/**
 * Normalises, then pads or cuts to `durationSec` — the reference order, so the padding zeros do
 * not shift the clip's mean and spread. Input must already be at its final sample rate.
 */
export function preprocessClip(audio: AudioData, options: PreprocessOptions = {}): AudioData {
  const mode = options.normalize ?? 'zscore';
  const length = clipSamples(audio.sampleRate, options.durationSec ?? 4);
  return { samples: fixLength(normalize(audio.samples, mode), length), sampleRate: audio.sampleRate };
}
