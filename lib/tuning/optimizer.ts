/**
 * Optimisers behind one interface: given the points finished so far, propose the next. A proposal
 * is a pure function of the optimiser's settings (seed included) and the finished points, so a
 * study that resumes from disk proposes exactly what an uninterrupted one would have.
 */
import { Rng } from '../util/rng';
import { check } from '../util/errors';
import { encodePoint, pointFromUnit, samePoint, spaceToJson, validatePoint, validateSpace } from './space';
import type { Point, SearchSpace } from './types';
import { latinHypercube, uniformPoints } from './design';
import { fitForest } from './surrogate';
import { ACQUISITIONS, AcquisitionName, lowerConfidenceBound, negativeExpectedImprovement } from './acquisition';

/** A finished point and the value the optimiser minimises there. */
export interface Observation {
  point: Point;
  loss: number;
}

export interface Optimizer {
  /** Everything that shapes the proposals (recorded with a study; a study refuses other settings). */
  readonly settings: Record<string, unknown>;
  propose(observations: readonly Observation[]): Point;
}

export interface SmboOptions {
  seed: number;
  /** Latin-hypercube points before the surrogate takes over (>= 2). Default 10 (scikit-optimize's). */
  initialPoints?: number;
  /** Default 'lcb'. */
  acquisition?: AcquisitionName;
  /** LCB's exploration weight (>= 0). Default 1.96; the reference used 3 (CNN) and 4 (YAMNet). */
  kappa?: number;
  /** EI's minimum improvement, in loss units (>= 0). Default 0.01. */
  xi?: number;
  /** Random points of the space scored per proposal. Default 2000. */
  candidates?: number;
  /** Trees of the surrogate forest. Default 100. */
  trees?: number;
  /**
   * Points evaluated first, before the Latin hypercube (scikit-optimize's `x0`): the untuned defaults,
   * so a study's best is never worse, on its own score, than not tuning.
   */
  startPoints?: readonly Point[];
}

/**
 * Sequential model-based optimisation as scikit-optimize's forest_minimize: a Latin-hypercube
 * start, then each proposal fits a random forest to the finished points and takes, among
 * `candidates` seeded random points of the space, the one with the best acquisition value.
 */
export function createSmbo(space: SearchSpace, options: SmboOptions): Optimizer {
  validateSpace(space);
  const settings = {
    method: 'smbo-random-forest', seed: options.seed, initialPoints: options.initialPoints ?? 10,
    acquisition: options.acquisition ?? 'lcb', kappa: options.kappa ?? 1.96, xi: options.xi ?? 0.01,
    candidates: options.candidates ?? 2000, trees: options.trees ?? 100,
    startPoints: (options.startPoints ?? []).map((p, i) => validatePoint(space, { ...p }, `start point ${i + 1}`)),
  };
  check(Number.isInteger(settings.seed), `seed must be an integer, got ${settings.seed}`);
  check(Number.isInteger(settings.initialPoints) && settings.initialPoints >= 2, `initial points must be an integer >= 2, got ${settings.initialPoints}`);
  check(ACQUISITIONS.includes(settings.acquisition), `acquisition must be one of ${ACQUISITIONS.join(', ')}; got "${settings.acquisition}"`);
  check(Number.isFinite(settings.kappa) && settings.kappa >= 0, `kappa must be >= 0, got ${settings.kappa}`);
  check(Number.isFinite(settings.xi) && settings.xi >= 0, `xi must be >= 0, got ${settings.xi}`);
  check(Number.isInteger(settings.candidates) && settings.candidates >= 1, `candidates must be an integer >= 1, got ${settings.candidates}`);
  check(Number.isInteger(settings.trees) && settings.trees >= 1, `trees must be an integer >= 1, got ${settings.trees}`);
  const root = new Rng(settings.seed);
  const d = space.dimensions.length;
  const initial = latinHypercube(settings.initialPoints, d, root.fork('initial')).map((u) => pointFromUnit(space, u));

  return {
    settings: { ...settings, space: spaceToJson(space) },
    propose(observations) {
      const n = observations.length;
      const starts = settings.startPoints.length;
      if (n < starts) return settings.startPoints[n];
      const usable = observations.filter((o) => Number.isFinite(o.loss));
      if (n < starts + settings.initialPoints || usable.length < 2) return initial[(n - starts) % settings.initialPoints];
      const rng = root.fork(`proposal-${n}`);
      const predict = fitForest(usable.map((o) => encodePoint(space, o.point)), usable.map((o) => o.loss), { seed: rng.nextSeed(), trees: settings.trees });
      const candidates = uniformPoints(settings.candidates, d, rng)
        .map((u) => pointFromUnit(space, u))
        .filter((p) => !observations.some((o) => samePoint(space, o.point, p)));
      if (candidates.length === 0) return pointFromUnit(space, uniformPoints(1, d, rng)[0]);
      const { mean, std } = predict(candidates.map((p) => encodePoint(space, p)));
      const best = Math.min(...usable.map((o) => o.loss));
      const score = (i: number) => (settings.acquisition === 'ei'
        ? negativeExpectedImprovement(mean[i], std[i], best, settings.xi)
        : lowerConfidenceBound(mean[i], std[i], settings.kappa));
      let pick = 0;
      for (let i = 1; i < candidates.length; i++) if (score(i) < score(pick)) pick = i;
      return candidates[pick];
    },
  };
}

/** Random search: each proposal a uniform point of the space, drawn from the seed and the call's index. */
export function createRandomSearch(space: SearchSpace, options: { seed: number }): Optimizer {
  validateSpace(space);
  check(Number.isInteger(options.seed), `seed must be an integer, got ${options.seed}`);
  const root = new Rng(options.seed);
  return {
    settings: { method: 'random', seed: options.seed, space: spaceToJson(space) },
    propose(observations) {
      return pointFromUnit(space, uniformPoints(1, space.dimensions.length, root.fork(`proposal-${observations.length}`))[0]);
    },
  };
}

/** Runs an optimiser on a synchronous function for `calls` evaluations; returns the observations in order. */
export function minimize(optimizer: Optimizer, f: (point: Point) => number, calls: number): Observation[] {
  const observations: Observation[] = [];
  for (let k = 0; k < calls; k++) {
    const point = optimizer.propose(observations);
    observations.push({ point, loss: f(point) });
  }
  return observations;
}

/** Lowest loss after each call (the best-so-far curve). */
export function bestSoFar(observations: readonly Observation[]): number[] {
  let best = Infinity;
  return observations.map((o) => (best = Math.min(best, o.loss)));
}
