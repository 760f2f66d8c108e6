/**
 * Analysis windows and mel filterbanks. Both are pure functions of their options and are
 * memoised (the same options return the same, frozen-by-convention array), because every
 * spectrogram call needs them and building a filterbank costs far more than using it.
 * Callers must not write into the returned arrays.
 */
import { check } from '../util/errors';

const windowCache = new Map<string, Float32Array>();
const melCache = new Map<string, MelFilterbank>();

/**
 * Hann window of `windowLength` samples. Periodic (default, as tf.signal.stft and YAMNet use:
 * w[n] = 0.5 - 0.5 cos(2πn/N)) or symmetric (divides by N-1). Memoised.
 */
export function hannWindow(windowLength: number, options: { periodic?: boolean } = {}): Float32Array {
  check(Number.isInteger(windowLength) && windowLength >= 1, `windowLength must be an integer >= 1, got ${windowLength}`);
  const periodic = options.periodic ?? true;
  const key = `${windowLength}:${periodic}`;
  let w = windowCache.get(key);
  if (!w) {
    const denom = periodic ? windowLength : Math.max(1, windowLength - 1);
    w = Float32Array.from({ length: windowLength }, (_, n) => 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / denom));
    windowCache.set(key, w);
  }
  return w;
}

/** HTK mel scale: 1127 ln(1 + f/700) (the formula tf.signal and YAMNet use). */
export function hzToMel(hz: number): number {
  return 1127 * Math.log(1 + hz / 700);
}

export function melToHz(mel: number): number {
  return 700 * (Math.exp(mel / 1127) - 1);
}

export interface MelOptions {
  /** Hz. Default 16000. */
  sampleRate?: number;
  /** FFT size; the filterbank has fftLength/2 + 1 rows. Default 512. */
  fftLength?: number;
  /** Mel bands (> 0). Default 64. */
  nMels?: number;
  /** Lower edge of the lowest band in Hz (>= 0). Default 125. */
  fMin?: number;
  /** Upper edge of the highest band in Hz (<= sampleRate/2). Default 7500. */
  fMax?: number;
}

/**
 * A mel filterbank as a dense matrix plus, per mel band, the range of spectrogram bins where it
 * is non-zero (so applying it costs only the non-zero taps).
 */
export interface MelFilterbank {
  /** [bins, nMels] row-major: weight of spectrogram bin b in mel band m is data[b * nMels + m]. */
  data: Float32Array;
  bins: number;
  nMels: number;
  /** First non-zero bin of each band. */
  start: Int32Array;
  /** One past the last non-zero bin of each band. */
  end: Int32Array;
}

/**
 * Triangular HTK-mel filterbank exactly as tf.signal.linear_to_mel_weight_matrix builds it (the
 * matrix stored in YAMNet's TFLite file): band edges equally spaced in mel between fMin and fMax,
 * each spectrogram bin weighted by where its own mel value falls on the triangle, no area
 * normalisation, and the DC bin always zero. Memoised.
 */
export function melFilterbank(options: MelOptions = {}): MelFilterbank {
  const sampleRate = options.sampleRate ?? 16000;
  const fftLength = options.fftLength ?? 512;
  const nMels = options.nMels ?? 64;
  const fMin = options.fMin ?? 125;
  const fMax = options.fMax ?? 7500;
  check(sampleRate > 0, `sampleRate must be > 0, got ${sampleRate}`);
  check(Number.isInteger(fftLength) && fftLength >= 2, `fftLength must be an integer >= 2, got ${fftLength}`);
  check(Number.isInteger(nMels) && nMels >= 1, `nMels must be an integer >= 1, got ${nMels}`);
  check(fMin >= 0 && fMin < fMax, `fMin must be >= 0 and < fMax (${fMax}), got ${fMin}`);
  check(fMax <= sampleRate / 2, `fMax must be <= sampleRate / 2 (${sampleRate / 2}), got ${fMax}`);
  const key = `${sampleRate}:${fftLength}:${nMels}:${fMin}:${fMax}`;
  const cached = melCache.get(key);
  if (cached) return cached;

  const bins = fftLength / 2 + 1;
  const melLow = hzToMel(fMin);
  const melHigh = hzToMel(fMax);
  const edges = Float64Array.from({ length: nMels + 2 }, (_, i) => melLow + ((melHigh - melLow) * i) / (nMels + 1));
  const data = new Float32Array(bins * nMels);
  const start = new Int32Array(nMels).fill(bins);
  const end = new Int32Array(nMels);
  for (let b = 1; b < bins; b++) {
    const mel = hzToMel(((sampleRate / 2) * b) / (bins - 1));
    for (let m = 0; m < nMels; m++) {
      const lower = (mel - edges[m]) / (edges[m + 1] - edges[m]);
      const upper = (edges[m + 2] - mel) / (edges[m + 2] - edges[m + 1]);
      const w = Math.max(0, Math.min(lower, upper));
      if (w > 0) {
        data[b * nMels + m] = w;
        start[m] = Math.min(start[m], b);
        end[m] = b + 1;
      }
    }
  }
  for (let m = 0; m < nMels; m++) if (end[m] === 0) start[m] = 0;
  const bank: MelFilterbank = { data, bins, nMels, start, end };
  melCache.set(key, bank);
  return bank;
}
