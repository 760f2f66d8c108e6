/**
 * One GAN training (one model of the fold scheme: the reference GAN's per gap model, or gan-masked's
 * one for every gap model) as a queue job. The worker trains as a local
 * run would (trainGan on the training folds' mels, resuming from a checkpoint), sends each
 * checkpoint to Redis as it is written (the job's checkpoint key), and returns the final one. A
 * worker that dies mid-training loses at most one checkpoint interval: the worker that takes the
 * job over resumes from the last checkpoint in Redis. The coordinator writes the final checkpoint
 * where a local run keeps it (latest.json last): the run's model folder, or for gan-masked the
 * folder every gap model's run shares (`_shared/<model>-seed<seed>/<budget>s`, so the later gap
 * models find it trained and send no job). Workers then repair the folds from it (reconstruct-fold
 * jobs carrying the checkpoint: lib/queue/reconstruct.ts).
 *
 * The budget is the run's: seconds of training steps (over every session). A step is a pure
 * function of (seed, step, checkpoint), so the weights are those of a local training of the same
 * number of steps; how many steps fit in the seconds depends on the machine (the result and the
 * fold manifests record them).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { CachedDataset } from '../types';
import { lacunaVersion } from '../data';
import type { GapModel } from '../corrupt/gaps';
import { gapModelLabel } from '../corrupt/gaps';
import type { MethodOptions } from '../reconstruct/types';
import { GAN_TRAININGS, GanTraining } from '../reconstruct/gan-method';
import { DEFAULT_FOLD_SCHEME, modelForFold, repairPlan } from '../reconstruct/folds';
import { ReconstructRunOptions, prepareReconstruction, trainDirs } from '../reconstruct/run';
import { getMethod } from '../reconstruct/methods';
import { ParameterError } from '../util/errors';
import { readJsonIfExists, writeFileAtomic } from '../util/atomic';
import type { JobKind, KindContext } from './job-kind';
import { jobIdFor } from './envelope';
import { DispatchOutcome, QueuedJob, dispatchJobs } from './coordinator';
import { QueueJobsFailedError, datasetRefAt } from './grid';

export interface GanTrainPayload {
  /** 'gan' or 'gan-masked' (GAN_TRAININGS); absent in jobs queued before gan-masked trained on workers: 'gan'. */
  method?: string;
  methodOptions: MethodOptions;
  gapModel: GapModel;
  seed: number;
  modelId: string;
  trainFolds: number[];
  /** Seconds between checkpoints sent to Redis. */
  checkpointSeconds: number;
  /** The model folder's files on the coordinator (a resumed run), when it holds a checkpoint. */
  checkpoint?: CheckpointFiles;
}

/** A checkpoint folder as JSON: path inside it → base64 of the bytes, and the step it holds. */
export interface CheckpointFiles { step: number; files: Record<string, string> }

export const GAN_TRAIN = 'gan-train';

/** Seconds between two checkpoints a worker sends: $LACUNA_CHECKPOINT_SECONDS, default 60. */
export function checkpointSeconds(): number {
  const s = Number(process.env.LACUNA_CHECKPOINT_SECONDS ?? 60);
  return Number.isFinite(s) && s > 0 ? s : 60;
}

/** The step of the checkpoint in `dir` (latest.json), or -1 when there is none. */
function stepIn(dir: string): number {
  return readJsonIfExists<{ step: number }>(path.join(dir, 'latest.json'))?.step ?? -1;
}

/** The paths inside `dir` of its current checkpoint's files, with the loss curve, latest.json last; undefined when there is none. */
export function checkpointPaths(dir: string): { step: number; paths: string[] } | undefined {
  const latest = readJsonIfExists<{ checkpoint: string; step: number }>(path.join(dir, 'latest.json'));
  if (!latest) return undefined;
  const paths: string[] = [];
  const add = (rel: string) => {
    const p = path.join(dir, rel);
    if (fs.statSync(p).isDirectory()) for (const e of fs.readdirSync(p)) add(path.join(rel, e));
    else paths.push(rel);
  };
  for (const rel of [latest.checkpoint, 'losses.json', 'losses.csv', 'latest.json']) if (fs.existsSync(path.join(dir, rel))) add(rel);
  return { step: latest.step, paths };
}

