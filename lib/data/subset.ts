/**
 * A smaller dataset from a larger one: at most N clips per class, chosen from a seed and spread
 * over the folds the dataset already has. Folds are kept rather than re-assigned, because a
 * layout's folds can keep recordings of one source together (UrbanSound8K) and new folds would
 * leak them between training and test.
 */
import { ParameterError } from '../util/errors';
import { Rng } from '../util/rng';

/**
 * Keeps up to `clipsPerClass` clips of each class: per class, the clips of each fold are shuffled
 * (a stream forked from the seed by class and fold; clips ordered by id first, so the input order
 * does not matter) and dealt round-robin over the folds (in an order drawn from the seed), one clip
 * per fold a round. The fold a class starts at carries over from the class before, so that folds stay even when N is smaller
 * than the fold count. A class with fewer clips keeps them all. The result keeps the input order.
 */
export function selectClipsPerClass<T extends { id: string; classIndex: number; fold: number }>(clips: readonly T[], clipsPerClass: number, seed = 0): T[] {
  if (!(Number.isInteger(clipsPerClass) && clipsPerClass >= 1)) throw new ParameterError(`--clips-per-class must be an integer >= 1, got ${clipsPerClass}`);
  const rng = new Rng(seed);
  const byClassFold = new Map<number, Map<number, T[]>>();
  for (const c of clips) {
    const folds = byClassFold.get(c.classIndex) ?? new Map<number, T[]>();
    folds.set(c.fold, [...(folds.get(c.fold) ?? []), c]);
    byClassFold.set(c.classIndex, folds);
  }
  // One seeded fold order for every class: with one clip per class and fold, it is what the seed changes.
  const foldOrder = rng.fork('subset:folds').shuffled([...new Set(clips.map((c) => c.fold))].sort((a, b) => a - b));
  const kept = new Set<T>();
  let start = 0;
  for (const classIndex of [...byClassFold.keys()].sort((a, b) => a - b)) {
    const folds = byClassFold.get(classIndex)!;
    const queues = foldOrder.filter((fold) => folds.has(fold)).map((fold) => {
      const byId = folds.get(fold)!.slice().sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      return rng.fork(`subset:${classIndex}:${fold}`).shuffled(byId);
    });
    const rounds = Math.max(...queues.map((q) => q.length));
    let taken = 0;
    for (let round = 0; round < rounds && taken < clipsPerClass; round++) {
      for (let j = 0; j < queues.length && taken < clipsPerClass; j++) {
        const q = queues[(start + j) % queues.length];
        if (round < q.length) { kept.add(q[round]); taken++; }
      }
    }
    start = (start + taken) % queues.length;
  }
  return clips.filter((c) => kept.has(c));
}
