/**
 * YAMNet embeddings for whole datasets: every clip → [patches, 1024] (8 x 1024 for 4 s at 16 kHz,
 * flattened to 8192 for the classifier head). Results are cached as .npy with a manifest keyed
 * by a hash of the exact input samples, the scaling and the model, so unchanged inputs are never
 * embedded twice; work is written in parts, so an interrupted run resumes where it stopped.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { check } from '../../util/errors';
import { readJsonIfExists, writeJsonAtomic } from '../../util/atomic';
import { NpyWriter, readNpy, writeNpy } from '../../util/npy';
import { createProgress } from '../../util/progress';
import { patchCount } from './frontend';
import type { Yamnet } from './model';
import { AnyBatchSettings, BatchResult, embedAnyBatch, MinMax, WaveformScaling } from './batch';
import { defaultWorkerCount } from '../../engine';
import { workerPoolFor } from './pool';
import type { YamnetWorkerPool } from './pool';
import type { PatchReuse } from './patch-reuse';

export { scaleClip } from './batch';
export type { WaveformScaling, MinMax } from './batch';

/** Global min and max over the given rows of a [rows, clipSamples] array. */
export function fitMinMax(waveforms: Float32Array, clipSamples: number, rows: ArrayLike<number>): MinMax {
  let min = Infinity;
  let max = -Infinity;
  for (let r = 0; r < rows.length; r++) {
    const row = waveforms.subarray(rows[r] * clipSamples, (rows[r] + 1) * clipSamples);
    for (let i = 0; i < row.length; i++) { const v = row[i]; if (v < min) min = v; if (v > max) max = v; }
  }
  check(rows.length > 0 && max >= min, 'cannot fit a min-max scaler on no samples');
  return { min, max };
}

export interface EmbedOptions {
  scaling?: WaveformScaling;
  /** Required for `minmax`. */
  minMax?: MinMax;
  /** Clips per network call (x8 patches); also the unit of work handed to a worker. Default 8. */
  batchClips?: number;
  /**
   * Threads embedding at once, >= 1: 1 embeds in this thread; N > 1 starts N worker threads
   * (for runs of two or more batches). Default: defaultWorkerCount() of lib/engine ($LACUNA_WORKERS,
   * else the cores, at most 2). The embeddings are the same either way.
   */
  workers?: number;
  quiet?: boolean;
  /** Progress label. Default 'yamnet embeddings'. */
  label?: string;
  /** Clip ids, to name bad clips in warnings. */
  clipIds?: readonly string[];
  warn?: (message: string) => void;
  /**
   * Rows that differ from reference rows in a few patches (patch-reuse.ts), one entry per row of
   * the whole source: only their changed patches are embedded, the others copied from the
   * reference's embeddings. The same numbers as embedding every patch, so caches keep their key.
   */
  reuse?: PatchReuse;
}

/** What embedRange embeds: N clips of `clipValues` input values each, as `settings` say. */
export interface EmbedSource {
  values: Float32Array;
  clipValues: number;
  patchesPerClip: number;
  settings: AnyBatchSettings;
}

/** A waveform array [N, clipSamples] as an EmbedSource. */
function waveformSource(waveforms: Float32Array, clipSamples: number, options: EmbedOptions): EmbedSource {
  check(clipSamples > 0 && waveforms.length % clipSamples === 0, `waveforms (${waveforms.length}) must be a whole number of clips of ${clipSamples}`);
  return {
    values: waveforms, clipValues: clipSamples, patchesPerClip: patchCount(clipSamples),
    settings: { clipSamples, scaling: options.scaling ?? 'peak', minMax: options.minMax },
  };
}

/**
 * Embeds clips [start, end) of `source`: [end-start, patches, 1024]. Batches of `batchClips`
 * clips (with `options.reuse`: of clips holding up to batchClips x patches changed patches) go to
 * the model's worker threads when there are two or more batches and `workers` > 1, else run here;
 * a batch whose worker fails is redone here. A clip with non-finite values is reported and
 * embedded as silence (its row must exist).
 */
