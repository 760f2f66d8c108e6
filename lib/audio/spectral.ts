/**
 * Short-time spectral features, built from small pure steps as ddsp and librosa do:
 * frame → window → |FFT| → mel → log → patches. Defaults are YAMNet's front end (16 kHz, 25 ms
 * periodic Hann window, 10 ms hop, 512-point FFT, 64 HTK mel bands 125–7500 Hz, log offset 0.001,
 * 96-frame patches with hop 48); the tests check them against the constants stored in YAMNet's
 * TFLite file. Inputs and outputs are plain Float32Arrays, row-major.
 */
import FFT = require('fft.js');
import { check } from '../util/errors';
import { hannWindow, melFilterbank } from './filters';

export interface StftOptions {
  /** Hz. Default 16000. */
  sampleRate?: number;
  /** Samples per frame (> 0, <= fftLength). Default 400 (25 ms at 16 kHz). */
  windowLength?: number;
  /** Samples between frame starts (> 0). Default 160 (10 ms at 16 kHz). */
  hopLength?: number;
  /** FFT size, a power of two >= windowLength; frames are zero-padded at the end. Default 512. */
  fftLength?: number;
}

export interface MelSpectrogramOptions extends StftOptions {
  /** Default 64. */
  nMels?: number;
  /** Hz. Default 125. */
  fMin?: number;
  /** Hz. Default 7500. */
  fMax?: number;
}

export interface LogMelOptions extends MelSpectrogramOptions {
  /** Added before the log so silence stays finite. Default 0.001. */
  logOffset?: number;
}

/** Rows of equal length: [frames, width] row-major. */
export interface FrameMatrix {
  data: Float32Array;
  frames: number;
}

/** Number of whole frames (no padding): 0 if the signal is shorter than one window. */
export function frameCount(length: number, windowLength: number, hopLength: number): number {
  return length < windowLength ? 0 : 1 + Math.floor((length - windowLength) / hopLength);
}

/** Cuts `samples` into overlapping frames [frames, windowLength]; only whole frames are kept. */
export function frame(samples: Float32Array, windowLength: number, hopLength: number): FrameMatrix {
  check(Number.isInteger(windowLength) && windowLength > 0, `windowLength must be an integer > 0, got ${windowLength}`);
  check(Number.isInteger(hopLength) && hopLength > 0, `hopLength must be an integer > 0, got ${hopLength}`);
  const frames = frameCount(samples.length, windowLength, hopLength);
  const data = new Float32Array(frames * windowLength);
  for (let f = 0; f < frames; f++) data.set(samples.subarray(f * hopLength, f * hopLength + windowLength), f * windowLength);
  return { data, frames };
}

const ffts = new Map<number, FFT>();
/** One FFT object per size, shared (memoised). */
export function fftOf(size: number): FFT {
  let f = ffts.get(size);
  if (!f) { f = new FFT(size); ffts.set(size, f); }
  return f;
}

/** The STFT options with their defaults filled in, validated. */
export function stftDefaults(options: StftOptions) {
  const windowLength = options.windowLength ?? 400;
  const hopLength = options.hopLength ?? 160;
  const fftLength = options.fftLength ?? 512;
  check(Number.isInteger(fftLength) && fftLength >= 4 && (fftLength & (fftLength - 1)) === 0, `fftLength must be a power of two >= 4, got ${fftLength}`);
  check(Number.isInteger(windowLength) && windowLength > 0 && windowLength <= fftLength, `windowLength must be an integer in 1..fftLength (${fftLength}), got ${windowLength}`);
  check(Number.isInteger(hopLength) && hopLength > 0, `hopLength must be an integer > 0, got ${hopLength}`);
  return { sampleRate: options.sampleRate ?? 16000, windowLength, hopLength, fftLength };
}

function checkSamples(samples: Float32Array): void {
  check(samples instanceof Float32Array, `samples must be a Float32Array, got ${Object.prototype.toString.call(samples)}`);
}

