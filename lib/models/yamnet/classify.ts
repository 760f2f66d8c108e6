/**
 * AudioSet scores for many clips of any length with one loaded model. Clips of equal length are
 * batched as dataset embedding batches them, batches run on the model's worker threads
 * (pool.ts, the same threads and code as embedding), and results come back in input order while
 * later batches still run, so memory holds the batches in flight, not the whole input.
 */
import { check } from '../../util/errors';
import { defaultWorkerCount } from '../../engine';
import { noteOnce, runBatch } from './embeddings';
import { patchCount } from './frontend';
import { meanOverPatches, Yamnet } from './model';
import { workerPoolFor } from './pool';

export interface ClassifyClipsOptions {
  /**
   * Threads classifying at once, >= 1: 1 classifies in this thread; N > 1 starts N worker threads
   * when there are more than `batchClips` clips.
   * Default defaultWorkerCount() of lib/engine.
   */
  workers?: number;
  /** Clips per network call when consecutive clips have equal length. Default 8. */
  batchClips?: number;
  warn?: (message: string) => void;
}

/** A clip to classify: 16 kHz mono samples as recorded (no scaling), plus whatever the caller keeps with it. */
export interface ClipToClassify { samples: Float32Array }

/** Runs of consecutive equal-length clips, at most `size` each: the unit one network call takes. */
export function* equalLengthBatches<T extends ClipToClassify>(clips: Iterable<T>, size: number): Generator<T[]> {
  let batch: T[] = [];
  for (const clip of clips) {
    if (batch.length > 0 && batch[0].samples.length !== clip.samples.length) { yield batch; batch = []; }
    batch.push(clip);
    if (batch.length === size) { yield batch; batch = []; }
  }
  if (batch.length > 0) yield batch;
}

/**
 * Mean AudioSet scores ([classes], as classifyWaveform gives) of each clip, yielded in input
 * order as `{ clip, scores }`. `clips` is read lazily, a few batches ahead of the results. A clip
 * with non-finite samples is scored as silence, with a warning naming its 0-based position.
 */
export async function* classifyClips<T extends ClipToClassify>(model: Yamnet, clips: Iterable<T>, options: ClassifyClipsOptions = {}): AsyncGenerator<{ clip: T; scores: Float32Array }> {
  const batchClips = options.batchClips ?? 8;
  check(Number.isInteger(batchClips) && batchClips >= 1, `batchClips must be an integer >= 1, got ${batchClips}`);
  const workers = options.workers ?? defaultWorkerCount();
  check(Number.isInteger(workers) && workers >= 1, `workers must be an integer >= 1 (1 = this thread), got ${workers}`);
  const warn = options.warn ?? ((m: string) => console.warn(m));
  // Look ahead one clip past a batch: a single batch is done before threads would be ready.
  const rest = clips[Symbol.iterator]();
  const head: T[] = [];
  while (head.length <= batchClips) {
    const r = rest.next();
    if (r.done) break;
    head.push(r.value);
  }
  if (head.length === 0) return;
  const pool = workers > 1 && head.length > batchClips ? await workerPoolFor(model, workers, warn) : undefined;
  const fellBack = noteOnce(warn);

  const score = async (batch: T[], first: number) => {
    const clipSamples = batch[0].samples.length;
    check(clipSamples > 0, 'cannot classify a clip of 0 samples');
    const waveforms = new Float32Array(batch.length * clipSamples);
    batch.forEach((c, i) => waveforms.set(c.samples, i * clipSamples));
    const r = await runBatch(model, pool, waveforms, { clipSamples, scaling: 'none' }, fellBack);
    for (const c of r.badClips) warn(`lacuna: clip ${first + c} has non-finite samples; scoring it as silence`);
    const patches = patchCount(clipSamples);
    const size = patches * model.network.numClasses;
    return batch.map((clip, i) => ({ clip, scores: meanOverPatches(r.scores.subarray(i * size, (i + 1) * size), patches) }));
  };
  // Two batches per thread keep every worker busy while this thread reads and sends the next.
  const ahead = pool ? 2 * pool.size : 1;
  const inFlight: Promise<{ clip: T; scores: Float32Array }[]>[] = [];
  let index = 0;
  for (const batch of equalLengthBatches(concat(head, rest), batchClips)) {
    while (inFlight.length >= ahead) for (const r of await inFlight.shift()!) yield r;
    const p = score(batch, index);
    index += batch.length;
    // Awaited in order; without this a later batch failing first would count as unhandled.
    p.catch(() => undefined);
    inFlight.push(p);
  }
  while (inFlight.length > 0) for (const r of await inFlight.shift()!) yield r;
}

/** The items of `head`, then the rest of `tail`. */
function* concat<T>(head: T[], tail: Iterator<T>): Generator<T> {
  for (const item of head) yield item;
  for (let r = tail.next(); !r.done; r = tail.next()) yield r.value;
}
