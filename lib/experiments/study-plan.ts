/**
 * What a study will run and what it costs (what `lacuna study --plan` prints): each step's jobs
 * (the units the queue hands out) and their seconds, from rates measured on this machine in a few
 * seconds (measureStudyRates) and the dataset's size, and the wall time with 1, 4 and 16 workers
 * like this machine. Steps are barriers (tuning, then grid, reconstruction and the GANs' training
 * together, then the GANs' repairs from their trained models, then classification after repair);
 * within one, jobs go to the least busy worker, longest first.
 * Work every worker repeats (YAMNet embeddings of the whole dataset: a worker's feature provider
 * computes them for all clips; R_ts's clean embeddings, whose patches repaired clips reuse) does not
 * shrink with more workers and is counted as such.
 */
import type { CachedDataset } from '../types';
import { GapModel, drawGaps, gapModelLabel } from '../corrupt/gaps';
import { clipRng, zeroGaps } from '../corrupt/apply';
import { getMethod } from '../reconstruct';
import type { MethodOptions, Reconstructor } from '../reconstruct';
import { RepairModelPlan, modelForFold, repairPlan } from '../reconstruct/folds';
import { corpusExemplar } from '../reconstruct/corpus';
import { DEFAULT_TRAIN_SECONDS } from '../reconstruct/gan/config';
import { GAN_TRAININGS } from '../reconstruct/gan-method';
import { embedWaveforms } from '../models/yamnet/embeddings';
import { patchCount } from '../models/yamnet/frontend';
import { changedWaveformPatches } from '../models/yamnet/patch-reuse';
import type { Yamnet } from '../models/yamnet/model';
import { formatSeconds } from '../util/progress';
import { cnnExperiment, CNN_TRAINING_DEFAULTS } from './cnn';
import { YAMNET_HEAD_TRAINING, yamnetExperiment } from './yamnet-features';
import { predictProbabilities, trainModel } from './train';
import type { FeatureMatrix } from './types';
import type { RepairMode } from './types';

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

export type PlanModel = 'yamnet' | 'cnn';

/** Rates measured on this machine, for clips of `clipSeconds`. */
export interface StudyRates {
  clipSeconds: number;
  /** YAMNet embeddings, clips per second. */
  embedClipsPerSec: number;
  /** Optimiser steps, training rows per second (the YAMNet head on embeddings; the CNN on 8 kHz waveforms). */
  trainRowsPerSec: Partial<Record<PlanModel, number>>;
  /** Predictions, rows per second. */
  inferRowsPerSec: Partial<Record<PlanModel, number>>;
  /** Repairs per second by `<method> <gap label>` (untrained methods; linear's also costs the GANs' repairs). */
  repairsPerSec: Record<string, number>;
  /**
   * Share of a repaired clip's YAMNet patches R_ts embeds again, by gap label (the rest are the
   * clean clip's: lib/models/yamnet/patch-reuse), from the study's gaps on the dataset's clips.
   * Absent: every patch.
   */
  reembedShare?: Record<string, number>;
  /**
   * corpus-exemplar's set-up, seconds per corpus clip (the band descriptors each repair thread
   * computes of its corpus, the training folds' clips, before its first repair). Its repairs are in
   * repairsPerSec, each building the tracks of the corpus clips it picks, as a fold's mostly do.
   */
  corpusSetupSecondsPerClip?: number;
  /** Time the measurement took. */
  seconds: number;
}

const time = async (work: () => Promise<unknown> | unknown): Promise<number> => {
  const t0 = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - t0) / 1e9;
};

