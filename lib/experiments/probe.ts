import * as tf from '@tensorflow/tfjs';
import { check } from '../util/errors';
import { cholesky, choleskySolve, inverseDiagonal } from '../util/linalg';
import type { FeatureMatrix } from './types';
import { gatherRows, rowSize } from './features';
import { Standardizer, fitStandardizer, standardize } from './standardize';

/**
 * A linear probe: one-vs-rest ridge regression on standardised features, a baseline that says
 * how much of the task the features already make linearly separable. Fitted in closed form in
 * dual form (an n x n kernel; cheap when n training rows < d features, as for YAMNet's 8192-d
 * embeddings). Everything it fits — mean, spread, penalty, weights — comes from the training rows.
 */
export interface LinearProbeOptions {
  /**
   * Candidate ridge penalties, as multiples of the feature count d (the mean diagonal of the
   * standardised kernel), so that one grid suits any d. The penalty is chosen by exact
   * leave-one-out accuracy over the training rows (ties: lower leave-one-out squared error).
   */
  penalties: number[];
}

export const LINEAR_PROBE: Readonly<LinearProbeOptions> = Object.freeze({ penalties: [0.03, 0.1, 0.3, 1, 3, 10] });

export interface LinearProbe {
  standardizer: Standardizer;
  /** The chosen penalty (multiple of d) and its leave-one-out accuracy on the training rows. */
  penalty: number;
  looAccuracy: number;
  /**
   * The probe as one affine map of the matrix it was fitted on, standardisation folded in:
   * score[c] = Σ_j x[j]·weights[j·k + c] + bias[c] (weights [d, k] row-major). Its argmax is predict()'s.
   */
  weights: Float32Array;
  bias: Float64Array;
  /** Leave-one-out scores of the training rows at the chosen penalty ([n, k], in the order of `rows`). */
  looScores: Float64Array;
  /** Predicted class per row, for rows of any matrix with the same features (clean or corrupted). */
  predict(matrix: FeatureMatrix, rows: readonly number[]): number[];
}

/** Row-major argmax over k columns. */
function argmax(values: ArrayLike<number>, k: number, row: number): number {
  let best = 0;
  for (let j = 1; j < k; j++) if (values[row * k + j] > values[row * k + best]) best = j;
  return best;
}

/**
 * a · b (transposed as asked) as plain values. The transposes are materialised first: wasm's
 * matMul with a transposed operand is ~6x slower for a 900 x 8192 kernel (3.8 s against 0.6 s).
 */
function matMulValues(a: Float32Array, aShape: [number, number], b: Float32Array, bShape: [number, number], transposeA = false, transposeB = false): Float32Array {
  const product = tf.tidy(() => {
    const ta = tf.tensor2d(a, aShape);
    const tb = tf.tensor2d(b, bShape);
    return tf.matMul(transposeA ? tf.transpose(ta) : ta, transposeB ? tf.transpose(tb) : tb);
  });
  try {
    return product.dataSync() as Float32Array;
  } finally {
    product.dispose();
  }
}

/** W and b with x·W + b = ((x - mean) / scale)·`weights` + `offset`, for x in the unstandardised space. */
function foldStandardizer(
  weights: Float32Array, s: Standardizer, offset: Float64Array, k: number,
): { weights: Float32Array; bias: Float64Array } {
  const folded = new Float32Array(weights.length);
  const bias = Float64Array.from(offset);
  for (let j = 0; j < s.mean.length; j++) {
    for (let c = 0; c < k; c++) {
      const w = weights[j * k + c] / s.scale[j];
      folded[j * k + c] = w;
      bias[c] -= s.mean[j] * w;
    }
  }
  return { weights: folded, bias };
}

/** Fits the probe on `rows` of `matrix` (the training folds' rows). */
export function fitLinearProbe(matrix: FeatureMatrix, labels: ArrayLike<number>, rows: readonly number[], numClasses: number, options: LinearProbeOptions = LINEAR_PROBE): LinearProbe {
  check(rows.length >= 2, 'the linear probe needs at least 2 training rows');
  check(options.penalties.length > 0 && options.penalties.every((p) => p > 0), 'probe penalties must be > 0');
  const n = rows.length;
  const d = rowSize(matrix);
  const k = numClasses;
  const standardizer = fitStandardizer(matrix, rows);
  const x = gatherRows(standardize(matrix, standardizer), rows);
  const gram = Float64Array.from(matMulValues(x, [n, d], x, [n, d], false, true));
  // Centred one-hot targets: the features are centred on the training rows, so the intercept
  // is the targets' mean and stays unpenalised.
  const yMean = new Float64Array(k);
  rows.forEach((r) => { yMean[labels[r]] += 1 / n; });
  const y = new Float64Array(n * k);
  rows.forEach((r, i) => { for (let c = 0; c < k; c++) y[i * k + c] = (labels[r] === c ? 1 : 0) - yMean[c]; });

  let chosen: { penalty: number; accuracy: number; error: number; dual: Float64Array; looScores: Float64Array } | undefined;
  for (const penalty of options.penalties) {
    const a = Float64Array.from(gram);
    for (let i = 0; i < n; i++) a[i * n + i] += penalty * d;
    const l = cholesky(a, n);
    const dual = choleskySolve(l, n, y, k);
    const invDiag = inverseDiagonal(l, n);
    // Ridge's leave-one-out residual of row i is dual_i / [(K + λI)⁻¹]_ii (no refit needed).
    let hits = 0;
    let error = 0;
    const looScores = new Float64Array(n * k);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < k; c++) {
        const residual = dual[i * k + c] / invDiag[i];
        looScores[i * k + c] = y[i * k + c] - residual + yMean[c];
        error += residual * residual;
      }
      if (argmax(looScores, k, i) === labels[rows[i]]) hits++;
    }
    const accuracy = hits / n;
    if (!chosen || accuracy > chosen.accuracy || (accuracy === chosen.accuracy && error < chosen.error)) {
      chosen = { penalty, accuracy, error, dual, looScores };
    }
  }
  const { dual } = chosen!;
  // Primal weights W = Xᵀ A ([d, k]): prediction then needs no training rows.
  const weights = matMulValues(x, [n, d], Float32Array.from(dual), [n, k], true);
  const affine = foldStandardizer(weights, standardizer, yMean, k);
  return {
    standardizer, penalty: chosen!.penalty, looAccuracy: chosen!.accuracy, looScores: chosen!.looScores, ...affine,
    predict(m: FeatureMatrix, predictRows: readonly number[]): number[] {
      check(rowSize(m) === d, `the probe was fitted on ${d} features, the matrix has ${rowSize(m)}`);
      const z = standardize({ data: gatherRows(m, predictRows), rows: predictRows.length, rowShape: m.rowShape }, standardizer).data;
      const scores = matMulValues(z, [predictRows.length, d], weights, [d, k]);
      return predictRows.map((_, i) => argmax(scores.map((v, j) => v + yMean[j % k]), k, i));
    },
  };
}
