import { lacunaVersion } from '../data';
import { initEngine, isEngineName } from '../engine';
import type { CachedDataset } from '../types';
import { ConfigMismatchError } from '../util/errors';
import { diffKeys } from '../util/owned-dir';
import type { ExperimentRecipe } from '../experiments/recipe';
import type { Point } from '../tuning/types';
import type { Evaluation } from '../tuning/study';
import { TunePointSettings, TuneOptions, evaluatePoint } from '../tuning/tune';
import { BATCH_STRATEGY } from '../tuning/batch';
import type { JobKind, KindContext } from './job-kind';
import { jobIdFor } from './envelope';
import { experimentFor } from './cv-unit';
import { DispatchOutcome, QueuedJob, dispatchJobs } from './coordinator';
import { QueueJobsFailedError, datasetRef } from './grid';

/** One tuning point: its cross-validation over the study's folds. */
export interface TunePointPayload {
  recipe: ExperimentRecipe;
  engine?: string;
  params: Point;
  settings: TunePointSettings;
  /** The coordinator's provider.describe(): a worker whose features differ refuses. */
  expectFeatures: Record<string, unknown>;
}

export const TUNE_POINT = 'tune-point';

export const tunePointKind: JobKind<TunePointPayload, Evaluation> = {
  kind: TUNE_POINT,
  async run(payload: TunePointPayload, ctx: KindContext): Promise<Evaluation> {
    if (payload.engine !== undefined && isEngineName(payload.engine)) await initEngine({ engine: payload.engine, quiet: true });
    else await initEngine({ quiet: true });
    const e = await experimentFor(ctx.dataset, payload.recipe);
    const differs = diffKeys(payload.expectFeatures, JSON.parse(JSON.stringify(e.provider.describe())), 'features');
    if (differs.length) throw new ConfigMismatchError(`this worker's features differ from the coordinator's in: ${differs.join(', ')}`);
    ctx.progress(0, `${payload.settings.model} point on folds ${payload.settings.folds.join(',')}`);
    return evaluatePoint(e.provider, payload.params, payload.settings);
  },
};

export interface QueueTuneOptions {
  url: string;
  /** The cache the study is planned on (16 kHz for YAMNet, 8 kHz for the CNN). */
  dataset: CachedDataset;
  recipe: ExperimentRecipe;
  engine?: string;
  /** Points handed out at a time: the number of workers. 1 proposes exactly what a local study does. */
  batchSize: number;
  /** The study's folder: it names the jobs, so two studies never share one. */
  dir: string;
  quiet?: boolean;
  log?: (line: string) => void;
  /** Told how each batch's dispatch went. */
  onOutcome?: (outcome: DispatchOutcome) => void;
}

/**
 * TuneOptions.batch for tune(): each batch of proposals (constant liar, scikit-optimize's
 * `ask(n_points, strategy='cl_min')`) becomes tune-point jobs; results come back in proposal order.
 */
export function tuneBatchOnQueue(provider: TuneOptions['provider'], q: QueueTuneOptions): NonNullable<TuneOptions['batch']> {
  const dataset = datasetRef(q.dataset, q.recipe);
  const expectFeatures = JSON.parse(JSON.stringify(provider.describe()));
  (q.log ?? console.log)(`tuning on the queue: ${q.batchSize} point(s) at a time,`
    + ` proposed by constant liar (${BATCH_STRATEGY}, as scikit-optimize's Optimizer.ask)`);
  return {
    size: q.batchSize,
    async evaluate(points, settings) {
      const results = new Array<Evaluation | undefined>(points.length);
      const jobs: QueuedJob[] = points.map(({ params, index }, i) => {
        const payload: TunePointPayload = { recipe: q.recipe, ...(q.engine ? { engine: q.engine } : {}), params, settings, expectFeatures };
        return {
          id: jobIdFor(TUNE_POINT, { dir: q.dir, index, params, settings }),
          label: `tune ${settings.model} call ${index + 1}`,
          envelope: { kind: TUNE_POINT, lacunaVersion: lacunaVersion(), dataset, payload },
          onResult: (r: Evaluation) => { results[i] = r; },
        };
      });
      const outcome = await dispatchJobs(jobs, { url: q.url, label: `tuning ${settings.model} on the queue`, quiet: q.quiet, log: q.log });
      q.onOutcome?.(outcome);
      if (outcome.failures.length) {
        throw new QueueJobsFailedError(`${outcome.failures.length} tuning point(s) failed for good:\n`
          + outcome.failures.map((f) => `  ${f.label}: ${f.reason}`).join('\n')
          + '\nFix the cause and run the same command again: finished points are kept.');
      }
      return results as Evaluation[];
    },
  };
}
