/**
 * How close a repair is to the clean clip, inside the gap only:
 * - mel SNR: 10·log10(Σ M² / Σ (M − M̂)²) over the mel power of the repaired frames (zero fill of
 *   a fully missing frame scores 0 dB);
 * - log-spectral distance: per frame the RMS over bands of 10·log10((M + 0.001) / (M̂ + 0.001)) dB
 *   (the reference's log offset), averaged over the repaired frames;
 * - waveform SNR: 10·log10(Σ x² / Σ (x − x̂)²) over the missing samples (zero fill: 0 dB).
 * - STFT log-spectral distance, as the inpainting literature reports it (e.g. Moliner & Välimäki's
 *   CQT-Diff+ tables): per frame √(mean over bins of (log10 P − log10 P̂)²) on the power spectrum
 *   (512-sample Hann frames, hop 128), power floored at 80 dB below the clean clip's loudest bin;
 *   averaged over the frames a gap touches and, separately, over all frames of the clip (the
 *   figure whose size depends on how much of the excerpt the gap is). In log10 units (Bel), not dB.
 * A region whose clean signal is silent has no SNR: NaN, and callers leave it out of means.
 */
import { stftMagnitude } from '../audio/spectral';
import type { Gap } from '../corrupt/gaps';
import { check } from '../util/errors';
import { LOG_OFFSET } from './mel';
import type { MelPower } from './types';

function snrDb(signal: number, error: number): number {
  if (signal <= 0) return NaN;
  return error <= 0 ? Infinity : 10 * Math.log10(signal / error);
}

/** Mel SNR and LSD (dB) over the frames with frameMask[f] = 1. */
export function melGapScores(clean: MelPower, repaired: MelPower, frameMask: Uint8Array): { melSnrDb: number; lsdDb: number } {
  check(clean.frames === repaired.frames && clean.nMels === repaired.nMels && frameMask.length === clean.frames,
    `spectrograms and mask disagree: ${clean.frames}x${clean.nMels}, ${repaired.frames}x${repaired.nMels}, mask ${frameMask.length}`);
  const n = clean.nMels;
  let signal = 0;
  let error = 0;
  let lsd = 0;
  let frames = 0;
  for (let f = 0; f < clean.frames; f++) {
    if (!frameMask[f]) continue;
    let sq = 0;
    for (let m = 0; m < n; m++) {
      const a = clean.data[f * n + m];
      const b = repaired.data[f * n + m];
      signal += a * a;
      error += (a - b) * (a - b);
      const d = 10 * Math.log10((a + LOG_OFFSET) / (Math.max(0, b) + LOG_OFFSET));
      sq += d * d;
    }
    lsd += Math.sqrt(sq / n);
    frames++;
  }
  return { melSnrDb: snrDb(signal, error), lsdDb: frames ? lsd / frames : NaN };
}

/** Waveform SNR (dB) over the samples with mask[i] = 1. */
export function waveformGapSnr(clean: Float32Array, repaired: Float32Array, mask: Uint8Array): number {
  check(clean.length === repaired.length && mask.length === clean.length, `waveforms and mask disagree: ${clean.length}, ${repaired.length}, ${mask.length}`);
  let signal = 0;
  let error = 0;
  for (let i = 0; i < clean.length; i++) {
    if (!mask[i]) continue;
    signal += clean[i] * clean[i];
    error += (clean[i] - repaired[i]) ** 2;
  }
  return snrDb(signal, error);
}

/** Mean of the finite values (NaN when there are none). */
export function finiteMean(values: readonly number[]): number {
  const ok = values.filter((v) => Number.isFinite(v));
  return ok.length ? ok.reduce((a, b) => a + b, 0) / ok.length : NaN;
}

/** STFT of the log-spectral distance: 32 ms frames at 16 kHz, 75 % overlap. */
export const LSD_STFT = { windowLength: 512, hopLength: 128, fftLength: 512 } as const;
/** The LSD's power floor, relative to the clean clip's loudest bin: 1e-8 (−80 dB). */
export const LSD_FLOOR = 1e-8;

/** STFT log-spectral distance (log10 power units) over the frames touching `gaps`, and over all frames. */
export function stftLogSpectralDistance(clean: Float32Array, repaired: Float32Array, gaps: readonly Gap[]): { gap: number; clip: number } {
  check(clean.length === repaired.length, `waveforms disagree: ${clean.length} and ${repaired.length} samples`);
  const a = stftMagnitude(clean, LSD_STFT);
  const b = stftMagnitude(repaired, LSD_STFT);
  let peak = 0;
  for (const v of a.data) peak = Math.max(peak, v * v);
  const floor = Math.max(peak * LSD_FLOOR, Number.MIN_VALUE);
  const { windowLength, hopLength } = LSD_STFT;
  let gapSum = 0;
  let gapFrames = 0;
  let clipSum = 0;
  for (let f = 0; f < a.frames; f++) {
    let sq = 0;
    for (let k = 0; k < a.bins; k++) {
      const d = Math.log10(Math.max(a.data[f * a.bins + k] ** 2, floor)) - Math.log10(Math.max(b.data[f * a.bins + k] ** 2, floor));
      sq += d * d;
    }
    const lsd = Math.sqrt(sq / a.bins);
    clipSum += lsd;
    const s = f * hopLength;
    if (gaps.some((g) => s < g.start + g.length && g.start < s + windowLength)) { gapSum += lsd; gapFrames++; }
  }
  return { gap: gapFrames ? gapSum / gapFrames : NaN, clip: a.frames ? clipSum / a.frames : NaN };
}
