/**
 * Proposals in batches, for N workers evaluating N points at once: the constant liar of Ginsbourger
 * et al. (2010), as scikit-optimize's `Optimizer.ask(n_points, strategy='cl_min')`. Each point of
 * a batch is the optimiser's ordinary proposal after the batch's earlier points were "observed"
 * with a lie, the lowest loss so far, so the batch spreads out instead of proposing one point N
 * times. Still a pure function of the finished points: a coordinator that restarts proposes the
 * same batch, and a batch of one is exactly the one-at-a-time proposal.
 */
import type { Point } from './types';
import { Observation, Optimizer, bestSoFar } from './optimizer';
import { check } from '../util/errors';

/** The batch scheme's name as scikit-optimize users know it. */
export const BATCH_STRATEGY = 'cl_min';

/** `n` points to evaluate next, given the finished observations (constant liar, lie = min loss, 0 when none). */
export function proposeBatch(optimizer: Optimizer, observations: readonly Observation[], n: number): Point[] {
  check(Number.isInteger(n) && n >= 1, `batch size must be an integer >= 1, got ${n}`);
  const finite = observations.map((o) => o.loss).filter(Number.isFinite);
  const lie = finite.length ? Math.min(...finite) : 0;
  const seen = observations.slice();
  const batch: Point[] = [];
  for (let k = 0; k < n; k++) {
    const point = optimizer.propose(seen);
    batch.push(point);
    seen.push({ point, loss: lie });
  }
  return batch;
}

/** minimize() with `batchSize` points proposed at a time (each batch evaluated before the next is proposed). */
export function minimizeInBatches(optimizer: Optimizer, f: (point: Point) => number, calls: number, batchSize: number): Observation[] {
  const observations: Observation[] = [];
  while (observations.length < calls) {
    const batch = proposeBatch(optimizer, observations, Math.min(batchSize, calls - observations.length));
    observations.push(...batch.map((point) => ({ point, loss: f(point) })));
  }
  return observations;
}

/**
 * Calls until the best-so-far comes within `tolerance` of `minimum` (Infinity when it never does
 * within the budget): what batching costs in evaluations against one-at-a-time search.
 */
export function callsToReach(observations: readonly Observation[], minimum: number, tolerance: number): number {
  const i = bestSoFar(observations).findIndex((b) => b - minimum <= tolerance);
  return i < 0 ? Infinity : i + 1;
}