/** Rows/s of one training batch after a warm-up batch (compilation, first allocations), and of prediction. */
async function modelRates(model: ReturnType<ReturnType<typeof cnnExperiment>['modelFactory']>, matrix: FeatureMatrix, batchSize: number): Promise<{ train: number; infer: number }> {
  const rows = Array.from({ length: Math.min(matrix.rows, batchSize * 2) }, (_, i) => i);
  const labels = new Int32Array(matrix.rows);
  const stamps: bigint[] = [];
  await trainModel(model, matrix, labels, rows, { epochs: 1, batchSize: Math.ceil(rows.length / 2), seed: 0, workers: 1, onBatch: () => { stamps.push(process.hrtime.bigint()); } });
  const train = Math.ceil(rows.length / 2) / (Number(stamps[stamps.length - 1] - stamps[0]) / 1e9);
  predictProbabilities(model, matrix, rows.slice(0, 8));
  const inferSeconds = await time(() => predictProbabilities(model, matrix, rows));
  return { train, infer: rows.length / inferSeconds };
}

export interface MeasureOptions {
  models: PlanModel[];
  methods: string[];
  gapModels: GapModel[];
  yamnet?: Yamnet;
  /** The 8 kHz cache (the CNN's), when the CNN is measured. */
  dataset8k?: CachedDataset;
  methodOptions?: MethodOptions;
  /** Clips repaired per method and gap model (default 1, after one untimed repair per method). */
  repairClips?: number;
  /** Clips whose gaps give the share of YAMNet patches R_ts embeds again (default 200; no network, milliseconds each). */
  reembedClips?: number;
  /** Corpus clips corpus-exemplar is measured with (default 48, from folds other than the repaired clips'). */
  corpusClips?: number;
}

/** The trained method whose "training" is taking the training folds' clips as a corpus: costed by measured rates, not a budget. */
export const CORPUS_METHOD = 'corpus-exemplar';

/**
 * Per gap model, the share of YAMNet patches R_ts embeds again: the study's gaps (seed 0) on up
 * to `clips` clips spread over the dataset, zero-filled, against the clean clips. A fill from the
 * clip's own material (exemplar, the mel methods' frames) reaches the same patches; one that
 * exceeds the clip's peak (AR's overshoot, rare) costs its whole clip, not counted here.
 */
export function reembedShares(dataset16k: CachedDataset, gapModels: GapModel[], clips: number): Record<string, number> {
  const len = dataset16k.clipSamples;
  const n = Math.min(clips, dataset16k.clips.length);
  const step = dataset16k.clips.length / n;
  const patchesPerClip = patchCount(len);
  const out: Record<string, number> = {};
  for (const gapModel of gapModels) {
    let patches = 0;
    for (let k = 0; k < n; k++) {
      const row = Math.floor(k * step);
      const clean = dataset16k.waveforms.subarray(row * len, (row + 1) * len);
      const gaps = drawGaps(clean, dataset16k.sampleRate, gapModel, clipRng(0, dataset16k.clips[row].id));
      patches += changedWaveformPatches(clean, zeroGaps(clean.slice(), gaps), 'peak')?.length ?? patchesPerClip;
    }
    out[gapModelLabel(gapModel)] = n ? patches / (n * patchesPerClip) : 1;
  }
  return out;
}

