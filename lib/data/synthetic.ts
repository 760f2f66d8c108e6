/**
 * `synthetic-urban`: a built-in dataset lacuna generates from a seed and writes as real WAV files
 * in the UrbanSound8K layout (`metadata/UrbanSound8K.csv`, `audio/foldN/<fsID>-<classID>-0-<k>.wav`),
 * so the UrbanSound8K adapter reads it like the real thing.
 *
 * Each clip: one foreground event from its class's sound maker (see synthetic-classes.ts for the
 * class → mechanism → parameters table), lasting 40–100 % of the clip and placed at a random
 * offset, plus coloured background noise at a random SNR (3–20 dB for foreground clips, −3–8 dB for
 * the 30 % marked background, salience 2, as in UrbanSound8K), scaled to a random peak level
 * (−26…−1 dBFS). Clip length: 4 s, or 0.5–4 s for a share of clips that depends on the class
 * (bursty classes are often short, as in UrbanSound8K). The file format varies per clip to exercise
 * the reader: rate 22050/44100/48000/16000/11025/32000 Hz, mono or stereo, 16/24/8-bit PCM, 32-bit
 * PCM or float. Every draw comes from a stream forked from the seed by class and clip number, so a
 * clip does not change when the dataset size does. Folds: stratified from the seed (folds.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Rng } from '../util/rng';
import { ParameterError } from '../util/errors';
import { readJsonIfExists, writeFileAtomic, writeJsonAtomic } from '../util/atomic';
import { toCsv } from '../util/csv';
import { createProgress } from '../util/progress';
import { encodeWav, WavWriteOptions } from '../audio/io';
import { assignStratifiedFolds } from './folds';
import { dataDir } from './paths';
import { SOUND_MAKERS, URBAN_CLASSES } from './synthetic-classes';
import { addAt, biquad, lowNoise, peak, unitRms, whiteNoise } from './synth-dsp';

/** Bump when the generator's output changes, so old folders are regenerated. */
export const SYNTHETIC_VERSION = 1;

export type SyntheticSize = 'tiny' | 'default';

/** Clips per class: tiny 10 each; default in UrbanSound8K's proportions (car_horn, gun_shot rarer), ~1000. */
export const SYNTHETIC_COUNTS: Record<SyntheticSize, number[]> = {
  tiny: [10, 10, 10, 10, 10, 10, 10, 10, 10, 10],
  default: [115, 49, 115, 115, 115, 115, 43, 115, 106, 115],
};

export interface SyntheticOptions {
  /** Output folder; default `<data>/synthetic-urban-<size>[-seed<N>]` (see defaultSyntheticRoot). */
  root?: string;
  /** 'tiny' (100 clips) or 'default' (~1000 clips); default 'default'. */
  size?: SyntheticSize;
  /** Seed of every draw; default 0. */
  seed?: number;
  /** Folds (stratified); default 10. */
  folds?: number;
  /** Regenerate even when the folder already matches. */
  force?: boolean;
  quiet?: boolean;
}

export interface SyntheticResult {
  root: string;
  clips: number;
  /** True when an existing folder with the same parameters was reused. */
  reused: boolean;
}

/** Share of clips shorter than 4 s, per class. */
const SHORT_SHARE = [0.1, 0.4, 0.15, 0.6, 0.3, 0.15, 0.7, 0.3, 0.15, 0.2];
const RATES: [number, number][] = [[22050, 0.35], [44100, 0.3], [48000, 0.15], [16000, 0.1], [11025, 0.05], [32000, 0.05]];
const FORMATS: [NonNullable<WavWriteOptions['format']>, number][] = [['pcm16', 0.65], ['pcm24', 0.12], ['float32', 0.12], ['pcm8', 0.05], ['pcm32', 0.06]];

function weighted<T>(rng: Rng, options: [T, number][]): T {
  let u = rng.uniform() * options.reduce((a, [, w]) => a + w, 0);
  for (const [value, w] of options) if ((u -= w) < 0) return value;
  return options[options.length - 1][0];
}

/** `<data>/synthetic-urban-<size>`, with `-seed<N>` for seeds other than 0: each seed is other audio. */
export function defaultSyntheticRoot(size: SyntheticSize = 'default', seed = 0): string {
  return path.join(dataDir(), `synthetic-urban-${size}${seed === 0 ? '' : `-seed${seed}`}`);
}

/** What one synthetic clip is, before it is rendered. */
export interface SyntheticClipPlan {
  classIndex: number;
  sampleRate: number;
  channels: 1 | 2;
  format: NonNullable<WavWriteOptions['format']>;
  durationSec: number;
  eventStartSec: number;
  eventSec: number;
  snrDb: number;
  salience: 1 | 2;
  peakDb: number;
}

