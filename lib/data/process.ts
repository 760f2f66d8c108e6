/**
 * One clip from file to cached rows: read (mono), check it is usable, resample to every target
 * rate, normalize and pad/cut — the reference pipeline (load → resample → z-score → pad to 4 s).
 */
import { readWav } from '../audio/io';
import { resampleToRates, ResampleOptions } from '../audio/resample';
import { clipSamples, fixLength, normalize, Normalization } from '../audio/preprocess';
import { AudioFileError } from '../util/errors';

export interface ClipProcessOptions {
  /** Target rates in Hz; default [8000, 16000]. */
  rates?: number[];
  /** Default 'zscore'. */
  normalize?: Normalization;
  /** Default 4. */
  durationSec?: number;
  /** A clip whose peak |sample| is below this is rejected as silent; default 1e-6 (−120 dBFS). */
  silenceThreshold?: number;
  resample?: ResampleOptions;
}

/** Reads and preprocesses one clip; throws AudioFileError (naming the file) when it is unusable. */
export function processClip(file: string, options: ClipProcessOptions = {}): Map<number, Float32Array> {
  const rates = options.rates ?? [8000, 16000];
  const audio = readWav(file);
  let peakAbs = 0;
  for (let i = 0; i < audio.samples.length; i++) peakAbs = Math.max(peakAbs, Math.abs(audio.samples[i]));
  if (peakAbs < (options.silenceThreshold ?? 1e-6)) {
    throw new AudioFileError(file, `silent clip (peak ${peakAbs === 0 ? '0' : (20 * Math.log10(peakAbs)).toFixed(1) + ' dBFS'}), skipped`);
  }
  const resampled = resampleToRates(audio.samples, audio.sampleRate, rates, options.resample);
  const out = new Map<number, Float32Array>();
  for (const rate of rates) {
    const row = fixLength(normalize(resampled.get(rate)!, options.normalize ?? 'zscore'), clipSamples(rate, options.durationSec ?? 4));
    out.set(rate, row);
  }
  return out;
}
