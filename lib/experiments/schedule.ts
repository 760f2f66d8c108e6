import { check } from '../util/errors';

/**
 * Learning rate per optimiser step. `constant` leaves the optimizer's own rate alone (the
 * reference). `warmup-cosine` rises linearly from peak/steps to `peak` over `warmupEpochs`, then
 * follows a half cosine down to `peak * finalFraction` at the last allowed epoch: a high peak
 * learns the coarse structure in few epochs, the low tail settles the weights so that the best
 * epoch is usually near the end. Early stopping may cut the tail short; the curve is defined
 * over the maximum epochs so that it never depends on the validation rows' outcome.
 */
export type LearningRateSchedule =
  | { kind: 'constant' }
  | { kind: 'warmup-cosine'; peak: number; warmupEpochs: number; finalFraction: number };

export const CONSTANT_LEARNING_RATE: Readonly<LearningRateSchedule> = Object.freeze({ kind: 'constant' });

export function validateSchedule(s: LearningRateSchedule): void {
  if (s.kind === 'constant') return;
  check(s.kind === 'warmup-cosine', `unknown learning-rate schedule "${(s as { kind: string }).kind}"`);
  check(s.peak > 0, `schedule peak must be > 0, got ${s.peak}`);
  check(s.warmupEpochs >= 0, `schedule warmupEpochs must be >= 0, got ${s.warmupEpochs}`);
  check(s.finalFraction >= 0 && s.finalFraction <= 1, `schedule finalFraction must be in [0, 1], got ${s.finalFraction}`);
}

/**
 * The rate for the step that ends at `progress` epochs (e.g. 2.5 = half-way through the third
 * epoch) of `totalEpochs`; undefined for `constant`.
 */
export function learningRateAt(s: LearningRateSchedule, progress: number, totalEpochs: number): number | undefined {
  if (s.kind === 'constant') return undefined;
  if (progress < s.warmupEpochs) return s.peak * progress / s.warmupEpochs;
  const span = Math.max(totalEpochs - s.warmupEpochs, 1e-9);
  const t = Math.min(1, (progress - s.warmupEpochs) / span);
  const floor = s.peak * s.finalFraction;
  return floor + (s.peak - floor) * 0.5 * (1 + Math.cos(Math.PI * t));
}
