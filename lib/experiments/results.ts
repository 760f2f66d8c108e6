import * as fs from 'fs';
import * as path from 'path';
import { readJsonIfExists, writeFileAtomic, writeJsonAtomic } from '../util/atomic';
import { toCsv } from '../util/csv';
import type { CorruptionMode, GapModel, RunSummary } from './types';
import { runModeName } from './types';
import type { HeadOrProbe } from './selection';
import type { TrainRefit } from './train';
import type { WarmStartRecord } from './warm-start';

/** What one finished fold of a run saves (fold-NN.json). */
export interface FoldResult {
  fold: number;
  accuracy: number;
  /** The stratified dummy classifier on the same fold. */
  dummyAccuracy: number;
  /** The linear probe (ridge on standardised features) on the same fold, where the run fits one. */
  probeAccuracy?: number;
  /** The probe's penalty (multiple of the feature count) and its leave-one-out training accuracy. */
  probe?: { penalty: number; looAccuracy: number };
  /** Head or probe, whichever scored better on the head's validation rows (selection.ts), and its test accuracy. */
  selection?: HeadOrProbe;
  selectedAccuracy?: number;
  clipIds: string[];
  labels: number[];
  predictions: number[];
  /** Raw counts, [true class][predicted class]. */
  confusion: number[][];
  training: {
    /** Key of the training variant (`clean` or a corruption label) the weights came from. */
    trainKey: string;
    /** True when the weights were loaded from the cache instead of trained for this run. */
    reused: boolean;
    epochsRun: number;
    stoppedEarly: boolean;
    loss: number[];
    valAccuracy: number[];
    valLoss: number[];
    learningRate: number[];
    /** 1-based epoch whose weights were evaluated; 0: the warm start's (TrainingSettings.warmStart). */
    restoredEpoch: number;
    /** The warm start of the validated training (the refit's, if any, is in `refit`). */
    warmStart?: WarmStartRecord;
    trainRows: number;
    /** Rows per optimiser step and steps taken. */
    batchSize: number;
    steps: number;
    /** The model evaluated was trained again on every training row for the restored epoch's count (ValidationOptions.refit). */
    refit?: TrainRefit;
    validationRows: number;
    seconds: number;
    engine: string;
  };
  testSeconds: number;
  engine: string;
  finishedAt: string;
}

export function confusionCounts(labels: readonly number[], predictions: readonly number[], numClasses: number): number[][] {
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  labels.forEach((t, i) => { m[t][predictions[i]]++; });
  return m;
}

export function rowNormalize(m: number[][]): number[][] {
  return m.map((row) => {
    const s = row.reduce((a, b) => a + b, 0);
    return row.map((v) => (s > 0 ? v / s : 0));
  });
}

function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

function std(xs: number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
}

/** Aggregates fold results into a run summary. */
export function summarize(args: {
  model: string; mode: CorruptionMode; label: string; gapModel: GapModel | null; classNames: string[];
  datasetFolds: number[]; results: FoldResult[]; dir: string;
}): RunSummary {
  const results = args.results.slice().sort((a, b) => a.fold - b.fold);
  const k = args.classNames.length;
  const confusionSum = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (const r of results) {
    rowNormalize(r.confusion).forEach((row, i) => row.forEach((v, j) => { confusionSum[i][j] += v; }));
  }
  const done = results.map((r) => r.fold);
  const probed = results.length > 0 && results.every((r) => r.probeAccuracy !== undefined);
  const selected = results.length > 0 && results.every((r) => r.selectedAccuracy !== undefined);
  const selectedAccuracies = results.map((r) => r.selectedAccuracy as number);
  return {
    model: args.model, mode: args.mode, label: args.label, gapModel: args.gapModel, classNames: args.classNames,
    folds: done,
    foldsMissing: args.datasetFolds.filter((f) => !done.includes(f)),
    meanAccuracy: mean(results.map((r) => r.accuracy)),
    stdAccuracy: std(results.map((r) => r.accuracy)),
    dummyMeanAccuracy: mean(results.map((r) => r.dummyAccuracy)),
    ...(probed ? { probeMeanAccuracy: mean(results.map((r) => r.probeAccuracy as number)) } : {}),
    ...(selected ? { selectedMeanAccuracy: mean(selectedAccuracies), selectedStdAccuracy: std(selectedAccuracies) } : {}),
    perFold: results.map((r) => ({
      fold: r.fold, accuracy: r.accuracy, dummyAccuracy: r.dummyAccuracy,
      ...(probed ? { probeAccuracy: r.probeAccuracy } : {}),
      ...(selected ? { selected: r.selection!.chosen, selectedAccuracy: r.selectedAccuracy } : {}), epochsRun: r.training.epochsRun,
      trainSeconds: r.training.reused ? 0 : r.training.seconds, reused: r.training.reused,
    })),
    confusionSum,
    confusionMean: confusionSum.map((row) => row.map((v) => (results.length ? v / results.length : 0))),
    engines: [...new Set(results.map((r) => r.engine))],
    trainSeconds: results.reduce((s, r) => s + (r.training.reused ? 0 : r.training.seconds), 0),
    testSeconds: results.reduce((s, r) => s + r.testSeconds, 0),
    dir: args.dir,
  };
}

