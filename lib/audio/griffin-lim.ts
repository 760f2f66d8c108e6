/**
 * From a mel power spectrogram back to audio: the filterbank's pseudo-inverse gives a linear power
 * spectrogram, Griffin–Lim (with Perraudin's fast momentum, as librosa) finds a phase consistent
 * with it. With known samples (a clip with gaps) every iteration restores them, so the phase is
 * reconstructed only where audio is missing and joins the context without clicks.
 * Same framing as lib/audio/spectral (periodic Hann, whole frames, padding at the end).
 */
import { check } from '../util/errors';
import { cholesky, choleskySolve } from '../util/linalg';
import { Rng } from '../util/rng';
import { hannWindow, melFilterbank, MelOptions } from './filters';
import { fftOf, forEachFrameSpectrum, stftDefaults, stftShape, StftOptions } from './spectral';

export interface Spectrum {
  /** Real and imaginary parts, [frames, bins] row-major, bins = fftLength/2 + 1. */
  re: Float32Array;
  im: Float32Array;
  frames: number;
  bins: number;
}

/** Complex STFT of whole frames (periodic Hann), the spectrum under stftMagnitude. */
export function stft(samples: Float32Array, options: StftOptions = {}): Spectrum {
  const { frames, bins } = stftShape(samples.length, options);
  const re = new Float32Array(frames * bins);
  const im = new Float32Array(frames * bins);
  forEachFrameSpectrum(samples, options, (f, spectrum) => {
    for (let k = 0; k < bins; k++) { re[f * bins + k] = spectrum[2 * k]; im[f * bins + k] = spectrum[2 * k + 1]; }
  });
  return { re, im, frames, bins };
}

/**
 * Inverse STFT of `length` samples: windowed overlap-add divided by the summed squared window
 * (the least-squares signal of a possibly inconsistent spectrum). Samples no frame covers are 0.
 */
export function istft(spec: Spectrum, length: number, options: StftOptions = {}): Float32Array {
  const { windowLength, hopLength, fftLength } = stftDefaults(options);
  check(spec.bins === fftLength / 2 + 1, `spectrum has ${spec.bins} bins, fftLength ${fftLength} needs ${fftLength / 2 + 1}`);
  const window = hannWindow(windowLength);
  const fft = fftOf(fftLength);
  const full = new Float64Array(2 * fftLength);
  const time = new Float64Array(2 * fftLength);
  const acc = new Float64Array(length);
  const norm = new Float64Array(length);
  const { bins } = spec;
  for (let f = 0; f < spec.frames; f++) {
    for (let k = 0; k < bins; k++) { full[2 * k] = spec.re[f * bins + k]; full[2 * k + 1] = spec.im[f * bins + k]; }
    for (let k = bins; k < fftLength; k++) { full[2 * k] = full[2 * (fftLength - k)]; full[2 * k + 1] = -full[2 * (fftLength - k) + 1]; }
    fft.inverseTransform(time, full);
    const offset = f * hopLength;
    for (let i = 0; i < windowLength && offset + i < length; i++) {
      acc[offset + i] += time[2 * i] * window[i];
      norm[offset + i] += window[i] * window[i];
    }
  }
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = norm[i] > 1e-8 ? acc[i] / norm[i] : 0;
  return out;
}

const pinvCache = new Map<string, Float64Array>();

/**
 * Minimum-norm pseudo-inverse of the mel filterbank, [nMels, bins]: linear power = mel · pinv.
 * (WᵀW + εI)⁻¹Wᵀ with a tiny ridge, since the lowest bands share few FFT bins. Memoised.
 */
export function melPseudoInverse(options: MelOptions = {}): Float64Array {
  const bank = melFilterbank(options);
  const key = `${options.sampleRate ?? 16000}:${options.fftLength ?? 512}:${bank.nMels}:${options.fMin ?? 125}:${options.fMax ?? 7500}`;
  const cached = pinvCache.get(key);
  if (cached) return cached;
  const { bins, nMels, data: W } = bank;
  const gram = new Float64Array(nMels * nMels);
  for (let b = 0; b < bins; b++) for (let i = 0; i < nMels; i++) {
    const wi = W[b * nMels + i];
    if (wi !== 0) for (let j = 0; j < nMels; j++) gram[i * nMels + j] += wi * W[b * nMels + j];
  }
  let trace = 0;
  for (let i = 0; i < nMels; i++) trace += gram[i * nMels + i];
  for (let i = 0; i < nMels; i++) gram[i * nMels + i] += 1e-6 * (trace / nMels);
  const wT = new Float64Array(nMels * bins);
  for (let b = 0; b < bins; b++) for (let m = 0; m < nMels; m++) wT[m * bins + b] = W[b * nMels + m];
  const pinv = choleskySolve(cholesky(gram, nMels), nMels, wT, bins);
  pinvCache.set(key, pinv);
  return pinv;
}

