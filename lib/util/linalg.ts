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

/**
 * The eigenvalues of the symmetric n x n matrix `a` (row-major; not modified), ascending order not
 * guaranteed: Householder reduction to tridiagonal form, then the implicit QL iteration (tred2 and
 * tqli of Numerical Recipes, eigenvalues only), ~(4/3)n³ multiply-adds.
 */
export function symmetricEigenvalues(a: Float64Array, n: number): Float64Array {
  check(a.length === n * n, `expected ${n}x${n} values, got ${a.length}`);
  const m = a.slice();
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  for (let i = n - 1; i > 0; i--) {
    const l = i - 1;
    let h = 0;
    if (l > 0) {
      let scale = 0;
      for (let k = 0; k <= l; k++) scale += Math.abs(m[i * n + k]);
      if (scale === 0) e[i] = m[i * n + l];
      else {
        for (let k = 0; k <= l; k++) { m[i * n + k] /= scale; h += m[i * n + k] * m[i * n + k]; }
        let f = m[i * n + l];
        let g = f >= 0 ? -Math.sqrt(h) : Math.sqrt(h);
        e[i] = scale * g;
        h -= f * g;
        m[i * n + l] = f - g;
        f = 0;
        for (let j = 0; j <= l; j++) {
          g = 0;
          for (let k = 0; k <= j; k++) g += m[j * n + k] * m[i * n + k];
          for (let k = j + 1; k <= l; k++) g += m[k * n + j] * m[i * n + k];
          e[j] = g / h;
          f += e[j] * m[i * n + j];
        }
        const hh = f / (h + h);
        for (let j = 0; j <= l; j++) {
          f = m[i * n + j];
          g = e[j] - hh * f;
          e[j] = g;
          for (let k = 0; k <= j; k++) m[j * n + k] -= f * e[k] + g * m[i * n + k];
        }
      }
    } else e[i] = m[i * n + l];
    d[i] = h;
  }
  for (let i = 0; i < n; i++) d[i] = m[i * n + i];
  // Implicit QL on the tridiagonal (d, e). An off-diagonal counts as zero when it is rounding noise
  // next to its diagonal neighbours or next to the whole matrix (1e-6 of EPSILON x norm): without
  // the second test, clusters of eigenvalues near zero (rank-deficient Gram matrices) never deflate.
  let norm = 0;
  for (let i = 0; i < n; i++) norm = Math.max(norm, Math.abs(d[i]) + Math.abs(e[i]));
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  if (n > 0) e[n - 1] = 0;
  for (let l = 0; l < n; l++) {
    let iter = 0;
    let mm: number;
    do {
      for (mm = l; mm < n - 1; mm++) {
        const dd = Math.abs(d[mm]) + Math.abs(d[mm + 1]);
        if (Math.abs(e[mm]) <= Number.EPSILON * (dd + 1e-6 * norm)) break;
      }
      if (mm !== l) {
        check(iter++ < 200, 'symmetricEigenvalues: no convergence after 200 QL iterations');
        let g = (d[l + 1] - d[l]) / (2 * e[l]);
        let r = Math.hypot(g, 1);
        g = d[mm] - d[l] + e[l] / (g + (g >= 0 ? Math.abs(r) : -Math.abs(r)));
        let s = 1;
        let c = 1;
        let p = 0;
        let i: number;
        for (i = mm - 1; i >= l; i--) {
          const f = s * e[i];
          const b = c * e[i];
          r = Math.hypot(f, g);
          e[i + 1] = r;
          if (r === 0) { d[i + 1] -= p; e[mm] = 0; break; }
          s = f / r;
          c = g / r;
          g = d[i + 1] - p;
          r = (d[i] - g) * s + 2 * c * b;
          p = s * r;
          d[i + 1] = g + p;
          g = c * r - b;
        }
        if (r === 0 && i >= l) continue;
        d[l] -= p;
        e[l] = g;
        e[mm] = 0;
      }
    } while (mm !== l);
  }
  return d;
}
