import { Job, Queue } from 'bullmq';
import { createProgress } from '../util/progress';
import { ParameterError } from '../util/errors';
import { QUEUE_NAME, connectRedis, redactUrl } from './connection';
import { watchLink } from './link';
import { JobEnvelope, JobProgress, checkpointKey } from './envelope';
import { BlobRef, MAX_VALUE_BYTES, Packed, deleteBlobs, formatBytes, packBytes, redisMaxMemory, unpackBytes } from './blobs';

/** One job as a coordinator hands it out, with what to do with its result. */
export interface QueuedJob<R = unknown> {
  id: string;
  /** Short human label (`clean fold 3`). */
  label: string;
  /** Its files as FileBytes (lib/queue/blobs.ts): read when the job is sent, inline or by reference. */
  envelope: JobEnvelope;
  /** Stores the result (the coordinator is the only writer; its files are base64 or Buffers: bytesOf); a throw fails the job. */
  onResult(result: R, worker: string): void;
}

export interface DispatchOptions {
  url: string;
  /** Progress bar label. */
  label: string;
  quiet?: boolean;
  /** Attempts per job for failures that may go away (a crash, a lost connection). Default 3. */
  attempts?: number;
  /** How often the queue is polled, in ms. Default 500. */
  pollMs?: number;
  log?: (line: string) => void;
}

export interface DispatchOutcome {
  done: number;
  /** Jobs that failed for good, with the reason a worker gave. */
  failures: { id: string; label: string; reason: string }[];
  /** Jobs this coordinator added; the others were already in the queue (a restarted coordinator). */
  added: number;
  /** Finished jobs per worker name. */
  byWorker: Record<string, number>;
  /** Sum over finished jobs of the time a worker spent on them (BullMQ's processedOn → finishedOn), ms. */
  workerMs: number;
  /** Bytes through Redis: the jobs handed out and the finished jobs' results (JSON, plus files sent by reference). */
  bytesOut: number;
  bytesBack: number;
}

/**
 * The job as the queue carries it (lib/queue/blobs.ts: its files inline or by reference), refused
 * only when it cannot be carried: JSON besides its files over one Redis value, or files by
 * reference over Redis's maxmemory.
 */
async function packJob(j: QueuedJob, redis: Parameters<typeof packBytes>[0], maxMemory: number | undefined): Promise<Packed> {
  try {
    return await packBytes(redis, j.envelope, (sha256) => `lacuna:blob:${sha256}`, ({ jsonBytes, refBytes, files }) => {
      if (jsonBytes > MAX_VALUE_BYTES) {
        throw new ParameterError(`${j.label}: the job's JSON besides its files is ${formatBytes(jsonBytes)},`
          + ` more than Redis holds in one value (${formatBytes(MAX_VALUE_BYTES)}); run this step without --queue`);
      }
      if (maxMemory && refBytes > maxMemory) {
        throw new ParameterError(`${j.label}: the job's files are ${formatBytes(refBytes)} (${files} file(s) by reference),`
          + ` more than Redis's maxmemory (${formatBytes(maxMemory)}): raise maxmemory (redis-cli CONFIG SET maxmemory …)`
          + ' or run this step without --queue');
      }
    });
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    throw new ParameterError(
      `${j.label}: the job's JSON besides its files is longer than a JavaScript string; it cannot travel through Redis`);
  }
}

/**
 * Runs jobs through the queue: adds those not already there (job ids come from the work, so a
 * restarted coordinator finds its earlier jobs instead of adding them again, and re-tries the
 * ones that had failed), hands each finished job's result to its onResult, removes it, and shows
 * done / running (per worker) / waiting until every job is done or has failed for good.
 */
