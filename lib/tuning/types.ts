/**
 * The tuning contracts that other folders read: a search space and its points, and the record of
 * one finished trial (lib/plots draws them; the check-layers script places this module below it).
 */

export type CategoryValue = string | number | boolean;

export type Dimension =
  /** Uniform in [low, high] (`scale: 'log'`: uniform in log, low > 0). */
  | { name: string; kind: 'real'; low: number; high: number; scale?: 'linear' | 'log' }
  /** Integers low..high, both included. */
  | { name: string; kind: 'integer'; low: number; high: number }
  /** One of `values` (one-hot in the surrogate, so their order means nothing). */
  | { name: string; kind: 'categorical'; values: CategoryValue[] }
  /** Powers of two from `low` to `high` (both powers of two), uniform in the exponent. */
  | { name: string; kind: 'power-of-two'; low: number; high: number };

export interface SearchSpace {
  dimensions: Dimension[];
}

/** One point: a value per dimension name. */
export type Point = Record<string, CategoryValue>;

/** 'validation': the honest score; 'test': the reference's optimistic one (test folds chose the point). */
export type ObjectiveKind = 'validation' | 'test';

/** One finished point of a study (trials/trial-NNNN.json). */
export interface TrialRecord {
  /** 0-based call number. */
  index: number;
  params: Point;
  /** What the optimiser maximised: mean validation accuracy, or mean test accuracy when optimistic. */
  score: number;
  objective: ObjectiveKind;
  /** True when the score is test accuracy (the reference's objective). */
  optimistic: boolean;
  validation: { perFold: number[]; mean: number };
  test: { perFold: number[]; mean: number };
  folds: number[];
  epochsRun: number[];
  seconds: number;
  engine: string;
  finishedAt: string;
}
