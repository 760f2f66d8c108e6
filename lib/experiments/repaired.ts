/**
 * Classification after reconstruction: the features of audio a reconstruction method repaired
 * (a `lacuna reconstruct` run folder), served to the leave-one-fold-out runner in place of the
 * corrupted audio. A run classifies repaired test audio on the clean-trained model (`R_ts`, like
 * C_ts) or trains and tests on repaired audio (`R_all`, like C_all); results go to
 * `<root>/<model>/R_ts-<method>/<length>-<gap model>/` and `…/R_all-<method>/…`.
 *
 * Fold t of a reconstruction run holds the repair of fold t's clips by a model that never saw
 * fold t (checked here from the fold manifest's trainFolds for trained methods). Under R_ts only the
 * test fold's rows are read, so this suffices. Under R_all the training folds' repairs are read
 * too, and a trained method's repair of training fold j came from a model trained on the test
 * fold — a leak — so R_all accepts untrained methods only (after-repair.ts refuses the others).
 *
 * YAMNet: waveform methods (zero, ar, exemplar, corpus-exemplar) go through the waveform path (the peak-scaled
 * repaired clip, its embeddings cached exactly as C_ts's, so zero's features are C_ts's bit for bit);
 * mel methods (linear, repeat, gan) through the spectrogram path, with the magnitude mel YAMNet's front end
 * would compute: the corrupted clip's own frames exactly, and on the frames the method changed
 * the mel of the STFT magnitude its repaired power implies (magnitudeMelForYamnet). The two paths
 * agree on clean clips within 1e-5 (test/yamnet-mel.test.ts). Either way only the patches a clip's
 * gaps reach are embedded again; the others are the clean clip's embeddings, exactly
 * (lib/models/yamnet/patch-reuse.ts; test/yamnet-patch-reuse.test.ts). The CNN: the repaired 16 kHz
 * waveform (a waveform method's own; a mel method's by Griffin–Lim) resampled to 8 kHz.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { CachedDataset } from '../types';
import { corruptDataset } from '../corrupt/apply';
import { GapModel, gapModelLabel } from '../corrupt/gaps';
import { FoldManifest, foldDir, reconstructRunDir } from '../reconstruct/run';
import { YamnetMel, yamnetMelOf, yamnetMels } from '../reconstruct/yamnet-mel';
import { defaultWorkerCount } from '../engine/parallel';
import { PATCH_BANDS } from '../models/yamnet/network';
import type { MelPower } from '../reconstruct/types';
import { resample } from '../audio/resample';
import { readJsonIfExists } from '../util/atomic';
import { parseCsvRecords } from '../util/csv';
import { readNpy } from '../util/npy';
import { ParameterError, check } from '../util/errors';
import { cachedEmbeddings } from '../models/yamnet/embeddings';
import { cachedMelEmbeddings, MelClip } from '../models/yamnet/mel-embeddings';
import { patchCount, patchesOfFrames } from '../models/yamnet/frontend';
import { changedWaveformPatches, PatchReuse, reembeddedShare, waveformPatchReuse } from '../models/yamnet/patch-reuse';
import type { Yamnet } from '../models/yamnet/model';
import type { CorruptionMode, CorruptionSpec, FeatureMatrix, FeatureProvider, RepairMode } from './types';

/** Test-only repair (clean-trained model) and repair of training and test audio. */
export const REPAIR_MODES: readonly RepairMode[] = ['R_ts', 'R_all'];

/** The corruption mode a repair mode stands in for (which data is corrupted, then repaired). */
export const REPAIRED_MODE: Record<RepairMode, CorruptionMode> = { R_ts: 'C_ts', R_all: 'C_all' };

/** Results folder name of a repaired run: `R_ts-linear`, `R_all-ar`. */
export function repairRunName(mode: CorruptionMode, method: string): string {
  check(mode === 'C_ts' || mode === 'C_all', `only C_ts and C_all runs can be repaired, not ${mode}`);
  return `${mode === 'C_ts' ? 'R_ts' : 'R_all'}-${method}`;
}

/** One reconstruction run read for classification. */
export interface RepairedAudio {
  runDir: string;
  /** The run's config.json (method, parameters, gaps, seed, trained). */
  config: Record<string, unknown> & { method: string; domain: string; trained: boolean };
  /** Per dataset row: its fold's repair (mel power [frames, 64] and, if written, the waveform), or undefined. */
  mel: (MelPower | undefined)[];
  waveforms: (Float32Array | undefined)[];
  /** The dataset's waveforms with the run's gaps written in (what an unrepaired row holds). */
  corrupted: Float32Array;
}

