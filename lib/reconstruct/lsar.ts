/**
 * Least-squares autoregressive (LSAR) interpolation, after Janssen, Veldhuis & Vries (1986) and
 * Vaseghi: fit AR coefficients on the samples around a gap, then choose the missing samples that
 * minimise the energy of the AR prediction error over every equation that involves them. The
 * normal equations are banded (bandwidth = order) and Toeplitz but near the clip's edges, so a
 * gap of L samples costs O(L·order) by Schur's algorithm (O(L·order²) by banded Cholesky).
 */
import { bandedCholeskySolve, toeplitzBandSolve } from '../util/banded';
import { cholesky, choleskySolve } from '../util/linalg';
import { check } from '../util/errors';

/** A half-open sample range [start, end). */
export interface SampleRange {
  start: number;
  end: number;
}

/**
 * AR coefficients a[0..order-1] (x_t ≈ Σ a_k x_{t-1-k}) by the covariance method, the forward
 * prediction equations of every segment summed. Segments shorter than order + 1 samples add
 * nothing. `ridge` is relative to the mean diagonal and keeps the system solvable. Returns
 * undefined when no segment is long enough.
 */
export function fitAr(x: Float32Array, segments: readonly SampleRange[], order: number, ridge = 1e-6): Float64Array | undefined {
  check(Number.isInteger(order) && order >= 1, `AR order must be an integer >= 1, got ${order}`);
  const p = order;
  const R = new Float64Array(p * p);
  const r = new Float64Array(p);
  let used = 0;
  for (const { start: s, end: e } of segments) {
    if (e - s < p + 1) continue;
    used++;
    // Row 0 directly, O(N·p); r from it (r[k] is row[k + 1] shifted by one sample: one term off
    // each end), but r[p − 1] directly; the rest by the sliding recursion R[i+1][j+1] = R[i][j] + head − tail.
    const row = new Float64Array(p);
    for (let t = s + p; t < e; t++) {
      const prev = x[t - 1];
      for (let k = 0; k < p; k++) row[k] += prev * x[t - 1 - k];
    }
    for (let k = 0; k + 1 < p; k++) r[k] += row[k + 1] - x[s + p - 1] * x[s + p - 2 - k] + x[e - 1] * x[e - 2 - k];
    let last = 0;
    for (let t = s + p; t < e; t++) last += x[t] * x[t - p];
    r[p - 1] += last;
    const local = new Float64Array(p * p);
    local.set(row, 0);
    for (let i = 1; i < p; i++) {
      for (let j = i; j < p; j++) {
        const v = local[(i - 1) * p + (j - 1)] + x[s + p - 1 - i] * x[s + p - 1 - j] - x[e - 1 - i] * x[e - 1 - j];
        local[i * p + j] = v;
      }
    }
    for (let i = 0; i < p; i++) for (let j = i; j < p; j++) {
      R[i * p + j] += local[i * p + j];
      if (j !== i) R[j * p + i] += local[i * p + j];
    }
  }
  if (used === 0) return undefined;
  let trace = 0;
  for (let i = 0; i < p; i++) trace += R[i * p + i];
  const delta = ridge * (trace / p) + 1e-12;
  for (let i = 0; i < p; i++) R[i * p + i] += delta;
  return choleskySolve(cholesky(R, p), p, r, 1);
}

/**
 * How lsarFill solves its normal equations: 'schur' (the default) factors the banded Toeplitz
 * matrix in O(L·order) (util/banded), 'cholesky' by the general banded Cholesky in O(L·order²),
 * the reference it is tested and benched against (both give the same samples up to rounding).
 */
export type LsarSolver = 'schur' | 'cholesky';

/**
 * Fills x[gap.start, gap.end) in place: the samples minimising Σ_t e_t² over every prediction
 * equation t whose window [t − order, t] lies in the clip and holds a missing sample, with
 * e_t = x_t − Σ a_k x_{t−1−k}. At the clip's start (equations lacking history are dropped) this
 * extrapolates backwards from the right side, at its end forwards from the left. `ridge`
 * (relative to the prediction filter's energy) keeps a one-sided system solvable. Equations are
 * dropped at one end of the gap at most (or `solver` is 'cholesky'): the matrix is Toeplitz but
 * for one corner, which toeplitzBandSolve corrects; dropped at both ends, the banded Cholesky.
 */
export function lsarFill(x: Float32Array, gap: SampleRange, a: Float64Array, ridge = 1e-6, solver: LsarSolver = 'schur'): void {
  const p = a.length;
  const n = gap.end - gap.start;
  check(n >= 1 && gap.start >= 0 && gap.end <= x.length, `gap [${gap.start}, ${gap.end}) is not inside a clip of ${x.length}`);
  const c = predictionErrorFilter(a);
  const b = Math.min(p, n - 1);
  // Q's entries: rho[|u − v|] (the filter's autocorrelation), less the share of dropped equations.
  const rho = new Float64Array(b + 1);
  for (let d = 0; d <= b; d++) for (let k = 0; k + d <= p; k++) rho[d] += c[k] * c[k + d];
  const diagonal = rho[0] + ridge * rho[0] + 1e-12;
  const rhs = knownSide(x, gap, c);
  const dropped = droppedEquations(x.length, gap, p);
  const filled = solver === 'schur' && !(dropped.before && dropped.after)
    ? solveBySchur(rho, diagonal, rhs, dropped, (visit) => forEachDroppedProduct(x.length, gap, c, visit))
    : solveByCholesky(rho, diagonal, rhs, (visit) => forEachDroppedProduct(x.length, gap, c, visit));
  for (let i = 0; i < n; i++) x[gap.start + i] = filled[i];
}

