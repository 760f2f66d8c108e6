import * as os from 'os';
import { Job, UnrecoverableError, Worker } from 'bullmq';
import { LacunaError } from '../util/errors';
import { formatSeconds, plainIntervalMs } from '../util/progress';
import { QUEUE_NAME, connectRedis, redactUrl } from './connection';
import { watchLink } from './link';
import { JobEnvelope, JobProgress, checkpointKey } from './envelope';
import { JOB_KINDS } from './kinds';
import { datasetFor, versionRefusal } from './dataset-check';
import { packBytes, unpackBytes } from './blobs';

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
  /**
   * Finishes the running job and disconnects; with `force`, hands the running job back to the
   * queue (when Redis answers; else it returns there once its lock expires) and disconnects at
   * once. Either way it resolves within `deadlineMs` whatever Redis does.
   */
  close(force?: boolean, deadlineMs?: number): Promise<void>;
}

/** Resolves when `work` settles or after `ms`, whichever comes first; never rejects. */
function within(work: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    work.then(() => { clearTimeout(timer); resolve(); }, () => { clearTimeout(timer); resolve(); });
  });
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
  const link = watchLink(connection, options.url, `worker ${name}`, log);
  let current: { job: Job<JobEnvelope>; token?: string } | undefined;
  const processor = async (job: Job<JobEnvelope>, token?: string) => {
    const envelope = job.data;
    const t0 = Date.now();
    current = { job, token };
    log(`worker ${name}: job ${job.id} (${envelope.kind}, attempt ${job.attemptsMade + 1}) started`);
    let lastReport = 0;
    let latest = { fraction: 0, note: '' };
    // A plain line at a steady interval, for logs: a job can run for an hour between two results.
    const heartbeat = setInterval(() => {
      const elapsed = (Date.now() - t0) / 1000;
      const left = latest.fraction > 0 ? formatSeconds((elapsed / latest.fraction) * (1 - latest.fraction)) : '?';
      const note = latest.note ? ` · ${latest.note}` : '';
      log(`worker ${name}: job ${job.id} (${envelope.kind}) ${(latest.fraction * 100).toFixed(0)}%`
        + ` after ${formatSeconds(elapsed)}, time left ${left}${note}`);
    }, plainIntervalMs());
    heartbeat.unref();
    const progress = (fraction: number, note: string) => {
      latest = { fraction, note };
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
      const key = checkpointKey(String(job.id));
      const checkpoint = {
        load: async () => (await connection.get(key)) ?? undefined,
        save: async (data: string) => { await connection.set(key, data); },
      };
      // Files the job carries by reference come as Buffers; a large result's files go back the same way.
      const payload = await unpackBytes(connection, envelope.payload);
      const result = await kind.run(payload, { dataset, progress, checkpoint });
      const packed = await packBytes(connection, result, (sha256) => `lacuna:result:${job.id}:${sha256}`);
      log(`worker ${name}: job ${job.id} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      return packed.value;
    } catch (err) {
      log(`worker ${name}: job ${job.id} failed: ${(err as Error).message}`);
      if (err instanceof LacunaError) throw new UnrecoverableError(`worker ${name}: ${err.name}: ${err.message}`);
      throw err;
    } finally {
      clearInterval(heartbeat);
      current = undefined;
    }
  };
  const worker = new Worker(QUEUE_NAME, processor, {
    connection, name, concurrency: 1, lockDuration, stalledInterval: lockDuration, maxStalledCount: options.maxStalls ?? 2,
  });
  worker.on('error', (err) => link.error(err));
  await worker.waitUntilReady();
  log(`worker ${name}: waiting for jobs on ${redactUrl(options.url)} (queue "${QUEUE_NAME}")`);
  return {
    name,
    async close(force = false, deadlineMs = 5000) {
      const end = Date.now() + deadlineMs;
      const running = current;
      if (force && running && !link.down) {
        // Back to the queue now rather than when its lock expires: another worker starts it at once.
        const handedBack = running.job.moveToWait(running.token)
          .then(() => log(`worker ${name}: job ${running.job.id} handed back to the queue`));
        await within(handedBack, Math.min(2000, deadlineMs));
      }
      await within(worker.close(force), Math.max(0, end - Date.now()));
      connection.disconnect();
    },
  };
}
