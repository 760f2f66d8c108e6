/**
 * Repairs on every core: a pool of worker threads, each holding the same untrained reconstructor
 * (built from its recipe, lib/reconstruct/methods), each taking the next clip when it finishes
 * one. Methods are deterministic and the threads run the same code, so a repair made in a worker
 * is bit for bit the one the calling thread would make (test/reconstruct.test.ts checks it).
 *
 * The worker entry is pool-worker.js next to this file in dist/; when lacuna runs from source
 * under tsx, pool-worker.ts is started through tsx's require hook instead (as the YAMNet pool does).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { ModelError, ParameterError, errorFromWorker } from '../util/errors';
import type { RepairWorkerInit, RepairWorkerReply, RepairWorkerRequest } from './pool-worker';
import type { RepairInput, RepairOutput, RepairRecipe } from './types';

function spawn(init: RepairWorkerInit): Worker {
  const js = path.join(__dirname, 'pool-worker.js');
  if (fs.existsSync(js)) return new Worker(js, { workerData: init, execArgv: [] });
  const ts = path.join(__dirname, 'pool-worker.ts');
  if (!fs.existsSync(ts)) throw new ModelError(`no repair worker entry next to ${__filename} (pool-worker.js or pool-worker.ts)`);
  const tsx = require.resolve('tsx/cjs/api');
  const code = `require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(ts)});`;
  return new Worker(code, { eval: true, workerData: init, execArgv: [] });
}

interface Job { request: RepairWorkerRequest; resolve(r: RepairOutput): void; reject(e: Error): void }
interface Slot { worker: Worker; busy?: Job }

export class RepairPool {
  private readonly idle: Slot[] = [];
  private readonly queue: Job[] = [];
  private slots: Slot[] = [];
  private nextId = 0;
  private closed = false;

  private constructor(readonly recipe: RepairRecipe, private readonly domain: RepairOutput['domain']) {}

  /** Starts `workers` threads building `recipe`; rejects (after stopping those that started) when one cannot start. */
  static async start(recipe: RepairRecipe, domain: RepairOutput['domain'], workers: number, startTimeoutMs = 60000): Promise<RepairPool> {
    if (!Number.isInteger(workers) || workers < 1) throw new ParameterError(`workers must be an integer >= 1, got ${workers}`);
    const pool = new RepairPool(recipe, domain);
    const started = await Promise.allSettled(Array.from({ length: workers }, () => pool.startOne(startTimeoutMs)));
    const failed = started.find((s) => s.status === 'rejected') as PromiseRejectedResult | undefined;
    if (failed) {
      await pool.close();
      throw new ModelError(`a repair worker thread did not start: ${(failed.reason as Error).message}`);
    }
    return pool;
  }

  get size(): number {
    return this.slots.length;
  }

  private startOne(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const worker = spawn({ lacunaRepairWorker: true, recipe: this.recipe });
      const slot: Slot = { worker };
      let ready = false;
      const fail = (why: string) => {
        if (!ready) { clearTimeout(timer); void worker.terminate(); reject(new Error(why)); return; }
        this.drop(slot, new ModelError(`repair worker thread failed: ${why}`));
      };
      const timer = setTimeout(() => fail(`not ready after ${timeoutMs} ms`), timeoutMs);
      worker.on('message', (m: RepairWorkerReply) => {
        if (m.kind === 'ready') {
          clearTimeout(timer);
          ready = true;
          this.slots.push(slot);
          this.release(slot);
          resolve();
        } else if (m.kind === 'fatal') fail(m.error.message);
        else if (slot.busy && slot.busy.request.id === m.id) {
          const job = slot.busy;
          slot.busy = undefined;
          if (m.kind === 'done') job.resolve({ domain: this.domain, mel: { data: m.mel, frames: m.frames, nMels: m.nMels }, ...(m.waveform ? { waveform: m.waveform } : {}), notes: m.notes });
          else job.reject(errorFromWorker((msg) => new ModelError(msg), `repair worker (${this.recipe.method})`, m.error));
          this.release(slot);
        }
      });
      worker.on('error', (err) => fail(err.message));
      worker.on('exit', (code) => { if (!this.closed) fail(`thread exited with code ${code}`); });
    });
  }

  /** A worker became free: give it the next clip, or park it (unref'd, so an idle pool never keeps the process alive). */
  private release(slot: Slot): void {
    if (!this.slots.includes(slot)) return;
    const job = this.queue.shift();
    if (!job) { slot.worker.unref(); this.idle.push(slot); return; }
    slot.busy = job;
    slot.worker.ref();
    slot.worker.postMessage(job.request);
  }

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

  /** Repairs one clip on the next free thread (the waveform is copied to it). */
  repair(input: RepairInput): Promise<RepairOutput> {
    if (this.closed || this.slots.length === 0) return Promise.reject(new ModelError('the repair worker pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ request: { id: this.nextId++, corrupted: input.corrupted, sampleRate: input.sampleRate, gaps: input.gaps.map((g) => ({ ...g })) }, resolve, reject });
      const slot = this.idle.shift();
      if (slot) this.release(slot);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = new ModelError('the repair worker pool was closed');
    for (const job of this.queue.splice(0)) job.reject(err);
    const slots = this.slots;
    this.slots = [];
    this.idle.splice(0);
    for (const s of slots) s.busy?.reject(err);
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }
}

let kept: { key: string; pool: Promise<RepairPool | undefined> } | undefined;

/**
 * The pool of `workers` threads for `recipe`, kept for the next call with the same recipe (a
 * study repairs fold after fold with one method); a pool of another recipe is closed first.
 * Resolves to undefined, after one note through `warn`, when the threads cannot start: the
 * caller then repairs in its own thread.
 */
export function repairPoolFor(recipe: RepairRecipe, domain: RepairOutput['domain'], workers: number, warn: (message: string) => void): Promise<RepairPool | undefined> {
  const key = JSON.stringify([recipe.method, recipe.options, recipe.corpus?.id, recipe.checkpoint, workers]);
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
export async function inOrder<T>(count: number, window: number, repair: (i: number) => Promise<T>, consume: (i: number, result: T) => void): Promise<void> {
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
