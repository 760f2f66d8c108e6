/**
 * Small signal generators and filters for the synthetic dataset. Plain loops over Float32Array;
 * every random draw comes from the caller's Rng.
 */
import { Rng } from '../util/rng';

export function whiteNoise(length: number, rng: Rng): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = rng.uniform() * 2 - 1;
  return out;
}

/** RBJ biquad (audio EQ cookbook), applied in place-free form. Frequencies are clamped below Nyquist. */
export function biquad(x: Float32Array, type: 'lowpass' | 'highpass' | 'bandpass', freqHz: number, q: number, sampleRate: number): Float32Array {
  const f = Math.min(freqHz, 0.45 * sampleRate);
  const w0 = (2 * Math.PI * f) / sampleRate;
  const alpha = Math.sin(w0) / (2 * q);
  const cos = Math.cos(w0);
  let b0: number, b1: number, b2: number;
  if (type === 'lowpass') { b0 = (1 - cos) / 2; b1 = 1 - cos; b2 = b0; }
  else if (type === 'highpass') { b0 = (1 + cos) / 2; b1 = -(1 + cos); b2 = b0; }
  else { b0 = alpha; b1 = 0; b2 = -alpha; }
  const a0 = 1 + alpha;
  const a1 = -2 * cos;
  const a2 = 1 - alpha;
  const out = new Float32Array(x.length);
  let x1 = 0, x2 = 0, y1 = 0, y2 = 0;
  for (let i = 0; i < x.length; i++) {
    const y = (b0 * x[i] + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2) / a0;
    x2 = x1; x1 = x[i]; y2 = y1; y1 = y;
    out[i] = y;
  }
  return out;
}

/** Brown-ish noise: white noise through a one-pole low-pass at `cutoffHz`. */
export function lowNoise(length: number, cutoffHz: number, sampleRate: number, rng: Rng): Float32Array {
  const out = whiteNoise(length, rng);
  const a = Math.exp((-2 * Math.PI * cutoffHz) / sampleRate);
  let y = 0;
  for (let i = 0; i < length; i++) { y = a * y + (1 - a) * out[i]; out[i] = y; }
  return out;
}

/**
 * Harmonic tone with a time-varying fundamental: sum of harmonics k·f0(t) with amplitudes
 * `amps[k-1]`, skipping any harmonic above 0.45·sampleRate (no aliasing at low file rates).
 */
export function harmonicTone(length: number, sampleRate: number, f0: (t: number) => number, amps: number[], phase0 = 0): Float32Array {
  const out = new Float32Array(length);
  let phase = phase0;
  const nyquist = 0.45 * sampleRate;
  for (let i = 0; i < length; i++) {
    const f = f0(i / sampleRate);
    phase += (2 * Math.PI * f) / sampleRate;
    let s = 0;
    for (let k = 0; k < amps.length; k++) {
      if ((k + 1) * f >= nyquist) break;
      s += amps[k] * Math.sin((k + 1) * phase);
    }
    out[i] = s;
  }
  return out;
}

/** Attack–sustain–release envelope over `length` samples (linear attack, exponential-ish release). */
export function envelope(length: number, sampleRate: number, attackSec: number, releaseSec: number): Float32Array {
  const out = new Float32Array(length);
  const a = Math.max(1, Math.round(attackSec * sampleRate));
  const r = Math.max(1, Math.round(releaseSec * sampleRate));
  for (let i = 0; i < length; i++) {
    const up = Math.min(1, i / a);
    const down = Math.min(1, (length - i) / r);
    out[i] = up * down * down;
  }
  return out;
}

/** Exponential decay exp(-t/τ) over `length` samples. */
export function decay(length: number, sampleRate: number, tauSec: number): Float32Array {
  const out = new Float32Array(length);
  const k = Math.exp(-1 / (tauSec * sampleRate));
  let v = 1;
  for (let i = 0; i < length; i++) { out[i] = v; v *= k; }
  return out;
}

export function multiply(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] * (b[i] ?? 0);
  return out;
}

/** Adds `src · gain` into `dst` starting at `offset` (clipped to dst's length). */
export function addAt(dst: Float32Array, src: Float32Array, offset: number, gain = 1): void {
  const from = Math.max(0, -offset);
  const to = Math.min(src.length, dst.length - offset);
  for (let i = from; i < to; i++) dst[offset + i] += src[i] * gain;
}

export function rms(x: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s / Math.max(1, x.length));
}

export function peak(x: Float32Array): number {
  let p = 0;
  for (let i = 0; i < x.length; i++) p = Math.max(p, Math.abs(x[i]));
  return p;
}

/** Scales to unit RMS (silence stays silence). */
export function unitRms(x: Float32Array): Float32Array {
  const r = rms(x);
  if (r === 0) return x;
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] / r;
  return out;
}