/** Every file of the current checkpoint in `dir`, with the loss curve, latest.json included. */
export function packCheckpoint(dir: string): CheckpointFiles | undefined {
  const found = checkpointPaths(dir);
  if (!found) return undefined;
  const files = Object.fromEntries(found.paths.map((rel) => [rel, fs.readFileSync(path.join(dir, rel)).toString('base64')]));
  return { step: found.step, files };
}

/** The folder where a local run of `options` keeps (or finds) the trained model `modelId` of the run in `runDir`. */
export function ganCheckpointDir(
  options: Pick<ReconstructRunOptions, 'method' | 'methodOptions' | 'seed'>, runDir: string, modelId: string,
): string {
  return ganTrainingFor(options.method).checkpointDir(trainDirs(runDir, modelId, options.seed), options.methodOptions ?? {});
}

/**
 * Writes a packed checkpoint into `dir` as writeCheckpoint leaves one: every file atomically,
 * latest.json last (a kill before it leaves the previous checkpoint current), older ones removed.
 */
export function unpackCheckpoint(dir: string, packed: CheckpointFiles): void {
  fs.mkdirSync(dir, { recursive: true });
  const entries = Object.entries(packed.files);
  const latest = entries.find(([rel]) => rel === 'latest.json');
  for (const [rel, base64] of entries) {
    if (rel === 'latest.json') continue;
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileAtomic(path.join(dir, rel), Buffer.from(base64, 'base64'));
  }
  if (latest) writeFileAtomic(path.join(dir, 'latest.json'), Buffer.from(latest[1], 'base64'));
  const keep = readJsonIfExists<{ checkpoint: string }>(path.join(dir, 'latest.json'))?.checkpoint;
  for (const e of fs.readdirSync(dir)) {
    if (e.startsWith('ckpt-') && e !== keep) fs.rmSync(path.join(dir, e), { recursive: true, force: true });
  }
}

export interface GanTrainResult { checkpoint: CheckpointFiles; step: number; resumedFrom: number }

/** True when `method`'s models train as gan-train jobs. */
export function trainsOnQueue(method: string): boolean {
  return Object.hasOwn(GAN_TRAININGS, method);
}

function ganTrainingFor(method: string): GanTraining {
  if (!trainsOnQueue(method)) {
    throw new ParameterError(`gan-train job for method "${method}": only ${Object.keys(GAN_TRAININGS).join(', ')} train on workers`);
  }
  return GAN_TRAININGS[method];
}

export const ganTrainKind: JobKind<GanTrainPayload, GanTrainResult> = {
  kind: GAN_TRAIN,
  async run(payload: GanTrainPayload, ctx: KindContext): Promise<GanTrainResult> {
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lacuna-gan-job-'));
    try {
      // The later of the coordinator's checkpoint and the one a dead worker left in Redis.
      const saved = await ctx.checkpoint.load();
      const fromRedis = saved ? JSON.parse(saved) as CheckpointFiles : undefined;
      const start = [payload.checkpoint, fromRedis]
        .reduce<CheckpointFiles | undefined>((a, b) => (b && (!a || b.step > a.step) ? b : a), undefined);
      if (start) unpackCheckpoint(workDir, start);
      const { train } = ganTrainingFor(payload.method ?? 'gan').trainingOf(
        { dataset: ctx.dataset, trainFolds: payload.trainFolds, gapModel: payload.gapModel, seed: payload.seed, workDir },
        payload.methodOptions,
      );
      const [{ initEngine }, gan] = await Promise.all([import('../engine/init'), import('../reconstruct/gan')]);
      await initEngine({ quiet: true });
      // In the scratch folder whatever the method: the coordinator decides where the checkpoint lands.
      const model = await gan.trainGan({
        ...train, checkpointDir: workDir, quiet: true, checkpointSeconds: payload.checkpointSeconds,
        onProgress: (p) => ctx.progress(
          Math.min(1, p.trainSeconds / train.seconds),
          `${payload.modelId}: step ${p.step}, D ${p.losses.d.toFixed(3)} G ${p.losses.g.toFixed(3)}`,
        ),
        onCheckpoint: async () => { await ctx.checkpoint.save(JSON.stringify(packCheckpoint(workDir))); },
      });
      model.generator.dispose();
      return { checkpoint: packCheckpoint(workDir)!, step: model.step, resumedFrom: start?.step ?? 0 };
    } finally {
      fs.rmSync(workDir, { recursive: true, force: true });
    }
  },
};