/** Measures the rates a plan needs on a handful of the dataset's clips: seconds, not minutes. */
export async function measureStudyRates(dataset16k: CachedDataset, options: MeasureOptions): Promise<StudyRates> {
  const t0 = Date.now();
  const len = dataset16k.clipSamples;
  const rates: StudyRates = { clipSeconds: len / dataset16k.sampleRate, embedClipsPerSec: 0, trainRowsPerSec: {}, inferRowsPerSec: {}, repairsPerSec: {}, seconds: 0 };
  if (options.models.includes('yamnet') && options.yamnet) {
    const k = Math.min(4, dataset16k.clips.length);
    await embedWaveforms(options.yamnet, dataset16k.waveforms.subarray(0, len), len, { quiet: true, workers: 1 });
    const s = await time(() => embedWaveforms(options.yamnet!, dataset16k.waveforms.subarray(0, k * len), len, { quiet: true, workers: 1 }));
    rates.embedClipsPerSec = k / s;
    const e = await yamnetExperiment(dataset16k, { model: options.yamnet, quiet: true });
    const rowShape = [patchCount(len) * 1024];
    const rows = YAMNET_HEAD_TRAINING.batchSize * 2;
    const matrix: FeatureMatrix = { data: new Float32Array(rows * rowShape[0]).map((_, i) => Math.sin(i)), rows, rowShape };
    const net = e.modelFactory({ inputShape: rowShape, numClasses: dataset16k.classNames.length, seed: 0 });
    try {
      const r = await modelRates(net, matrix, YAMNET_HEAD_TRAINING.batchSize);
      rates.trainRowsPerSec.yamnet = r.train;
      rates.inferRowsPerSec.yamnet = r.infer;
    } finally { net.dispose(); }
  }
  if (options.models.includes('cnn') && options.dataset8k) {
    const e = cnnExperiment(options.dataset8k);
    const matrix = await e.provider.features({});
    const net = e.modelFactory({ inputShape: matrix.rowShape, numClasses: options.dataset8k.classNames.length, seed: 0 });
    try {
      const r = await modelRates(net, matrix, CNN_TRAINING_DEFAULTS.batchSize);
      rates.trainRowsPerSec.cnn = r.train;
      rates.inferRowsPerSec.cnn = r.infer;
    } finally { net.dispose(); }
  }
  if (options.models.includes('yamnet')) rates.reembedShare = reembedShares(dataset16k, options.gapModels, options.reembedClips ?? 200);
  const k = Math.min(options.repairClips ?? 1, dataset16k.clips.length);
  const repair = async (reconstructor: Reconstructor, gapModel: GapModel, row: number) => {
    const clean = dataset16k.waveforms.subarray(row * len, (row + 1) * len);
    const gaps = drawGaps(clean, dataset16k.sampleRate, gapModel, clipRng(0, dataset16k.clips[row].id));
    await reconstructor.repair({ corrupted: zeroGaps(clean.slice(), gaps), sampleRate: dataset16k.sampleRate, gaps });
  };
  // A GAN's repairs are costed at linear's rate (planStudy): measured whenever a GAN is in the study.
  const measured = options.methods.some((m) => Object.hasOwn(GAN_TRAININGS, m)) ? [...new Set([...options.methods, 'linear'])] : options.methods;
  if (measured.includes(CORPUS_METHOD) && options.gapModels.length) {
    const corpus = await corpusRates(dataset16k, options.gapModels, k, options.corpusClips ?? 48, repair);
    rates.corpusSetupSecondsPerClip = corpus.corpusSetupSecondsPerClip;
    Object.assign(rates.repairsPerSec, corpus.repairsPerSec);
  }
  for (const method of measured) {
    const factory = getMethod(method);
    if (!factory.create || !options.gapModels.length) continue;
    const reconstructor = factory.create(options.methodOptions ?? {});
    await repair(reconstructor, options.gapModels[0], dataset16k.clips.length - 1); // warm-up (first allocations, filterbanks)
    for (const gapModel of options.gapModels) {
      const s = await time(async () => { for (let row = 0; row < k; row++) await repair(reconstructor, gapModel, row); });
      rates.repairsPerSec[`${method} ${gapModelLabel(gapModel)}`] = k / s;
    }
  }
  rates.seconds = (Date.now() - t0) / 1000;
  return rates;
}

/**
 * corpus-exemplar's rates on a corpus of up to `corpusClips` clips from folds other than the
 * repaired rows' (0…k-1, and the last row's warm-up): its set-up per corpus clip, and per gap model
 * its repairs/s with a fresh corpus (no corpus clip's tracks built yet, as for most picks in a fold).
 */
