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
  const plan = overlapAddPlan(spec.frames, length, windowLength, hopLength, fftLength);
  return plan.synthesise(spec, Int32Array.from({ length: spec.frames }, (_, f) => f));
}

/**
 * The inverse STFT's fixed parts (window, FFT, the summed squared window) for `frames` frames over
 * `length` samples, and `synthesise`, the inverse STFT of some of the frames (the others taken as
 * silent). Two frames share one complex inverse FFT (the first as the real part, the second as the
 * imaginary), half the transforms of one frame each. Buffers are reused between calls.
 */
function overlapAddPlan(frames: number, length: number, windowLength: number, hopLength: number, fftLength: number) {
  const window = hannWindow(windowLength);
  const fft = fftOf(fftLength);
  const norm = new Float64Array(length);
  for (let f = 0; f < frames; f++) {
    const offset = f * hopLength;
    for (let i = 0; i < windowLength && offset + i < length; i++) norm[offset + i] += window[i] * window[i];
  }
  const full = new Float64Array(2 * fftLength);
  const time = new Float64Array(2 * fftLength);
  const acc = new Float64Array(length);
  const half = fftLength / 2;
  const add = (f: number, part: 0 | 1) => {
    const offset = f * hopLength;
    for (let i = 0; i < windowLength && offset + i < length; i++) acc[offset + i] += time[2 * i + part] * window[i];
  };
  const synthesise = (spec: Spectrum, which: Int32Array): Float32Array => {
    const { bins } = spec;
    acc.fill(0);
    for (let w = 0; w < which.length; w += 2) {
      const a = which[w] * bins;
      const b = w + 1 < which.length ? which[w + 1] * bins : -1;
      // Z = A + iB over the whole circle (A, B Hermitian: the imaginary parts at 0 and fftLength/2
      // are dropped, as taking the real part of one frame's inverse would).
      for (let k = 0; k <= half; k++) {
        const edge = k === 0 || k === half;
        const aRe = spec.re[a + k], aIm = edge ? 0 : spec.im[a + k];
        const bRe = b < 0 ? 0 : spec.re[b + k], bIm = b < 0 || edge ? 0 : spec.im[b + k];
        full[2 * k] = aRe - bIm;
        full[2 * k + 1] = aIm + bRe;
        if (!edge) {
          full[2 * (fftLength - k)] = aRe + bIm;
          full[2 * (fftLength - k) + 1] = bRe - aIm;
        }
      }
      fft.inverseTransform(time, full);
      add(which[w], 0);
      if (b >= 0) add(which[w + 1], 1);
    }
    const out = new Float32Array(length);
    for (let i = 0; i < length; i++) out[i] = norm[i] > 1e-8 ? acc[i] / norm[i] : 0;
    return out;
  };
  return { synthesise };
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

/**
 * STFT magnitude [frames, bins] from a mel power spectrogram [frames, nMels]: sqrt(max(0, mel · pinv)).
 * With `only`, just the frames first..last (inclusive): [last − first + 1, bins].
 */
export function melPowerToMagnitude(
  mel: { data: Float32Array; frames: number; nMels: number }, options: MelOptions = {}, only?: { first: number; last: number },
): Float32Array {
  const pinv = melPseudoInverse({ ...options, nMels: mel.nMels });
  const bins = (options.fftLength ?? 512) / 2 + 1;
  const first = only?.first ?? 0;
  const last = only?.last ?? mel.frames - 1;
  check(first >= 0 && last < mel.frames && first <= last + 1, `frames ${first}..${last} are not inside a spectrogram of ${mel.frames}`);
  const out = new Float32Array((last - first + 1) * bins);
  const row = new Float64Array(bins);
  for (let f = first; f <= last; f++) {
    row.fill(0);
    for (let m = 0; m < mel.nMels; m++) {
      const v = mel.data[f * mel.nMels + m];
      if (v !== 0) for (let b = 0; b < bins; b++) row[b] += v * pinv[m * bins + b];
    }
    for (let b = 0; b < bins; b++) out[(f - first) * bins + b] = Math.sqrt(Math.max(0, row[b]));
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

/**
 * A waveform whose STFT magnitude approaches `magnitude` ([frames, bins]). With `known` samples,
 * only the frames that hold an unknown sample are iterated: the others shape no sample that is
 * not restored, so leaving them out changes nothing.
 */
export function griffinLim(magnitude: Float32Array, frames: number, options: GriffinLimOptions): Float32Array {
  const { windowLength, hopLength, fftLength } = stftDefaults(options);
  const bins = fftLength / 2 + 1;
  check(magnitude.length === frames * bins, `magnitude has ${magnitude.length} values, expected ${frames} x ${bins}`);
  const iterations = options.iterations ?? DEFAULT_GRIFFIN_LIM_ITERATIONS;
  const momentum = options.momentum ?? 0.99;
  check(iterations >= 0 && momentum >= 0 && momentum < 1, `iterations must be >= 0 and momentum in [0, 1), got ${iterations}, ${momentum}`);
  const { length, known } = options;
  if (known) check(known.samples.length === length && known.mask.length === length, 'known samples and mask must have `length` values');
  const active = framesWithUnknowns(frames, length, windowLength, hopLength, known?.mask);
  const n = frames * bins;
  const angle: Spectrum = { re: new Float32Array(n), im: new Float32Array(n), frames, bins };
  if (known) {
    spectraOf(known.samples, active, angle, hopLength, windowLength, fftLength);
  } else {
    const rng = new Rng(options.seed ?? 0);
    for (let i = 0; i < n; i++) { const phi = 2 * Math.PI * rng.uniform(); angle.re[i] = Math.cos(phi); angle.im[i] = Math.sin(phi); }
  }
  const plan = overlapAddPlan(frames, length, windowLength, hopLength, fftLength);
  const target: Spectrum = { re: new Float32Array(n), im: new Float32Array(n), frames, bins };
  const synth = () => {
    for (const f of active) {
      for (let i = f * bins; i < (f + 1) * bins; i++) {
        const re = angle.re[i], im = angle.im[i];
        const h = Math.sqrt(re * re + im * im);
        if (h > 1e-16) {
          const g = magnitude[i] / h;
          target.re[i] = re * g;
          target.im[i] = im * g;
        } else {
          target.re[i] = magnitude[i];
          target.im[i] = 0;
        }
      }
    }
    const x = plan.synthesise(target, active);
    if (known) for (let i = 0; i < length; i++) if (!known.mask[i]) x[i] = known.samples[i];
    return x;
  };
  let rebuilt: Spectrum = { re: new Float32Array(n), im: new Float32Array(n), frames, bins };
  let prev: Spectrum = { re: new Float32Array(n), im: new Float32Array(n), frames, bins };
  const beta = momentum / (1 + momentum);
  for (let it = 0; it < iterations; it++) {
    spectraOf(synth(), active, rebuilt, hopLength, windowLength, fftLength);
    const b = it === 0 ? 0 : beta;
    for (const f of active) {
      for (let i = f * bins; i < (f + 1) * bins; i++) {
        angle.re[i] = rebuilt.re[i] - b * prev.re[i];
        angle.im[i] = rebuilt.im[i] - b * prev.im[i];
      }
    }
    [prev, rebuilt] = [rebuilt, prev];
  }
  return synth();
}

/** Frames whose window holds a sample with a nonzero mask (every frame without a mask), in order. */
function framesWithUnknowns(frames: number, length: number, windowLength: number, hopLength: number, mask?: Uint8Array): Int32Array {
  const out: number[] = [];
  for (let f = 0; f < frames; f++) {
    const end = Math.min(length, f * hopLength + windowLength);
    let unknown = !mask;
    for (let i = f * hopLength; !unknown && i < end; i++) unknown = mask![i] !== 0;
    if (unknown) out.push(f);
  }
  return Int32Array.from(out);
}

/**
 * The STFT (as `stft`) of the frames `which` of `samples`, written into `into`; other frames are
 * left. Two real frames share one complex FFT (the first as the real part, the second as the
 * imaginary), split by the Hermitian symmetry of each.
 */
function zeroRow(spectrum: Spectrum, frame: number, bins: number): void {
  spectrum.re.fill(0, frame * bins, (frame + 1) * bins);
  spectrum.im.fill(0, frame * bins, (frame + 1) * bins);
}

function spectraOf(
  samples: Float32Array, which: Int32Array, into: Spectrum, hopLength: number, windowLength: number, fftLength: number,
): void {
  const window = hannWindow(windowLength);
  const fft = fftOf(fftLength);
  const input = new Float64Array(2 * fftLength);
  const out = new Float64Array(2 * fftLength);
  const { bins } = into;
  for (let w = 0; w < which.length; w += 2) {
    const a = which[w] * hopLength;
    const paired = w + 1 < which.length;
    const b = paired ? which[w + 1] * hopLength : 0;
    let silentA = true, silentB = true;
    for (let i = 0; i < windowLength; i++) {
      input[2 * i] = samples[a + i] * window[i];
      input[2 * i + 1] = paired ? samples[b + i] * window[i] : 0;
      silentA &&= input[2 * i] === 0;
      silentB &&= input[2 * i + 1] === 0;
    }
    fft.transform(out, input);
    // A silent frame's spectrum stays exactly 0 (not its partner's rounding), as Griffin–Lim's
    // phase of a zero bin is decided by exact zeros.
    const rowA = silentA ? -1 : which[w] * bins;
    const rowB = paired && !silentB ? which[w + 1] * bins : -1;
    if (silentA) zeroRow(into, which[w], bins);
    if (paired && silentB) zeroRow(into, which[w + 1], bins);
    for (let k = 0; k < bins; k++) {
      const m = k === 0 ? 0 : fftLength - k;
      const zr = out[2 * k], zi = out[2 * k + 1], cr = out[2 * m], ci = out[2 * m + 1];
      if (rowA >= 0) {
        into.re[rowA + k] = 0.5 * (zr + cr);
        into.im[rowA + k] = 0.5 * (zi - ci);
      }
      if (rowB >= 0) {
        into.re[rowB + k] = 0.5 * (zi + ci);
        into.im[rowB + k] = 0.5 * (cr - zr);
      }
    }
  }
}
