/**
 * A pool of worker threads that embed batches of clips with YAMNet, one tfjs engine and one copy
 * of the weights per thread. tfjs's wasm backend is single-threaded under Node, so this is how
 * dataset embedding uses more than one core. Each worker takes the next batch when it finishes
 * one (contiguous clips per batch, results placed by the caller), so a slow core does less.
 * On the onnx engine each worker runs one onnxruntime thread, so N workers use N cores (not N x
 * onnxruntime's default of one thread per core), and the front end runs in parallel too.
 *
 * The worker entry is worker.ts (worker.js in dist/).
 */
import * as tf from '@tensorflow/tfjs';
import { ModelError } from '../../util/errors';
import { describeEngine } from '../../engine';
import type { InferenceName, TfjsEngineName } from '../../engine';
import { WorkerPool } from '../../engine/worker-pool';
import type { AnyBatchSettings, BatchResult } from './batch';
import type { WorkerDone, WorkerInit, WorkerReady, WorkerRequest } from './worker-protocol';

export interface WorkerPoolOptions {
  /** Threads to start, >= 1. */
  workers: number;
  /** The model file each worker loads. */
  modelPath: string;
  /** sha256 the workers' model must have (the caller's model), so all threads agree. */
  sha256: string;
  /** Engine for the workers; default the calling thread's (describeEngine), else wasm. */
  engine?: TfjsEngineName;
  /** What runs the workers' networks; must match the caller's model. Default 'tfjs'. */
  inference?: InferenceName;
  /** Whether the workers' networks round activations to the int8 grid; must match the caller's. Default false. */
  emulateInt8?: boolean;
  /** Give up on a worker that is not ready after this long. Default 120000 ms. */
  startTimeoutMs?: number;
}

function currentEngine(): TfjsEngineName {
  const name = describeEngine()?.name;
  if (name) return name;
  const backend = tf.getBackend();
  return backend === 'tensorflow' ? 'node' : backend === 'cpu' ? 'cpu' : 'wasm';
}

/** Threads that each hold YAMNet (lib/engine/worker-pool.ts does the threading). */
export class YamnetWorkerPool {
  private constructor(private readonly threads: WorkerPool<WorkerInit, WorkerReady, WorkerDone, BatchResult>) {}

  /** Starts the workers; resolves once at least one is ready, rejects when none is. */
  static async start(options: WorkerPoolOptions): Promise<YamnetWorkerPool> {
    const init: WorkerInit = {
      lacunaYamnetWorker: true, modelPath: options.modelPath, engine: options.engine ?? currentEngine(),
      inference: options.inference ?? 'tfjs', emulateInt8: options.emulateInt8 ?? false,
    };
    const { pool, failures } = await WorkerPool.start({
      entry: { dir: __dirname, name: 'worker' }, init,
      thread: 'YAMNet worker thread', job: 'YAMNet worker thread', pool: 'YAMNet worker pool',
      refuse: (ready: WorkerReady) => (ready.sha256 === options.sha256
        ? undefined : `worker loaded a model with sha256 ${ready.sha256}, expected ${options.sha256}`),
      result: (done: WorkerDone): BatchResult => ({ embeddings: done.embeddings, scores: done.scores, badClips: done.badClips }),
    }, options.workers, options.startTimeoutMs ?? 120000);
    if (pool.size === 0) throw new ModelError(`no YAMNet worker thread started: ${[...new Set(failures)].join('; ')}`);
    return new YamnetWorkerPool(pool);
  }

  /** Threads currently alive. */
  get size(): number {
    return this.threads.size;
  }

  /**
   * Embeds one batch (waveforms [clips, clipSamples] or spectrograms [clips, frames, 64], as
   * `settings` say) on the next free worker. The values are copied to the worker. Rejects when
   * the worker fails or the pool is closed; callers fall back to embedBatch in their own thread.
   */
  embed(values: Float32Array, settings: AnyBatchSettings): Promise<BatchResult> {
    const copy = values.slice();
    const request: Omit<WorkerRequest, 'id'> = { values: copy, settings };
    return this.threads.run(request, [copy.buffer]);
  }

  /** Stops every thread; pending batches fail. */
  close(): Promise<void> {
    return this.threads.close();
  }
}

const pools = new WeakMap<object, { workers: number; pool: Promise<YamnetWorkerPool | undefined> }>();

/**
 * The pool of `workers` threads kept for `model` (started on first use, reused afterwards,
 * closed by closeWorkerPool / the model's dispose). Resolves to undefined, after one note through
 * `warn`, when no thread can start: the caller then embeds in its own thread.
 */
export function workerPoolFor(
  model: { file: { path: string; sha256: string }; network?: { emulateInt8: boolean; engine: InferenceName } },
  workers: number, warn: (message: string) => void,
): Promise<YamnetWorkerPool | undefined> {
  const existing = pools.get(model);
  if (existing && existing.workers === workers) return existing.pool;
  if (existing) void existing.pool.then((p) => p?.close());
  // The threads compute what the model itself would: same file, same engine, same activation rounding.
  const pool = YamnetWorkerPool.start({
    workers, modelPath: model.file.path, sha256: model.file.sha256,
    emulateInt8: model.network?.emulateInt8, inference: model.network?.engine,
  }).catch((err: Error) => {
    warn(`lacuna: note: ${err.message}; embedding in this thread instead`);
    return undefined;
  });
  pools.set(model, { workers, pool });
  return pool;
}

/** Stops the threads of `model`'s pool, if it has one. */
export async function closeWorkerPool(model: object): Promise<void> {
  const entry = pools.get(model);
  pools.delete(model);
  await (await entry?.pool)?.close();
}