/** Renders one clip (all channels) from its class and a per-clip stream. */
export function renderSyntheticClip(classIndex: number, rng: Rng): { plan: SyntheticClipPlan; channels: Float32Array[] } {
  const sampleRate = weighted(rng, RATES);
  const channels: 1 | 2 = rng.bernoulli(0.3) ? 2 : 1;
  const format = weighted(rng, FORMATS);
  const durationSec = rng.bernoulli(SHORT_SHARE[classIndex]) ? rng.range(0.5, 4) : 4;
  const n = Math.round(durationSec * sampleRate);
  const eventLen = Math.max(1, Math.round(n * rng.range(0.4, 1)));
  const eventStart = rng.int(0, n - eventLen);
  const salience: 1 | 2 = rng.bernoulli(0.3) ? 2 : 1;
  const snrDb = salience === 1 ? rng.range(3, 20) : rng.range(-3, 8);
  const peakDb = rng.range(-26, -1);

  const event = unitRms(SOUND_MAKERS[URBAN_CLASSES[classIndex]](eventLen, sampleRate, rng.fork('event')));
  // Background: a mix of low rumble and hiss with a random balance, as in street recordings.
  const bgRng = rng.fork('background');
  const rumble = unitRms(lowNoise(n, bgRng.range(80, 600), sampleRate, bgRng));
  const hiss = unitRms(biquad(whiteNoise(n, bgRng), 'lowpass', bgRng.range(1500, 0.45 * sampleRate), 0.7, sampleRate));
  const balance = bgRng.uniform();
  const mix = new Float32Array(n);
  for (let i = 0; i < n; i++) mix[i] = balance * rumble[i] + (1 - balance) * hiss[i];
  const bg = unitRms(mix);
  // SNR is measured over the event's span: event RMS 1 against background RMS 10^(−snr/20).
  const bgGain = 10 ** (-snrDb / 20);
  for (let i = 0; i < n; i++) bg[i] *= bgGain;
  addAt(bg, event, eventStart);
  const p = peak(bg);
  const gain = p > 0 ? 10 ** (peakDb / 20) / p : 0;
  const left = bg.map((v) => v * gain);
  const out = [left];
  if (channels === 2) {
    const tilt = rng.range(0.7, 1);
    const extra = whiteNoise(n, rng.fork('stereo'));
    out.push(left.map((v, i) => v * tilt + extra[i] * 1e-3 * 10 ** (peakDb / 20)));
  }
  return {
    plan: { classIndex, sampleRate, channels, format, durationSec: n / sampleRate, eventStartSec: eventStart / sampleRate, eventSec: eventLen / sampleRate, snrDb, salience, peakDb },
    channels: out,
  };
}

interface SyntheticManifest { generator: string; version: number; size: SyntheticSize; seed: number; folds: number; clips: number }

/**
 * Generates synthetic-urban into `root` (UrbanSound8K layout), or reuses the folder when its
 * manifest (`synthetic-urban.json`) records the same version, size, seed and folds and every file
 * is there. WAVs and the metadata are written atomically and the manifest last, so an interrupted
 * run is redone next time.
 */
export function generateSyntheticUrban(options: SyntheticOptions = {}): SyntheticResult {
  const size = options.size ?? 'default';
  if (!(size in SYNTHETIC_COUNTS)) throw new ParameterError(`size must be tiny or default, got "${size}"`);
  const seed = options.seed ?? 0;
  const folds = options.folds ?? 10;
  const root = path.resolve(options.root ?? defaultSyntheticRoot(size, seed));
  const counts = SYNTHETIC_COUNTS[size];
  const total = counts.reduce((a, b) => a + b, 0);
  const wanted: SyntheticManifest = { generator: 'synthetic-urban', version: SYNTHETIC_VERSION, size, seed, folds, clips: total };
  const manifestFile = path.join(root, 'synthetic-urban.json');
  const metaFile = path.join(root, 'metadata', 'UrbanSound8K.csv');

  const items: { id: string; classIndex: number; k: number; fsId: number }[] = [];
  let fsId = 100000;
  counts.forEach((count, classIndex) => {
    for (let k = 0; k < count; k++) items.push({ id: `${fsId}-${classIndex}-0-${k}`, classIndex, k, fsId: fsId++ });
  });
  const { folds: foldOf } = assignStratifiedFolds(items, { folds, seed });
  const fileOf = (id: string): string => path.join(root, 'audio', `fold${foldOf.get(id)}`, `${id}.wav`);

  const existing = readJsonIfExists<SyntheticManifest>(manifestFile);
  if (!options.force && existing && JSON.stringify(existing) === JSON.stringify(wanted) && fs.existsSync(metaFile) && items.every((it) => fs.existsSync(fileOf(it.id)))) {
    return { root, clips: total, reused: true };
  }
  if (fs.existsSync(manifestFile)) fs.unlinkSync(manifestFile);
  const base = new Rng(seed);
  const rows: unknown[][] = [];
  const progress = createProgress({ total, label: 'synthetic-urban', quiet: options.quiet });
  for (const it of items) {
    const { plan, channels } = renderSyntheticClip(it.classIndex, base.fork(`clip:${it.classIndex}:${it.k}`));
    const bytes = encodeWav({ samples: channels[0], sampleRate: plan.sampleRate }, { format: plan.format, extraChannels: channels.slice(1) });
    writeFileAtomic(fileOf(it.id), bytes);
    rows.push([`${it.id}.wav`, it.fsId, 0, plan.durationSec.toFixed(6), plan.salience, foldOf.get(it.id), it.classIndex, URBAN_CLASSES[it.classIndex]]);
    progress.tick();
  }
  progress.done();
  writeFileAtomic(metaFile, toCsv(['slice_file_name', 'fsID', 'start', 'end', 'salience', 'fold', 'classID', 'class'], rows));
  writeJsonAtomic(manifestFile, wanted);
  return { root, clips: total, reused: false };
}