export async function embedRange(model: Yamnet, source: EmbedSource, start: number, end: number, options: EmbedOptions, tick: (n: number) => void): Promise<Float32Array> {
  const embeddingSize = model.network.embeddingSize;
  const rowSize = source.patchesPerClip * embeddingSize;
  const out = new Float32Array((end - start) * rowSize);
  const batchClips = options.batchClips ?? 8;
  check(Number.isInteger(batchClips) && batchClips >= 1, `batchClips must be an integer >= 1, got ${batchClips}`);
  const warn = options.warn ?? ((m: string) => console.warn(m));
  const { reuse } = options;
  const all = Array.from({ length: source.patchesPerClip }, (_, p) => p);
  const patchesOf = (clip: number): readonly number[] => (reuse ? reuse.changed[clip] ?? all : all);
  if (reuse) {
    const rows = source.values.length / source.clipValues;
    check(reuse.changed.length === rows, `patch reuse lists ${reuse.changed.length} rows, the source holds ${rows}`);
    const reference = await reuse.reference();
    check(reference.length === rows * rowSize, `reference embeddings hold ${reference.length} values, not ${rows} rows of ${rowSize}`);
    out.set(reference.subarray(start * rowSize, end * rowSize));
  }
  const workers = options.workers ?? defaultWorkerCount();
  check(Number.isInteger(workers) && workers >= 1, `workers must be an integer >= 1 (1 = this thread), got ${workers}`);
  const batches = reuse ? packedBatches(start, end, batchClips * source.patchesPerClip, workers, (c) => patchesOf(c).length)
    : uniformBatches(start, end, batchClips);
  const pool = workers > 1 && batches.length > 1 ? await workerPoolFor(model, workers, warn) : undefined;
  const fellBack = noteOnce(warn);
  const what = source.settings.source === 'mel' ? 'values' : 'samples';

  const finish = ({ b, n }: ClipBatch, r: BatchResult) => {
    for (const c of r.badClips) warn(`lacuna: clip ${options.clipIds?.[b + c] ?? b + c} has non-finite ${what}; embedding it as silence`);
    let k = 0;
    for (let c = b; c < b + n; c++) {
      const row = (c - start) * rowSize;
      for (const p of patchesOf(c)) out.set(r.embeddings.subarray(k * embeddingSize, ++k * embeddingSize), row + p * embeddingSize);
    }
    tick(n);
  };
  const { values, clipValues } = source;
  const run = async ({ b, n }: ClipBatch): Promise<BatchResult> => {
    const patches = reuse ? Array.from({ length: n }, (_, c) => patchesOf(b + c)) : undefined;
    if (patches?.every((l) => !l.length)) return { embeddings: new Float32Array(0), scores: new Float32Array(0), badClips: [] };
    const settings = patches ? { ...source.settings, patches } : source.settings;
    return runBatch(model, pool, values.subarray(b * clipValues, (b + n) * clipValues), settings, fellBack);
  };
  if (!pool) {
    for (const batch of batches) finish(batch, await run(batch));
    return out;
  }
  await Promise.all(batches.map(async (batch) => finish(batch, await run(batch))));
  return out;
}

/** Clips [b, b + n) embedded in one network call. */
interface ClipBatch { b: number; n: number }

function uniformBatches(start: number, end: number, batchClips: number): ClipBatch[] {
  const out: ClipBatch[] = [];
  for (let b = start; b < end; b += batchClips) out.push({ b, n: Math.min(batchClips, end - b) });
  return out;
}

/**
 * Consecutive clips with up to `maxPatches` patches to embed per batch (a clip with more goes
 * alone), and no more than a `workers`th of them, so every worker gets a batch.
 */
function packedBatches(start: number, end: number, maxPatches: number, workers: number, patchesOf: (clip: number) => number): ClipBatch[] {
  let total = 0;
  for (let c = start; c < end; c++) total += patchesOf(c);
  maxPatches = Math.max(1, Math.min(maxPatches, Math.ceil(total / workers)));
  const out: ClipBatch[] = [];
  let b = start;
  let count = 0;
  for (let c = start; c < end; c++) {
    const k = patchesOf(c);
    if (c > b && count + k > maxPatches) { out.push({ b, n: c - b }); b = c; count = 0; }
    count += k;
  }
  if (end > b) out.push({ b, n: end - b });
  return out;
}

/**
 * One batch on a worker of `pool` when there is one, else in this thread. A batch whose worker
 * fails is redone here (after telling `fellBack`), so a broken thread costs speed, not results.
 */
export function runBatch(model: Yamnet, pool: YamnetWorkerPool | undefined, values: Float32Array, settings: AnyBatchSettings, fellBack: (err: Error) => void): Promise<BatchResult> {
  const here = () => embedAnyBatch(model.network, values, settings);
  if (!pool) return here();
  return pool.embed(values, settings).catch((err: Error) => { fellBack(err); return here(); });
}

/** A runBatch `fellBack` that notes the first worker failure of a run through `warn`, not every batch's. */
export function noteOnce(warn: (message: string) => void): (err: Error) => void {
  let noted = false;
  return (err) => {
    if (!noted) warn(`lacuna: note: ${err.message}; redoing its batches in this thread`);
    noted = true;
  };
}

/** Embeddings of every row of a [N, clipSamples] 16 kHz array, no caching: [N * patches * 1024]. */
export async function embedWaveforms(model: Yamnet, waveforms: Float32Array, clipSamples: number, options: EmbedOptions = {}): Promise<Float32Array> {
  return embedAll(model, waveformSource(waveforms, clipSamples, options), options);
}

/** Embeddings of every clip of `source`, no caching, with a progress line. */
export async function embedAll(model: Yamnet, source: EmbedSource, options: EmbedOptions): Promise<Float32Array> {
  const rows = source.values.length / source.clipValues;
  const progress = createProgress({ total: rows, label: options.label ?? 'yamnet embeddings', quiet: options.quiet });
  const out = await embedRange(model, source, 0, rows, options, (n) => progress.tick(n));
  progress.done();
  return out;
}

