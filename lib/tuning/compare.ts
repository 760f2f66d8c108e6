import type { Point, SearchSpace } from './types';
import { Optimizer, bestSoFar, createRandomSearch, createSmbo, minimize, SmboOptions } from './optimizer';

/** Best-so-far curves of SMBO and random search on one function, per seed. */
export interface OptimizerComparison {
  calls: number;
  seeds: number[];
  smbo: number[][];
  random: number[][];
}

/**
 * Runs SMBO and random search with the same budget on `f` for each seed (seed s for both) and
 * returns their best-so-far curves: the evidence that the surrogate earns its keep.
 */
export function compareWithRandom(
  space: SearchSpace, f: (p: Point) => number, calls: number, seeds: readonly number[], smbo: Omit<SmboOptions, 'seed'> = {},
): OptimizerComparison {
  const run = (make: (seed: number) => Optimizer) => seeds.map((seed) => bestSoFar(minimize(make(seed), f, calls)));
  return {
    calls, seeds: seeds.slice(),
    smbo: run((seed) => createSmbo(space, { ...smbo, seed })),
    random: run((seed) => createRandomSearch(space, { seed })),
  };
}

/** Mean over seeds at each call. */
export function meanCurve(curves: readonly number[][]): number[] {
  return curves[0].map((_, k) => curves.reduce((s, c) => s + c[k], 0) / curves.length);
}
