/**
 * What a long notebook cell will cost on the chosen dataset, said before it starts. Estimates are
 * the times measured for the same work on the default built-in set (1003 clips of 4 s, 10 folds,
 * 2 cores; README: `npm run bench:cv` and the demo's per-notebook times), scaled linearly by the
 * number of clips and of test folds. They are estimates: training time also depends on when early
 * stopping ends a fold, and on what else shares the machine.
 */

/** A measured time of one unit of notebook work, and what it was measured on. */
export interface MeasuredCost {
  seconds: number;
  /** Clips of the dataset it was measured on. */
  clips: number;
  /** Test folds it covered (1 for work that does not repeat per fold). */
  folds: number;
  source: string;
}

const DEFAULT_SET = 1003;

export const MEASURED_COSTS = {
  /** One CNN trained with the defaults and evaluated, per test fold. */
  cnnModel: { seconds: 440, clips: DEFAULT_SET, folds: 10, source: 'bench:cv, one default 10-fold CNN run, 440 s' },
  /** Notebook 03: YAMNet embeddings (clean and gapped) and the head's cross-validation. */
  yamnetHead: { seconds: 440, clips: DEFAULT_SET, folds: 10, source: 'the demo\'s notebook 03, 7 min 20 s' },
  /** Notebook 04: the CNN and YAMNet-head tuning studies on two folds (the quick pass: one). */
  tuning: { seconds: 511, clips: DEFAULT_SET, folds: 1, source: 'the demo\'s notebook 04, 8 min 31 s' },
  /** Notebook 05: scoring every method on every 15th held-out clip (the GAN's fixed training budget is apart). */
  reconstructionScores: { seconds: 48, clips: DEFAULT_SET, folds: 1, source: 'the demo\'s notebook 05, 2 min 48 s of which 120 s GAN training' },
  /** Notebook 06: the YAMNet head's study (zero, linear, exemplar; 2 lengths × 2 gap models), per test fold. */
  yamnetStudy: { seconds: 918, clips: DEFAULT_SET, folds: 10, source: 'the demo\'s notebook 06, 15 min 18 s' },
} satisfies Record<string, MeasuredCost>;

/** Seconds `cost` would take on `clips` clips and `folds` test folds, scaled linearly. */
export function estimateSeconds(cost: MeasuredCost, clips: number, folds = cost.folds): number {
  return cost.seconds * (clips / cost.clips) * (folds / cost.folds);
}

/** "45 s", "7 min", "1 h 13 min". */
export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`;
  const minutes = Math.round(seconds / 60);
  return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/**
 * A note shown before a long cell: what it runs, "N folds × per fold ≈ total", the measurement it
 * is scaled from, and how to run less. `times` multiplies the measured unit (e.g. 2 models per fold).
 */
export function costNote(what: string, cost: MeasuredCost, clips: number, options: { folds?: number[]; times?: number; fixedSeconds?: number } = {}): string {
  const times = options.times ?? 1;
  const fixed = options.fixedSeconds ?? 0;
  const perFold = estimateSeconds(cost, clips, 1) * times;
  const n = options.folds?.length;
  const total = (n ? perFold * n : estimateSeconds(cost, clips) * times) + fixed;
  const shape = n ? `${n} fold${n > 1 ? 's' : ''} × ~${formatDuration(perFold)}${fixed ? ` + ${formatDuration(fixed)}` : ''} ≈ **${formatDuration(total)}**` : `≈ **${formatDuration(total)}**`;
  return `**Before it starts:** ${what} on ${clips} clips: ${shape} on 2 cores, the first time ` +
    `(an estimate, scaled by clip${n ? ' and fold' : ''} count from ${cost.source} on the default built-in set of ${cost.clips} clips). ` +
    `Finished work is read from disk when the cell runs again${n ? '; `foldsToRun` in the parameters cell runs fewer folds' : ''}.`;
}
