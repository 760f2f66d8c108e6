import { Point, SearchSpace, createSmbo, runStudy, TrialRecord, Optimizer } from '../../lib/tuning';

/** A small mixed space and a deterministic "accuracy" on it, with two folds. */
export const CHEAP_SPACE: SearchSpace = {
  dimensions: [
    { name: 'lr', kind: 'real', low: 1e-4, high: 1e-1, scale: 'log' },
    { name: 'dropout', kind: 'real', low: 0.2, high: 0.5 },
    { name: 'units', kind: 'power-of-two', low: 16, high: 128 },
  ],
};

export function cheapOptimizer(): Optimizer {
  return createSmbo(CHEAP_SPACE, { seed: 11, initialPoints: 3, kappa: 3, candidates: 300, trees: 30 });
}

function accuracy(p: Point, fold: number): number {
  const lr = Math.log10(p.lr as number) + 2.5;
  return 0.9 - 0.05 * lr * lr - 0.3 * ((p.dropout as number) - 0.3) ** 2 - 0.01 * Math.abs(Math.log2(p.units as number) - 6) - 0.01 * fold;
}

/** Runs the cheap study in `dir` up to `calls` points; each point takes ~`pointMs` (so a kill lands inside one). */
export function cheapStudy(dir: string, calls: number, pointMs = 300): Promise<TrialRecord[]> {
  const optimizer = cheapOptimizer();
  return runStudy({
    dir, calls, optimizer, quiet: true,
    config: { optimizer: optimizer.settings, objective: 'validation', model: { name: 'cheap' }, dataset: { fingerprint: 'none' } },
    evaluate: async (p) => {
      await new Promise((r) => setTimeout(r, pointMs));
      return { folds: [1, 2], validationAccuracy: [accuracy(p, 1), accuracy(p, 2)], testAccuracy: [accuracy(p, 2), accuracy(p, 3)], epochsRun: [1, 1], engine: 'none' };
    },
  });
}
