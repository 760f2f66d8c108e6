/**
 * A study on disk: `config.json` (search space, optimiser, objective, model, dataset) and one
 * `trials/trial-NNNN.json` per finished point, each written atomically the moment it finishes.
 * Re-running with the same configuration and more calls extends the study; an interrupted point
 * is simply proposed again (proposals depend only on the seed and the finished points, so it is
 * the same point); a different configuration is refused with the differing keys named.
 */
import * as fs from 'fs';
import * as path from 'path';
import { readJsonIfExists, writeJsonAtomic } from '../util/atomic';
import { check, LacunaError } from '../util/errors';
import { createProgress, formatSeconds } from '../util/progress';
import { claimRunDir } from '../util/owned-dir';
import type { ObjectiveKind, Point, TrialRecord } from './types';
import type { Observation, Optimizer } from './optimizer';
import { proposeBatch } from './batch';

export const OBJECTIVE_KINDS: readonly ObjectiveKind[] = ['validation', 'test'];

/** What an objective returns for one point: per leave-one-fold-out fold, validation and test accuracy. */
export interface Evaluation {
  folds: number[];
  /** Accuracy on the stratified validation rows of the training folds (the kept epoch's). */
  validationAccuracy: number[];
  /** Accuracy on the held-out test fold: stored, never seen by the optimiser unless the objective is 'test'. */
  testAccuracy: number[];
  epochsRun: number[];
  /** Backend that trained (wasm, node, cpu). */
  engine: string;
}

