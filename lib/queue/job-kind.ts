import type { CachedDataset } from '../types';

/** What a worker hands a job kind besides its payload. */
export interface KindContext {
  /** The worker's own copy of the job's dataset, already checked against the job's fingerprint. */
  dataset: CachedDataset;
  /** Reports progress (0..1) with a short note; throttled by the worker. */
  progress(fraction: number, note: string): void;
  /**
   * The job's checkpoint in Redis (key checkpointKey(job id)): a long job saves its state there,
   * and the worker that takes it over after a crash loads it. Removed when the result is stored.
   */
  checkpoint: { load(): Promise<string | undefined>; save(data: string): Promise<void> };
}

/**
 * A kind of job: how a worker runs its payload into a JSON-able result. The coordinator side
 * (what to enqueue, where to write results) lives with the command that plans the work.
 */
export interface JobKind<P = unknown, R = unknown> {
  kind: string;
  run(payload: P, ctx: KindContext): Promise<R>;
}
