/**
 * Standard test functions for global optimisation (Surjanovic & Bingham's Virtual Library of
 * Simulation Experiments), used to check that the optimiser beats random search.
 */
import type { Point, SearchSpace } from './types';

/** Branin on x1 in [-5, 10], x2 in [0, 15]; global minimum 0.397887 at three points. */
export const BRANIN_SPACE: SearchSpace = {
  dimensions: [{ name: 'x1', kind: 'real', low: -5, high: 10 }, { name: 'x2', kind: 'real', low: 0, high: 15 }],
};
export const BRANIN_MINIMUM = 0.397887;

export function branin(p: Point): number {
  const x1 = p.x1 as number;
  const x2 = p.x2 as number;
  const b = 5.1 / (4 * Math.PI ** 2);
  const c = 5 / Math.PI;
  return (x2 - b * x1 ** 2 + c * x1 - 6) ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x1) + 10;
}

/** Hartmann-6 on [0, 1]^6; global minimum -3.32237. */
export const HARTMANN6_SPACE: SearchSpace = {
  dimensions: Array.from({ length: 6 }, (_, i) => ({ name: `x${i + 1}`, kind: 'real' as const, low: 0, high: 1 })),
};
export const HARTMANN6_MINIMUM = -3.32237;

const ALPHA = [1.0, 1.2, 3.0, 3.2];
const A = [
  [10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14],
];
const P = [
  [1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
  [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381],
].map((row) => row.map((v) => v * 1e-4));

export function hartmann6(p: Point): number {
  const x = HARTMANN6_SPACE.dimensions.map((d) => p[d.name] as number);
  let sum = 0;
  for (let i = 0; i < 4; i++) {
    let inner = 0;
    for (let j = 0; j < 6; j++) inner += A[i][j] * (x[j] - P[i][j]) ** 2;
    sum += ALPHA[i] * Math.exp(-inner);
  }
  return -sum;
}
