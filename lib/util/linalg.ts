import { check } from './errors';

/**
 * Dense symmetric positive-definite algebra on row-major Float64Arrays, enough for ridge
 * regression in dual form (an n x n kernel with n ~ 1000: a Cholesky factorisation is ~n³/3
 * multiply-adds, well under a second in plain JavaScript).
 */

/** Lower-triangular L with L Lᵀ = a (n x n, row-major). Throws when a is not positive definite. */
export function cholesky(a: Float64Array, n: number): Float64Array {
  check(a.length === n * n, `expected ${n}x${n} values, got ${a.length}`);
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const li = i * n;
    for (let j = 0; j <= i; j++) {
      const lj = j * n;
      let s = a[li + j];
      for (let k = 0; k < j; k++) s -= l[li + k] * l[lj + k];
      if (i === j) {
        check(s > 0, `matrix is not positive definite (pivot ${i}: ${s})`);
        l[li + i] = Math.sqrt(s);
      } else {
        l[li + j] = s / l[lj + j];
      }
    }
  }
  return l;
}

/** X with (L Lᵀ) X = b for b of n x k (row-major), by forward then back substitution. */
export function choleskySolve(l: Float64Array, n: number, b: Float64Array, k: number): Float64Array {
  check(b.length === n * k, `right-hand side has ${b.length} values, expected ${n}x${k}`);
  const y = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const f = l[i * n + j];
      if (f !== 0) for (let c = 0; c < k; c++) y[i * k + c] -= f * y[j * k + c];
    }
    for (let c = 0; c < k; c++) y[i * k + c] /= l[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    for (let j = i + 1; j < n; j++) {
      const f = l[j * n + i];
      if (f !== 0) for (let c = 0; c < k; c++) y[i * k + c] -= f * y[j * k + c];
    }
    for (let c = 0; c < k; c++) y[i * k + c] /= l[i * n + i];
  }
  return y;
}

/** Diagonal of (L Lᵀ)⁻¹: entry i is the squared norm of column i of L⁻¹. */
export function inverseDiagonal(l: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n);
  const col = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // Column i of L⁻¹ solves L x = e_i; its entries above i are zero.
    col.fill(0, i);
    for (let r = i; r < n; r++) {
      let s = r === i ? 1 : 0;
      for (let c = i; c < r; c++) s -= l[r * n + c] * col[c];
      col[r] = s / l[r * n + r];
      out[i] += col[r] * col[r];
    }
  }
  return out;
}
