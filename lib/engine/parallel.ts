import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { ModelError, ParameterError, check } from '../util/errors';
import {
  ShardResult, averageShards, loadArtifactsInto, modelArtifacts, predictRows, rowShapeOf, setLearningRate,
} from './parallel-step';
import { Replica, startReplicas } from './parallel-pool';

/**
 * Data-parallel training for a compiled tfjs LayersModel. WebAssembly in Node runs on one
 * thread, so on the wasm engine each worker thread holds a replica of the model, computes the
 * gradients of its share of every batch, and applies the row-weighted mean of all shares with
 * its own copy of the optimizer: the replicas stay bit-identical and the step equals one
 * full-batch step (up to float summation order). Elsewhere (tfjs-node already uses every core,
 * or one worker asked for) the same API trains the model in this thread.
 */
export interface ParallelTrainerOptions {
  /** Worker threads (replicas). Default: defaultWorkerCount(); 1 trains in this thread. */
  workers?: number;
  /** Seeds each worker's Math.random, which dropout layers without their own seed draw from. */
  seed?: number;
  /** Do not print the one-line summary (and the reason when falling back). Default false. */
  quiet?: boolean;
  /** Milliseconds a worker may take to start (load tfjs, build the model). Default 120000. */
  startTimeoutMs?: number;
  /**
   * Absolute paths of modules each worker requires before rebuilding the model: ones that
   * register custom layers (tf.serialization.registerClass). A layer class that names its module
   * (`static sourceModule`, as lacuna's SeededDropout does) is loaded without being listed.
   */
  modules?: string[];
  /** Worker script to run instead of lacuna's own; tests use it to make workers fail. */
  workerFile?: string;
}

export interface TrainStepResult {
  /** Mean loss over the batch plus regularisation penalties, as model.trainOnBatch reports it. */
  loss: number;
  /** Batch accuracy when the model was compiled with metrics: ['accuracy']. */
  accuracy?: number;
  /** Per replica, wall ms of its forward and backward pass (workers only; shows contention for cores). */
  replicaMs?: number[];
}

export interface ParallelTrainer {
  /** 'workers' when replicas run in worker threads, 'in-thread' otherwise. */
  readonly mode: 'workers' | 'in-thread';
  /** Number of replicas training (1 in-thread). */
  readonly replicas: number;
  /** Why this mode, in words for the user (includes the failure when workers could not start). */
  readonly reason: string;
  /**
   * One optimiser step on `batchSize` rows: x holds the rows one after another (each of the
   * model's input shape), y the targets (class indices for sparse losses, or k values per row).
   * `learningRate`, when given, is the optimizer's rate from this step on (a schedule's value).
   */
  trainOnBatch(x: Float32Array, y: Float32Array | Int32Array, batchSize: number, learningRate?: number): Promise<TrainStepResult>;
  /** model.predict on `rows` rows with the trained weights, flattened (rows * outputs). */
  predict(x: Float32Array, rows: number): Promise<Float32Array>;
  /**
   * Copies the trained weights and optimizer state into `model` (a no-op for the model trained
   * in-thread). `replica` picks which worker's copy to read; all are identical (tests check it).
   */
  syncWeightsTo(model: tf.LayersModel, replica?: number): Promise<void>;
  /** Stops the workers. The model passed in is never disposed. */
  dispose(): Promise<void>;
}

/**
 * Default workers: env LACUNA_WORKERS when set, else the cores there are, at most 2 (the
 * benchmark's machine; more is untested). LACUNA_WORKERS=1 turns data-parallel training off.
 */
export function defaultWorkerCount(env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = env.LACUNA_WORKERS?.trim();
  if (fromEnv) {
    const n = Number(fromEnv);
    if (!Number.isInteger(n) || n < 1) throw new ParameterError(`LACUNA_WORKERS must be an integer >= 1; got "${fromEnv}"`);
    return n;
  }
  return Math.max(1, Math.min(2, os.cpus().length));
}

/**
 * Starts a trainer for `model` (compiled; its weights and optimizer state are copied). When
 * workers cannot start, it falls back to training in this thread and says why in `reason`.
 */