/** STFT magnitude [frames, bins] from a mel power spectrogram [frames, nMels]: sqrt(max(0, mel · pinv)). */
export function melPowerToMagnitude(mel: { data: Float32Array; frames: number; nMels: number }, options: MelOptions = {}): Float32Array {
  const pinv = melPseudoInverse({ ...options, nMels: mel.nMels });
  const bins = (options.fftLength ?? 512) / 2 + 1;
  const out = new Float32Array(mel.frames * bins);
  const row = new Float64Array(bins);
  for (let f = 0; f < mel.frames; f++) {
    row.fill(0);
    for (let m = 0; m < mel.nMels; m++) {
      const v = mel.data[f * mel.nMels + m];
      if (v !== 0) for (let b = 0; b < bins; b++) row[b] += v * pinv[m * bins + b];
    }
    for (let b = 0; b < bins; b++) out[f * bins + b] = Math.sqrt(Math.max(0, row[b]));
  }
  return out;
}

/** Griffin–Lim iterations wherever lacuna turns a mel back into audio, unless told otherwise. */
export const DEFAULT_GRIFFIN_LIM_ITERATIONS = 32;

export interface GriffinLimOptions extends StftOptions {
  /** Output samples; at least the frames' span. */
  length: number;
  /** Default DEFAULT_GRIFFIN_LIM_ITERATIONS (32). */
  iterations?: number;
  /** Fast Griffin–Lim momentum in [0, 1); 0 is the classic algorithm. Default 0.99 (librosa's). */
  momentum?: number;
  /** Samples to keep (1 in `mask`): restored after every iteration; their phase starts the search. */
  known?: { samples: Float32Array; mask: Uint8Array };
  /** Seed of the random initial phase (without `known`). Default 0. */
  seed?: number;
}

/** A waveform whose STFT magnitude approaches `magnitude` ([frames, bins]). */
export function griffinLim(magnitude: Float32Array, frames: number, options: GriffinLimOptions): Float32Array {
  const { fftLength } = stftDefaults(options);
  const bins = fftLength / 2 + 1;
  check(magnitude.length === frames * bins, `magnitude has ${magnitude.length} values, expected ${frames} x ${bins}`);
  const iterations = options.iterations ?? DEFAULT_GRIFFIN_LIM_ITERATIONS;
  const momentum = options.momentum ?? 0.99;
  check(iterations >= 0 && momentum >= 0 && momentum < 1, `iterations must be >= 0 and momentum in [0, 1), got ${iterations}, ${momentum}`);
  const known = options.known;
  if (known) check(known.samples.length === options.length && known.mask.length === options.length, 'known samples and mask must have `length` values');
  const restore = (x: Float32Array) => {
    if (known) for (let i = 0; i < x.length; i++) if (!known.mask[i]) x[i] = known.samples[i];
    return x;
  };
  const n = frames * bins;
  const angle = { re: new Float32Array(n), im: new Float32Array(n) };
  if (known) {
    const s = stft(known.samples, options);
    angle.re.set(s.re.subarray(0, n));
    angle.im.set(s.im.subarray(0, n));
  } else {
    const rng = new Rng(options.seed ?? 0);
    for (let i = 0; i < n; i++) { const phi = 2 * Math.PI * rng.uniform(); angle.re[i] = Math.cos(phi); angle.im[i] = Math.sin(phi); }
  }
  const target: Spectrum = { re: new Float32Array(n), im: new Float32Array(n), frames, bins };
  const synth = () => {
    for (let i = 0; i < n; i++) {
      const h = Math.hypot(angle.re[i], angle.im[i]);
      const g = h > 1e-16 ? magnitude[i] / h : 0;
      target.re[i] = angle.re[i] * g;
      target.im[i] = angle.im[i] * g;
      if (h <= 1e-16) target.re[i] = magnitude[i];
    }
    return restore(istft(target, options.length, options));
  };
  let prev: Spectrum | undefined;
  const beta = momentum / (1 + momentum);
  for (let it = 0; it < iterations; it++) {
    const rebuilt = stft(synth(), options);
    for (let i = 0; i < n; i++) {
      angle.re[i] = rebuilt.re[i] - (prev ? beta * prev.re[i] : 0);
      angle.im[i] = rebuilt.im[i] - (prev ? beta * prev.im[i] : 0);
    }
    prev = rebuilt;
  }
  return synth();
}