/**
 * Reads the repairs of `folds` from `<root>/<method>/<gap label>-seed<seed>/`, checking that the
 * run was made from this dataset with these gaps, that every fold is finished, and that no fold
 * was repaired by a model trained on it.
 */
export function loadRepairedAudio(args: {
  dataset: CachedDataset; root: string; method: string; gapModel: GapModel; seed: number; folds: readonly number[];
}): RepairedAudio {
  const { dataset, gapModel, seed } = args;
  const runDir = reconstructRunDir(args.root, args.method, gapModel, seed);
  type RunConfig = RepairedAudio['config'] & { fingerprint: string; gapModel: GapModel; seed: number };
  const config = readJsonIfExists<RunConfig>(path.join(runDir, 'config.json'));
  if (!config) {
    throw new ParameterError(`no reconstruction of ${gapModelLabel(gapModel)} (seed ${seed}) by ${args.method} in ${runDir}; `
      + 'run lacuna reconstruct first');
  }
  check(config.fingerprint === dataset.fingerprint,
    `${runDir} was reconstructed from another dataset (fingerprint ${config.fingerprint}, this one ${dataset.fingerprint})`);
  check(config.seed === seed && gapModelLabel(config.gapModel) === gapModelLabel(gapModel),
    `${runDir} holds gaps ${gapModelLabel(config.gapModel)} seed ${config.seed}, asked for ${gapModelLabel(gapModel)} seed ${seed}`);
  const n = dataset.clips.length;
  const mel: (MelPower | undefined)[] = new Array(n).fill(undefined);
  const waveforms: (Float32Array | undefined)[] = new Array(n).fill(undefined);
  for (const fold of args.folds) {
    const dir = foldDir(runDir, fold);
    const manifest = readJsonIfExists<FoldManifest>(path.join(dir, 'manifest.json'));
    if (!manifest) {
      throw new ParameterError(`fold ${fold} of ${runDir} is not reconstructed yet; `
        + `run lacuna reconstruct --method ${args.method} --folds ${fold}`);
    }
    if (config.trained) {
      check(Array.isArray(manifest.trainFolds) && !manifest.trainFolds.includes(fold),
        `${dir}: fold ${fold} was repaired by a model trained on folds ${JSON.stringify(manifest.trainFolds)}, which must exclude it`);
    }
    const rows = dataset.clips.flatMap((c, i) => (c.fold === fold ? [i] : []));
    const ids = parseCsvRecords(fs.readFileSync(path.join(dir, 'clips.csv'), 'utf8')).map((r) => r.id);
    check(ids.length === rows.length && ids.every((id, k) => id === dataset.clips[rows[k]].id),
      `${dir}/clips.csv does not list fold ${fold}'s clips in the dataset's order`);
    const melFile = readNpy(path.join(dir, 'mel.npy'));
    const [count, frames, nMels] = melFile.shape;
    check(count === rows.length && melFile.data instanceof Float32Array,
      `${dir}/mel.npy holds ${count} float32 clips, fold ${fold} has ${rows.length}`);
    const waveFile = manifest.files.includes('waveforms.npy') ? readNpy(path.join(dir, 'waveforms.npy')) : undefined;
    const clipValues = frames * nMels;
    rows.forEach((row, k) => {
      mel[row] = { data: (melFile.data as Float32Array).subarray(k * clipValues, (k + 1) * clipValues), frames, nMels };
      if (waveFile) waveforms[row] = (waveFile.data as Float32Array).subarray(k * dataset.clipSamples, (k + 1) * dataset.clipSamples);
    });
  }
  return { runDir, config, mel, waveforms, corrupted: corruptDataset(dataset, gapModel, seed).dataset.waveforms };
}

/**
 * The magnitude mel [frames, 64] YAMNet's front end would see for a repaired clip: the peak-scaled
 * corrupted clip's own magnitude mel, with the frames the method changed replaced by the mel of
 * the STFT magnitude that the repaired power implies (sqrt of its pseudo-inverse, as Griffin–Lim
 * starts from). Why not sqrt(mel power): on clean frames of the tiny dataset that is off by 0.44
 * in mean |Δ log|, the pseudo-inverse by 0.05 — the head, trained on magnitude mels, sees less shift.
 */
export function magnitudeMelForYamnet(corrupted: Float32Array, repaired: MelPower): Float32Array {
  return yamnetMelOf(corrupted, repaired).mel;
}

/**
 * The patches of a mel-path clip (yamnetMelOf) whose input differs from the clean clip's
 * waveform-path input: those the gaps reach (the corrupted clip's own frames there differ), and
 * those holding a repaired frame; undefined (the whole clip) when the corrupted clip's peak is not
 * the clean one's (every frame is scaled differently) or a value is not finite.
 */
