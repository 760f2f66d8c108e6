import * as crypto from 'crypto';

/**
 * What every job carries besides its kind's payload: the lacuna version and the dataset it was
 * planned on, so a worker can refuse work it would compute differently.
 */
export interface DatasetRef {
  /** The dataset's name: the worker finds its own cache under `<cacheRoot>/<name>/<variant>/sr<rate>`. */
  name: string;
  /** `<normalize>-<durationSec>s`, the cache variant. */
  variant: string;
  sampleRate: number;
  /** The cache manifest's fingerprint the coordinator planned with. */
  fingerprint: string;
}

export interface JobEnvelope<P = unknown> {
  kind: string;
  lacunaVersion: string;
  dataset: DatasetRef;
  payload: P;
}

/** A job id from its content: the same work always gets the same id, so enqueuing twice adds nothing. */
export function jobIdFor(kind: string, content: unknown): string {
  return `${kind}-${crypto.createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, 24)}`;
}

/** Progress a worker reports on a running job. */
export interface JobProgress {
  fraction: number;
  note: string;
}

/** Where a job's checkpoint lives in Redis (beside BullMQ's `bull:lacuna:*` keys). */
export function checkpointKey(jobId: string): string {
  return `lacuna:checkpoint:${jobId}`;
}
