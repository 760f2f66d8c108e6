import * as fs from 'fs';
import * as path from 'path';
import { loadCachedDataset, defaultCacheRoot, lacunaVersion } from '../data';
import type { CachedDataset } from '../types';
import type { DatasetRef, JobEnvelope } from './envelope';

/**
 * Why a worker refuses a job it must never compute (another lacuna, another dataset), or
 * undefined when it may run it. Refusals are permanent: retrying on the same worker cannot help.
 */
export function versionRefusal(envelope: JobEnvelope, workerName: string): string | undefined {
  const own = lacunaVersion();
  if (envelope.lacunaVersion === own) return undefined;
  return `worker ${workerName} refuses the job: it runs lacuna ${own}, the job was planned by lacuna ${envelope.lacunaVersion};`
    + ' install the same version on every machine';
}

const loaded = new Map<string, CachedDataset>();

/**
 * The worker's own cache of the job's dataset, found by name under `cacheRoot`, or a refusal
 * naming what differs (a missing cache, or another fingerprint: the caches were built from
 * different audio or settings).
 */
export function datasetFor(ref: DatasetRef, workerName: string, cacheRoot = defaultCacheRoot()): CachedDataset | string {
  const dir = path.join(cacheRoot, ref.name, ref.variant, `sr${ref.sampleRate}`);
  if (!fs.existsSync(path.join(dir, 'manifest.json'))) {
    return `worker ${workerName} refuses the job: it has no cache of dataset "${ref.name}" at ${dir};`
      + ' build it there with `lacuna data` (same flags as on the coordinator)';
  }
  let dataset = loaded.get(dir);
  if (!dataset || dataset.fingerprint !== ref.fingerprint) {
    dataset = loadCachedDataset(dir, ref.sampleRate);
    loaded.set(dir, dataset);
  }
  if (dataset.fingerprint !== ref.fingerprint) {
    return `worker ${workerName} refuses the job: dataset fingerprint differs for "${ref.name}" — `
      + `this worker's cache (${dir}) has ${dataset.fingerprint.slice(0, 12)}…, ` +
      `the coordinator planned with ${ref.fingerprint.slice(0, 12)}…; rebuild the worker's cache from the same source and settings`;
  }
  return dataset;
}
