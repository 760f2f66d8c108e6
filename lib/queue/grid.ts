import * as path from 'path';
import { lacunaVersion } from '../data';
import { LacunaError } from '../util/errors';
import type { CachedDataset } from '../types';
import { CrossValOptions, PlannedUnit, cachedWeightsOf, planCrossValidation } from '../experiments/crossval';
import { ExperimentRecipe, recipeSampleRate } from '../experiments/recipe';
import type { RunSummary } from '../experiments/types';
import { DatasetRef, jobIdFor } from './envelope';
import { CV_UNIT, CvUnitPayload, CvUnitResult } from './cv-unit';
import { DispatchOutcome, QueuedJob, dispatchJobs } from './coordinator';
import { decodeWeights, encodeWeights } from './weights-codec';

export interface QueueCrossValOptions {
  url: string;
  /** The dataset the coordinator planned on (its cache's name, variant and fingerprint travel). */
  dataset: CachedDataset;
  recipe: ExperimentRecipe;
  engine?: string;
  attempts?: number;
  /** Told how the dispatch went (benchmarks read the workers' busy time). */
  onOutcome?: (outcome: DispatchOutcome) => void;
  /** Units as another job kind (classification after repair): its name and what it adds to each unit's payload and id. */
  unitKind?: { kind: string; extend(planned: PlannedUnit): { payload: object; id: object } };
}

/** A permanent job failure, reported once every other job has finished. */
export class QueueJobsFailedError extends LacunaError {}

/** The dataset as a worker finds its own copy: name, cache variant, rate, fingerprint. */
export function datasetRef(dataset: CachedDataset, recipe: ExperimentRecipe): DatasetRef {
  return datasetRefAt(dataset, recipeSampleRate(recipe));
}

/** The same for a cache of a given rate (reconstruction works on the 16 kHz one). */
export function datasetRefAt(dataset: CachedDataset, sampleRate: number): DatasetRef {
  return { name: dataset.name, variant: path.basename(path.dirname(dataset.cacheDir)), sampleRate, fingerprint: dataset.fingerprint };
}

/**
 * runCrossValidation with the units run by queue workers: the same plan, the same results
 * layout written by this process alone, the same summaries. Units with saved results are not
 * enqueued; a restarted call finds its jobs already queued (or finished) instead of adding more.
 */
export async function runCrossValidationOnQueue(options: CrossValOptions, q: QueueCrossValOptions): Promise<RunSummary[]> {
  const plan = planCrossValidation(options);
  const expect = { modelConfig: options.modelConfig, features: JSON.parse(JSON.stringify(options.provider.describe())) };
  const dataset = datasetRef(q.dataset, q.recipe);
  const jobs: QueuedJob[] = plan.units.map((planned) => {
    const cached = cachedWeightsOf(planned, options);
    const kind = q.unitKind?.kind ?? CV_UNIT;
    const extra = q.unitKind?.extend(planned);
    const payload: CvUnitPayload = {
      recipe: q.recipe, ...(q.engine ? { engine: q.engine } : {}), unit: planned.unit, expect,
      ...(cached ? { cachedWeights: encodeWeights(cached) } : {}), ...extra?.payload,
    };
    const { unit } = planned;
    return {
      // The weight cache folder names the training variant and its config hash; the root keeps two result folders apart.
      id: jobIdFor(kind, { root: options.root, cache: path.basename(planned.cacheDir), unit, reuses: Boolean(cached), ...extra?.id }),
      label: `${kind === CV_UNIT ? '' : `${kind} `}${unit.trainKey} fold ${unit.fold}`
        + ` (${unit.evaluations.length} run${unit.evaluations.length > 1 ? 's' : ''})`,
      envelope: { kind, lacunaVersion: lacunaVersion(), dataset, payload },
      onResult: (result: CvUnitResult) => plan.store(planned, { ...result, weights: result.weights && decodeWeights(result.weights) }),
    };
  });
  const outcome = await dispatchJobs(jobs, {
    url: q.url, label: `${plan.model} units on the queue`, quiet: options.quiet, attempts: q.attempts,
  });
  q.onOutcome?.(outcome);
  const summaries = plan.finish();
  if (outcome.failures.length) {
    throw new QueueJobsFailedError(`${outcome.failures.length} of ${jobs.length} job(s) failed for good:\n` +
      outcome.failures.map((f) => `  ${f.label}: ${f.reason}`).join('\n')
      + '\nFix the cause and run the same command again: finished units are kept, failed ones are retried.');
  }
  return summaries;
}
