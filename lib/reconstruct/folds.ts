import { LacunaError, ParameterError, check } from '../util/errors';

/**
 * Which reconstruction model repairs which test fold, so that no model ever saw the clips it
 * repairs (a reconstruction that feeds a cross-validated classifier must come from a model that
 * never trained on that test fold; the reference trained its GAN on all clips).
 *
 * - `per-fold`: one model per test fold, trained on all other folds (K models).
 * - `cross-fit`: the sorted folds split into halves A (first ⌈K/2⌉) and B; the model trained on
 *   A repairs B and the one trained on B repairs A (2 models, each on about half the data).
 *
 * Default `cross-fit`: 2 models per gap length instead of 10, which is what keeps repairing the
 * built-in dataset at four gap lengths under two hours on 2 cores.
 */
export const FOLD_SCHEMES = ['per-fold', 'cross-fit'] as const;
export type FoldScheme = (typeof FOLD_SCHEMES)[number];
export const DEFAULT_FOLD_SCHEME: FoldScheme = 'cross-fit';

export interface RepairModelPlan {
  /** Path-safe model name: `fold-03` or `half-a`. */
  id: string;
  /** Folds whose clips train this model. */
  trainFolds: number[];
  /** Test folds this model repairs. */
  repairsFolds: number[];
}

export function parseFoldScheme(value: string, flag = '--fold-scheme'): FoldScheme {
  if ((FOLD_SCHEMES as readonly string[]).includes(value)) return value as FoldScheme;
  throw new ParameterError(`${flag} must be one of ${FOLD_SCHEMES.join(', ')}; got "${value}"`);
}

/** The models a scheme trains over `folds`, each with the folds it trains on and repairs. */
export function repairPlan(folds: readonly number[], scheme: FoldScheme = DEFAULT_FOLD_SCHEME): RepairModelPlan[] {
  const sorted = [...new Set(folds)].sort((a, b) => a - b);
  check(sorted.length >= 2, `leakage-free reconstruction needs at least 2 folds, got ${sorted.length}`);
  if (scheme === 'per-fold') {
    return sorted.map((f) => ({ id: `fold-${String(f).padStart(2, '0')}`, trainFolds: sorted.filter((g) => g !== f), repairsFolds: [f] }));
  }
  if (scheme !== 'cross-fit') throw new ParameterError(`unknown fold scheme "${scheme}"; expected one of ${FOLD_SCHEMES.join(', ')}`);
  const half = Math.ceil(sorted.length / 2);
  const a = sorted.slice(0, half);
  const b = sorted.slice(half);
  return [{ id: 'half-a', trainFolds: a, repairsFolds: b }, { id: 'half-b', trainFolds: b, repairsFolds: a }];
}

/** The model of `plan` that repairs test fold `fold`. */
export function modelForFold(plan: readonly RepairModelPlan[], fold: number): RepairModelPlan {
  const found = plan.filter((m) => m.repairsFolds.includes(fold));
  if (found.length !== 1) throw new ParameterError(`fold ${fold} is repaired by ${found.length} models of the plan, expected exactly 1`);
  return found[0];
}

/** For each model id, the folds it trained on. */
export function trainingFolds(plan: readonly RepairModelPlan[]): Map<string, number[]> {
  return new Map(plan.map((m) => [m.id, [...m.trainFolds]]));
}

export class LeakageError extends LacunaError {
}

/**
 * Throws LeakageError unless every test clip is repaired by exactly one model of the plan and
 * is not among the clips that model actually trained on (`trainedOn`: model id → clip ids), and
 * no model's training clips come from a fold it repairs.
 */
export function assertNoLeakage(
  plan: readonly RepairModelPlan[],
  clips: readonly { id: string; fold: number }[],
  trainedOn: ReadonlyMap<string, readonly string[]>,
): void {
  const foldOf = new Map(clips.map((c) => [c.id, c.fold]));
  for (const m of plan) {
    const overlap = m.trainFolds.filter((f) => m.repairsFolds.includes(f));
    if (overlap.length) throw new LeakageError(`model ${m.id} trains on fold(s) ${overlap.join(', ')} that it repairs`);
    const trained = new Set(trainedOn.get(m.id) ?? []);
    for (const id of trained) {
      const fold = foldOf.get(id);
      if (fold !== undefined && m.repairsFolds.includes(fold)) throw new LeakageError(`clip ${id} of test fold ${fold} is in the training set of model ${m.id}, which repairs it`);
    }
  }
  for (const c of clips) {
    const repairers = plan.filter((m) => m.repairsFolds.includes(c.fold));
    if (repairers.length !== 1) throw new LeakageError(`clip ${c.id} (fold ${c.fold}) is repaired by ${repairers.length} models, expected 1`);
  }
}

/** The clips that train `model`: those of its training folds, never of a fold it repairs. */
export function trainingClips<C extends { fold: number }>(model: RepairModelPlan, clips: readonly C[]): C[] {
  return clips.filter((c) => model.trainFolds.includes(c.fold) && !model.repairsFolds.includes(c.fold));
}
