import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { ModelError, errorFromWorker } from '../util/errors';
import type { ModelArtifacts } from './parallel-step';
import type { ReplicaInit, ReplicaReply, ReplicaRequest } from './parallel-worker';

type Request = ReplicaRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;
type Done = Extract<ReplicaReply, { kind: 'done' }>;

export interface PoolOptions {
  seed?: number;
  modules?: string[];
  startTimeoutMs: number;
  workerFile?: string;
}

/**
 * The worker script next to this module: the compiled .js under dist/, or under tsx the .ts
 * source, which a worker can only load after registering tsx's require hook itself (Node's
 * Worker refuses a .ts path even when the parent runs with --import tsx).
 */
function spawn(init: ReplicaInit, workerFile?: string): Worker {
  const ext = path.extname(__filename);
  const file = workerFile ?? path.join(__dirname, `parallel-worker${ext}`);
  if (!fs.existsSync(file)) throw new ModelError(`worker script ${file} not found`);
  if (path.extname(file) !== '.ts') return new Worker(file, { workerData: init, execArgv: [] });
  let tsx: string;
  try {
    tsx = require.resolve('tsx/cjs');
  } catch {
    throw new ModelError(`running from TypeScript source (${file}) needs tsx, which is not installed`);
  }
  const bootstrap = `require(${JSON.stringify(tsx)}); require(${JSON.stringify(file)});`;
  return new Worker(bootstrap, { eval: true, workerData: init, execArgv: [] });
}

/**
 * One worker thread holding a model replica. Requests are answered in order; the thread keeps
 * the process alive only while a request is outstanding, so a trainer that is never disposed
 * does not stop a script from exiting.
 */
export class Replica {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: Done) => void; reject: (e: Error) => void }>();
  private failure: Error | undefined;
  private readonly exited: Promise<void>;

  constructor(private readonly worker: Worker, readonly index: number) {
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.on('message', (reply: ReplicaReply) => {
      if (reply.kind !== 'done' && reply.kind !== 'failed') return;
      const entry = this.pending.get(reply.id);
      if (!entry) return;
      this.pending.delete(reply.id);
      this.updateRef();
      if (reply.kind === 'done') entry.resolve(reply);
      else entry.reject(errorFromWorker((m) => new ModelError(m), `worker ${index}`, reply.error));
    });
    worker.on('error', (err) => this.fail(new ModelError(`worker ${index} crashed: ${err.message}`)));
    worker.on('exit', (code) => this.fail(new ModelError(`worker ${index} exited (code ${code})`)));
  }

  request(message: Request, transfer: ArrayBuffer[] = []): Promise<Done> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<Done>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.updateRef();
      this.worker.postMessage({ ...message, id } as ReplicaRequest, transfer);
    });
  }

  async stop(): Promise<void> {
    this.fail(new ModelError(`worker ${this.index} was stopped`));
    await this.worker.terminate();
    await this.exited;
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const entry of this.pending.values()) entry.reject(this.failure);
    this.pending.clear();
  }

  private updateRef(): void {
    if (this.pending.size > 0) this.worker.ref();
    else this.worker.unref();
  }
}

/** Starts `count` replicas of the model; rejects (after stopping any that started) if one cannot start. */
export async function startReplicas(count: number, artifacts: ModelArtifacts, options: PoolOptions): Promise<Replica[]> {
  const started: Array<{ worker: Worker; ready: Promise<void> }> = [];
  try {
    for (let index = 0; index < count; index++) {
      const worker = spawn({ lacunaParallelReplica: true, index, artifacts, seed: options.seed, modules: options.modules }, options.workerFile);
      started.push({ worker, ready: whenReady(worker, index, options.startTimeoutMs) });
    }
    await Promise.all(started.map((s) => s.ready));
  } catch (err) {
    await Promise.allSettled(started.map((s) => s.worker.terminate()));
    throw err;
  }
  return started.map((s, index) => {
    const replica = new Replica(s.worker, index);
    s.worker.unref();
    return replica;
  });
}

function whenReady(worker: Worker, index: number, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const done = (err?: Error) => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      if (err) reject(err); else resolve();
    };
    const onMessage = (reply: ReplicaReply) => {
      if (reply.kind === 'ready') done();
      else if (reply.kind === 'fatal') done(errorFromWorker((m) => new ModelError(m), `worker ${index} could not start`, reply.error));
    };
    const onError = (err: Error) => done(new ModelError(`worker ${index} could not start: ${err.message.split('\n')[0]}`));
    const onExit = (code: number) => done(new ModelError(`worker ${index} exited during start-up (code ${code})`));
    const timer = setTimeout(() => done(new ModelError(`worker ${index} did not start within ${timeoutMs} ms`)), timeoutMs);
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}
