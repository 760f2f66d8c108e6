/**
 * Band-limited resampling by a polyphase FIR filter (Kaiser-windowed sinc).
 *
 * A rate change inRate → outRate is reduced to the rational factor up/down (44100 → 8000 is
 * 80/441, 44100 → 16000 is 160/441, 48000 → 16000 is 1/3). Output sample n sits at input time
 * n·down/up; its integer part picks the input samples, its fractional part (one of `up` phases)
 * picks a row of a precomputed table of filter taps. The table depends only on the rate pair and
 * the filter options, so it is built once and memoised.
 *
 * The low-pass cut-off sits a little below the lower of the two Nyquist frequencies, and the
 * transition band is placed so that whatever folds back lands above the passband: with the defaults
 * (cutoffFraction 0.475, transitionFraction 0.1, attenuationDb 80) a 44.1 kHz → 8 kHz change keeps
 * 0–3.4 kHz flat and pushes everything above 4.2 kHz down by 80 dB before it can alias.
 */
import { ParameterError } from '../util/errors';
import { ensureKernelMemory, polyphaseKernel } from './polyphase-wasm';

export interface ResampleOptions {
  /** Filter cut-off (−6 dB point) as a fraction of the lower of the two rates; default 0.475 (< 0.5). */
  cutoffFraction?: number;
  /** Width of the transition band as a fraction of the lower rate; default 0.1. */
  transitionFraction?: number;
  /** Stop-band attenuation of the Kaiser design in dB; default 80. */
  attenuationDb?: number;
}

/** The memoised polyphase filter of one rate pair. */
export interface PolyphaseFilter {
  inRate: number;
  outRate: number;
  up: number;
  down: number;
  /** Half the design length in input samples; output j uses input samples from floor(j·down/up) − half + 1 on. */
  half: number;
  /** Row length of the table: 2·half rounded up to a multiple of 8 (zeros at the end), for SIMD. */
  taps: number;
  /** [up × taps] row-major; row p holds the taps for fractional position p/up. */
  table: Float32Array;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Zeroth-order modified Bessel function of the first kind (series), for the Kaiser window. */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 200; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-16) break;
  }
  return sum;
}

/** Kaiser's β for a stop-band attenuation (Kaiser 1974, as in scipy.signal.kaiser_beta). */
export function kaiserBeta(attenuationDb: number): number {
  if (attenuationDb > 50) return 0.1102 * (attenuationDb - 8.7);
  if (attenuationDb >= 21) return 0.5842 * (attenuationDb - 21) ** 0.4 + 0.07886 * (attenuationDb - 21);
  return 0;
}

const cache = new Map<string, PolyphaseFilter>();

/**
 * Builds (or returns the memoised) polyphase filter for a rate pair. Rates must be positive
 * integers; the defaults are those of ResampleOptions.
 */
export function polyphaseFilter(inRate: number, outRate: number, options: ResampleOptions = {}): PolyphaseFilter {
  const cutoffFraction = options.cutoffFraction ?? 0.475;
  const transitionFraction = options.transitionFraction ?? 0.1;
  const attenuationDb = options.attenuationDb ?? 80;
  for (const [name, rate] of [['inRate', inRate], ['outRate', outRate]] as const) {
    if (!(Number.isInteger(rate) && rate > 0)) throw new ParameterError(`${name} must be a positive integer in Hz, got ${rate}`);
  }
  if (!(cutoffFraction > 0 && cutoffFraction <= 0.5)) throw new ParameterError(`cutoffFraction must be in (0, 0.5], got ${cutoffFraction}`);
  if (!(transitionFraction > 0 && transitionFraction < 1)) throw new ParameterError(`transitionFraction must be in (0, 1), got ${transitionFraction}`);
  if (!(attenuationDb >= 20 && attenuationDb <= 200)) throw new ParameterError(`attenuationDb must be in [20, 200], got ${attenuationDb}`);
  const key = `${inRate}:${outRate}:${cutoffFraction}:${transitionFraction}:${attenuationDb}`;
  const hit = cache.get(key);
  if (hit) return hit;

  const g = gcd(inRate, outRate);
  const up = outRate / g;
  const down = inRate / g;
  const lower = Math.min(inRate, outRate);
  // Everything below in input-sample units: cut-off in cycles per input sample.
  const fc = (cutoffFraction * lower) / inRate;
  const transition = (transitionFraction * lower) / inRate;
  // Kaiser's length estimate N − 1 = (A − 7.95) / (14.36 Δf), Δf in cycles per sample.
  const length = Math.ceil((attenuationDb - 7.95) / (14.36 * transition)) + 1;
  const half = Math.max(1, Math.ceil(length / 2));
  const taps = Math.ceil((2 * half) / 8) * 8;
  const beta = kaiserBeta(attenuationDb);
  const i0Beta = besselI0(beta);
  const table = new Float32Array(up * taps);
  for (let p = 0; p < up; p++) {
    const frac = p / up;
    let sum = 0;
    const row = new Float64Array(taps);
    for (let k = 0; k < 2 * half; k++) {
      // Distance from the output instant to input sample (i - half + 1 + k), in input samples.
      const d = frac + half - 1 - k;
      const r = d / half;
      const w = Math.abs(r) >= 1 ? 0 : besselI0(beta * Math.sqrt(1 - r * r)) / i0Beta;
      const x = 2 * fc * d;
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      row[k] = 2 * fc * sinc * w;
      sum += row[k];
    }
    // Unit DC gain in every phase, so a constant stays constant whatever the phase.
    for (let k = 0; k < taps; k++) table[p * taps + k] = row[k] / sum;
  }
  const filter: PolyphaseFilter = { inRate, outRate, up, down, half, taps, table };
  cache.set(key, filter);
  return filter;
}