async function corpusRates(
  dataset16k: CachedDataset, gapModels: GapModel[], k: number, corpusClips: number,
  repair: (reconstructor: Reconstructor, gapModel: GapModel, row: number) => Promise<void>,
): Promise<Pick<StudyRates, 'corpusSetupSecondsPerClip' | 'repairsPerSec'>> {
  const len = dataset16k.clipSamples;
  const clips = dataset16k.clips;
  const repairedFolds = new Set([...clips.slice(0, k), clips[clips.length - 1]].map((c) => c.fold));
  const others = clips.flatMap((c, row) => (repairedFolds.has(c.fold) ? [] : [row]));
  const step = Math.max(1, others.length / corpusClips);
  const rows = Array.from({ length: Math.min(corpusClips, others.length) }, (_, i) => others[Math.floor(i * step)]);
  const corpus = rows.map((row) => dataset16k.waveforms.subarray(row * len, (row + 1) * len));
  if (!corpus.length) return { repairsPerSec: {} };
  corpusExemplar(corpus.slice(0, 2)); // warm-up (first allocations, filterbanks)
  const setupSeconds = await time(() => corpusExemplar(corpus));
  const repairsPerSec: Record<string, number> = {};
  await repair(corpusExemplar(corpus), gapModels[0], clips.length - 1); // warm-up
  for (const gapModel of gapModels) {
    const fresh = corpusExemplar(corpus);
    const s = await time(async () => { for (let row = 0; row < k; row++) await repair(fresh, gapModel, row); });
    repairsPerSec[`${CORPUS_METHOD} ${gapModelLabel(gapModel)}`] = k / s;
  }
  return { corpusSetupSecondsPerClip: setupSeconds / corpus.length, repairsPerSec };
}

/** The study as the plan sees it. */
export interface PlanShape {
  clips: number;
  folds: number;
  /** Test folds computed (default all). */
  testFolds: number;
  clipSeconds: number;
  models: PlanModel[];
  /** Methods with zero first (the study always runs it). */
  methods: string[];
  gapModels: GapModel[];
  /** The gap models a method repairs (a trained method skips packet loss). */
  gapModelsFor(method: string): GapModel[];
  repairModes: RepairMode[];
  tuneCalls: number;
  methodOptions?: MethodOptions;
}

export interface PlanStep {
  /** Step of the study (`grid cnn`). */
  name: string;
  /** Stage: steps of one stage can run side by side; a stage starts when the one before ends. */
  stage: number;
  /** The job's kind (lib/queue) and what one job is. */
  job: string;
  /** Seconds of each job on one worker. */
  jobSeconds: number[];
  /** Seconds every worker taking part spends once, whatever the job count (YAMNet embeddings). */
  perWorkerSeconds: number;
  /** Rounds that must run one after another (tuning: a proposal waits for the points before it). */
  sequentialRounds?: number;
}