function changedMelPatches(
  clean: Float32Array, corrupted: Float32Array, m: { mel: Float32Array; repairedFrames: number[] }, frames: number,
): number[] | undefined {
  if (!m.mel.every(Number.isFinite)) return undefined;
  const fromGaps = changedWaveformPatches(clean, corrupted, 'peak');
  if (!fromGaps) return undefined;
  const touched = new Set(fromGaps);
  for (const f of m.repairedFrames) {
    const reached = patchesOfFrames(f, f + 1, patchCount(frames, 'frames'));
    for (let p = reached?.first ?? 0; reached && p <= reached.last; p++) touched.add(p);
  }
  return [...touched].sort((a, b) => a - b);
}

/**
 * The clean clips' embeddings (waveform path, peak scaling) that repaired rows reuse: the grid's
 * cache when it is there (the same key), else computed once and cached. Kept in memory per
 * dataset array, as R_ts asks for them once per method and gap model.
 */
const cleanKept = new WeakMap<Float32Array, Map<string, Promise<Float32Array>>>();
function cleanEmbeddings(
  model: Yamnet, dataset: CachedDataset, cacheDir: string, options: { workers?: number; quiet?: boolean },
): Promise<Float32Array> {
  const byModel = cleanKept.get(dataset.waveforms) ?? new Map<string, Promise<Float32Array>>();
  cleanKept.set(dataset.waveforms, byModel);
  const key = `${path.resolve(cacheDir)}|${model.file.sha256}`;
  let kept = byModel.get(key);
  if (!kept) {
    kept = cachedEmbeddings(model, dataset.waveforms, dataset.clipSamples, cacheDir, {
      scaling: 'peak', clipIds: dataset.clips.map((c) => c.id), label: 'yamnet clean (to reuse)', ...options,
    }).then((r) => r.data);
    kept.catch(() => byModel.delete(key));
    byModel.set(key, kept);
  }
  return kept;
}

/** Each row's 16 kHz waveform: its repair where there is one, else the corrupted clip. */
function waveformRows(audio: RepairedAudio, clipSamples: number): Float32Array {
  const out = audio.corrupted.slice();
  audio.waveforms.forEach((w, row) => { if (w) out.set(w, row * clipSamples); });
  return out;
}

function requireWaveforms(audio: RepairedAudio): void {
  check(audio.mel.every((m, i) => !m || audio.waveforms[i] !== undefined),
    `${audio.runDir} holds no waveforms for its repaired clips; reconstruct with --griffin-lim > 0 to classify them with the CNN`);
}

/**
 * What YAMNet embeds for the repaired clips: the waveform rows (waveform methods) or the magnitude
 * mels (mel methods; see the module comment), and per row the patches whose input differs from the
 * clean clip's (`dataset.waveforms`), whose embeddings `reference` gives.
 */
export function repairedYamnetInput(dataset: CachedDataset, audio: RepairedAudio, reference: () => Promise<Float32Array>):
  ({ domain: 'waveform'; waveforms: Float32Array } | { domain: 'mel'; mels: MelClip[] }) & { reuse: PatchReuse } {
  if (audio.config.domain === 'waveform') return waveformInput(dataset, audio, reference);
  const clipSamples = dataset.clipSamples;
  const mels = audio.mel.map((repair, row) => yamnetMelOf(audio.corrupted.subarray(row * clipSamples, (row + 1) * clipSamples), repair));
  return melInput(dataset, audio, reference, mels);
}

/** repairedYamnetInput with the mel path's mels (two STFTs a clip) computed on `workers` threads: the same input. */
export async function repairedYamnetInputOnThreads(
  dataset: CachedDataset, audio: RepairedAudio, reference: () => Promise<Float32Array>, workers: number,
): Promise<ReturnType<typeof repairedYamnetInput>> {
  if (audio.config.domain === 'waveform') return waveformInput(dataset, audio, reference);
  return melInput(dataset, audio, reference, await yamnetMels(audio.corrupted, dataset.clipSamples, audio.mel, workers));
}

function waveformInput(dataset: CachedDataset, audio: RepairedAudio, reference: () => Promise<Float32Array>) {
  requireWaveforms(audio);
  const waveforms = waveformRows(audio, dataset.clipSamples);
  return {
    domain: 'waveform' as const, waveforms,
    reuse: waveformPatchReuse(dataset.waveforms, waveforms, dataset.clipSamples, 'peak', reference),
  };
}

