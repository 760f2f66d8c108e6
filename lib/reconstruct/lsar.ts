/**
 * Least-squares autoregressive (LSAR) interpolation, after Janssen, Veldhuis & Vries (1986) and
 * Vaseghi: fit AR coefficients on the samples around a gap, then choose the missing samples that
 * minimise the energy of the AR prediction error over every equation that involves them. The
 * normal equations are banded (bandwidth = order), so a gap of L samples costs O(L·order²).
 */
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
    // Row 0 and r directly, O(N·p); the rest by the sliding recursion R[i+1][j+1] = R[i][j] + head − tail.
    const row = new Float64Array(p);
    for (let t = s + p; t < e; t++) {
      const xt = x[t];
      for (let k = 0; k < p; k++) {
        const v = x[t - 1 - k];
        r[k] += xt * v;
        row[k] += x[t - 1] * v;
      }
    }
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

/** Lower band of an SPD matrix: band[i * (b + 1) + (i − j)] for j in [i − b, i]. */
function bandedCholeskySolve(band: Float64Array, n: number, b: number, rhs: Float64Array): Float64Array {
  const w = b + 1;
  const L = new Float64Array(n * w);
  for (let i = 0; i < n; i++) {
    const j0 = Math.max(0, i - b);
    for (let j = j0; j <= i; j++) {
      let s = band[i * w + (i - j)];
      const k0 = Math.max(j0, j - b);
      for (let k = k0; k < j; k++) s -= L[i * w + (i - k)] * L[j * w + (j - k)];
      if (j === i) {
        check(s > 0, `LSAR system is not positive definite (pivot ${i}: ${s})`);
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
 * Fills x[gap.start, gap.end) in place: the samples minimising Σ_t e_t² over every prediction
 * equation t whose window [t − order, t] lies in the clip and holds a missing sample, with
 * e_t = x_t − Σ a_k x_{t−1−k}. At the clip's start (equations lacking history are dropped) this
 * extrapolates backwards from the right side, at its end forwards from the left. `ridge`
 * (relative to the prediction filter's energy) keeps a one-sided system solvable.
 */
export function lsarFill(x: Float32Array, gap: SampleRange, a: Float64Array, ridge = 1e-6): void {
  const p = a.length;
  const n = gap.end - gap.start;
  check(n >= 1 && gap.start >= 0 && gap.end <= x.length, `gap [${gap.start}, ${gap.end}) is not inside a clip of ${x.length}`);
  const c = new Float64Array(p + 1);
  c[0] = 1;
  for (let k = 0; k < p; k++) c[k + 1] = -a[k];
  const b = Math.min(p, n - 1);
  const rho = new Float64Array(p + 1);
  for (let d = 0; d <= p; d++) for (let k = 0; k + d <= p; k++) rho[d] += c[k] * c[k + d];
  const w = b + 1;
  const band = new Float64Array(n * w);
  for (let i = 0; i < n; i++) for (let d = 0; d <= Math.min(b, i); d++) band[i * w + d] = rho[d];
  const g = gap.start;
  const kept = (t: number) => t >= p && t < x.length;
  // Equations that would need samples outside the clip are dropped: remove their share of Q.
  for (let t = g; t <= gap.end - 1 + p; t++) {
    if (kept(t)) continue;
    const lo = Math.max(g, t - p);
    const hi = Math.min(gap.end - 1, t);
    for (let u = lo; u <= hi; u++) for (let v = lo; v <= u; v++) band[(u - g) * w + (u - v)] -= c[t - u] * c[t - v];
  }
  for (let i = 0; i < n; i++) band[i * w] += ridge * rho[0] + 1e-12;
  const rhs = new Float64Array(n);
  for (let t = g; t <= gap.end - 1 + p; t++) {
    if (!kept(t)) continue;
    let known = 0;
    for (let k = 0; k <= p; k++) {
      const s = t - k;
      if (s < g || s >= gap.end) known += c[k] * x[s];
    }
    if (known === 0) continue;
    for (let u = Math.max(g, t - p); u <= Math.min(gap.end - 1, t); u++) rhs[u - g] -= c[t - u] * known;
  }
  const filled = bandedCholeskySolve(band, n, b, rhs);
  for (let i = 0; i < n; i++) x[g + i] = filled[i];
}
