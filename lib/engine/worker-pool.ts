/**
 * A pool of worker threads that each hold the same expensive thing (a YAMNet network, a
 * reconstructor) and take the next job when they finish one, so a slow core does less. The
 * YAMNet embedding pool (models/yamnet/pool.ts) and the repair pool (reconstruct/pool.ts) are
 * this pool with their own entry script, start data and reply.
 *
 * Every entry script speaks one protocol: it posts `{ kind: 'ready' }` (with whatever it wants
 * checked) or `{ kind: 'fatal', error }` once, then answers each request `{ id, … }` with
 * `{ kind: 'done', id, … }` or `{ kind: 'failed', id, error }`. Idle threads are unref'd, so an
 * idle pool never keeps the process alive.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { ErrorReport, ModelError, ParameterError, errorFromWorker } from '../util/errors';

/** The replies every entry script sends. */
export type PoolReply<Ready, Done> =
  | ({ kind: 'ready' } & Ready)
  | { kind: 'fatal'; error: ErrorReport }
  | ({ kind: 'done'; id: number } & Done)
  | { kind: 'failed'; id: number; error: ErrorReport };

export interface WorkerPoolSpec<Init, Ready, Done, Result> {
  /** Folder and base name of the entry script: `<dir>/<name>.js` compiled, else `<dir>/<name>.ts` through tsx. */
  entry: { dir: string; name: string };
  /** workerData of every thread. */
  init: Init;
  /** Node options of the threads (default: the parent's). */
  execArgv?: string[];
  /** What messages call a thread: `YAMNet worker thread`, `repair worker thread`. */
  thread: string;
  /** What messages call a job's failure: `YAMNet worker thread`, `repair worker (linear)`. */
  job: string;
  /** What messages call the pool: `YAMNet worker pool`. */
  pool: string;
  /** Why a ready thread is refused (e.g. it loaded another model), or undefined to accept it. */
  refuse?: (ready: Ready) => string | undefined;
  /** The caller's result of a done reply. */
  result: (done: Done) => Result;
}

/** Starts one thread: the compiled entry when present, else its TypeScript source through tsx's require hook. */
function spawn(entry: { dir: string; name: string }, thread: string, workerData: unknown, execArgv?: string[]): Worker {
  const options = execArgv ? { workerData, execArgv } : { workerData };
  const js = path.join(entry.dir, `${entry.name}.js`);
  if (fs.existsSync(js)) return new Worker(js, options);
  const ts = path.join(entry.dir, `${entry.name}.ts`);
  if (!fs.existsSync(ts)) throw new ModelError(`no ${thread} entry in ${entry.dir} (${entry.name}.js or ${entry.name}.ts)`);
  const tsx = require.resolve('tsx/cjs/api');
  const code = `require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(ts)});`;
  return new Worker(code, { ...options, eval: true });
}

interface Job<Result> { request: { id: number }; transfer: ArrayBuffer[]; resolve(result: Result): void; reject(err: Error): void }
interface Slot<Result> { worker: Worker; busy?: Job<Result> }

export class WorkerPool<Init, Ready, Done, Result> {
  private readonly idle: Slot<Result>[] = [];
  private readonly queue: Job<Result>[] = [];
  private slots: Slot<Result>[] = [];
  private nextId = 0;
  private closed = false;

  private constructor(private readonly spec: WorkerPoolSpec<Init, Ready, Done, Result>) {}

  /**
   * Starts `workers` threads and waits until each is ready or has failed; returns the pool (with
   * the threads that started) and why the others did not start.
   */
  static async start<Init, Ready, Done, Result>(
    spec: WorkerPoolSpec<Init, Ready, Done, Result>, workers: number, startTimeoutMs: number,
  ): Promise<{ pool: WorkerPool<Init, Ready, Done, Result>; failures: string[] }> {
    if (!Number.isInteger(workers) || workers < 1) throw new ParameterError(`workers must be an integer >= 1, got ${workers}`);
    const pool = new WorkerPool(spec);
    const started = await Promise.allSettled(Array.from({ length: workers }, () => pool.startOne(startTimeoutMs)));
    const failures = started.flatMap((s) => (s.status === 'rejected' ? [(s.reason as Error).message] : []));
    return { pool, failures };
  }

  /** Threads currently alive. */
  get size(): number {
    return this.slots.length;
  }

  private startOne(timeoutMs: number): Promise<void> {
    const { spec } = this;
    return new Promise((resolve, reject) => {
      const worker = spawn(spec.entry, spec.thread, spec.init, spec.execArgv);
      const slot: Slot<Result> = { worker };
      let ready = false;
      const fail = (why: string) => {
        if (!ready) { clearTimeout(timer); void worker.terminate(); reject(new Error(why)); return; }
        this.drop(slot, new ModelError(`${spec.thread} failed: ${why}`));
      };
      const timer = setTimeout(() => fail(`not ready after ${timeoutMs} ms`), timeoutMs);
      worker.on('message', (reply: PoolReply<Ready, Done>) => {
        if (reply.kind === 'ready') {
          clearTimeout(timer);
          const refused = spec.refuse?.(reply);
          if (refused) { fail(refused); return; }
          ready = true;
          this.slots.push(slot);
          this.release(slot);
          resolve();
        } else if (reply.kind === 'fatal') fail(reply.error.message);
        else if (slot.busy && slot.busy.request.id === reply.id) {
          const job = slot.busy;
          slot.busy = undefined;
          if (reply.kind === 'done') job.resolve(spec.result(reply));
          else job.reject(errorFromWorker((message) => new ModelError(message), spec.job, reply.error));
          this.release(slot);
        }
      });
      worker.on('error', (err) => fail(err.message));
      worker.on('exit', (code) => { if (!this.closed) fail(`thread exited with code ${code}`); });
    });
  }

  /** A thread became free: give it the next job, or park it (unref'd). */
  private release(slot: Slot<Result>): void {
    if (!this.slots.includes(slot)) return;
    const job = this.queue.shift();
    if (!job) { slot.worker.unref(); this.idle.push(slot); return; }
    slot.busy = job;
    slot.worker.ref();
    slot.worker.postMessage(job.request, job.transfer);
  }

  /** Removes a dead thread; its job, and the queue if no thread is left, fail with `err`. */
  private drop(slot: Slot<Result>, err: Error): void {
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
   * Runs one job on the next free thread. `request` is posted with an id added; buffers in
   * `transfer` move to the thread (the caller must not use them afterwards).
   */
  run<Request extends object>(request: Request, transfer: ArrayBuffer[] = []): Promise<Result> {
    if (this.closed || this.slots.length === 0) return Promise.reject(new ModelError(`the ${this.spec.pool} is closed`));
    return new Promise((resolve, reject) => {
      this.queue.push({ request: { ...request, id: this.nextId++ }, transfer, resolve, reject });
      const slot = this.idle.shift();
      if (slot) this.release(slot);
    });
  }

  /** Stops every thread; pending jobs fail. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = new ModelError(`the ${this.spec.pool} was closed`);
    for (const job of this.queue.splice(0)) job.reject(err);
    const slots = this.slots;
    this.slots = [];
    this.idle.splice(0);
    for (const s of slots) s.busy?.reject(err);
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }
}
