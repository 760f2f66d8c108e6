import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { lacunaVersion } from '../data';
import type { CachedDataset } from '../types';
import type { GapModel } from '../corrupt/gaps';
import { gapModelLabel } from '../corrupt/gaps';
import {
  FoldManifest, MethodOptions, ReconstructRunOptions, finishReconstruction, foldDir, getMethod, prepareReconstruction,
  runReconstruction, storeReconstructedFold,
} from '../reconstruct';
import { writeFileAtomic } from '../util/atomic';
import type { JobKind, KindContext } from './job-kind';
import { jobIdFor } from './envelope';
import { DispatchOutcome, QueuedJob, dispatchJobs } from './coordinator';
import { QueueJobsFailedError, datasetRefAt } from './grid';
import { trainModelsOnQueue, trainsOnQueue } from './gan';
import { Bytes, bytesOf } from './blobs';

/** One fold's reconstruction by one (untrained) method and gap model. */
export interface ReconstructFoldPayload {
  method: string;
  methodOptions: MethodOptions;
  gapModel: GapModel;
  seed: number;
  fold: number;
}

/** The fold's files as written (lib/queue/blobs.ts: inline or by reference) and its manifest: the coordinator stores them as they are. */
export interface ReconstructFoldResult {
  manifest: FoldManifest;
  files: Record<string, Bytes>;
}

export const RECONSTRUCT_FOLD = 'reconstruct-fold';

export const reconstructFoldKind: JobKind<ReconstructFoldPayload, ReconstructFoldResult> = {
  kind: RECONSTRUCT_FOLD,
  async run(payload: ReconstructFoldPayload, ctx: KindContext): Promise<ReconstructFoldResult> {
    // The same code as a local run, into a scratch folder of this worker's; the bytes travel back.
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lacuna-reconstruct-job-'));
    try {
      const run = prepareReconstruction({
        dataset: ctx.dataset, method: payload.method, methodOptions: payload.methodOptions, gapModel: payload.gapModel,
        seed: payload.seed, root: scratch, folds: [payload.fold], quiet: true,
      });
      const rows = run.rowsOf(payload.fold).length;
      let done = 0;
      const out = foldDir(run.dir, payload.fold);
      const manifest = await run.repair(payload.fold, out, () => {
        done++;
        ctx.progress(done / rows, `fold ${payload.fold}: ${done}/${rows} clips`);
      });
      const files = Object.fromEntries(manifest.files.map((f) => [f, fs.readFileSync(path.join(out, f))]));
      return { manifest, files };
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  },
};

export interface QueueReconstructOptions {
  url: string;
  /** The 16 kHz cache the run is planned on (its name, variant and fingerprint travel). */
  dataset: CachedDataset;
  attempts?: number;
  onOutcome?: (outcome: DispatchOutcome) => void;
  log?: (line: string) => void;
}

/**
 * runReconstruction with each fold repaired by a queue worker: the same run folder, config check
 * and files (byte for byte: the worker runs the same code and sends back what it wrote), written
 * by this process alone. The GANs' models (gan, gan-masked) train on workers (lib/queue/gan.ts) and repair here.
 */
export async function runReconstructionOnQueue(
  options: ReconstructRunOptions,
  q: QueueReconstructOptions,
): Promise<{ dir: string; folds: FoldManifest[] }> {
  const factory = getMethod(options.method);
  if (factory.train) {
    // The GANs' models train on workers (gan-train jobs); the folds are then repaired here from them.
    if (trainsOnQueue(factory.name)) await trainModelsOnQueue(options, q);
    else (q.log ?? console.log)(`${options.method}: this trained method runs on this machine (its training is not a queue job)`);
    return runReconstruction(options);
  }
  const run = prepareReconstruction(options);
  const dataset = datasetRefAt(q.dataset, 16000);
  const methodOptions = options.methodOptions ?? {};
  const label = `${options.method} ${gapModelLabel(options.gapModel)}`;
  const jobs: QueuedJob[] = run.todo.map((fold) => {
    const payload: ReconstructFoldPayload = { method: options.method, methodOptions, gapModel: options.gapModel, seed: options.seed, fold };
    return {
      // The run folder and its config name the work: two output roots or two parameter sets never share a job.
      id: jobIdFor(RECONSTRUCT_FOLD, { dir: run.dir, config: run.config, fold }),
      label: `reconstruct ${label} fold ${fold}`,
      envelope: { kind: RECONSTRUCT_FOLD, lacunaVersion: lacunaVersion(), dataset, payload },
      onResult: (result: ReconstructFoldResult) => {
        const dir = foldDir(run.dir, fold);
        fs.mkdirSync(dir, { recursive: true });
        for (const [name, bytes] of Object.entries(result.files)) writeFileAtomic(path.join(dir, name), bytesOf(bytes));
        storeReconstructedFold(run, result.manifest);
      },
    };
  });
  const outcome = await dispatchJobs(jobs, {
    url: q.url, label: `reconstruct ${label} on the queue`, quiet: options.quiet, attempts: q.attempts, log: q.log,
  });
  q.onOutcome?.(outcome);
  if (outcome.failures.length) {
    throw new QueueJobsFailedError(`${outcome.failures.length} of ${jobs.length} reconstruction job(s) failed for good:\n` +
      outcome.failures.map((f) => `  ${f.label}: ${f.reason}`).join('\n')
      + '\nFix the cause and run the same command again: finished folds are kept, failed ones are retried.');
  }
  return finishReconstruction(run);
}