export interface StudyConfig {
  /** Optimiser settings (method, seed, space, acquisition…): Optimizer.settings. */
  optimizer: Record<string, unknown>;
  objective: ObjectiveKind;
  /** The model and the training every point gets (epochs, folds, early stopping…). */
  model: Record<string, unknown>;
  /** Name and fingerprint of the data. */
  dataset: Record<string, unknown>;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

export function trialFile(dir: string, index: number): string {
  return path.join(dir, 'trials', `trial-${String(index).padStart(4, '0')}.json`);
}

/** The finished trials of a study folder, in call order (an empty list for a new folder). */
export function loadTrials(dir: string): TrialRecord[] {
  const folder = path.join(dir, 'trials');
  if (!fs.existsSync(folder)) return [];
  const files = fs.readdirSync(folder).filter((f) => /^trial-\d{4,}\.json$/.test(f)).sort();
  const trials = files.map((f) => readJsonIfExists<TrialRecord>(path.join(folder, f)) as TrialRecord);
  trials.forEach((t, i) => {
    if (t.index !== i) {
      throw new LacunaError(`${folder}: trial ${i} is missing (found ${files.join(', ')}); the study cannot be resumed safely`);
    }
  });
  return trials;
}

/** What the optimiser sees of the trials: the negated score (it minimises). */
export function observationsOf(trials: readonly TrialRecord[]): Observation[] {
  return trials.map((t) => ({ point: t.params, loss: -t.score }));
}

/** A trial's record from its evaluation: the score is the objective's mean, the rest is kept beside it. */
export function trialRecord(index: number, params: Point, e: Evaluation, objective: ObjectiveKind, seconds: number): TrialRecord {
  check(e.folds.length > 0 && e.validationAccuracy.length === e.folds.length && e.testAccuracy.length === e.folds.length,
    'an evaluation needs one validation and one test accuracy per fold');
  const validation = { perFold: e.validationAccuracy, mean: mean(e.validationAccuracy) };
  const test = { perFold: e.testAccuracy, mean: mean(e.testAccuracy) };
  return {
    index, params, score: objective === 'test' ? test.mean : validation.mean, objective, optimistic: objective === 'test',
    validation, test, folds: e.folds, epochsRun: e.epochsRun, seconds, engine: e.engine, finishedAt: new Date().toISOString(),
  };
}

/** The trial with the highest score (the first of equals). */
export function bestTrial(trials: readonly TrialRecord[]): TrialRecord | undefined {
  return trials.reduce<TrialRecord | undefined>((best, t) => (best === undefined || t.score > best.score ? t : best), undefined);
}

export interface StudyOptions {
  /** The study's folder. */
  dir: string;
  /** Recorded in config.json; the optimiser's settings must be config.optimizer. */
  config: StudyConfig;
  optimizer: Optimizer;
  /** Trains and scores one point. */
  evaluate: (params: Point, index: number) => Promise<Evaluation>;
  /** Total calls the study should have when this returns (finished ones count). */
  calls: number;
  /** A line per finished point (the CLI passes console.log). */
  log?: (line: string) => void;
  quiet?: boolean;
  /** Label of the progress line. Default 'tuning'. */
  label?: string;
  /**
   * Points evaluated `size` at a time (queue workers), proposed by constant liar (lib/tuning/batch.ts);
   * a batch of one proposes what one-at-a-time search does. Default: one at a time through `evaluate`.
   */
  batch?: { size: number; evaluate: (points: { params: Point; index: number }[]) => Promise<Evaluation[]> };
}

/**
 * Writes config.json into a new study folder, accepts an identical one, and otherwise refuses,
 * naming the keys that differ: finished points of another configuration must never mix.
 */
export function claimStudyDir(dir: string, config: StudyConfig): void {
  claimRunDir(dir, { kind: 'lacuna-tuning-study', ...config }, {
    refusal: (folder, differing) => `${folder} holds a study with another configuration (differs in: ${differing.join(', ')}); ` +
      'extend it with the settings it was started with, or give another --output folder',
  });
}

/** Runs (or resumes, or extends) a study up to `calls` finished points; returns every trial. */
export async function runStudy(options: StudyOptions): Promise<TrialRecord[]> {
  const { dir, config, optimizer, calls } = options;
  check(Number.isInteger(calls) && calls >= 1, `calls must be an integer >= 1, got ${calls}`);
  check(JSON.stringify(config.optimizer) === JSON.stringify(optimizer.settings),
    'the study config must record the optimiser\'s own settings');
  claimStudyDir(dir, config);
  const trials = loadTrials(dir);
  const remaining = Math.max(0, calls - trials.length);
  const progress = createProgress({ total: remaining, label: options.label ?? 'tuning', quiet: options.quiet });
  const started = Date.now();
  for (let first = trials.length; first < calls; first = trials.length) {
    const size = Math.min(options.batch?.size ?? 1, calls - first);
    const points = proposeBatch(optimizer, observationsOf(trials), size);
    const t0 = Date.now();
    const evaluations = options.batch
      ? await options.batch.evaluate(points.map((params, i) => ({ params, index: first + i })))
      : [await options.evaluate(points[0], first)];
    check(evaluations.length === points.length, `a batch of ${points.length} point(s) came back with ${evaluations.length} evaluation(s)`);
    for (let i = 0; i < points.length; i++) {
      const k = first + i;
      const trial = trialRecord(k, points[i], evaluations[i], config.objective, (Date.now() - t0) / 1000);
      writeJsonAtomic(trialFile(dir, k), trial);
      trials.push(trial);
      const best = bestTrial(trials)!;
      const done = k + 1 - (calls - remaining);
      const left = ((Date.now() - started) / 1000 / done) * (calls - k - 1);
      const line = `call ${k + 1}/${calls}: ${config.objective} score ${trial.score.toFixed(4)}${trial.optimistic ? ' (optimistic)' : ''}` +
        ` · best ${best.score.toFixed(4)} (call ${best.index + 1}) · ${formatSeconds(trial.seconds)} · ${formatSeconds(left)} left`;
      options.log?.(line);
      progress.tick(1, line);
    }
  }
  progress.done(`${trials.length} calls, best ${bestTrial(trials)?.score.toFixed(4)}`);
  return trials;
}
