import { check } from './errors';
import { cholesky, choleskySolve } from './linalg';

/**
 * Symmetric positive-definite banded systems (bandwidth b: entries with |i − j| > b are zero), as
 * LSAR interpolation meets them. The general banded Cholesky costs O(n·b²); a banded Toeplitz
 * matrix (its entries depend on i − j only) is factored by the generalized Schur algorithm in
 * O(n·b), the same factor up to rounding (Schur's algorithm is as stable as Cholesky on positive-
 * definite Toeplitz matrices: Bojanczyk, Brent, de Hoog & Sweet 1995, with the mixed-form rotation
 * used here).
 */

/** x with A x = rhs, A given by its lower band: band[i * (b + 1) + (i − j)] for j in [i − b, i]. O(n·b²). */
export function bandedCholeskySolve(band: Float64Array, n: number, b: number, rhs: Float64Array): Float64Array {
  const w = b + 1;
  check(band.length === n * w && rhs.length === n,
    `banded system: expected ${n} x ${w} band values and ${n} right-hand sides, got ${band.length} and ${rhs.length}`);
  const L = new Float64Array(n * w);
  for (let i = 0; i < n; i++) {
    const j0 = Math.max(0, i - b);
    for (let j = j0; j <= i; j++) {
      let s = band[i * w + (i - j)];
      const k0 = Math.max(j0, j - b);
      for (let k = k0; k < j; k++) s -= L[i * w + (i - k)] * L[j * w + (j - k)];
      if (j === i) {
        check(s > 0, `banded system is not positive definite (pivot ${i}: ${s})`);
        L[i * w] = Math.sqrt(s);
      } else {
        L[i * w + (i - j)] = s / L[j * w];
      }
    }
  }
  const y = Float64Array.from(rhs);
  for (let i = 0; i < n; i++) {
    let s = y[i];
    for (let k = Math.max(0, i - b); k < i; k++) s -= L[i * w + (i - k)] * y[k];
    y[i] = s / L[i * w];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k <= Math.min(n - 1, i + b); k++) s -= L[k * w + (k - i)] * y[k];
    y[i] = s / L[i * w];
  }
  return y;
}

/**
 * x with (T − E) x = rhs: T the n×n symmetric banded Toeplitz matrix with first column
 * t[0..b] (b = t.length − 1), E zero outside its trailing m×m block, given as `trailing` (m·m
 * values, row-major, symmetric; omitted: E = 0). The first n − m columns of the Cholesky factor
 * are T's own and come from the generalized Schur algorithm (O(b) per column); the trailing
 * Schur complement, rebuilt from the generator, is corrected by E and factored densely (O(m³)).
 * Throws when the matrix is not positive definite.
 */
export function toeplitzBandSolve(
  t: Float64Array, n: number, rhs: Float64Array, trailing?: { size: number; values: Float64Array },
): Float64Array {
  const b = t.length - 1;
  const m = trailing?.size ?? 0;
  check(b >= 0 && b < Math.max(n, 1) && rhs.length === n,
    `Toeplitz system: bandwidth ${b} must be < n = ${n}, with ${n} right-hand sides (got ${rhs.length})`);
  check(m >= 0 && m <= n && (!trailing || trailing.values.length === m * m),
    `trailing correction must be m x m with m <= ${n}, got ${m} and ${trailing?.values.length} values`);
  check(t[0] > 0, `Toeplitz system is not positive definite (t[0] = ${t[0]})`);
  const w = b + 1;
  const steps = n - m;
  // Column k of the factor, rows k..k+b: L[k * w + d] = L_{k+d,k}. The generator (u, v) of the
  // Schur complement after k columns: u is column k − 1 shifted down one row, v is kept in place.
  const L = new Float64Array(steps * w);
  const v = new Float64Array(n);
  const first = new Float64Array(w);
  const scale = Math.sqrt(t[0]);
  for (let d = 0; d <= b; d++) first[d] = t[d] / scale;
  for (let d = 1; d <= b; d++) v[d] = first[d];
  let u = first;
  let uAt = 0; // u_{k+d} = u[uAt + d]
  const y = Float64Array.from(rhs);
  for (let k = 0; k < steps; k++) {
    const last = Math.min(b, n - 1 - k);
    const col = k * w;
    // The hyperbolic rotation that zeroes v_k, in the mixed form (stable).
    const rho = v[k] / u[uAt];
    check(Math.abs(rho) < 1, `Toeplitz system is not positive definite (step ${k}: reflection ${rho})`);
    const c = Math.sqrt((1 - rho) * (1 + rho));
    const overC = 1 / c;
    for (let d = 0; d <= last; d++) {
      const ud = (u[uAt + d] - rho * v[k + d]) * overC;
      L[col + d] = ud;
      v[k + d] = c * v[k + d] - rho * ud;
    }
    u = L;
    uAt = col;
    // Forward substitution with the column just made, while it is in cache.
    const yk = (y[k] /= L[col]);
    for (let d = 1; d <= last; d++) y[k + d] -= L[col + d] * yk;
  }
  if (m > 0) {
    // Trailing Schur complement S from its displacement S − Z S Zᵀ = u uᵀ − v vᵀ, minus E.
    const S = new Float64Array(m * m);
    const gu = (i: number) => (i <= b && steps + i < n ? u[uAt + i] : 0);
    const gv = (i: number) => v[steps + i];
    for (let i = 0; i < m; i++) {
      for (let j = 0; j <= i; j++) {
        const s = (j > 0 ? S[(i - 1) * m + (j - 1)] : 0) + gu(i) * gu(j) - gv(i) * gv(j);
        S[i * m + j] = s;
        S[j * m + i] = s;
      }
    }
    const E = trailing!.values;
    for (let i = 0; i < m * m; i++) S[i] -= E[i];
    y.set(choleskySolve(cholesky(S, m), m, y.subarray(steps), 1), steps);
  }
  for (let k = steps - 1; k >= 0; k--) {
    const col = k * w;
    const last = Math.min(b, n - 1 - k);
    let s = y[k];
    for (let d = 1; d <= last; d++) s -= L[col + d] * y[k + d];
    y[k] = s / L[col];
  }
  return y;
}
