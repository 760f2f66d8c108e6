import { initEngine, isEngineName } from '../engine';
import { ConfigMismatchError } from '../util/errors';
import { diffKeys } from '../util/owned-dir';
import { Experiment, ExperimentRecipe, buildExperiment } from '../experiments/recipe';
import { TrainingUnit, UnitResult, runUnit, unitTrainRows } from '../experiments/unit';
import type { CachedDataset } from '../types';
import type { FeatureProvider } from '../experiments/types';
import type { JobKind, KindContext } from './job-kind';
import { EncodedWeights, decodeWeights, encodeWeights } from './weights-codec';

/** A grid unit as a job: the unit, how to build its model path, and what that path must look like. */
export interface CvUnitPayload {
  recipe: ExperimentRecipe;
  /** Engine the coordinator was told to use (--engine); else the worker's own choice. */
  engine?: string;
  unit: TrainingUnit;
  /** The coordinator's modelConfig and provider.describe(): a worker whose own differ refuses. */
  expect: { modelConfig: Record<string, unknown>; features: Record<string, unknown> };
  /** Weights the coordinator has cached for this unit (only evaluations left to do). */
  cachedWeights?: EncodedWeights;
}

export type CvUnitResult = Omit<UnitResult, 'weights'> & { weights?: EncodedWeights };

export const CV_UNIT = 'cv-unit';

// Built once per dataset and recipe in a worker: providers cache the features they compute.
const experiments = new Map<string, Promise<Experiment>>();

export function experimentFor(dataset: CachedDataset, recipe: ExperimentRecipe): Promise<Experiment> {
  const key = JSON.stringify([dataset.cacheDir, dataset.fingerprint, recipe]);
  if (!experiments.has(key)) experiments.set(key, buildExperiment(dataset, recipe));
  return experiments.get(key)!;
}

/**
 * Runs a unit as a worker: this machine's engine (or the one the job names), its own model path,
 * refused when that path differs from the coordinator's. `provide` may wrap the path's features
 * (classification after repair serves repaired ones).
 */
export async function runCvUnit(
  payload: CvUnitPayload,
  ctx: KindContext,
  provide?: (e: Experiment) => Promise<FeatureProvider>,
): Promise<CvUnitResult> {
  if (payload.engine !== undefined && isEngineName(payload.engine)) await initEngine({ engine: payload.engine, quiet: true });
  else await initEngine({ quiet: true });
  const e = await experimentFor(ctx.dataset, payload.recipe);
  const differs = [
    ...diffKeys(payload.expect.modelConfig, e.modelConfig, 'modelConfig'),
    ...diffKeys(payload.expect.features, JSON.parse(JSON.stringify(e.provider.describe())), 'features'),
  ];
  if (differs.length) throw new ConfigMismatchError(`this worker's model path differs from the coordinator's in: ${differs.join(', ')}`);
  const { unit } = payload;
  const clipFolds = ctx.dataset.clips.map((c) => c.fold);
  const total = unitTrainRows(unit, clipFolds) + unit.evaluations.length * clipFolds.filter((f) => f === unit.fold).length;
  let done = 0;
  const provider = provide ? await provide(e) : e.provider;
  const result = await runUnit({ provider, modelFactory: e.modelFactory }, unit, {
    cachedWeights: payload.cachedWeights && decodeWeights(payload.cachedWeights),
    onRows: (rows, note) => { done += rows; ctx.progress(total > 0 ? done / total : 0, note); },
    // A turn of the event loop before every optimiser step: a fold's training on a large dataset runs for
    // minutes, and the job's lock is renewed (and SIGTERM heard) only between steps.
    checkpoint: () => new Promise<void>((resolve) => setImmediate(resolve)),
  });
  return { ...result, weights: result.weights && encodeWeights(result.weights) };
}

export const cvUnitKind: JobKind<CvUnitPayload, CvUnitResult> = {
  kind: CV_UNIT,
  run: (payload: CvUnitPayload, ctx: KindContext) => runCvUnit(payload, ctx),
};