/**
 * Trains, through the queue, every model a trained method's run still needs for its folds left
 * (a model whose checkpoint has used its budget is not sent again); each final checkpoint lands in
 * the run's model folder, where runReconstruction then finds it trained.
 */
export async function trainModelsOnQueue(
  options: ReconstructRunOptions,
  q: {
    url: string; dataset: CachedDataset; attempts?: number;
    onOutcome?: (o: DispatchOutcome) => void; log?: (line: string) => void;
  },
): Promise<void> {
  const run = prepareReconstruction(options);
  const training = ganTrainingFor(options.method);
  const plan = repairPlan(run.allFolds, options.foldScheme ?? DEFAULT_FOLD_SCHEME);
  const needed = [...new Map(run.todo.map((f) => modelForFold(plan, f)).map((m) => [m.id, m])).values()];
  const methodOptions = options.methodOptions ?? {};
  const budget = training.budgetSeconds(methodOptions);
  const trained = (dir: string) => {
    const latest = readJsonIfExists<{ checkpoint: string }>(path.join(dir, 'latest.json'));
    const state = latest && readJsonIfExists<{ trainSeconds: number }>(path.join(dir, latest.checkpoint, 'state.json'));
    return Boolean(state && state.trainSeconds >= budget);
  };
  const dataset = datasetRefAt(q.dataset, 16000);
  const label = `${options.method} ${gapModelLabel(options.gapModel)}`;
  // A model for every gap model (gan-masked) is named by its folder and budget, not by this gap model's run.
  const { gapModel: _gapModel, parameters: _parameters, ...shared } = run.config;
  const models = needed.map((m) => ({ m, dir: ganCheckpointDir(options, run.dir, m.id) }));
  const jobs: QueuedJob[] = models.filter(({ dir }) => !trained(dir)).map(({ m, dir }) => {
    const checkpoint = packCheckpoint(dir);
    const payload: GanTrainPayload = {
      method: options.method, methodOptions, gapModel: options.gapModel, seed: options.seed, modelId: m.id,
      trainFolds: [...m.trainFolds], checkpointSeconds: checkpointSeconds(), ...(checkpoint ? { checkpoint } : {}),
    };
    const id = getMethod(options.method).oneModelForAllGaps
      ? { dir, config: shared, budget, model: m.id }
      : { dir: run.dir, config: run.config, model: m.id };
    return {
      // Not the checkpoint: a restarted coordinator finds the same job (and its checkpoint in Redis).
      id: jobIdFor(GAN_TRAIN, id),
      label: `train ${label} model ${m.id}`,
      envelope: { kind: GAN_TRAIN, lacunaVersion: lacunaVersion(), dataset, payload },
      onResult: (result: GanTrainResult) => {
        if (result.checkpoint.step >= stepIn(dir)) unpackCheckpoint(dir, result.checkpoint);
        const resumed = result.resumedFrom ? ` (resumed from step ${result.resumedFrom})` : '';
        (q.log ?? console.log)(`${label} model ${m.id}: ${result.step} steps${resumed}`);
      },
    };
  });
  const outcome = await dispatchJobs(jobs, {
    url: q.url, label: `train ${label} on the queue`, quiet: options.quiet, attempts: q.attempts, log: q.log,
  });
  q.onOutcome?.(outcome);
  if (outcome.failures.length) {
    throw new QueueJobsFailedError(`${outcome.failures.length} of ${jobs.length} GAN training job(s) failed for good:\n` +
      outcome.failures.map((f) => `  ${f.label}: ${f.reason}`).join('\n')
      + '\nFix the cause and run the same command again: trained models and checkpoints are kept.');
  }
}
