/**
 * A pool of worker threads that embed batches of clips with YAMNet, one tfjs engine and one copy
 * of the weights per thread. tfjs's wasm backend is single-threaded under Node, so this is how
 * dataset embedding uses more than one core. Each worker takes the next batch when it finishes
 * one (contiguous clips per batch, results placed by the caller), so a slow core does less.
 * On the onnx engine each worker runs one onnxruntime thread, so N workers use N cores (not N x
 * onnxruntime's default of one thread per core), and the front end runs in parallel too.
 *
 * The worker entry is worker.js next to this file in dist/; when lacuna runs from source under
 * tsx, worker.ts is started through tsx's require hook instead.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Worker } from 'worker_threads';
import * as tf from '@tensorflow/tfjs';
import { ModelError, ParameterError, errorFromWorker } from '../../util/errors';
import { describeEngine } from '../../engine';
import type { InferenceName, TfjsEngineName } from '../../engine';
import type { AnyBatchSettings, BatchResult } from './batch';
import type { WorkerInit, WorkerReply, WorkerRequest } from './worker-protocol';

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

/** Starts one worker: compiled worker.js when present, else worker.ts through tsx. */
function spawn(data: WorkerInit): Worker {
  const js = path.join(__dirname, 'worker.js');
  if (fs.existsSync(js)) return new Worker(js, { workerData: data });
  const ts = path.join(__dirname, 'worker.ts');
  if (!fs.existsSync(ts)) throw new ModelError(`no YAMNet worker entry next to ${__filename} (worker.js or worker.ts)`);
  const tsx = require.resolve('tsx/cjs/api');
  const code = `require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(ts)});`;
  return new Worker(code, { eval: true, workerData: data });
}

interface Slot { worker: Worker; busy?: { id: number; resolve(r: BatchResult): void; reject(e: Error): void } }

export class YamnetWorkerPool {
  private readonly idle: Slot[] = [];
  private readonly queue: { request: WorkerRequest; resolve(r: BatchResult): void; reject(e: Error): void }[] = [];
  private slots: Slot[] = [];
  private nextId = 0;
  private closed = false;

  private constructor() {}

  /** Starts the workers; resolves once at least one is ready, rejects when none is. */
  static async start(options: WorkerPoolOptions): Promise<YamnetWorkerPool> {
    if (!Number.isInteger(options.workers) || options.workers < 1) {
      throw new ParameterError(`workers must be an integer >= 1, got ${options.workers}`);
    }
    const pool = new YamnetWorkerPool();
    const init: WorkerInit = {
      lacunaYamnetWorker: true, modelPath: options.modelPath, engine: options.engine ?? currentEngine(),
      inference: options.inference ?? 'tfjs', emulateInt8: options.emulateInt8 ?? false,
    };
    const started = await Promise.allSettled(Array.from({ length: options.workers }, () => pool.startOne(init, options)));
    if (pool.slots.length === 0) {
      const reasons = [...new Set(started.map((s) => (s.status === 'rejected' ? (s.reason as Error).message : 'unknown')))];
      throw new ModelError(`no YAMNet worker thread started: ${reasons.join('; ')}`);
    }
    return pool;
  }

  /** Threads currently alive. */
  get size(): number {
    return this.slots.length;
  }

  private startOne(init: WorkerInit, options: WorkerPoolOptions): Promise<void> {
    return new Promise((resolve, reject) => {
      const worker = spawn(init);
      const slot: Slot = { worker };
      let ready = false;
      const fail = (why: string) => {
        if (!ready) { clearTimeout(timer); void worker.terminate(); reject(new Error(why)); return; }
        this.drop(slot, new Error(`YAMNet worker thread failed: ${why}`));
      };
      const timer = setTimeout(() => fail(`not ready after ${options.startTimeoutMs ?? 120000} ms`), options.startTimeoutMs ?? 120000);
      worker.on('message', (m: WorkerReply) => {
        if (m.kind === 'ready') {
          clearTimeout(timer);
          if (m.sha256 !== options.sha256) { fail(`worker loaded a model with sha256 ${m.sha256}, expected ${options.sha256}`); return; }
          ready = true;
          worker.unref(); // an idle pool must not keep the process alive
          this.slots.push(slot);
          this.release(slot);
          resolve();
        } else if (m.kind === 'fatal') fail(m.error.message);
        else if (slot.busy && slot.busy.id === m.id) {
          const job = slot.busy;
          slot.busy = undefined;
          if (m.kind === 'done') job.resolve({ embeddings: m.embeddings, scores: m.scores, badClips: m.badClips });
          else job.reject(errorFromWorker((msg) => new ModelError(msg), 'YAMNet worker thread', m.error));
          this.release(slot);
        }
      });
      worker.on('error', (err) => fail(err.message));
      worker.on('exit', (code) => { if (!this.closed) fail(`thread exited with code ${code}`); });
    });
  }

  /** A worker became free: give it the next batch, or park it (unref'd) when there is none. */
  private release(slot: Slot): void {
    if (!this.slots.includes(slot)) return;
    const job = this.queue.shift();
    if (!job) { slot.worker.unref(); this.idle.push(slot); return; }
    slot.busy = { id: job.request.id, resolve: job.resolve, reject: job.reject };
    slot.worker.ref();
    slot.worker.postMessage(job.request);
  }

  /** Removes a dead worker; its batch, and the queue if no worker is left, fail with `err`. */
  private drop(slot: Slot, err: Error): void {
    if (!this.slots.includes(slot)) return;
    this.slots = this.slots.filter((s) => s !== slot);
    const i = this.idle.indexOf(slot);
    if (i >= 0) this.idle.splice(i, 1);
    slot.busy?.reject(err);
    slot.busy = undefined;
    void slot.worker.terminate();
    if (this.slots.length === 0) for (const job of this.queue.splice(0)) job.reject(err);
  }

  /**
   * Embeds one batch (waveforms [clips, clipSamples] or spectrograms [clips, frames, 64], as
   * `settings` say) on the next free worker. The values are copied to the worker. Rejects when
   * the worker fails or the pool is closed; callers fall back to embedBatch in their own thread.
   */
  embed(values: Float32Array, settings: AnyBatchSettings): Promise<BatchResult> {
    if (this.closed || this.slots.length === 0) return Promise.reject(new Error('the YAMNet worker pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ request: { id: this.nextId++, values: values.slice(), settings }, resolve, reject });
      const slot = this.idle.shift();
      if (slot) this.release(slot);
    });
  }

  /** Stops every thread; pending batches fail. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = new Error('the YAMNet worker pool was closed');
    for (const job of this.queue.splice(0)) job.reject(err);
    const slots = this.slots;
    this.slots = [];
    this.idle.splice(0);
    for (const s of slots) s.busy?.reject(err);
    await Promise.all(slots.map((s) => s.worker.terminate()));
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
