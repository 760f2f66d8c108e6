import { check } from '../util/errors';
import type { FeatureMatrix } from './types';
import { rowSize } from './features';

/** Per-feature mean and spread, fitted on some rows of a matrix (the training folds'). */
export interface Standardizer {
  mean: Float32Array;
  /** Standard deviation, 1 where a feature is constant (so it maps to 0, not NaN). */
  scale: Float32Array;
}

/** Mean and population standard deviation of every feature over `rows` only. */
export function fitStandardizer(matrix: FeatureMatrix, rows: readonly number[]): Standardizer {
  check(rows.length > 0, 'standardisation needs at least one row');
  const d = rowSize(matrix);
  const sum = new Float64Array(d);
  const sumSq = new Float64Array(d);
  for (const r of rows) {
    const row = matrix.data.subarray(r * d, (r + 1) * d);
    for (let j = 0; j < d; j++) sum[j] += row[j];
  }
  const mean = Float64Array.from(sum, (s) => s / rows.length);
  // Two passes: the values (embeddings) can sit far from zero, where E[x²] - E[x]² loses digits.
  for (const r of rows) {
    const row = matrix.data.subarray(r * d, (r + 1) * d);
    for (let j = 0; j < d; j++) sumSq[j] += (row[j] - mean[j]) ** 2;
  }
  const scale = Float32Array.from(sumSq, (s) => {
    const sd = Math.sqrt(s / rows.length);
    return sd > 1e-12 ? sd : 1;
  });
  return { mean: Float32Array.from(mean), scale };
}

/** A new matrix with every row standardised: (x - mean) / scale. */
export function standardize(matrix: FeatureMatrix, s: Standardizer): FeatureMatrix {
  const d = rowSize(matrix);
  check(s.mean.length === d, `the standardizer has ${s.mean.length} features, the matrix ${d}`);
  const data = new Float32Array(matrix.data.length);
  for (let r = 0; r < matrix.rows; r++) {
    const o = r * d;
    for (let j = 0; j < d; j++) data[o + j] = (matrix.data[o + j] - s.mean[j]) / s.scale[j];
  }
  return { data, rows: matrix.rows, rowShape: matrix.rowShape };
}
