/**
 * One batch of dataset clips → YAMNet embeddings, as plain data in and out. The same function runs
 * in the calling thread and in the worker threads of pool.ts, so both paths compute identically.
 */
import { check } from '../../util/errors';
import { peakNormalize } from '../../audio/preprocess';
import { melToPatches, patchCount, waveformPatchesAt } from './frontend';
import type { MelScale } from './frontend';
import type { YamnetBody } from './network';
import { PATCH_BANDS, PATCH_FRAMES } from './network';

/**
 * How waveforms are brought to YAMNet's [-1, 1] input range.
 * - `peak` (default): each clip divided by its own largest |sample|. It needs nothing from other
 *   clips, so a clip's embedding is the same in every cross-validation split and embeddings are
 *   computed once per corruption config instead of once per fold (10x less work for 10 folds).
 * - `minmax`: the reference's choice, a min-max scaler fitted on the training folds mapping
 *   [min, max] of the training samples to [-1, 1] (one global min and max; test clips may exceed
 *   ±1 slightly). Embeddings then depend on the split.
 * - `none`: the samples as recorded, as the official classifier takes them, so a quiet clip
 *   scores as quiet (`lacuna yamnet` classifies this way).
 */
export type WaveformScaling = 'peak' | 'minmax' | 'none';

export interface MinMax { min: number; max: number }

/** One clip scaled to YAMNet's input range. Silence stays zeros. */
export function scaleClip(samples: Float32Array, scaling: WaveformScaling, minMax?: MinMax): Float32Array {
  if (scaling === 'none') return samples;
  if (scaling === 'peak') return peakNormalize(samples);
  check(minMax !== undefined, 'minmax scaling needs a fitted { min, max }');
  const span = minMax.max - minMax.min;
  const out = new Float32Array(samples.length);
  if (span <= 0) return out;
  for (let i = 0; i < samples.length; i++) out[i] = (2 * (samples[i] - minMax.min)) / span - 1;
  return out;
}

/** What a batch needs besides the samples; structured-clonable, so it crosses to workers as is. */
export interface BatchSettings {
  source?: 'waveform';
  clipSamples: number;
  scaling: WaveformScaling;
  minMax?: MinMax;
  /** Per clip of the batch, the patches to embed (ascending; [] = none); default every patch of every clip. */
  patches?: (readonly number[])[];
}

export interface BatchResult {
  /** [clips, patches, embeddingSize] row-major (with `patches`: the selected patches, clip by clip). */
  embeddings: Float32Array;
  /** [clips, patches, classes] row-major, the AudioSet scores of each patch (embedded). */
  scores: Float32Array;
  /** Indices (within the batch) of clips with non-finite samples, embedded as silence. */
  badClips: number[];
}

/** Each clip's selected patches (every patch when `selected` is absent). */
function selectedPatches(clips: number, perClip: number, selected: BatchSettings['patches']): (readonly number[])[] {
  check(!selected || selected.length === clips, `patches lists ${selected?.length} clips, the batch holds ${clips}`);
  const all = Array.from({ length: perClip }, (_, p) => p);
  for (const list of selected ?? []) {
    check(list.every((p, k) => Number.isInteger(p) && p >= 0 && p < perClip && (k === 0 || p > list[k - 1])),
      `patches to embed must ascend within 0..${perClip - 1}, got ${list.join(',')}`);
  }
  return Array.from({ length: clips }, (_, c) => selected?.[c] ?? all);
}

/**
 * Embeds and scores the clips in `waveforms` ([clips, clipSamples]) in one network call: every
 * patch, or each clip's `settings.patches` (each computed from the frames it reads only).
 */
export async function embedBatch(network: YamnetBody, waveforms: Float32Array, settings: BatchSettings): Promise<BatchResult> {
  const { clipSamples } = settings;
  check(clipSamples > 0 && waveforms.length % clipSamples === 0, `waveforms (${waveforms.length}) must be a whole number of clips of ${clipSamples}`);
  const n = waveforms.length / clipSamples;
  const lists = selectedPatches(n, patchCount(clipSamples), settings.patches);
  const count = lists.reduce((k, l) => k + l.length, 0);
  const patchSize = PATCH_FRAMES * PATCH_BANDS;
  const patches = new Float32Array(count * patchSize);
  const badClips: number[] = [];
  let at = 0;
  for (let c = 0; c < n; c++) {
    if (!lists[c].length) continue;
    let clip = waveforms.subarray(c * clipSamples, (c + 1) * clipSamples);
    if (!clip.every(Number.isFinite)) {
      badClips.push(c);
      clip = new Float32Array(clipSamples);
    }
    patches.set(waveformPatchesAt(scaleClip(clip, settings.scaling, settings.minMax), lists[c]), at * patchSize);
    at += lists[c].length;
  }
  const r = await network.infer(patches, count, { batchSize: Math.max(1, count) });
  return { embeddings: r.embeddings, scores: r.scores, badClips };
}

/** A batch of mel spectrograms ([clips, frames, 64], as given: no scaling) instead of waveforms. */
export interface MelBatchSettings {
  source: 'mel';
  /** Spectrogram frames per clip (432 for a padded 4 s clip). */
  frames: number;
  /** What the values are: mel magnitude (YAMNet's own front end) or mel power (see MelScale). */
  scale: MelScale;
  /** Per clip of the batch, the patches to embed (ascending; [] = none); default every patch of every clip. */
  patches?: (readonly number[])[];
}

export type AnyBatchSettings = BatchSettings | MelBatchSettings;

/**
 * Embeds the spectrograms in `mels` ([clips, frames, 64]) in one network call (every patch, or
 * each clip's `settings.patches`). A clip with non-finite values is reported and embedded as
 * silence (an all-zero spectrogram).
 */
export async function embedMelBatch(network: YamnetBody, mels: Float32Array, settings: MelBatchSettings): Promise<BatchResult> {
  const clipValues = settings.frames * PATCH_BANDS;
  check(clipValues > 0 && mels.length % clipValues === 0, `spectrograms (${mels.length} values) must be a whole number of clips of ${settings.frames} x ${PATCH_BANDS}`);
  const n = mels.length / clipValues;
  const lists = selectedPatches(n, patchCount(settings.frames, 'frames'), settings.patches);
  const count = lists.reduce((k, l) => k + l.length, 0);
  const patchSize = PATCH_FRAMES * PATCH_BANDS;
  const patches = new Float32Array(count * patchSize);
  const badClips: number[] = [];
  let at = 0;
  for (let c = 0; c < n; c++) {
    if (!lists[c].length) continue;
    let mel = mels.subarray(c * clipValues, (c + 1) * clipValues);
    if (!mel.every(Number.isFinite)) {
      badClips.push(c);
      mel = new Float32Array(clipValues);
    }
    const all = melToPatches(mel, settings.frames, settings.scale).data;
    for (const p of lists[c]) patches.set(all.subarray(p * patchSize, (p + 1) * patchSize), at++ * patchSize);
  }
  const r = await network.infer(patches, count, { batchSize: Math.max(1, count) });
  return { embeddings: r.embeddings, scores: r.scores, badClips };
}

/** A waveform or a spectrogram batch, by its settings; what the worker threads run. */
export function embedAnyBatch(network: YamnetBody, values: Float32Array, settings: AnyBatchSettings): Promise<BatchResult> {
  return settings.source === 'mel' ? embedMelBatch(network, values, settings) : embedBatch(network, values, settings);
}