/** Output length for an input of `length` samples: ceil(length · outRate / inRate). */
export function resampledLength(length: number, inRate: number, outRate: number): number {
  const g = gcd(inRate, outRate);
  return Math.ceil((length * (outRate / g)) / (inRate / g));
}

/**
 * Applies a polyphase filter to samples (samples outside the input count as zeros), with the
 * WebAssembly SIMD kernel where available and plain JavaScript otherwise (`engine` forces one).
 */
export function applyPolyphase(samples: Float32Array, filter: PolyphaseFilter, engine: 'auto' | 'js' = 'auto'): Float32Array {
  const k = engine === 'auto' ? polyphaseKernel() : null;
  return k ? applyPolyphaseWasm(samples, filter, k) : applyPolyphaseJs(samples, filter);
}

function applyPolyphaseWasm(samples: Float32Array, filter: PolyphaseFilter, k: NonNullable<ReturnType<typeof polyphaseKernel>>): Float32Array {
  const { up, down, half, taps, table } = filter;
  const n = samples.length;
  const outLength = resampledLength(n, filter.inRate, filter.outRate);
  // Memory layout: [table][half zeros | input | taps zeros][output], all float32.
  const tableAt = 0;
  const inputAt = tableAt + table.length * 4;
  const paddedLength = half + n + taps + 8;
  const outputAt = inputAt + paddedLength * 4;
  ensureKernelMemory(k, outputAt + outLength * 4);
  const heap = new Float32Array(k.memory.buffer);
  heap.set(table, tableAt / 4);
  heap.fill(0, inputAt / 4, inputAt / 4 + half);
  heap.set(samples, inputAt / 4 + half);
  heap.fill(0, inputAt / 4 + half + n, inputAt / 4 + paddedLength);
  k.polyphase(tableAt, taps, up, down, inputAt, outputAt, outLength);
  return new Float32Array(k.memory.buffer, outputAt, outLength).slice();
}

function applyPolyphaseJs(samples: Float32Array, filter: PolyphaseFilter): Float32Array {
  const { up, down, half, taps, table } = filter;
  const n = samples.length;
  const outLength = resampledLength(n, filter.inRate, filter.outRate);
  const out = new Float32Array(outLength);
  let base = 0; // floor(j · down / up), advanced incrementally
  let phase = 0; // (j · down) mod up
  const stepInt = Math.floor(down / up);
  const stepFrac = down % up;
  for (let j = 0; j < outLength; j++) {
    const first = base - half + 1;
    const row = phase * taps;
    let acc0 = 0, acc1 = 0, acc2 = 0, acc3 = 0;
    if (first >= 0 && first + taps <= n) {
      // Interior: no bounds checks; four accumulators let the CPU overlap the multiply-adds.
      let k = 0;
      for (; k + 3 < taps; k += 4) {
        acc0 += samples[first + k] * table[row + k];
        acc1 += samples[first + k + 1] * table[row + k + 1];
        acc2 += samples[first + k + 2] * table[row + k + 2];
        acc3 += samples[first + k + 3] * table[row + k + 3];
      }
      for (; k < taps; k++) acc0 += samples[first + k] * table[row + k];
    } else {
      const from = Math.max(0, -first);
      const to = Math.min(taps, n - first);
      for (let k = from; k < to; k++) acc0 += samples[first + k] * table[row + k];
    }
    out[j] = acc0 + acc1 + acc2 + acc3;
    base += stepInt;
    phase += stepFrac;
    if (phase >= up) { phase -= up; base += 1; }
  }
  return out;
}

/**
 * Resamples mono samples from inRate to outRate with a band-limited polyphase FIR (see the
 * module comment). Returns the input itself when the rates are equal.
 */
export function resample(samples: Float32Array, inRate: number, outRate: number, options: ResampleOptions = {}): Float32Array {
  if (inRate === outRate) return samples;
  return applyPolyphase(samples, polyphaseFilter(inRate, outRate, options));
}

/**
 * Resamples one input to several rates, reusing work: a lower target that divides a higher one
 * (8000 from 16000) is derived from the higher result, which costs a fraction of filtering the
 * original again. Returns a map rate → samples.
 */
export function resampleToRates(samples: Float32Array, inRate: number, rates: number[], options: ResampleOptions = {}): Map<number, Float32Array> {
  const out = new Map<number, Float32Array>();
  const sorted = [...new Set(rates)].sort((a, b) => b - a);
  for (const rate of sorted) {
    // Derive from an already computed higher rate that is an integer multiple, when it is below the input rate.
    const source = [...out.keys()].find((r) => r > rate && r % rate === 0 && r < inRate);
    out.set(rate, source !== undefined ? resample(out.get(source)!, source, rate, options) : resample(samples, inRate, rate, options));
  }
  return out;
}

/**
 * Linear-interpolation resampling without any low-pass filter: the naive baseline the
 * benchmark compares against. It aliases; do not use it for data.
 */
export function resampleLinear(samples: Float32Array, inRate: number, outRate: number): Float32Array {
  const outLength = resampledLength(samples.length, inRate, outRate);
  const out = new Float32Array(outLength);
  const step = inRate / outRate;
  for (let j = 0; j < outLength; j++) {
    const t = j * step;
    const i = Math.floor(t);
    const f = t - i;
    const a = samples[i] ?? 0;
    const b = samples[i + 1] ?? 0;
    out[j] = a + (b - a) * f;
  }
  return out;
}
