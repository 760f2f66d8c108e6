import * as os from 'os';
import { Job, UnrecoverableError, Worker } from 'bullmq';
import { LacunaError } from '../util/errors';
import { QUEUE_NAME, connectRedis, redactUrl } from './connection';
import type { JobEnvelope, JobProgress } from './envelope';
import { JOB_KINDS } from './kinds';
import { datasetFor, versionRefusal } from './dataset-check';

export interface WorkerOptions {
  url: string;
  /**
   * How long a running job stays claimed without a lock renewal (renewed every half of it). A
   * killed worker's job goes back to the queue after about this long plus one stalled check.
   */
  lockSeconds?: number;
  /** Times a job may be recovered from a dead worker before it fails for good. */
  maxStalls?: number;
  /** Name shown by the coordinator; default `<host>-<pid>`. */
  name?: string;
  /** Log lines (job taken, finished, failed); default console.log. */
  log?: (line: string) => void;
}

export interface RunningWorker {
  name: string;
  /** Finishes the running job (or drops it when `force`), then disconnects. */
  close(force?: boolean): Promise<void>;
}

/**
 * Takes jobs from the queue one at a time and runs them with this machine's engine and dataset
 * cache. Refusals and bad input (LacunaError) fail the job for good with the message; anything
 * else is retried (on any worker) up to the job's attempts.
 */
export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const name = options.name ?? `${os.hostname()}-${process.pid}`;
  const log = options.log ?? ((line: string) => console.log(line));
  const lockDuration = Math.round((options.lockSeconds ?? 120) * 1000);
  const connection = await connectRedis(options.url);
  const processor = async (job: Job<JobEnvelope>) => {
    const envelope = job.data;
    const t0 = Date.now();
    log(`worker ${name}: job ${job.id} (${envelope.kind}, attempt ${job.attemptsMade + 1}) started`);
    let lastReport = 0;
    const progress = (fraction: number, note: string) => {
      if (Date.now() - lastReport < 1000) return;
      lastReport = Date.now();
      const value: JobProgress = { fraction, note };
      job.updateProgress(value as unknown as object).catch(() => undefined); // progress is a view; never fails the job
    };
    try {
      const refuse = (why: string): never => { throw new UnrecoverableError(why); };
      const kind = JOB_KINDS[envelope.kind] ?? refuse(`worker ${name} does not know job kind "${envelope.kind}"`);
      const versionProblem = versionRefusal(envelope, name);
      if (versionProblem) refuse(versionProblem);
      const dataset = datasetFor(envelope.dataset, name);
      if (typeof dataset === 'string') return refuse(dataset);
      const result = await kind.run(envelope.payload, { dataset, progress });
      log(`worker ${name}: job ${job.id} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      return result;
    } catch (err) {
      log(`worker ${name}: job ${job.id} failed: ${(err as Error).message}`);
      if (err instanceof LacunaError) throw new UnrecoverableError(`worker ${name}: ${err.name}: ${err.message}`);
      throw err;
    }
  };
  const worker = new Worker(QUEUE_NAME, processor, {
    connection, name, concurrency: 1, lockDuration, stalledInterval: lockDuration, maxStalledCount: options.maxStalls ?? 2,
  });
  worker.on('error', (err) => log(`worker ${name}: queue error: ${err.message}`));
  await worker.waitUntilReady();
  log(`worker ${name}: waiting for jobs on ${redactUrl(options.url)} (queue "${QUEUE_NAME}")`);
  return {
    name,
    async close(force = false) {
      await worker.close(force);
      connection.disconnect();
    },
  };
}