/** Each step's jobs and seconds. Rates for a model not in `rates` make its steps throw. */
export function planStudy(shape: PlanShape, rates: StudyRates): PlanStep[] {
  const scale = shape.clipSeconds / rates.clipSeconds;
  const testClips = shape.clips / shape.folds;
  const trainClips = shape.clips - testClips;
  const need = (v: number | undefined, what: string): number => { if (!(v! > 0)) throw new Error(`no measured rate for ${what}`); return v!; };
  const epochs = (m: PlanModel) => (m === 'yamnet' ? YAMNET_HEAD_TRAINING : CNN_TRAINING_DEFAULTS).epochs;
  const train = (m: PlanModel) => (trainClips * epochs(m) * scale) / need(rates.trainRowsPerSec[m], `${m} training`);
  const infer = (m: PlanModel, clips: number) => (clips * scale) / need(rates.inferRowsPerSec[m], `${m} prediction`);
  const embed = (clips: number) => (clips * scale) / need(rates.embedClipsPerSec, 'YAMNet embeddings');
  const repeat = <T>(n: number, v: T): T[] => Array.from({ length: n }, () => v);
  const steps: PlanStep[] = [];
  const G = shape.gapModels.length;
  for (const m of shape.models) {
    if (shape.tuneCalls > 0) {
      // A point is a cross-validation over the test folds on 80 % of each training split (validation objective).
      steps.push({ name: `tune ${m}`, stage: 0, job: 'tune-point: one proposal, all folds', jobSeconds: repeat(shape.tuneCalls, shape.testFolds * train(m) * 0.8),
        perWorkerSeconds: m === 'yamnet' ? embed(shape.clips) : 0, sequentialRounds: shape.tuneCalls });
    }
    steps.push({ name: `grid ${m}`, stage: 1, job: `cv-unit: one fold, training + NC + ${G} C_ts`, jobSeconds: repeat(shape.testFolds, train(m) + infer(m, testClips * (1 + G))),
      perWorkerSeconds: m === 'yamnet' ? embed(shape.clips * (1 + G)) : 0 });
  }
  const reconstructFolds = shape.repairModes.includes('R_all') ? shape.folds : shape.testFolds;
  const repairSeconds = (method: string, g: GapModel) => {
    const key = `${method} ${gapModelLabel(g)}`;
    return (testClips * scale) / need(rates.repairsPerSec[key], `${key} repairs`);
  };
  for (const method of shape.methods) {
    const factory = getMethod(method);
    const gaps = shape.gapModelsFor(method);
    if (factory.train) {
      const models = repairPlan(Array.from({ length: shape.folds }, (_, i) => i + 1)).length;
      const trainings = models * (factory.oneModelForAllGaps ? 1 : gaps.length);
      const budget = shape.methodOptions?.trainSeconds ?? factory.defaults?.trainSeconds ?? DEFAULT_TRAIN_SECONDS;
      if (method === CORPUS_METHOD) {
        steps.push(corpusStep(shape, rates, reconstructFolds, gaps, repairSeconds));
        continue;
      }
      if (!Object.hasOwn(GAN_TRAININGS, method)) {
        // Another trained method trains and repairs on the coordinator; its training budget is what is known.
        steps.push({
          name: `reconstruct ${method}`, stage: 1, job: `on the coordinator: ${trainings} model(s), the training budget each`,
          jobSeconds: repeat(trainings, budget), perWorkerSeconds: 0,
        });
        continue;
      }
      steps.push({
        name: `train ${method}`, stage: 1, job: `gan-train: ${trainings} model(s), the training budget each`,
        jobSeconds: repeat(trainings, budget), perWorkerSeconds: 0,
      });
      // Its repairs wait for its models. There is no trained model to time yet: each repair is costed at linear's
      // measured rate, as it runs the same Griffin–Lim code for the gap's audio (the generator's pass is not counted).
      steps.push({
        name: `reconstruct ${method}`, stage: 2, job: 'reconstruct-fold: one fold, one gap model, trained model (costed at linear\'s rate)',
        jobSeconds: gaps.flatMap((g) => repeat(reconstructFolds, repairSeconds('linear', g))), perWorkerSeconds: 0,
      });
      continue;
    }
    steps.push({
      name: `reconstruct ${method}`, stage: 1, job: 'reconstruct-fold: one fold, one gap model',
      jobSeconds: gaps.flatMap((g) => repeat(reconstructFolds, repairSeconds(method, g))), perWorkerSeconds: 0,
    });
  }
  for (const m of shape.models) {
    for (const mode of shape.repairModes) {
      const methods = shape.methods.filter((x) => !(mode === 'R_all' && getMethod(x).train));
      const cells = methods.reduce((n, x) => n + shape.gapModelsFor(x).length, 0);
      // YAMNet embeds only the patches the gaps reach, reusing the clean clips' embeddings for the rest.
      const share = (g: GapModel) => rates.reembedShare?.[gapModelLabel(g)] ?? 1;
      if (mode === 'R_ts') {
        // A worker computes each fold's clean embeddings once (its job's rows), then reuses them.
        const perFold = (g: GapModel) => infer(m, testClips) + (m === 'yamnet' ? embed(testClips) * share(g) : 0);
        const jobSeconds = methods.flatMap((x) => shape.gapModelsFor(x).flatMap((g) => repeat(shape.testFolds, perFold(g))));
        steps.push({ name: `${mode} ${m}`, stage: 3, job: 'after-repair: one fold, one method, one gap model', jobSeconds,
          perWorkerSeconds: m === 'yamnet' && rates.reembedShare ? embed(shape.clips) : 0 });
      } else {
        steps.push({ name: `${mode} ${m}`, stage: 3, job: 'after-repair: one fold, one method, one gap model, training + test', jobSeconds: repeat(cells * shape.testFolds, train(m) + infer(m, testClips)),
          perWorkerSeconds: m === 'yamnet' ? embed(shape.clips * methods.reduce((n, x) => n + sum(shape.gapModelsFor(x).map(share)), 0)) : 0 });
      }
    }
  }
  return steps;
}