export async function createParallelTrainer(model: tf.LayersModel, options: ParallelTrainerOptions = {}): Promise<ParallelTrainer> {
  const workers = options.workers ?? defaultWorkerCount();
  if (!Number.isInteger(workers) || workers < 1) throw new ParameterError(`workers must be an integer >= 1, got ${workers}`);
  if (!model.optimizer) throw new ModelError('the model is not compiled (no optimizer); call model.compile() first');
  rowShapeOf(model);
  const say = (text: string) => { if (!options.quiet) console.log(`lacuna trainer: ${text}`); };
  const backend = tf.getBackend();
  if (workers === 1) return inThread(model, 'one worker asked for: training in this thread', say);
  if (backend !== 'wasm') return inThread(model, `the ${backend} backend trains in this thread (only wasm is single-threaded)`, say);
  let replicas: Replica[];
  try {
    const artifacts = await modelArtifacts(model);
    replicas = await startReplicas(workers, artifacts, {
      seed: options.seed, modules: [...new Set([...layerModules(model), ...(options.modules ?? [])])],
      startTimeoutMs: options.startTimeoutMs ?? 120_000, workerFile: options.workerFile,
    });
  } catch (err) {
    // Always said, even when quiet: the caller asked for parallel training and gets a slower run.
    const reason = `worker threads unavailable (${(err as Error).message}); training in this thread`;
    console.warn(`lacuna trainer: ${reason}`);
    return inThread(model, reason, () => undefined);
  }
  const trainer = new WorkerTrainer(model, replicas, `${workers} worker threads, one wasm replica each`);
  say(`${trainer.reason}`);
  return trainer;
}

/** The modules that register the model's custom layer classes, as the classes name them (`static sourceModule`). */
function layerModules(model: tf.LayersModel): string[] {
  const named = model.layers.map((layer) => (layer.constructor as { sourceModule?: unknown }).sourceModule);
  return [...new Set(named.filter((file): file is string => typeof file === 'string'))];
}

function inThread(model: tf.LayersModel, reason: string, say: (text: string) => void): ParallelTrainer {
  say(reason);
  const hasAccuracy = reportsAccuracy(model);
  let disposed = false;
  const alive = () => { if (disposed) throw new ModelError('the trainer was disposed'); };
  return {
    mode: 'in-thread', replicas: 1, reason,
    async trainOnBatch(x, y, batchSize, learningRate) {
      alive();
      checkBatch(model, x, y, batchSize);
      if (learningRate !== undefined) setLearningRate(model, learningRate);
      const xs = tf.tensor(x, [batchSize, ...rowShapeOf(model)]);
      const ys = y.length === batchSize ? tf.tensor1d(Float32Array.from(y)) : tf.tensor2d(Float32Array.from(y), [batchSize, y.length / batchSize]);
      try {
        const out = await model.trainOnBatch(xs, ys);
        const [loss, acc] = Array.isArray(out) ? out : [out, NaN];
        return hasAccuracy ? { loss, accuracy: acc } : { loss };
      } finally {
        tf.dispose([xs, ys]);
      }
    },
    async predict(x, rows) { alive(); return predictRows(model, x, rows); },
    async syncWeightsTo(target) { alive(); if (target !== model) await loadArtifactsInto(target, await modelArtifacts(model)); },
    async dispose() { disposed = true; /* the model stays: the caller owns it */ },
  };
}

function reportsAccuracy(model: tf.LayersModel): boolean {
  const names = (model as unknown as { metricsNames?: string[] }).metricsNames ?? [];
  return names.length > 1 && /^acc/.test(names[1]);
}

function checkBatch(model: tf.LayersModel, x: Float32Array, y: ArrayLike<number>, batchSize: number): void {
  check(Number.isInteger(batchSize) && batchSize >= 1, `batchSize must be an integer >= 1, got ${batchSize}`);
  const rowSize = rowShapeOf(model).reduce((a, b) => a * b, 1);
  check(x.length === batchSize * rowSize, `x has ${x.length} values, expected ${batchSize} rows of ${rowSize}`);
  check(y.length % batchSize === 0 && y.length > 0, `y has ${y.length} values, not a whole number per row for ${batchSize} rows`);
}

/** Contiguous, near-equal shares of `rows` rows for `parts` replicas (none empty). */
export function shardSizes(rows: number, parts: number): number[] {
  const k = Math.min(rows, parts);
  return Array.from({ length: k }, (_, i) => Math.floor(rows / k) + (i < rows % k ? 1 : 0));
}

