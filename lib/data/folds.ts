/**
 * Deterministic stratified fold assignment, for datasets that come without folds.
 */
import { Rng } from '../util/rng';
import { ParameterError } from '../util/errors';

export interface FoldOptions {
  /** Requested number of folds (≥ 2); default 10. */
  folds?: number;
  /** Seed of the shuffle; default 0. */
  seed?: number;
}

/**
 * Folds actually used: the requested count, lowered to the size of the smallest class when that
 * is smaller (so every fold can hold every class), but never below 2.
 */
export function effectiveFolds(classCounts: number[], requested = 10): number {
  if (!(Number.isInteger(requested) && requested >= 2)) throw new ParameterError(`folds must be an integer >= 2, got ${requested}`);
  const smallest = Math.min(...classCounts.filter((c) => c > 0));
  return Math.max(2, Math.min(requested, Number.isFinite(smallest) ? smallest : requested));
}

/**
 * Assigns 1-based folds to items, stratified by class: each class's items (ordered by id, so the
 * input order does not matter) are shuffled with a stream forked from the seed and dealt round-robin;
 * the dealing position carries over from class to class so fold sizes stay within one of each other.
 * Returns a map id → fold and the number of folds used (see effectiveFolds).
 */
export function assignStratifiedFolds(items: { id: string; classIndex: number }[], options: FoldOptions = {}): { folds: Map<string, number>; foldCount: number } {
  const rng = new Rng(options.seed ?? 0);
  const byClass = new Map<number, string[]>();
  for (const it of items) {
    const list = byClass.get(it.classIndex) ?? [];
    list.push(it.id);
    byClass.set(it.classIndex, list);
  }
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  const foldCount = effectiveFolds(classes.map((c) => byClass.get(c)!.length), options.folds ?? 10);
  const folds = new Map<string, number>();
  let position = 0;
  for (const c of classes) {
    const ids = byClass.get(c)!.slice().sort();
    for (const id of rng.fork(`folds:${c}`).shuffled(ids)) {
      folds.set(id, (position % foldCount) + 1);
      position++;
    }
  }
  return { folds, foldCount };
}
