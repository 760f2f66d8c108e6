/**
 * Corpus exemplar: exemplar inpainting (exemplar.ts) whose fills may also come from the clips of
 * the training folds, never a test fold's, so a clip with no similar stretch of its own (one bark,
 * one knock) still gets a plausible continuation. Searching hundreds of 4 s clips per chunk would
 * cost hundreds of times a clip's own search, so each repair first picks the `neighbours` corpus
 * clips whose log band energies (mean and spread over 25 ms frames) are nearest the corrupted
 * clip's known frames, and searches those beside the clip itself (which wins ties). Labels are
 * never used. Deterministic; the corpus clips' band frames are computed once and kept.
 */
import type { CachedDataset } from '../types';
import { check } from '../util/errors';
import { EXEMPLAR_DEFAULTS, ExemplarOptions, Track, bandFrames, cleanTracks, exemplarInpainting } from './exemplar';
import type { MethodOptions, Reconstructor, TrainContext, TrainedMethod } from './types';

export const CORPUS_DEFAULTS = { neighbours: 6 } as const;
const FRAME = 400;

/** Mean and standard deviation of each band over the frames whose 400 samples are all known: [2 x bands]. */
function descriptor(x: Float32Array, known?: Uint8Array): Float64Array {
  const b = bandFrames(x, FRAME);
  const bands = b.data.length / b.frames;
  const sum = new Float64Array(bands);
  const sq = new Float64Array(bands);
  let n = 0;
  for (let f = 0; f < b.frames; f++) {
    if (known) {
      let all = true;
      for (let i = f * FRAME; i < Math.min(x.length, (f + 1) * FRAME) && all; i++) all = known[i] === 1;
      if (!all) continue;
    }
    for (let k = 0; k < bands; k++) { const v = b.data[f * bands + k]; sum[k] += v; sq[k] += v * v; }
    n++;
  }
  const out = new Float64Array(2 * bands);
  for (let k = 0; k < bands && n > 0; k++) {
    out[k] = sum[k] / n;
    out[bands + k] = Math.sqrt(Math.max(0, sq[k] / n - (sum[k] / n) ** 2));
  }
  return out;
}

/** The corpus exemplar over `clips` (clean waveforms of training-fold clips). */
export function corpusExemplar(clips: readonly Float32Array[], neighbours: number = CORPUS_DEFAULTS.neighbours, options: ExemplarOptions = EXEMPLAR_DEFAULTS) {
  check(Number.isInteger(neighbours) && neighbours >= 1, `neighbours must be an integer >= 1, got ${neighbours}`);
  const descriptors = clips.map((c) => descriptor(c));
  const tracks = new Map<number, { forward: Track; backward: Track }>();
  const trackOf = (i: number) => {
    if (!tracks.has(i)) tracks.set(i, cleanTracks(clips[i]));
    return tracks.get(i)!;
  };
  return exemplarInpainting(options, {
    name: 'corpus-exemplar',
    tracksFor(corrupted, known) {
      const d = descriptor(corrupted, known);
      const nearest = descriptors.map((e, i) => {
        let s = 0;
        for (let k = 0; k < d.length; k++) s += (e[k] - d[k]) ** 2;
        return { i, s };
      }).sort((a, b) => a.s - b.s || a.i - b.i).slice(0, neighbours).map((x) => trackOf(x.i));
      return { forward: nearest.map((t) => t.forward), backward: nearest.map((t) => t.backward) };
    },
  });
}

/** The corpus exemplar over the clips of `waveforms` ([clips, clipSamples]), as a recipe rebuilds it in a worker thread. */
export function corpusExemplarOf(waveforms: Float32Array, clipSamples: number) {
  const clips = Array.from({ length: waveforms.length / clipSamples }, (_, i) => waveforms.subarray(i * clipSamples, (i + 1) * clipSamples));
  return corpusExemplar(clips);
}

/** The registry's 'corpus-exemplar': "trains" by taking the clean clips of the training folds as its corpus. */
export async function trainCorpusExemplar(context: TrainContext, _options: MethodOptions): Promise<TrainedMethod> {
  const { dataset, trainFolds } = context;
  const rows = dataset.clips.flatMap((c, i) => (trainFolds.includes(c.fold) ? [i] : []));
  check(rows.length > 0, `corpus-exemplar: no clips in training folds ${trainFolds.join(',')}`);
  const len = dataset.clipSamples;
  const waveforms = new Float32Array(rows.length * len);
  rows.forEach((r, i) => waveforms.set(dataset.waveforms.subarray(r * len, (r + 1) * len), i * len));
  // The recipe lets repairFold run it on every core (pool.ts), each thread with its own copy of the corpus.
  const corpus = { id: `${context.workDir}:${trainFolds.join(',')}`, waveforms, clipSamples: len };
  // Built here only if this thread repairs (no pool): with a pool, each thread builds its own, and
  // this thread's band descriptors of the whole corpus would be seconds of work for nothing.
  let own: Reconstructor | undefined;
  const reconstructor: Reconstructor = {
    name: 'corpus-exemplar', domain: 'waveform', recipe: { method: 'corpus-exemplar', options: {}, corpus },
    repair: (input) => (own ??= corpusExemplarOf(waveforms, len)).repair(input),
  };
  return {
    reconstructor,
    model: { corpusClips: rows.length, trainFolds, neighbours: CORPUS_DEFAULTS.neighbours },
    trainedOn: rows.map((r) => (dataset as CachedDataset).clips[r].id),
  };
}