export async function dispatchJobs(jobs: QueuedJob[], options: DispatchOptions): Promise<DispatchOutcome> {
  const log = options.log ?? ((line: string) => console.log(line));
  const outcome: DispatchOutcome = { done: 0, failures: [], added: 0, byWorker: {}, workerMs: 0, bytesOut: 0, bytesBack: 0 };
  if (jobs.length === 0) {
    // Nothing to hand out (a resumed step): no connection opened and closed at once.
    log(`queue ${redactUrl(options.url)}: 0 job(s) — 0 added, 0 already queued`);
    return outcome;
  }
  const connection = await connectRedis(options.url);
  const queue = new Queue(QUEUE_NAME, { connection });
  // Without a listener, an 'error' from BullMQ's connection wrapper (Redis gone, a close racing its
  // start) would end the process; the link is logged once per outage instead.
  const link = watchLink(connection, options.url, 'coordinator', log);
  queue.on('error', (err) => link.error(err));
  try {
    let retried = 0;
    const maxMemory = await redisMaxMemory(connection);
    // Files sent by reference, removed once every job is done (a rerun sends them again).
    const sent: BlobRef[] = [];
    let byRef = 0;
    for (const j of jobs) {
      const existing = await queue.getJob(j.id);
      const state = existing && await existing.getState();
      if (existing && state === 'completed') continue;
      // A queued job's files are put back (or renewed) too: an earlier run may have removed them, or they expired.
      const packed = await packJob(j, connection, maxMemory);
      sent.push(...packed.refs);
      if (packed.refs.length) byRef++;
      if (existing) {
        if (state === 'failed') {
          await existing.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
          retried++;
        }
        continue;
      }
      outcome.bytesOut += packed.jsonBytes + packed.refBytes;
      await queue.add(j.envelope.kind, packed.value as JobEnvelope, {
        jobId: j.id, attempts: options.attempts ?? 3, backoff: { type: 'exponential', delay: 2000 },
        removeOnComplete: false, removeOnFail: false,
      });
      outcome.added++;
    }
    const retriedNote = retried ? ` (${retried} of them had failed: retried)` : '';
    const refNote = byRef ? `; ${byRef} carry their files by reference (${formatBytes(sent.reduce((n, r) => n + r.bytes, 0))}`
      + ` in ${sent.reduce((n, r) => n + r.chunks, 0)} key(s))` : '';
    log(`queue ${redactUrl(options.url)}: ${jobs.length} job(s) — ${outcome.added} added,`
      + ` ${jobs.length - outcome.added} already queued${retriedNote}${refNote}`);
    const progress = createProgress({ total: jobs.length, label: options.label, quiet: options.quiet });
    const open = new Map(jobs.map((j) => [j.id, j]));
    let polls = 0;
    let connected = 0;
    while (open.size) {
      const running: string[] = [];
      let waiting = 0;
      for (const [id, j] of open) {
        // State first, then the job: a job read before its state may predate its result.
        const state = await queue.getJobState(id);
        const job = state === 'unknown' ? undefined : await Job.fromId(queue, id);
        if (state === 'completed' && job) {
          const worker = job.processedBy ?? 'unknown worker';
          open.delete(id);
          const resultRefs: BlobRef[] = [];
          try {
            j.onResult(await unpackBytes(connection, job.returnvalue, resultRefs), worker);
          } catch (err) {
            // The job stays in the queue, finished: a rerun stores its result without recomputing it.
            outcome.failures.push({ id, label: j.label, reason: `storing the result failed: ${(err as Error).message}` });
            log(`FAILED ${j.label} (${id}): storing the result failed: ${(err as Error).message}`);
            progress.tick(1, `${j.label} failed`);
            continue;
          }
          await job.remove();
          await connection.del(checkpointKey(id));
          await deleteBlobs(connection, resultRefs);
          outcome.done++;
          outcome.workerMs += (job.finishedOn ?? 0) - (job.processedOn ?? 0);
          outcome.bytesBack += JSON.stringify(job.returnvalue ?? null).length + resultRefs.reduce((n, r) => n + r.bytes, 0);
          outcome.byWorker[worker] = (outcome.byWorker[worker] ?? 0) + 1;
          log(`done ${j.label} by ${worker} (${outcome.done}/${jobs.length})`);
          progress.tick(1, j.label);
        } else if (state === 'failed' || state === 'unknown' || !job) {
          const reason = job ? job.failedReason : 'the job left the queue (drained?)';
          outcome.failures.push({ id, label: j.label, reason });
          log(`FAILED ${j.label} (${id}) after ${job?.attemptsMade ?? 0} attempt(s): ${reason}`);
          open.delete(id);
          progress.tick(1, `${j.label} failed`);
        } else if (state === 'active' && job) {
          const p = job.progress as Partial<JobProgress> | number;
          const pct = typeof p === 'object' && typeof p.fraction === 'number' ? ` ${(p.fraction * 100).toFixed(0)}%` : '';
          running.push(`${job.processedBy ?? '?'}: ${j.label}${pct}`);
        } else waiting++;
      }
      if (open.size) {
        if (polls++ % 10 === 0) connected = await queue.getWorkersCount().catch(() => connected);
        const perWorker = Object.entries(outcome.byWorker).map(([w, n]) => `${w} ${n}`).join(', ');
        const runningList = running.length ? ` [${running.join('; ')}]` : '';
        progress.tick(0, `done ${outcome.done}${perWorker ? ` (${perWorker})` : ''} · running ${running.length}${runningList}`
          + ` · waiting ${waiting} · ${connected} worker(s) connected`);
        await new Promise((r) => setTimeout(r, options.pollMs ?? 500));
      }
    }
    progress.done(`${outcome.done} done, ${outcome.failures.length} failed`);
    await deleteBlobs(connection, sent);
    return outcome;
  } finally {
    await queue.close();
    connection.disconnect();
  }
}