/**
 * corpus-exemplar's folds: per gap model, each fold's repairs at its measured rate plus its share of
 * its corpus's set-up (a model of the fold scheme takes its training folds' clips as the corpus, once
 * per gap model's run, and computes their band descriptors). No training budget: nothing is trained.
 */
function corpusStep(
  shape: PlanShape, rates: StudyRates, reconstructFolds: number, gaps: GapModel[], repairSeconds: (method: string, g: GapModel) => number,
): PlanStep {
  const perClip = rates.corpusSetupSecondsPerClip;
  if (!(perClip! >= 0)) throw new Error(`no measured rate for ${CORPUS_METHOD}'s corpus set-up`);
  const models = repairPlan(Array.from({ length: shape.folds }, (_, i) => i + 1));
  const setupSeconds = (m: RepairModelPlan) =>
    (perClip! * (shape.clipSeconds / rates.clipSeconds) * shape.clips * m.trainFolds.length) / shape.folds;
  // The folds repaired (the first ones, as the plan does not know which) share the set-up of each corpus they need equally.
  const folds = Array.from({ length: reconstructFolds }, (_, i) => i + 1);
  const foldSetup = folds.map((f) => {
    const m = modelForFold(models, f);
    return setupSeconds(m) / folds.filter((g) => m.repairsFolds.includes(g)).length;
  });
  const corpusClips = models.map((m) => Math.round((shape.clips * m.trainFolds.length) / shape.folds));
  return {
    name: `reconstruct ${CORPUS_METHOD}`, stage: 1,
    job: 'on the coordinator: one fold, one gap model '
      + `(+ its share of a corpus's set-up: ${models.length} corpora of ${corpusClips.join('/')} clips)`,
    jobSeconds: gaps.flatMap((g) => foldSetup.map((setup) => repairSeconds(CORPUS_METHOD, g) + setup)), perWorkerSeconds: 0,
  };
}

/** Longest-first list scheduling of `jobs` on `workers`: the time the last one ends. */
function makespan(jobs: number[], workers: number): number {
  const load = new Array(Math.max(1, workers)).fill(0);
  for (const j of [...jobs].sort((a, b) => b - a)) {
    let i = 0;
    for (let w = 1; w < load.length; w++) if (load[w] < load[i]) i = w;
    load[i] += j;
  }
  return Math.max(...load);
}

/** Wall seconds of one step alone with `workers`. */
export function stepWallSeconds(step: PlanStep, workers: number): number {
  const busy = Math.min(workers, step.jobSeconds.length);
  if (step.sequentialRounds) {
    // A batch of `workers` proposals at a time: rounds of one point's time each.
    const each = step.jobSeconds[0] ?? 0;
    return Math.ceil(step.sequentialRounds / Math.max(1, workers)) * each + step.perWorkerSeconds;
  }
  return makespan(step.jobSeconds, busy) + (step.jobSeconds.length ? step.perWorkerSeconds : 0);
}

