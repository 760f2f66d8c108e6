import { Rng } from '../util/rng';
import { check } from '../util/errors';

/** Row indices of one leave-one-fold-out split. */
export interface FoldSplit {
  testFold: number;
  trainFolds: number[];
  train: number[];
  test: number[];
}

/** Leave-one-fold-out: test on `testFold`, train on every other fold of the dataset. */
export function foldSplit(folds: readonly number[], testFold: number): FoldSplit {
  const all = [...new Set(folds)].sort((a, b) => a - b);
  check(all.includes(testFold), `fold ${testFold} is not in the dataset (folds: ${all.join(', ')})`);
  check(all.length >= 2, `leave-one-fold-out needs at least 2 folds, the dataset has ${all.length}`);
  const train: number[] = [];
  const test: number[] = [];
  folds.forEach((f, i) => (f === testFold ? test : train).push(i));
  return { testFold, trainFolds: all.filter((f) => f !== testFold), train, test };
}

/**
 * Splits row indices into training and validation parts with the same class proportions
 * (per class, a shuffled `fraction` goes to validation, at least one row when the class has
 * two or more). Both parts are returned shuffled.
 */
export function stratifiedSplit(indices: readonly number[], labels: ArrayLike<number>, fraction: number, rng: Rng): { train: number[]; validation: number[] } {
  check(fraction > 0 && fraction < 1, `validation fraction must be in (0, 1), got ${fraction}`);
  const byClass = new Map<number, number[]>();
  for (const i of indices) {
    const list = byClass.get(labels[i]) ?? [];
    list.push(i);
    byClass.set(labels[i], list);
  }
  const train: number[] = [];
  const validation: number[] = [];
  for (const cls of [...byClass.keys()].sort((a, b) => a - b)) {
    const rows = rng.shuffled(byClass.get(cls) as number[]);
    const nVal = rows.length >= 2 ? Math.max(1, Math.round(rows.length * fraction)) : 0;
    validation.push(...rows.slice(0, nVal));
    train.push(...rows.slice(nVal));
  }
  return { train: rng.shuffled(train), validation: rng.shuffled(validation) };
}

/**
 * A stratified dummy classifier (scikit-learn's `strategy="stratified"`): each prediction is a
 * class drawn at random with the training labels' frequencies.
 */
export function stratifiedDummyPredictions(trainLabels: ArrayLike<number>, numTest: number, numClasses: number, rng: Rng): number[] {
  check(trainLabels.length > 0, 'the dummy classifier needs training labels');
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < trainLabels.length; i++) counts[trainLabels[i]]++;
  const cumulative: number[] = [];
  let sum = 0;
  for (const c of counts) cumulative.push((sum += c / trainLabels.length));
  const out: number[] = [];
  for (let i = 0; i < numTest; i++) {
    const u = rng.uniform();
    let k = cumulative.findIndex((c) => u < c);
    if (k < 0) k = numClasses - 1;
    out.push(k);
  }
  return out;
}
