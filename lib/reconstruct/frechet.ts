/**
 * The Fréchet distance between two sets of embeddings, each summarised as a Gaussian (mean and
 * covariance), as the Fréchet audio distance (FAD) does:
 *
 *   FD = |μa − μb|² + tr Σa + tr Σb − 2 tr (Σa Σb)^½
 *
 * With fewer vectors than dimensions (a few hundred YAMNet patches of 1024 values) neither
 * covariance has full rank, and no d x d matrix is needed: with A, B the centred sets (rows),
 * Σa = AᵀA/(na−1), Σb = BᵀB/(nb−1), and the non-zero eigenvalues of ΣaΣb are those of
 * (ABᵀ)(ABᵀ)ᵀ/((na−1)(nb−1)), so tr (ΣaΣb)^½ is the sum of the singular values of ABᵀ (an na x nb
 * matrix) over √((na−1)(nb−1)). Exact, and the cost is that of an na x na eigenproblem.
 *
 * FAD is biased by the number of vectors (smaller sets read farther apart): compare figures made
 * from the same counts, and state them.
 */
import { check } from '../util/errors';
import { symmetricEigenvalues } from '../util/linalg';

function centred(x: Float32Array, rows: number, dim: number): { c: Float64Array; mean: Float64Array } {
  const mean = new Float64Array(dim);
  for (let r = 0; r < rows; r++) for (let j = 0; j < dim; j++) mean[j] += x[r * dim + j] / rows;
  const c = new Float64Array(rows * dim);
  for (let r = 0; r < rows; r++) for (let j = 0; j < dim; j++) c[r * dim + j] = x[r * dim + j] - mean[j];
  return { c, mean };
}

/** Fréchet distance between the rows of `a` ([rows, dim]) and of `b`; each needs >= 2 rows. */
export function frechetDistance(a: Float32Array, b: Float32Array, dim: number): number {
  check(dim > 0 && a.length % dim === 0 && b.length % dim === 0, `embeddings must be whole rows of ${dim} values, got ${a.length} and ${b.length}`);
  const na = a.length / dim;
  const nb = b.length / dim;
  check(na >= 2 && nb >= 2, `the Fréchet distance needs >= 2 embeddings per set, got ${na} and ${nb}`);
  const A = centred(a, na, dim);
  const B = centred(b, nb, dim);
  let meanTerm = 0;
  for (let j = 0; j < dim; j++) meanTerm += (A.mean[j] - B.mean[j]) ** 2;
  let traceA = 0;
  for (const v of A.c) traceA += v * v;
  let traceB = 0;
  for (const v of B.c) traceB += v * v;
  traceA /= na - 1;
  traceB /= nb - 1;
  // M = A Bᵀ (na x nb), then G = M Mᵀ (na x na), symmetric positive semi-definite.
  const M = new Float64Array(na * nb);
  for (let i = 0; i < na; i++) {
    for (let k = 0; k < nb; k++) {
      let s = 0;
      for (let j = 0; j < dim; j++) s += A.c[i * dim + j] * B.c[k * dim + j];
      M[i * nb + k] = s;
    }
  }
  const G = new Float64Array(na * na);
  for (let i = 0; i < na; i++) {
    for (let k = 0; k <= i; k++) {
      let s = 0;
      for (let j = 0; j < nb; j++) s += M[i * nb + j] * M[k * nb + j];
      G[i * na + k] = s;
      G[k * na + i] = s;
    }
  }
  // Eigenvalues that are rounding noise around zero (G has rank <= min(na, nb, dim)) would each add
  // √noise to the sum: those below 1e-12 of the largest count as zero.
  const eigenvalues = symmetricEigenvalues(G, na);
  const floor = 1e-12 * Math.max(0, ...eigenvalues);
  let nuclear = 0;
  for (const ev of eigenvalues) if (ev > floor) nuclear += Math.sqrt(ev);
  const cross = nuclear / Math.sqrt((na - 1) * (nb - 1));
  return Math.max(0, meanTerm + traceA + traceB - 2 * cross);
}