type DroppedProducts = (visit: (u: number, v: number, value: number) => void) => void;

/**
 * The normal equations when equations are dropped at one end of the gap at most: Toeplitz but for
 * one corner. A corner at the start is moved to the end by reversing the unknowns (a symmetric
 * Toeplitz matrix is persymmetric), where toeplitzBandSolve corrects it.
 */
function solveBySchur(
  rho: Float64Array, diagonal: number, rhs: Float64Array, dropped: { before: number; after: number }, products: DroppedProducts,
): Float64Array {
  const n = rhs.length;
  const t = Float64Array.from(rho);
  t[0] = diagonal;
  const reversed = dropped.before > 0;
  const m = Math.max(dropped.before, dropped.after);
  const corner = new Float64Array(m * m);
  products((u, v, value) => {
    const i = reversed ? m - 1 - u : u - (n - m);
    const j = reversed ? m - 1 - v : v - (n - m);
    corner[i * m + j] += value;
    if (i !== j) corner[j * m + i] += value;
  });
  if (reversed) rhs.reverse();
  const filled = toeplitzBandSolve(t, n, rhs, m > 0 ? { size: m, values: corner } : undefined);
  return reversed ? filled.reverse() : filled;
}

/** The normal equations by the general banded Cholesky (the reference; any dropped equations). */
function solveByCholesky(rho: Float64Array, diagonal: number, rhs: Float64Array, products: DroppedProducts): Float64Array {
  const n = rhs.length;
  const b = rho.length - 1;
  const w = b + 1;
  const band = new Float64Array(n * w);
  for (let i = 0; i < n; i++) for (let d = 0; d <= Math.min(b, i); d++) band[i * w + d] = d === 0 ? diagonal : rho[d];
  products((u, v, value) => { band[u * w + (u - v)] -= value; });
  return bandedCholeskySolve(band, n, b, rhs);
}

/** c = [1, −a_0, …, −a_{p−1}]: e_t = Σ_k c_k x_{t−k}. */
function predictionErrorFilter(a: Float64Array): Float64Array {
  const c = new Float64Array(a.length + 1);
  c[0] = 1;
  for (let k = 0; k < a.length; k++) c[k + 1] = -a[k];
  return c;
}

/** An equation t is kept when its window [t − p, t] lies in the clip. */
const keptEquation = (t: number, p: number, length: number) => t >= p && t < length;

/**
 * How many unknowns (from the gap's start, from its end) dropped equations touch: those before
 * sample p (no history) and those past the clip's end.
 */
function droppedEquations(length: number, gap: SampleRange, p: number): { before: number; after: number } {
  const n = gap.end - gap.start;
  return { before: Math.max(0, Math.min(n, p - gap.start)), after: Math.max(0, Math.min(n, gap.end + p - length)) };
}

/** The products c_{t−u}·c_{t−v} (u ≥ v, gap indices) of every dropped equation t, their share of Q. */
function forEachDroppedProduct(
  length: number, gap: SampleRange, c: Float64Array, visit: (u: number, v: number, value: number) => void,
): void {
  const p = c.length - 1;
  const g = gap.start;
  for (let t = g; t <= gap.end - 1 + p; t++) {
    if (keptEquation(t, p, length)) continue;
    const lo = Math.max(g, t - p);
    const hi = Math.min(gap.end - 1, t);
    for (let u = lo; u <= hi; u++) for (let v = lo; v <= u; v++) visit(u - g, v - g, c[t - u] * c[t - v]);
  }
}

/**
 * The right-hand side −Σ_t c_{t−u}·(known part of e_t) over kept equations. Only equations within
 * p of the gap's ends see known samples: the others are skipped.
 */
function knownSide(x: Float32Array, gap: SampleRange, c: Float64Array): Float64Array {
  const p = c.length - 1;
  const g = gap.start;
  const rhs = new Float64Array(gap.end - g);
  for (let t = g; t <= gap.end - 1 + p; t++) {
    if (t === g + p && t < gap.end) t = gap.end;
    if (!keptEquation(t, p, x.length)) continue;
    let known = 0;
    for (let k = 0; k <= p; k++) {
      const s = t - k;
      if (s < g || s >= gap.end) known += c[k] * x[s];
    }
    if (known === 0) continue;
    for (let u = Math.max(g, t - p); u <= Math.min(gap.end - 1, t); u++) rhs[u - g] -= c[t - u] * known;
  }
  return rhs;
}