/**
 * STFT magnitude |X| of periodic-Hann-windowed frames: [frames, fftLength/2 + 1]. Matches
 * tf.abs(tf.signal.stft(...)) (frames padded at the end; only whole frames).
 */
export function stftMagnitude(samples: Float32Array, options: StftOptions = {}): FrameMatrix & { bins: number } {
  checkSamples(samples);
  const { frames, bins } = stftShape(samples.length, options);
  const data = new Float32Array(frames * bins);
  // A frame of zeros (YAMNet's padding, the inside of a long gap) has a zero spectrum: its row stays +0,
  // the bits |X| gives it (re² + im² is +0 whatever the zeros' signs), without its FFT.
  forEachFrameSpectrum(samples, { ...options, skipSilentFrames: true }, (f, spectrum) => {
    const row = f * bins;
    // sqrt(re² + im²), not Math.hypot: hypot's overflow guard made it half of the STFT's time, and
    // FFT values of [-1, 1] audio are nowhere near overflowing a double.
    for (let k = 0; k < bins; k++) { const re = spectrum[2 * k], im = spectrum[2 * k + 1]; data[row + k] = Math.sqrt(re * re + im * im); }
  });
  return { data, frames, bins };
}

/** Frames and bins of the STFT of `length` samples (whole frames only). */
export function stftShape(length: number, options: StftOptions = {}): { frames: number; bins: number } {
  const { windowLength, hopLength, fftLength } = stftDefaults(options);
  return { frames: frameCount(length, windowLength, hopLength), bins: fftLength / 2 + 1 };
}

/**
 * Walks the STFT of `samples` frame by frame (periodic Hann window, whole frames): `visit` gets the
 * frame index and its spectrum as interleaved re/im pairs (a buffer reused between frames).
 * `skipSilentFrames`: frames whose samples are all zero are not visited (for a caller that needs
 * only magnitudes; the signs of a zero spectrum's zeros, which a phase would see, are not given).
 */
export function forEachFrameSpectrum(
  samples: Float32Array, options: StftOptions & { skipSilentFrames?: boolean },
  visit: (frame: number, spectrum: Float64Array, bins: number) => void,
): { frames: number; bins: number } {
  const { windowLength, hopLength, fftLength } = stftDefaults(options);
  const { frames, bins } = stftShape(samples.length, options);
  const window = hannWindow(windowLength);
  const fft = fftOf(fftLength);
  const input = new Float64Array(fftLength);
  const out = new Float64Array(2 * fftLength);
  for (let f = 0; f < frames; f++) {
    const offset = f * hopLength;
    if (options.skipSilentFrames && isSilent(samples, offset, windowLength)) continue;
    for (let i = 0; i < windowLength; i++) input[i] = samples[offset + i] * window[i];
    fft.realTransform(out, input);
    visit(f, out, bins);
  }
  return { frames, bins };
}

/** True when samples[offset, offset + length) are all zero (either sign). */
function isSilent(samples: Float32Array, offset: number, length: number): boolean {
  for (let i = offset; i < offset + length; i++) if (samples[i] !== 0) return false;
  return true;
}

/**
 * Mel spectrogram [frames, nMels]: the STFT magnitude (default) or power (`power: true`, |X|²,
 * as the reconstruction GAN uses) times the HTK mel filterbank of lib/audio/filters.
 */
export function melSpectrogram(samples: Float32Array, options: MelSpectrogramOptions & { power?: boolean } = {}): FrameMatrix & { nMels: number } {
  const stft = stftDefaults(options);
  const bank = melFilterbank({ sampleRate: stft.sampleRate, fftLength: stft.fftLength, nMels: options.nMels ?? 64, fMin: options.fMin ?? 125, fMax: options.fMax ?? 7500 });
  const mag = stftMagnitude(samples, stft);
  return applyMel(mag.data, mag.frames, mag.bins, bank, options.power ?? false);
}

