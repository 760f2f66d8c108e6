/**
 * Embedding clips that differ from reference clips in a few places (a repaired clip and its clean
 * original) by re-embedding only the patches whose input changed: YAMNet embeds each 0.96 s patch
 * on its own, so an unchanged patch has the reference's embedding. A gap of 4000 samples reaches
 * 2–3 of a 4 s clip's 8 patches.
 *
 * Exact, not approximate: a patch is reused only when its network input is bit for bit the
 * reference's, which for a waveform needs (1) every sample its frames read unchanged, window
 * overhang included (patchesOfSamples), and (2) the same per-clip scaling: under `peak` scaling a
 * repair that removes or exceeds the clip's peak rescales every sample, and the whole clip is
 * embedded again. Padding is the same zeros for clips of one length, and nothing is resampled
 * (clips come from the 16 kHz cache). Both engines embed a patch
 * the same whatever else is in its batch (tested), so the rows equal full re-embedding's.
 *
 *   const reuse = waveformPatchReuse(clean, repaired, clipSamples, 'peak', () => cleanEmbeddings);
 *   const e = await cachedEmbeddings(yamnet, repaired, clipSamples, cacheDir, { reuse });
 */
import { check } from '../../util/errors';
import { patchCount, patchesOfSamples } from './frontend';
import type { WaveformScaling } from './batch';

/**
 * What a batch of rows may reuse: per row, the patches to embed again (ascending; [] = none), or
 * undefined for the whole clip; the other patches' embeddings come from `reference` ([rows,
 * patches * 1024], the reference clips' embeddings), asked for once, only when something is embedded.
 */
export interface PatchReuse {
  changed: readonly (readonly number[] | undefined)[];
  reference: () => Promise<Float32Array>;
}

const bitsOf = (x: Float32Array): Int32Array => new Int32Array(x.buffer, x.byteOffset, x.length);

/** Largest |sample| (what peak scaling divides by), or NaN when a sample is not finite. */
function peakOf(samples: Float32Array): number {
  let peak = 0;
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i];
    if (!Number.isFinite(v)) return NaN;
    peak = Math.max(peak, Math.abs(v));
  }
  return peak;
}

/**
 * The patches of `clip` whose input differs from `reference`'s (same length), ascending; undefined
 * when every patch must be embedded again: the scaling differs (`peak` with a different peak) or a
 * sample is not finite (such a clip is embedded as silence, with a warning, by the whole-clip path).
 * Samples are compared bit for bit.
 */
export function changedWaveformPatches(reference: Float32Array, clip: Float32Array, scaling: WaveformScaling): number[] | undefined {
  check(reference.length === clip.length, `reference clip has ${reference.length} samples, the clip ${clip.length}`);
  const clipPeak = peakOf(clip);
  if (Number.isNaN(clipPeak)) return undefined;
  if (scaling === 'peak' && clipPeak !== peakOf(reference)) return undefined;
  const patchesPerClip = patchCount(clip.length);
  const touched = new Uint8Array(patchesPerClip);
  const a = bitsOf(reference);
  const b = bitsOf(clip);
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    let end = i + 1;
    while (end < a.length && a[end] !== b[end]) end++;
    const reached = patchesOfSamples(i, end, patchesPerClip);
    if (reached) touched.fill(1, reached.first, reached.last + 1);
    i = end;
  }
  return [...touched.keys()].filter((p) => touched[p]);
}

/**
 * PatchReuse for rows of `waveforms` against the same rows of `reference` ([N, clipSamples] each),
 * whose embeddings `referenceEmbeddings` gives.
 */
export function waveformPatchReuse(
  reference: Float32Array, waveforms: Float32Array, clipSamples: number, scaling: WaveformScaling,
  referenceEmbeddings: () => Promise<Float32Array>,
): PatchReuse {
  check(reference.length === waveforms.length, `reference holds ${reference.length} samples, the clips ${waveforms.length}`);
  const rows = waveforms.length / clipSamples;
  const changed = Array.from({ length: rows }, (_, r) => changedWaveformPatches(
    reference.subarray(r * clipSamples, (r + 1) * clipSamples), waveforms.subarray(r * clipSamples, (r + 1) * clipSamples), scaling));
  return { changed, reference: referenceEmbeddings };
}

/** Share of rows [start, end)'s patches that are embedded again (1 for whole clips). */
export function reembeddedShare(reuse: PatchReuse, patchesPerClip: number, start = 0, end = reuse.changed.length): number {
  let n = 0;
  for (let r = start; r < end; r++) n += reuse.changed[r]?.length ?? patchesPerClip;
  return end > start ? n / ((end - start) * patchesPerClip) : 0;
}
