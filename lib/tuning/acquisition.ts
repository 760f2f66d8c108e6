/**
 * Acquisition functions for minimisation, written so that LOWER is better for both: the
 * optimiser proposes the candidate with the lowest acquisition value.
 */
export type AcquisitionName = 'lcb' | 'ei';

export const ACQUISITIONS: readonly AcquisitionName[] = ['lcb', 'ei'];

/** Lower confidence bound mean - kappa * std: kappa trades exploration (large) for exploitation (small). */
export function lowerConfidenceBound(mean: number, std: number, kappa: number): number {
  return mean - kappa * std;
}

/** Standard normal density. */
function normalPdf(z: number): number {
  return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
}

/** Standard normal distribution function (Abramowitz & Stegun 7.1.26 via erf, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/**
 * Expected improvement over `best` (the lowest value seen) by more than `xi`, negated so lower is
 * better: -E[max(best - xi - y, 0)] for y ~ N(mean, std²).
 */
export function negativeExpectedImprovement(mean: number, std: number, best: number, xi = 0.01): number {
  const gain = best - xi - mean;
  const z = gain / std;
  return -(gain * normalCdf(z) + std * normalPdf(z));
}
