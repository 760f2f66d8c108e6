import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { lacunaVersion } from '../data';
import type { CachedDataset } from '../types';
import type { GapModel } from '../corrupt/gaps';
import { gapModelLabel } from '../corrupt/gaps';
import {
  FoldManifest, MethodOptions, PreparedReconstruction, ReconstructRunOptions, finishReconstruction, foldDir, getMethod,
  prepareReconstruction, runReconstruction, storeReconstructedFold,
} from '../reconstruct';
import { writeFileAtomic } from '../util/atomic';
import type { JobKind, KindContext } from './job-kind';
import { jobIdFor } from './envelope';
import { DispatchOutcome, QueuedJob, dispatchJobs } from './coordinator';
import { QueueJobsFailedError, datasetRefAt } from './grid';
import { checkpointPaths, ganCheckpointDir, trainModelsOnQueue, trainsOnQueue } from './gan';
import { Bytes, FileBytes, bytesOf } from './blobs';
import { DEFAULT_FOLD_SCHEME, FoldScheme, modelForFold, repairPlan } from '../reconstruct/folds';
import { ParameterError } from '../util/errors';

/** One fold's reconstruction by one method and gap model. */
export interface ReconstructFoldPayload {
  method: string;
  methodOptions: MethodOptions;
  gapModel: GapModel;
  seed: number;
  fold: number;
  /** A trained method's fold scheme (default cross-fit). */
  foldScheme?: FoldScheme;
  /**
   * A trained method's model for this fold, trained to its budget: its checkpoint folder relative to
   * the results root (where a local run finds it) and that folder's files. The files travel as
   * blobs.ts sends any file: by reference they are stored once by content, whatever the folds sharing them.
   */
  model?: { dir: string; files: Record<string, Bytes> };
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
      // A trained model goes where the run looks for it: training finds its budget used and only loads it.
      if (payload.model) writeModelFiles(scratch, payload.model);
      const run = prepareReconstruction({
        dataset: ctx.dataset, method: payload.method, methodOptions: payload.methodOptions, gapModel: payload.gapModel,
        seed: payload.seed, root: scratch, folds: [payload.fold], quiet: true, foldScheme: payload.foldScheme,
      });
      const rows = run.rowsOf(payload.fold).length;
      let done = 0;
      const out = foldDir(run.dir, payload.fold);
      const manifest = await run.repair(payload.fold, out, () => {
        done++;
        ctx.progress(done / rows, `fold ${payload.fold}: ${done}/${rows} clips`);
      });
      const files = Object.fromEntries(manifest.files.map((f) => [f, fs.readFileSync(path.join(out, f))]));
      // The checkpoint's path here means nothing to the coordinator: it puts back its own.
      if (payload.model && manifest.model) manifest.model = { ...manifest.model, checkpoint: payload.model.dir };
      return { manifest, files };
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  },
};

/** A path inside a job's scratch folder: relative, without `..`. */
function insideScratch(rel: string, what: string): string {
  if (path.isAbsolute(rel) || rel.split(/[\\/]/).includes('..')) {
    throw new ParameterError(`reconstruct-fold job: ${what} "${rel}" is not a path inside the run`);
  }
  return rel;
}

/** Writes a job's model files into `root`, at the checkpoint folder a local run of the same root would use. */
function writeModelFiles(root: string, model: NonNullable<ReconstructFoldPayload['model']>): void {
  const dir = path.join(root, insideScratch(model.dir, 'model folder'));
  for (const [rel, bytes] of Object.entries(model.files)) {
    const p = path.join(dir, insideScratch(rel, 'model file'));
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, bytesOf(bytes));
  }
}

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
 * by this process alone. The GANs (gan, gan-masked) train on workers first (gan-train jobs,
 * lib/queue/gan.ts); each fold's job then carries its trained model's checkpoint, and the worker
 * repairs with it as a local run would. Another trained method runs here.
 */
export async function runReconstructionOnQueue(
  options: ReconstructRunOptions,
  q: QueueReconstructOptions,
): Promise<{ dir: string; folds: FoldManifest[] }> {
  const factory = getMethod(options.method);
  if (factory.train) {
    if (!trainsOnQueue(factory.name)) {
      (q.log ?? console.log)(`${options.method}: this trained method runs on this machine (its training is not a queue job)`);
      return runReconstruction(options);
    }
    await trainModelsOnQueue(options, q);
  }
  const run = prepareReconstruction(options);
  const modelOf = factory.train ? trainedModelOf(options, run) : undefined;
  const dataset = datasetRefAt(q.dataset, 16000);
  const methodOptions = options.methodOptions ?? {};
  const label = `${options.method} ${gapModelLabel(options.gapModel)}`;
  const jobs: QueuedJob[] = run.todo.map((fold) => {
    const model = modelOf?.(fold);
    const payload: ReconstructFoldPayload = {
      method: options.method, methodOptions, gapModel: options.gapModel, seed: options.seed, fold,
      ...(model ? { foldScheme: options.foldScheme ?? DEFAULT_FOLD_SCHEME, model: { dir: model.rel, files: model.files } } : {}),
    };
    return {
      // The run folder and its config name the work: two output roots or two parameter sets never share a job.
      id: jobIdFor(RECONSTRUCT_FOLD, { dir: run.dir, config: run.config, fold }),
      label: `reconstruct ${label} fold ${fold}`,
      envelope: { kind: RECONSTRUCT_FOLD, lacunaVersion: lacunaVersion(), dataset, payload },
      onResult: (result: ReconstructFoldResult) => {
        const dir = foldDir(run.dir, fold);
        fs.mkdirSync(dir, { recursive: true });
        for (const [name, bytes] of Object.entries(result.files)) writeFileAtomic(path.join(dir, name), bytesOf(bytes));
        // The checkpoint a local run records: this machine's folder.
        const manifest = model && result.manifest.model
          ? { ...result.manifest, model: { ...result.manifest.model, checkpoint: model.dir } } : result.manifest;
        storeReconstructedFold(run, manifest);
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

/**
 * A GAN run's model for each fold (trained to its budget by now): its checkpoint folder here and
 * relative to the results root, and its files, read when a job is sent.
 */
function trainedModelOf(options: ReconstructRunOptions, run: PreparedReconstruction) {
  const plan = repairPlan(run.allFolds, options.foldScheme ?? DEFAULT_FOLD_SCHEME);
  return (fold: number) => {
    const dir = ganCheckpointDir(options, run.dir, modelForFold(plan, fold).id);
    const found = checkpointPaths(dir);
    if (!found) throw new Error(`${dir}: no trained model for fold ${fold} after its training`);
    const files = Object.fromEntries(found.paths.map((rel) => [rel, new FileBytes(path.join(dir, rel))]));
    return { dir, rel: path.relative(options.root, dir), files };
  };
}