/** Mel bands of an STFT magnitude [frames, bins] (power: of its square), with a filterbank of lib/audio/filters. */
export function applyMel(mag: Float32Array, frames: number, bins: number, bank: ReturnType<typeof melFilterbank>, power: boolean): FrameMatrix & { nMels: number } {
  const { nMels, start, end, data: w } = bank;
  const data = new Float32Array(frames * nMels);
  for (let f = 0; f < frames; f++) {
    const row = f * bins;
    for (let m = 0; m < nMels; m++) {
      let acc = 0;
      for (let b = start[m]; b < end[m]; b++) {
        const v = mag[row + b];
        acc += (power ? v * v : v) * w[b * nMels + m];
      }
      data[f * nMels + m] = acc;
    }
  }
  return { data, frames, nMels };
}

/**
 * Stabilised log-mel spectrogram log(mel + logOffset), [frames, nMels] row-major, from the STFT
 * magnitude. With the defaults this is YAMNet's features.py front end (without its padding; see
 * padForPatches) and equals the computation inside YAMNet's TFLite file (tested).
 */
export function logMelSpectrogram(samples: Float32Array, options: LogMelOptions = {}): { data: Float32Array; frames: number; nMels: number } {
  const logOffset = options.logOffset ?? 0.001;
  check(logOffset > 0, `logOffset must be > 0, got ${logOffset}`);
  const mel = melSpectrogram(samples, { ...options, power: false });
  for (let i = 0; i < mel.data.length; i++) mel.data[i] = Math.log(mel.data[i] + logOffset);
  return mel;
}

export interface PatchOptions {
  /** Frames per patch. Default 96 (0.96 s). */
  patchFrames?: number;
  /** Frames between patch starts. Default 48 (0.48 s). */
  patchHop?: number;
}

/** Frames a [frames, nMels] spectrogram into patches [patches, patchFrames, nMels]; whole patches only. */
export function patches(spec: { data: Float32Array; frames: number; nMels: number }, options: PatchOptions = {}): { data: Float32Array; patches: number; patchFrames: number; nMels: number } {
  const patchFrames = options.patchFrames ?? 96;
  const patchHop = options.patchHop ?? 48;
  check(spec.data.length === spec.frames * spec.nMels, `spectrogram data has ${spec.data.length} values, expected frames x nMels = ${spec.frames * spec.nMels}`);
  const n = frameCount(spec.frames, patchFrames, patchHop);
  const size = patchFrames * spec.nMels;
  const data = new Float32Array(n * size);
  for (let p = 0; p < n; p++) data.set(spec.data.subarray(p * patchHop * spec.nMels, p * patchHop * spec.nMels + size), p * size);
  return { data, patches: n, patchFrames, nMels: spec.nMels };
}

/**
 * Samples after YAMNet's pad_waveform (features.py): zero-pad to at least one patch
 * (patchFrames·hop + window − hop samples, 15600 by default), then up to a whole number of patch
 * hops (patchHop·hop samples, 7680) after it. A 4 s clip at 16 kHz (64000) becomes 69360
 * samples: 432 frames, 8 patches.
 */
export function paddedLength(length: number, options: PatchOptions & StftOptions = {}): number {
  const { windowLength, hopLength } = stftDefaults(options);
  const patchFrames = options.patchFrames ?? 96;
  const patchHop = options.patchHop ?? 48;
  const minSamples = patchFrames * hopLength + windowLength - hopLength;
  const hopSamples = patchHop * hopLength;
  const afterFirst = Math.max(length, minSamples) - minSamples;
  return minSamples + Math.ceil(afterFirst / hopSamples) * hopSamples;
}

/** Zero-pads at the end per paddedLength (returns the input itself when no padding is needed). */
export function padForPatches(samples: Float32Array, options: PatchOptions & StftOptions = {}): Float32Array {
  const target = paddedLength(samples.length, options);
  if (target === samples.length) return samples;
  const out = new Float32Array(target);
  out.set(samples);
  return out;
}
