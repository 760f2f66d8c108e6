import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../lib/util/rng';
import { bandedCholeskySolve, toeplitzBandSolve } from '../lib/util/banded';

/** First column of an SPD banded Toeplitz matrix: the autocorrelation of a random filter, plus a ridge. */
function toeplitzColumn(b: number, rng: Rng, ridge: number): Float64Array {
  const c = Float64Array.from({ length: b + 1 }, () => rng.normal());
  const t = new Float64Array(b + 1);
  for (let d = 0; d <= b; d++) for (let k = 0; k + d <= b; k++) t[d] += c[k] * c[k + d];
  t[0] += ridge;
  return t;
}

/** The lower band of T − E (E in the trailing m×m block), as bandedCholeskySolve takes it. */
function bandOf(t: Float64Array, n: number, corner: Float64Array, m: number): Float64Array {
  const b = t.length - 1;
  const band = new Float64Array(n * (b + 1));
  for (let i = 0; i < n; i++) for (let d = 0; d <= Math.min(b, i); d++) {
    const j = i - d;
    band[i * (b + 1) + d] = t[d] - (i >= n - m && j >= n - m ? corner[(i - n + m) * m + (j - n + m)] : 0);
  }
  return band;
}

test('Schur\'s banded Toeplitz solve equals the banded Cholesky solve, with and without a trailing correction', () => {
  const rng = new Rng(21);
  for (const [n, b, m] of [[300, 20, 0], [300, 20, 20], [50, 49, 50], [1, 0, 0], [2000, 60, 7]]) {
    const t = toeplitzColumn(b, rng, 1e-3);
    // A correction that keeps the matrix SPD: a small multiple of the trailing block's own entries.
    const corner = new Float64Array(m * m);
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) corner[i * m + j] = Math.abs(i - j) <= b ? 0.3 * t[Math.abs(i - j)] : 0;
    const rhs = Float64Array.from({ length: n }, () => rng.normal());
    const reference = bandedCholeskySolve(bandOf(t, n, corner, m), n, b, rhs);
    const fast = toeplitzBandSolve(t, n, rhs, m > 0 ? { size: m, values: corner } : undefined);
    const scale = Math.max(...reference.map(Math.abs));
    const worst = Math.max(...fast.map((v, i) => Math.abs(v - reference[i])));
    assert.ok(worst <= 1e-9 * scale, `n ${n}, b ${b}, m ${m}: max difference ${worst} of ${scale}`);
  }
});

test('a matrix that is not positive definite is refused, not solved', () => {
  assert.throws(() => toeplitzBandSolve(Float64Array.of(1, 0.6), 10, new Float64Array(10)), /not positive definite/);
  assert.throws(() => toeplitzBandSolve(Float64Array.of(-1), 3, new Float64Array(3)), /not positive definite/);
  assert.throws(() => toeplitzBandSolve(Float64Array.of(1, 0.1), 5, new Float64Array(4)), /right-hand sides/);
});