/** Wall seconds of the whole plan with `workers`: stages one after another, steps of a stage sharing the workers. */
export function planWallSeconds(steps: PlanStep[], workers: number): number {
  const stages = [...new Set(steps.map((s) => s.stage))].sort((a, b) => a - b);
  return stages.reduce((total, stage) => {
    const inStage = steps.filter((s) => s.stage === stage);
    const jobs = inStage.flatMap((s) => (s.sequentialRounds ? [] : s.jobSeconds));
    const sequential = inStage.filter((s) => s.sequentialRounds).reduce((n, s) => n + stepWallSeconds(s, workers), 0);
    const perWorker = inStage.filter((s) => !s.sequentialRounds).reduce((n, s) => n + s.perWorkerSeconds, 0);
    return total + sequential + (jobs.length ? makespan(jobs, workers) + perWorker : 0);
  }, 0);
}

/** Seconds as `42s`, `12m05s`, `7h03m`, `4d05h`: plans run from seconds to weeks. */
export function formatDuration(s: number): string {
  if (!(s >= 3600)) return formatSeconds(s);
  const minutes = Math.round(s / 60);
  if (minutes < 48 * 60) return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
  const hours = Math.round(s / 3600);
  return `${Math.floor(hours / 24)}d${String(hours % 24).padStart(2, '0')}h`;
}

/** The plan as a table: step, jobs, seconds per job, then wall time with each worker count. */
export function formatPlan(steps: PlanStep[], workerCounts: number[]): string[] {
  const head = ['step', 'jobs', 'per job', ...workerCounts.map((w) => `${w} worker${w > 1 ? 's' : ''}`), 'job'];
  const rows = steps.map((s) => [
    s.name, String(s.jobSeconds.length), formatDuration(sum(s.jobSeconds) / Math.max(1, s.jobSeconds.length)),
    ...workerCounts.map((w) => formatDuration(stepWallSeconds(s, w))), s.job + (s.perWorkerSeconds ? ` (+${formatDuration(s.perWorkerSeconds)} embeddings on every worker)` : ''),
  ]);
  rows.push(['total (steps in stages)', String(sum(steps.map((s) => s.jobSeconds.length))), '', ...workerCounts.map((w) => formatDuration(planWallSeconds(steps, w))), '']);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 || i === r.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [line(head), ...rows.map(line)];
}

function shareRange(shares: Record<string, number>): string {
  const vs = Object.values(shares).map((v) => Math.round(100 * v));
  return `${Math.min(...vs)}–${Math.max(...vs)} %`;
}

/** One line of the measured rates. */
export function formatRates(rates: StudyRates): string {
  const f = (v: number | undefined) => (v === undefined ? '-' : v >= 100 ? v.toFixed(0) : v.toPrecision(3));
  const parts = [
    rates.embedClipsPerSec ? `YAMNet embeddings ${f(rates.embedClipsPerSec)} clips/s` : '',
    ...(['yamnet', 'cnn'] as const).filter((m) => rates.trainRowsPerSec[m]).map((m) => `${m === 'yamnet' ? 'head' : 'CNN'} training ${f(rates.trainRowsPerSec[m])} clips/s, prediction ${f(rates.inferRowsPerSec[m])} clips/s`),
    rates.corpusSetupSecondsPerClip !== undefined
      ? `${CORPUS_METHOD}'s set-up ${f(1000 * rates.corpusSetupSecondsPerClip)} ms per corpus clip` : '',
    rates.reembedShare ? `R_ts embeds ${shareRange(rates.reembedShare)} of YAMNet's patches again (by gap model)` : '',
    `repairs/s ${[...new Set(Object.keys(rates.repairsPerSec).map((k) => k.split(' ')[0]))].map((m) => {
      const vs = Object.entries(rates.repairsPerSec).filter(([k]) => k.split(' ')[0] === m).map(([, v]) => v);
      return `${m} ${f(Math.min(...vs))}–${f(Math.max(...vs))}`;
    }).join(', ')} (by gap model)`,
  ].filter(Boolean);
  return parts.join(' · ');
}