class WorkerTrainer implements ParallelTrainer {
  readonly mode = 'workers' as const;
  readonly replicas: number;
  private readonly rowSize: number;
  private readonly hasAccuracy: boolean;
  /**
   * Replies to the last step's 'apply' messages. Not awaited before the next step's requests
   * (each worker handles messages in order), so applying overlaps with the caller preparing
   * the next batch; awaited before anything reads the weights, and to surface apply errors.
   */
  private applied: Promise<unknown> = Promise.resolve();
  private disposed = false;

  constructor(model: tf.LayersModel, private readonly pool: Replica[], readonly reason: string) {
    this.replicas = pool.length;
    this.rowSize = rowShapeOf(model).reduce((a, b) => a * b, 1);
    this.hasAccuracy = reportsAccuracy(model);
    this.checkBatch = (x, y, n) => checkBatch(model, x, y, n);
  }

  private readonly checkBatch: (x: Float32Array, y: ArrayLike<number>, n: number) => void;

  private async settled(): Promise<void> {
    if (this.disposed) throw new ModelError('the parallel trainer was disposed');
    await this.applied;
  }

  async trainOnBatch(x: Float32Array, y: Float32Array | Int32Array, batchSize: number, learningRate?: number): Promise<TrainStepResult> {
    this.checkBatch(x, y, batchSize);
    check(learningRate === undefined || (Number.isFinite(learningRate) && learningRate > 0), `learning rate must be > 0, got ${learningRate}`);
    if (this.disposed) throw new ModelError('the parallel trainer was disposed');
    const perRowY = y.length / batchSize;
    let start = 0;
    const requests = shardSizes(batchSize, this.pool.length).map((rows, i) => {
      const xs = x.slice(start * this.rowSize, (start + rows) * this.rowSize);
      const ys = Float32Array.from(y.subarray(start * perRowY, (start + rows) * perRowY));
      start += rows;
      return this.pool[i].request({ kind: 'gradients', x: xs, y: ys, rows }, [xs.buffer, ys.buffer]);
    });
    const replies = await Promise.all(requests);
    await this.settled(); // the previous step's applies were answered before these replies
    const shards = replies.map((r) => r.shard as ShardResult);
    const mean = averageShards(shards);
    // Every replica, including any that got no rows this step, applies the same gradient.
    const applied = Promise.all(this.pool.map((replica, i) => {
      const grads = i === this.pool.length - 1 ? mean.grads : mean.grads.slice();
      return replica.request({ kind: 'apply', grads, learningRate }, [grads.buffer]);
    }));
    applied.catch(() => undefined); // reported by the next call that awaits it, not as unhandled
    this.applied = applied;
    const replicaMs = shards.map((s) => s.computeMs);
    return this.hasAccuracy ? { loss: mean.loss, accuracy: mean.metric, replicaMs } : { loss: mean.loss, replicaMs };
  }

  async predict(x: Float32Array, rows: number): Promise<Float32Array> {
    check(Number.isInteger(rows) && rows >= 1 && x.length === rows * this.rowSize,
      `x has ${x.length} values, expected ${rows} rows of ${this.rowSize}`);
    await this.settled();
    let start = 0;
    const parts = await Promise.all(shardSizes(rows, this.pool.length).map((n, i) => {
      const xs = x.slice(start * this.rowSize, (start + n) * this.rowSize);
      start += n;
      return this.pool[i].request({ kind: 'predict', x: xs, rows: n }, [xs.buffer]);
    }));
    const outputs = parts.map((p) => p.output as Float32Array);
    const out = new Float32Array(outputs.reduce((n, o) => n + o.length, 0));
    let offset = 0;
    for (const o of outputs) { out.set(o, offset); offset += o.length; }
    return out;
  }

  async syncWeightsTo(model: tf.LayersModel, replica = 0): Promise<void> {
    check(Number.isInteger(replica) && replica >= 0 && replica < this.pool.length, `replica must be in [0, ${this.pool.length - 1}], got ${replica}`);
    await this.settled();
    const reply = await this.pool[replica].request({ kind: 'weights' });
    await loadArtifactsInto(model, reply.artifacts!);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await Promise.allSettled(this.pool.map((r) => r.stop()));
  }
}