/** Writes summary.json, folds.csv, predictions.csv and confusion.csv into the run folder. */
export function writeRunFiles(summary: RunSummary, results: FoldResult[]): void {
  const dir = summary.dir;
  writeJsonAtomic(path.join(dir, 'summary.json'), summary);
  const probed = summary.probeMeanAccuracy !== undefined;
  writeFileAtomic(path.join(dir, 'folds.csv'), toCsv(
    ['fold', 'accuracy', 'dummy_accuracy', ...(probed ? ['probe_accuracy'] : []), 'epochs_run', 'train_seconds', 'weights_reused'],
    summary.perFold.map((p) => [
      p.fold, p.accuracy.toFixed(6), p.dummyAccuracy.toFixed(6), ...(probed ? [(p.probeAccuracy ?? NaN).toFixed(6)] : []),
      p.epochsRun, p.trainSeconds.toFixed(1), p.reused,
    ]),
  ));
  const predRows: unknown[][] = [];
  for (const r of results) {
    r.clipIds.forEach((id, i) => predRows.push([r.fold, id, summary.classNames[r.labels[i]], summary.classNames[r.predictions[i]], r.labels[i] === r.predictions[i] ? 1 : 0]));
  }
  writeFileAtomic(path.join(dir, 'predictions.csv'), toCsv(['fold', 'clip_id', 'true_class', 'predicted_class', 'correct'], predRows));
  writeFileAtomic(path.join(dir, 'confusion.csv'), toCsv(
    ['true_class', ...summary.classNames],
    summary.confusionSum.map((row, i) => [summary.classNames[i], ...row.map((v) => v.toFixed(6))]),
  ));
}

/** Every run summary saved under `<root>/<model>/`, sorted by mode then label. */
export function loadRunSummaries(root: string, model: string): RunSummary[] {
  const base = path.join(root, model);
  if (!fs.existsSync(base)) return [];
  const out: RunSummary[] = [];
  for (const mode of fs.readdirSync(base)) {
    if (mode.startsWith('_') || !fs.statSync(path.join(base, mode)).isDirectory()) continue;
    for (const label of fs.readdirSync(path.join(base, mode))) {
      const s = readJsonIfExists<RunSummary>(path.join(base, mode, label, 'summary.json'));
      if (s) out.push(s);
    }
  }
  return out.sort((a, b) => a.mode.localeCompare(b.mode) || a.label.localeCompare(b.label));
}

/** One row per run, for tables (danfo, CSV). */
export function summaryRows(summaries: RunSummary[]): Record<string, string | number>[] {
  return summaries.map((s) => ({
    model: s.model,
    mode: runModeName(s),
    gap_model: s.gapModel?.kind ?? 'none',
    gap_samples: s.gapModel && 'gapSamples' in s.gapModel ? s.gapModel.gapSamples : s.gapModel ? '' : 0,
    loss_rate: s.gapModel?.kind === 'packet-loss' ? s.gapModel.lossRate : '',
    folds: s.folds.length,
    accuracy: Number(s.meanAccuracy.toFixed(4)),
    std: Number(s.stdAccuracy.toFixed(4)),
    dummy: Number(s.dummyMeanAccuracy.toFixed(4)),
    ...(s.probeMeanAccuracy !== undefined ? { probe: Number(s.probeMeanAccuracy.toFixed(4)) } : {}),
  }));
}

/** Writes overview.csv of every run of a model; returns the rows. */
export function writeOverviewCsv(root: string, model: string, summaries: RunSummary[]): string {
  const rows = summaryRows(summaries);
  const file = path.join(root, model, 'overview.csv');
  const header = ['model', 'mode', 'gap_model', 'gap_samples', 'loss_rate', 'folds', 'accuracy', 'std', 'dummy', ...(rows.some((r) => 'probe' in r) ? ['probe'] : [])];
  writeFileAtomic(file, toCsv(header, rows.map((r) => header.map((h) => r[h]))));
  return file;
}
