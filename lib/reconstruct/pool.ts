/**
 * Repairs on every core: a pool of worker threads, each holding the same untrained reconstructor
 * (built from its recipe, lib/reconstruct/methods), each taking the next clip when it finishes
 * one. Methods are deterministic and the threads run the same code, so a repair made in a worker
 * is bit for bit the one the calling thread would make (test/reconstruct.test.ts checks it).
 *
 * The worker entry is pool-worker.ts (pool-worker.js in dist/).
 */
import { WorkerPool } from '../engine/worker-pool';
import { ModelError } from '../util/errors';
import type { RepairWorkerDone, RepairWorkerInit, RepairWorkerRequest } from './pool-worker';
import type { RepairInput, RepairOutput, RepairRecipe } from './types';

/** Threads that each hold the reconstructor of one recipe (lib/engine/worker-pool.ts does the threading). */
export class RepairPool {
  private constructor(private readonly threads: WorkerPool<RepairWorkerInit, object, RepairWorkerDone, RepairOutput>) {}

  /** Starts `workers` threads building `recipe`; rejects (after stopping those that started) when one cannot start. */
  static async start(recipe: RepairRecipe, domain: RepairOutput['domain'], workers: number, startTimeoutMs = 60000): Promise<RepairPool> {
    const { pool, failures } = await WorkerPool.start({
      entry: { dir: __dirname, name: 'pool-worker' }, init: { lacunaRepairWorker: true, recipe } satisfies RepairWorkerInit, execArgv: [],
      thread: 'repair worker thread', job: `repair worker (${recipe.method})`, pool: 'repair worker pool',
      result: (m: RepairWorkerDone): RepairOutput => ({
        domain, mel: { data: m.mel, frames: m.frames, nMels: m.nMels }, ...(m.waveform ? { waveform: m.waveform } : {}), notes: m.notes,
      }),
    }, workers, startTimeoutMs);
    if (failures.length) {
      await pool.close();
      throw new ModelError(`a repair worker thread did not start: ${failures[0]}`);
    }
    return new RepairPool(pool);
  }

  get size(): number {
    return this.threads.size;
  }

  /** Repairs one clip on the next free thread (the waveform is copied to it). */
  repair(input: RepairInput): Promise<RepairOutput> {
    const { corrupted, sampleRate, gaps } = input;
    const request: Omit<RepairWorkerRequest, 'id'> = { corrupted, sampleRate, gaps: gaps.map((gap) => ({ ...gap })) };
    return this.threads.run(request);
  }

  close(): Promise<void> {
    return this.threads.close();
  }
}

let kept: { key: string; pool: Promise<RepairPool | undefined> } | undefined;

/**
 * The pool of `workers` threads for `recipe`, kept for the next call with the same recipe (a
 * study repairs fold after fold with one method); a pool of another recipe is closed first.
 * Resolves to undefined, after one note through `warn`, when the threads cannot start: the
 * caller then repairs in its own thread.
 */
export function repairPoolFor(
  recipe: RepairRecipe, domain: RepairOutput['domain'], workers: number, warn: (message: string) => void,
): Promise<RepairPool | undefined> {
  const key = JSON.stringify([recipe.method, recipe.options, recipe.corpus?.id, workers]);
  if (kept?.key === key) return kept.pool;
  if (kept) void kept.pool.then((p) => p?.close());
  const pool = RepairPool.start(recipe, domain, workers).catch((err: Error) => {
    warn(`lacuna: note: ${err.message}; repairing in this thread instead`);
    return undefined;
  });
  kept = { key, pool };
  return pool;
}

/** Stops the kept pool's threads, if any. */
export async function closeRepairPool(): Promise<void> {
  const k = kept;
  kept = undefined;
  await (await k?.pool)?.close();
}

/**
 * Runs `repair` over `count` items with at most `window` in flight and hands the results to
 * `consume` strictly in item order (what an ordered file writer needs). Stops at the first error.
 */
export async function inOrder<T>(
  count: number, window: number, repair: (i: number) => Promise<T>, consume: (i: number, result: T) => void,
): Promise<void> {
  const pending = new Map<number, Promise<T>>();
  let next = 0;
  const launch = () => {
    while (next < count && pending.size < window) {
      const p = repair(next);
      p.catch(() => undefined); // awaited below in order; this only keeps an early rejection from being "unhandled"
      pending.set(next++, p);
    }
  };
  launch();
  for (let i = 0; i < count; i++) {
    const result = await pending.get(i)!;
    pending.delete(i);
    consume(i, result);
    launch();
  }
}