export interface CachedEmbeddings {
  /** [rows, patches * 1024] */
  data: Float32Array;
  rows: number;
  patchesPerClip: number;
  file: string;
  /** Whether the file was reused (true) or computed now. */
  reused: boolean;
}

const FRONTEND = { sampleRate: 16000, windowLength: 400, hopLength: 160, fftLength: 512, nMels: 64, fMin: 125, fMax: 7500, logOffset: 0.001, patchFrames: 96, patchHop: 48 };
const PART_ROWS = 256;

/**
 * sha256 of the samples and everything the embeddings depend on. Not the inference engine: onnx
 * and WASM embeddings agree within 1e-4 (test/engine-onnx.test.ts; 7e-6 measured), well inside
 * what the classifier can tell apart, so a cache made by either serves both.
 */
export function embeddingKey(waveforms: Float32Array, clipSamples: number, modelSha256: string, scaling: WaveformScaling, minMax?: MinMax): string {
  const h = crypto.createHash('sha256');
  h.update(JSON.stringify({ clipSamples, modelSha256, scaling, minMax: scaling === 'minmax' ? minMax : undefined, FRONTEND }));
  h.update(new Uint8Array(waveforms.buffer, waveforms.byteOffset, waveforms.byteLength));
  return h.digest('hex');
}

/**
 * Embeddings of a [N, clipSamples] 16 kHz array, cached under `cacheDir/<key>/` as
 * embeddings.npy ([N, patches, 1024], float32) plus manifest.json. Reuses a complete cache with
 * the same key; resumes from finished parts of an interrupted run.
 */
export async function cachedEmbeddings(model: Yamnet, waveforms: Float32Array, clipSamples: number, cacheDir: string, options: EmbedOptions = {}): Promise<CachedEmbeddings> {
  const source = waveformSource(waveforms, clipSamples, options);
  const scaling = options.scaling ?? 'peak';
  const key = embeddingKey(waveforms, clipSamples, model.file.sha256, scaling, options.minMax);
  return cachedSource(model, source, cacheDir, key, {
    kind: 'lacuna-yamnet-embeddings', scaling, ...(scaling === 'minmax' ? { minMax: options.minMax } : {}), clipSamples, frontend: FRONTEND,
  }, options);
}

/**
 * The cache behind cachedEmbeddings and cachedMelEmbeddings: `cacheDir/<key[0:24]>/` holds
 * manifest.json (`describe` plus the sizes, complete: false until the end) and embeddings.npy;
 * parts of PART_ROWS clips are written as they finish, so an interrupted run resumes.
 */
export async function cachedSource(model: Yamnet, source: EmbedSource, cacheDir: string, key: string, describe: Record<string, unknown>, options: EmbedOptions): Promise<CachedEmbeddings> {
  const rows = source.values.length / source.clipValues;
  const { patchesPerClip } = source;
  const embSize = model.network.embeddingSize;
  const dir = path.join(cacheDir, key.slice(0, 24));
  const file = path.join(dir, 'embeddings.npy');
  const manifestFile = path.join(dir, 'manifest.json');
  const manifest = { ...describe, inputSha256: key, modelSha256: model.file.sha256, rows, patchesPerClip, embeddingSize: embSize, complete: false };
  const existing = readJsonIfExists<{ complete?: boolean; inputSha256?: string }>(manifestFile);
  if (existing?.complete && existing.inputSha256 === key && fs.existsSync(file)) {
    const { data, shape } = readNpy(file);
    if (shape[0] === rows && data instanceof Float32Array) return { data, rows, patchesPerClip, file, reused: true };
  }
  fs.mkdirSync(dir, { recursive: true });
  writeJsonAtomic(manifestFile, manifest);
  const progress = createProgress({ total: rows, label: options.label ?? 'yamnet embeddings', quiet: options.quiet });
  const data = new Float32Array(rows * patchesPerClip * embSize);
  // Every part asks for the reference embeddings: make them once.
  if (options.reuse) options = { ...options, reuse: { ...options.reuse, reference: once(options.reuse.reference) } };
  for (let start = 0; start < rows; start += PART_ROWS) {
    const end = Math.min(rows, start + PART_ROWS);
    const part = path.join(dir, `part-${String(start).padStart(7, '0')}.npy`);
    let values: Float32Array | undefined;
    if (fs.existsSync(part)) {
      const r = readNpy(part);
      if (r.shape[0] === end - start && r.data instanceof Float32Array) values = r.data;
    }
    if (values) progress.tick(end - start, 'resumed');
    else {
      values = await embedRange(model, source, start, end, options, (n) => progress.tick(n));
      writeNpy(part, values, [end - start, patchesPerClip, embSize]);
    }
    data.set(values, start * patchesPerClip * embSize);
  }
  progress.done();
  const w = new NpyWriter(file, [rows, patchesPerClip, embSize]);
  w.write(data);
  w.close();
  writeJsonAtomic(manifestFile, { ...manifest, complete: true });
  for (const f of fs.readdirSync(dir)) if (f.startsWith('part-')) fs.rmSync(path.join(dir, f), { force: true });
  return { data, rows, patchesPerClip, file, reused: false };
}

/** `make`, called at most once. */
function once<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => (made ??= make());
}
