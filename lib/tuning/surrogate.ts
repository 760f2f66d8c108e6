import { RandomForestRegression } from 'ml-random-forest';
import { check } from '../util/errors';

/** Prediction of a surrogate at some points: mean and spread of the objective. */
export interface SurrogatePrediction {
  mean: number[];
  std: number[];
}

export interface ForestOptions {
  /** Trees. Default 100 (scikit-optimize's forest_minimize). */
  trees?: number;
  /** A node with at most this many rows becomes a leaf. Default 3 (scikit-optimize's min_samples_leaf). */
  minLeafRows?: number;
  /** 32-bit seed of the bootstrap and feature draws (ml-random-forest's own generator). */
  seed: number;
}

/**
 * A random-forest regression surrogate (ml-random-forest): each tree is fitted on a bootstrap
 * sample, the prediction is the trees' mean and its uncertainty the standard deviation across
 * trees — the spread scikit-optimize's forest uses. A floor keeps the spread positive where every
 * tree agrees, so expected improvement never divides by zero.
 */
export function fitForest(features: number[][], values: number[], options: ForestOptions): (points: number[][]) => SurrogatePrediction {
  check(features.length === values.length && features.length >= 2, `the forest needs >= 2 observed points, got ${features.length}`);
  check(Number.isInteger(options.seed), `the forest's seed must be an integer, got ${options.seed}`);
  const forest = new RandomForestRegression({
    nEstimators: options.trees ?? 100, maxFeatures: 1.0, replacement: false, useSampleBagging: true, noOOB: true,
    seed: options.seed, treeOptions: { minNumSamples: options.minLeafRows ?? 3 }, selectionMethod: 'mean',
  });
  forest.train(features, values);
  const spread = Math.max(...values) - Math.min(...values);
  const floor = Math.max(1e-9, 1e-6 * spread);
  return (points) => {
    const perTree = forest.predictionValues(points); // rows: points, columns: trees
    const mean: number[] = [];
    const std: number[] = [];
    for (let i = 0; i < perTree.rows; i++) {
      const row = perTree.getRow(i);
      const m = row.reduce((a, b) => a + b, 0) / row.length;
      const v = row.reduce((a, b) => a + (b - m) ** 2, 0) / row.length;
      mean.push(m);
      std.push(Math.max(floor, Math.sqrt(v)));
    }
    return { mean, std };
  };
}
