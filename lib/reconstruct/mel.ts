/**
 * What every method shares: input checks, the mel power spectrogram of a waveform (YAMNet's front
 * end with power, after its padding: 432 frames for a 4 s clip), and the audio of a repaired
 * spectrogram by Griffin–Lim around each repaired range, the known samples held fixed.
 */
import { applyMel, frameCount, melSpectrogram, padForPatches, stftMagnitude, stftShape } from '../audio/spectral';
import { melFilterbank } from '../audio/filters';
import { DEFAULT_GRIFFIN_LIM_ITERATIONS, griffinLim, melPowerToMagnitude } from '../audio/griffin-lim';
import { gapMask } from '../corrupt/apply';
import { check } from '../util/errors';
import { FrameRange, repairRanges } from './geometry';
import type { MelPower, Reconstructor, RepairInput, RepairOutput } from './types';

export const HOP_LENGTH = 160;
export const WINDOW_LENGTH = 400;
export const LOG_OFFSET = 0.001;

/** Checks a repair input at the edge, naming what is wrong. */
export function checkRepairInput(input: RepairInput): void {
  check(input.corrupted instanceof Float32Array && input.corrupted.length > 0, 'corrupted must be a non-empty Float32Array');
  check(input.sampleRate === 16000, `reconstruction works at 16000 Hz (the YAMNet front end), got sampleRate ${input.sampleRate}`);
  let end = 0;
  for (const g of input.gaps) {
    check(Number.isInteger(g.start) && Number.isInteger(g.length) && g.length >= 1 && g.start >= end && g.start + g.length <= input.corrupted.length,
      `gaps must be sorted, non-overlapping and inside the clip of ${input.corrupted.length} samples; got ${JSON.stringify(g)} after a gap ending at ${end}`);
    end = g.start + g.length;
  }
  if (input.melPower) {
    const m = input.melPower;
    check(m.data.length === m.frames * m.nMels, `melPower holds ${m.data.length} values, expected frames x nMels = ${m.frames * m.nMels}`);
  }
}

/** Mel power spectrogram [frames, 64] of a 16 kHz clip after YAMNet's padding. */
export function melPowerOf(samples: Float32Array): MelPower {
  const m = melSpectrogram(padForPatches(samples), { power: true });
  return { data: m.data, frames: m.frames, nMels: m.nMels };
}

/**
 * melPowerOf(samples), bit for bit, when the STFT magnitude rows of some of its frames are known
 * already (the same samples under the same window and FFT, e.g. the unrepaired clip's where a repair
 * left them alone): `knownRow(frame)` gives that row ([257]) or undefined; the rest are computed.
 */
export function melPowerWithRows(samples: Float32Array, knownRow: (frame: number) => Float32Array | undefined): MelPower {
  const padded = padForPatches(samples);
  const { frames, bins } = stftShape(padded.length);
  const magnitude = new Float32Array(frames * bins);
  for (let f = 0; f < frames;) {
    const row = knownRow(f);
    if (row) { magnitude.set(row, f * bins); f++; continue; }
    let end = f + 1;
    while (end < frames && !knownRow(end)) end++;
    magnitude.set(stftMagnitude(padded.subarray(f * HOP_LENGTH, (end - 1) * HOP_LENGTH + WINDOW_LENGTH)).data, f * bins);
    f = end;
  }
  // melSpectrogram's filterbank (its defaults) and its power mel of the magnitude.
  const bank = melFilterbank({ sampleRate: 16000, fftLength: 512, nMels: 64, fMin: 125, fMax: 7500 });
  const m = applyMel(magnitude, frames, bins, bank, true);
  return { data: m.data, frames: m.frames, nMels: m.nMels };
}

/** Whole frames inside the clip: frames past them read YAMNet's zero padding, no context to use. */
export function clipFrameCount(samples: Float32Array): number {
  return frameCount(samples.length, WINDOW_LENGTH, HOP_LENGTH);
}

/** A private copy of the input's mel (computed when the caller did not pass one). */
export function inputMel(input: RepairInput): MelPower {
  const m = input.melPower ?? melPowerOf(input.corrupted);
  return { data: m.data.slice(), frames: m.frames, nMels: m.nMels };
}

/**
 * Audio for a repaired mel: Griffin–Lim on a stretch of samples around each repaired frame range
 * (whole frames, a window of known context each side), the magnitude from the mel's pseudo-inverse
 * on repaired frames and from the corrupted clip elsewhere, the samples outside the gaps kept.
 */
export function waveformFromMel(input: RepairInput, mel: MelPower, ranges: readonly FrameRange[], iterations: number): Float32Array {
  const out = input.corrupted.slice();
  if (iterations <= 0 || ranges.length === 0) return out;
  const padded = padForPatches(input.corrupted);
  const mask = gapMask(input.gaps, padded.length);
  const margin = Math.ceil(WINDOW_LENGTH / HOP_LENGTH);
  for (const r of ranges) {
    const f0 = Math.max(0, r.first - margin);
    const f1 = Math.min(mel.frames - 1, r.last + margin);
    const start = f0 * HOP_LENGTH;
    const length = (f1 - f0) * HOP_LENGTH + WINDOW_LENGTH;
    const samples = padded.subarray(start, start + length);
    const own = stftMagnitude(samples);
    const bins = own.bins;
    const target = own.data.slice(0, (f1 - f0 + 1) * bins);
    target.set(melPowerToMagnitude(mel, {}, r), (r.first - f0) * bins);
    const audio = griffinLim(target, f1 - f0 + 1, { length, iterations, known: { samples, mask: mask.subarray(start, start + length) } });
    for (let i = 0; i < length && start + i < out.length; i++) if (mask[start + i]) out[start + i] = audio[i];
  }
  return out;
}

export interface MelMethodOptions {
  /** Griffin–Lim iterations for the repaired audio; 0 = mel only (no waveform). Default 32. */
  griffinLimIterations?: number;
}

/**
 * A mel-domain method from how it fills one range of frames: `fill` writes the range in place (or
 * leaves it) and adds a note where it had to do something else. Audio, when asked, by Griffin–Lim.
 */
export function melMethod(
  name: string, options: MelMethodOptions,
  fill: (mel: MelPower, range: FrameRange, clipFrames: number, notes: string[]) => void,
): Reconstructor {
  const iterations = options.griffinLimIterations ?? DEFAULT_GRIFFIN_LIM_ITERATIONS;
  return {
    name,
    domain: 'mel',
    repair(input: RepairInput): RepairOutput {
      checkRepairInput(input);
      const mel = inputMel(input);
      const ranges = repairRanges(input.gaps, mel.frames);
      const notes: string[] = [];
      const clipFrames = clipFrameCount(input.corrupted);
      for (const r of ranges) fill(mel, r, clipFrames, notes);
      return { domain: 'mel', mel, waveform: iterations > 0 ? waveformFromMel(input, mel, ranges, iterations) : undefined, notes };
    },
  };
}