function melInput(dataset: CachedDataset, audio: RepairedAudio, reference: () => Promise<Float32Array>, mels: YamnetMel[]) {
  const clipSamples = dataset.clipSamples;
  const frames = mels.length ? mels[0].mel.length / PATCH_BANDS : 0;
  const clip = (x: Float32Array, row: number) => x.subarray(row * clipSamples, (row + 1) * clipSamples);
  const changed = mels.map((m, row) => changedMelPatches(clip(dataset.waveforms, row), clip(audio.corrupted, row), m, frames));
  return { domain: 'mel' as const, mels: mels.map((m) => ({ data: m.mel, frames, nMels: PATCH_BANDS })), reuse: { changed, reference } };
}

/**
 * YAMNet embeddings [N, patches * 1024] of the repaired clips (repairedYamnetInput). Only the
 * patches a clip's gaps reach are embedded; the others are the clean clip's, whose embeddings are
 * cached with the grid's (patch-reuse.ts: exact; the whole clip when the repair changed its peak scaling).
 */
export async function repairedYamnetFeatures(
  model: Yamnet, dataset: CachedDataset, audio: RepairedAudio, cacheDir: string, options: { workers?: number; quiet?: boolean } = {},
): Promise<FeatureMatrix> {
  const patchesPerClip = patchCount(dataset.clipSamples);
  const rowShape = [patchesPerClip * 1024];
  const input = await repairedYamnetInputOnThreads(dataset, audio, () => cleanEmbeddings(model, dataset, cacheDir, options),
    options.workers ?? defaultWorkerCount());
  const share = Math.round(100 * reembeddedShare(input.reuse, patchesPerClip));
  const label = `yamnet ${path.basename(path.dirname(audio.runDir))}/${path.basename(audio.runDir)} (${share} % of patches)`;
  const cached = input.domain === 'waveform'
    ? await cachedEmbeddings(model, input.waveforms, dataset.clipSamples, cacheDir, {
      scaling: 'peak', clipIds: dataset.clips.map((c) => c.id), label, reuse: input.reuse, ...options,
    })
    : await cachedMelEmbeddings(model, input.mels, cacheDir, { scale: 'magnitude', label, reuse: input.reuse, ...options });
  return { data: cached.data, rows: cached.rows, rowShape };
}

/** The CNN's input: every row's repaired 16 kHz waveform resampled to the 8 kHz cache's rate, [N, samples, 1]. */
export function repairedCnnFeatures(dataset16k: CachedDataset, dataset8k: CachedDataset, audio: RepairedAudio): FeatureMatrix {
  requireWaveforms(audio);
  const ids = dataset8k.clips.map((c) => c.id);
  check(ids.length === dataset16k.clips.length && ids.every((id, i) => id === dataset16k.clips[i].id),
    'the 8 kHz and 16 kHz caches list different clips');
  const wide = waveformRows(audio, dataset16k.clipSamples);
  const out = new Float32Array(ids.length * dataset8k.clipSamples);
  for (let row = 0; row < ids.length; row++) {
    const clip16k = wide.subarray(row * dataset16k.clipSamples, (row + 1) * dataset16k.clipSamples);
    const narrow = resample(clip16k, dataset16k.sampleRate, dataset8k.sampleRate);
    out.set(narrow.subarray(0, dataset8k.clipSamples), row * dataset8k.clipSamples);
  }
  return { data: out, rows: ids.length, rowShape: [dataset8k.clipSamples, 1] };
}

/**
 * `base` with its corrupted features replaced by repaired ones: clean requests go to `base`, a
 * corrupted request {gapModel, seed} to `repaired` (which serves the repair of exactly those gaps).
 * Name and description stay the base's, so R_ts reuses the clean-trained weights of the grid.
 * `keep`: matrices held in memory (33 MB for 1000 YAMNet rows, 128 MB for 1000 CNN rows).
 */
export function withRepairedFeatures(
  base: FeatureProvider, repaired: (corruption: CorruptionSpec) => Promise<FeatureMatrix>, keep = 2,
): FeatureProvider {
  check(!base.dependsOnSplit,
    `the ${base.name} features depend on the split (minmax scaling); classification after repair needs per-clip scaling`);
  // Every fold evaluates each gap model in turn, so the recent matrices are kept (reading a run and
  // hashing its features for the embedding cache costs seconds per call on 1000 clips).
  const recent = new Map<string, FeatureMatrix>();
  return {
    name: base.name, clips: base.clips, classNames: base.classNames, fingerprint: base.fingerprint,
    datasetName: base.datasetName, sampleRate: base.sampleRate, dependsOnSplit: false,
    describe: () => base.describe(),
    async features(request) {
      if (!request.corruption) return base.features(request);
      const key = JSON.stringify(request.corruption);
      let matrix = recent.get(key);
      if (!matrix) {
        matrix = await repaired(request.corruption);
        if (recent.size >= keep) recent.delete(recent.keys().next().value!);
        recent.set(key, matrix);
      }
      return matrix;
    },
  };
}
