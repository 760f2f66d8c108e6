import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { defaultWorkerCount, shardSizes } from '../../engine/parallel';
import { Replica, startReplicas } from '../../engine/parallel-pool';
import type { ModelArtifacts } from '../../engine/parallel-step';
import { ParameterError } from '../../util/errors';
import { GanSnapshot, disposeNets, netsFromSnapshot, snapshotNets } from './snapshot';
import { GanBatch, GanLosses, GanNets, trainStep } from './step';

/**
 * Steps the GAN in this thread or data-parallel on worker threads (wasm runs one thread per
 * Node thread). With workers, each holds a replica of both networks, computes the gradients of
 * its share of the batch, and applies the row-weighted mean of all shares: the replicas stay
 * identical and a step equals the full-batch step (up to float summation order).
 */
export interface GanTrainer {
  readonly mode: 'workers' | 'in-thread';
  readonly replicas: number;
  step(batch: GanBatch): Promise<GanLosses>;
  /** Both networks and optimizers as they are after the last step. */
  snapshot(): Promise<GanSnapshot>;
  dispose(): Promise<void>;
}

interface Shard { rows: number; losses: GanLosses; g: Float32Array; d: Float32Array }

export async function createGanTrainer(snapshot: GanSnapshot, workers = defaultWorkerCount()): Promise<GanTrainer> {
  if (!Number.isInteger(workers) || workers < 1) throw new ParameterError(`workers must be an integer >= 1, got ${workers}`);
  if (workers > 1 && tf.getBackend() === 'wasm') {
    try {
      const file = path.join(__dirname, `worker${path.extname(__filename)}`);
      const pool = await startReplicas(workers, snapshot as unknown as ModelArtifacts, { startTimeoutMs: 120_000, workerFile: file });
      return workerTrainer(pool);
    } catch (err) {
      console.warn(`lacuna gan: worker threads unavailable (${(err as Error).message}); training in this thread`);
    }
  }
  return inThread(await netsFromSnapshot(snapshot));
}

function inThread(nets: GanNets): GanTrainer {
  return {
    mode: 'in-thread', replicas: 1,
    async step(batch) { return trainStep(nets, batch); },
    snapshot: () => snapshotNets(nets),
    async dispose() { disposeNets(nets); },
  };
}

function sliceBatch(batch: GanBatch, from: number, rows: number): GanBatch {
  const size = batch.before.length / batch.rows;
  const part = (a: Float32Array) => a.slice(from * size, (from + rows) * size);
  return { before: part(batch.before), gap: part(batch.gap), after: part(batch.after), rows };
}

function weightedMean(shards: Shard[], pick: (s: Shard) => Float32Array): Float32Array {
  const total = shards.reduce((n, s) => n + s.rows, 0);
  const out = new Float32Array(pick(shards[0]).length);
  for (const s of shards) {
    const w = s.rows / total;
    const v = pick(s);
    for (let i = 0; i < out.length; i++) out[i] += w * v[i];
  }
  return out;
}

function meanLosses(shards: Shard[]): GanLosses {
  const total = shards.reduce((n, s) => n + s.rows, 0);
  const out: GanLosses = { d: 0, g: 0, mae: 0, adv: 0 };
  for (const s of shards) for (const k of Object.keys(out) as (keyof GanLosses)[]) out[k] += (s.rows / total) * s.losses[k];
  return out;
}

type Request = Parameters<Replica['request']>[0];

function workerTrainer(pool: Replica[]): GanTrainer {
  // Applies are not awaited before the next step's requests (each worker answers in order).
  let applied: Promise<unknown> = Promise.resolve();
  return {
    mode: 'workers', replicas: pool.length,
    async step(batch) {
      let from = 0;
      const replies = await Promise.all(shardSizes(batch.rows, pool.length).map((rows, i) => {
        const part = sliceBatch(batch, from, rows);
        from += rows;
        return pool[i].request({ kind: 'gradients', batch: part } as unknown as Request, [part.before.buffer, part.gap.buffer, part.after.buffer] as ArrayBuffer[]);
      }));
      await applied;
      const shards = replies.map((r) => (r as unknown as { shard: Shard }).shard);
      const g = weightedMean(shards, (s) => s.g);
      const d = weightedMean(shards, (s) => s.d);
      const all = Promise.all(pool.map((replica, i) => {
        const last = i === pool.length - 1;
        const gi = last ? g : g.slice();
        const di = last ? d : d.slice();
        return replica.request({ kind: 'apply', g: gi, d: di } as unknown as Request, [gi.buffer, di.buffer] as ArrayBuffer[]);
      }));
      all.catch(() => undefined); // surfaced by the next call that awaits it
      applied = all;
      return meanLosses(shards);
    },
    async snapshot() {
      await applied;
      const reply = await pool[0].request({ kind: 'snapshot' } as unknown as Request);
      return (reply as unknown as { snapshot: GanSnapshot }).snapshot;
    },
    async dispose() { await Promise.allSettled(pool.map((r) => r.stop())); },
  };
}
