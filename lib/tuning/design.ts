import { Rng } from '../util/rng';
import { check } from '../util/errors';

/**
 * A Latin-hypercube design of `n` points in [0, 1]^d: each axis is cut into n equal strata and
 * every stratum holds exactly one point (a random position inside it), so even a handful of
 * initial points covers every dimension's whole range. Deterministic for a given rng.
 */
export function latinHypercube(n: number, d: number, rng: Rng): number[][] {
  check(Number.isInteger(n) && n >= 1, `Latin-hypercube points must be an integer >= 1, got ${n}`);
  check(Number.isInteger(d) && d >= 1, `Latin-hypercube dimensions must be an integer >= 1, got ${d}`);
  const points = Array.from({ length: n }, () => new Array<number>(d).fill(0));
  for (let j = 0; j < d; j++) {
    const axis = rng.fork(`axis-${j}`);
    const strata = axis.shuffled(Array.from({ length: n }, (_, i) => i));
    strata.forEach((s, i) => { points[i][j] = (s + axis.uniform()) / n; });
  }
  return points;
}

/** `n` independent uniform points in [0, 1]^d. */
export function uniformPoints(n: number, d: number, rng: Rng): number[][] {
  return Array.from({ length: n }, () => Array.from({ length: d }, () => rng.uniform()));
}
