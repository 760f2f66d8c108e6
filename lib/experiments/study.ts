/**
 * The whole study in one call (what `lacuna study` runs): data → tuning when asked (validation
 * objective: the test folds never score a point) → classification grid (NC and C_ts at the study's
 * gap lengths, with the tuned point when there is one) → reconstruction by every method at every length → classification
 * after reconstruction → the headline comparison per model. Each step resumes on its own (dataset
 * cache, finished folds of each run, finished reconstruction folds, embedding caches), so running
 * the same study again recomputes nothing. One progress line covers all steps; its time left is
 * the elapsed time per unit of estimated work (STEP_COST) times the work remaining.
 *
 * Layout: <output>/results/<dataset>/<model>/{NC,C_ts,R_ts-<method>,R_all-<method>}/…, headline-*.html
 *         (<model> is `<model>-tuned-<hash>` after tuning); <output>/tuning/<dataset>/<model>-validation/…;
 *         <output>/reconstruct/<dataset>/<method>/<gap label>-seed<seed>/…
 */
import * as path from 'path';
import type { CachedDataset } from '../types';
import { CreateDatasetOptions, loadCachedDataset } from '../data';
import type { GapModel } from '../corrupt/gaps';
import { gapModelLabel, validateGapModel } from '../corrupt/gaps';
import { getMethod, runReconstruction } from '../reconstruct';
import type { MethodOptions } from '../reconstruct';
import { loadYamnet, Yamnet } from '../models/yamnet/model';
import { createProgress, reportingTo } from '../util/progress';
import { tune } from '../tuning/tune';
import { ParamsFile, withParams } from '../tuning/params';
import { afterRepairOnQueue, runCrossValidationOnQueue, runReconstructionOnQueue, tuneBatchOnQueue } from '../queue';
import { ParameterError, check } from '../util/errors';
import { cnnExperiment, CNN_TRAINING_DEFAULTS } from './cnn';
import { YAMNET_HEAD_TRAINING, yamnetExperiment } from './yamnet-features';
import { runCrossValidation } from './crossval';
import type { CrossValOptions } from './crossval';
import { classifyAfterRepair, RepairedPath } from './after-repair';
import { writeHeadline } from './headline';
import { writeRecoverability } from './recoverable';
import { writeOverview } from './report';
import type { Headline, RepairMode } from './types';
import type { TrainingSettings } from './train';
import type { Experiment, ExperimentRecipe } from './recipe';
import { PlanShape, PlanStep, StudyRates, measureStudyRates, planStudy } from './study-plan';

export type StudyModel = 'yamnet' | 'cnn';

export interface StudyOptions {
  /** The dataset (created or reused as `lacuna data` would). */
  dataset: Omit<CreateDatasetOptions, 'rates' | 'force' | 'memoryBudgetBytes'>;
  /** Root of everything written: results/<dataset>/ and reconstruct/<dataset>/ below it. */
  output: string;
  models: StudyModel[];
  methods: string[];
  /** Missing samples per clip at 16 kHz (the reconstruction's rate); both models are repaired from these gaps. */
  lengths: number[];
  gapKinds: ('single' | 'multiple')[];
  /** Packet-loss channels repaired and classified too (trained methods, built for one gap length, skip them). */
  packetLoss?: { lossRate: number; meanBurstPackets: number }[];
  /** R_ts (head trained on clean audio) and/or R_all (trained and tested on repaired audio). */
  repairModes: RepairMode[];
  folds?: number[];
  seed: number;
  yamnetPath?: string;
  /** Training of each model; default the model's preset (YAMNET_HEAD_TRAINING, CNN_TRAINING_DEFAULTS). */
  training?: Partial<Record<StudyModel, TrainingSettings>>;
  /**
   * Tune each model first (SMBO, validation objective, over `folds`) with this many points, then
   * run everything with the best point; a larger number later extends the same tuning study.
   */
  tuneCalls?: number;
  /** Options of the reconstruction methods (Griffin–Lim iterations; the GAN's preset and training seconds). */
  methodOptions?: MethodOptions;
  quiet?: boolean;
  /**
   * Run the tuning points, grid units, reconstruction folds, GAN trainings and classification after
   * repair on `lacuna worker`s through this Redis (lib/queue); results are the same files (the
   * GANs' (gan, gan-masked) repairs run here, from the checkpoints the workers trained).
   * `engine`: the one workers must use (else their own choice);
   * `tuneBatch`: tuning points handed out at a time (constant liar; default 1, the local study's points).
   */
  queue?: { url: string; engine?: string; tuneBatch?: number };
}

/** `--quick`: a configuration that finishes in minutes on the tiny dataset. */
export const QUICK_STUDY: Pick<StudyOptions, 'models' | 'methods' | 'lengths' | 'gapKinds' | 'repairModes' | 'folds'> = Object.freeze({
  models: ['yamnet', 'cnn'], methods: ['zero', 'linear', 'ar', 'exemplar'], lengths: [1000, 4000],
  gapKinds: ['single'], repairModes: ['R_ts'], folds: [1, 2],
}) as never;

/**
 * The full study: every registered untrained method but corpus-exemplar (its cost), the reference's
 * reconstruction lengths, and the GAN as gan-masked (one mask-conditioned model per cross-fit half
 * for every length, 300 s of training each: the reference's one-model-per-length GAN would train 20).
 */
export const FULL_STUDY: Pick<StudyOptions, 'models' | 'methods' | 'lengths' | 'gapKinds' | 'repairModes'> = Object.freeze({
  models: ['yamnet', 'cnn'], methods: ['zero', 'linear', 'repeat', 'ar', 'exemplar', 'gan-masked'],
  lengths: [1000, 2000, 4000, 8000, 16000],
  gapKinds: ['single', 'multiple'], repairModes: ['R_ts'],
}) as never;

/**
 * Each step's cost in minutes of one worker per 1000 clips of 4 s (reconstruction and
 * classification after repair: per gap model), from `lacuna study --plan` on the built-in default
 * set on this project's 2-core machine, idle: grid cnn 35m, grid yamnet 8m + 4m of embeddings;
 * per gap model, reconstruct zero 0.1m, linear 0.99m, repeat 0.84m, ar 0.89m, exemplar 0.82m,
 * gan-masked 0.99m + 2 x 5 min of training over the 10 gap models; R_ts 14m54s (yamnet) and 7m26s
 * (cnn) over 60 method x gap model cells. R_all trains every fold as the grid does; a tuning point
 * trains on 80 % of each fold; corpus-exemplar repairs at about 7 x exemplar's time. Only the
 * ratios matter: the progress line's time left is the elapsed time per unit times the units left.
 */
const STEP_COST = {
  data: 1, tunePoint: { yamnet: 6.4, cnn: 28 }, grid: { yamnet: 12, cnn: 35 },
  reconstruct: { zero: 0.1, linear: 0.99, repeat: 0.84, ar: 0.89, exemplar: 0.82, 'corpus-exemplar': 5.7, 'gan-masked': 1.99, default: 20 },
  // R_ts scores the grid's clean-trained weights; R_all trains on every fold as the grid did.
  classify: { R_ts: { yamnet: 0.25, cnn: 0.124 }, R_all: { yamnet: 12, cnn: 35 } },
  headline: 0.1,
};

export interface StudyResult {
  resultsRoot: string;
  reconstructionRoot: string;
  headlines: Headline[];
  files: string[];
  seconds: number;
}

function gapModelsOf(options: StudyOptions): GapModel[] {
  return [
    ...options.gapKinds.flatMap((kind) => options.lengths.map((gapSamples) => ({ kind, gapSamples }) as GapModel)),
    ...(options.packetLoss ?? []).map((p): GapModel => ({ kind: 'packet-loss', ...p })),
  ];
}

/** The gap models a method repairs: a trained method (the GAN) learns one gap length, so packet loss is not for it. */
function gapModelsFor(method: string, gapModels: GapModel[]): GapModel[] {
  return getMethod(method).train ? gapModels.filter((g) => g.kind !== 'packet-loss') : gapModels;
}

/**
 * The grid's C_ts gaps at a model's rate: the same durations as the reconstruction's 16 kHz gaps
 * (the CNN's 8 kHz grid counts half the samples). The headline compares with the `zero` repair,
 * whose gaps are the reconstruction's exactly; C_ts stays in the overview beside it.
 */
function gridGapModels(gapModels: GapModel[], sampleRate: number): GapModel[] {
  return gapModels.map((g) => ('gapSamples' in g ? { ...g, gapSamples: Math.round((g.gapSamples * sampleRate) / 16000) } : g));
}

function validate(options: StudyOptions): void {
  check(options.models.length > 0 && options.models.every((m) => m === 'yamnet' || m === 'cnn'),
    `models must be yamnet and/or cnn, got ${options.models.join(',')}`);
  for (const m of options.methods) getMethod(m);
  for (const l of options.lengths) {
    if (!(Number.isInteger(l) && l >= 4)) throw new ParameterError(`lengths must be integers >= 4, got ${l}`);
  }
  for (const p of options.packetLoss ?? []) validateGapModel({ kind: 'packet-loss', ...p });
  check(options.repairModes.length > 0, 'at least one repair mode (R_ts, R_all)');
  if (options.tuneCalls !== undefined) {
    check(Number.isInteger(options.tuneCalls) && options.tuneCalls >= 0, `tuneCalls must be an integer >= 0, got ${options.tuneCalls}`);
  }
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** Runs (or resumes) the study; see the module comment for its steps and layout. */
export async function runStudy(options: StudyOptions): Promise<StudyResult> {
  validate(options);
  const t0 = Date.now();
  // zero is the no-repair baseline the headline compares with: always part of the study.
  const methods = ['zero', ...options.methods.filter((m) => m !== 'zero')];
  const gapModels = gapModelsOf(options);
  // Data first (creating a cache shows its own progress): the other steps' costs scale with its clips.
  const ds16 = loadCachedDataset({ ...options.dataset, quiet: options.quiet }, 16000);
  const ds8 = options.models.includes('cnn') ? loadCachedDataset({ ...options.dataset, quiet: true }, 8000) : undefined;
  const kClips = () => ds16.clips.length / 1000;
  const cost = (c: number) => c * kClips();
  const tuneCalls = options.tuneCalls ?? 0;
  const reconstructCost = (method: string) =>
    cost((STEP_COST.reconstruct as Record<string, number>)[method] ?? STEP_COST.reconstruct.default);
  const classifyCost = (model: StudyModel, mode: RepairMode, method: string) =>
    gapModelsFor(method, gapModels).length * cost(STEP_COST.classify[mode][model]);
  // A trained method is not repaired for R_all: see classifyAfterRepair, it would leak.
  const classifies = (mode: RepairMode, method: string) => !(mode === 'R_all' && getMethod(method).train);
  const total = () => cost(STEP_COST.data)
    + options.models.reduce((n, m) => n + tuneCalls * cost(STEP_COST.tunePoint[m]), 0)
    + options.models.reduce((n, m) => n + cost(STEP_COST.grid[m]), 0)
    + methods.reduce((n, m) => n + gapModelsFor(m, gapModels).length * reconstructCost(m), 0)
    + sum(options.models.flatMap((model) => options.repairModes.flatMap((mode) =>
      methods.filter((m) => classifies(mode, m)).map((m) => classifyCost(model, mode, m)))))
    + options.models.length * cost(STEP_COST.headline);
  const progress = createProgress({ total: Math.round(total() * 100), label: 'study', quiet: options.quiet });
  // Each step's own progress moves the study's line within the step's share (never backwards).
  // A step found done on disk (a resumed study) finishes in moments: its share is skipped, not
  // counted as work done at that speed, so the time left stays an estimate of real work.
  let ticked = 0;
  let stepStart = 0;
  let stepBegan = Date.now();
  const INSTANT_MS = 3000;
  const advanceTo = (units: number, note?: string, skipped = false) => {
    const target = Math.round(units * 100);
    if (target <= ticked) return;
    if (skipped) progress.skip(target - ticked, note); else progress.tick(target - ticked, note);
    ticked = target;
  };
  const step = (c: number, note: string) => {
    stepStart += c;
    advanceTo(stepStart, note, Date.now() - stepBegan < INSTANT_MS);
    stepBegan = Date.now();
  };
  const within = <T>(c: number, name: string, work: () => Promise<T>): Promise<T> =>
    reportingTo((f, note) => {
      if (Date.now() - stepBegan >= INSTANT_MS) advanceTo(stepStart + f * c, note ? `${name}: ${note}` : name);
    }, work);

  try {
    step(cost(STEP_COST.data), `data: ${ds16.name}, ${ds16.clips.length} clips`);
    const resultsRoot = path.join(options.output, 'results', ds16.name);
    const reconstructionRoot = path.join(options.output, 'reconstruct', ds16.name);
    let yamnet: Yamnet | undefined;
    const files: string[] = [];
    const headlines: Headline[] = [];
    try {
      // Classification grid: NC and C_ts at the lengths, per model.
      type ModelPath = { crossVal: Omit<CrossValOptions, 'runs'>; modelName: string; path: RepairedPath; recipe: ExperimentRecipe };
      const paths = new Map<StudyModel, ModelPath>();
      for (const model of options.models) {
        const dataset = model === 'yamnet' ? ds16 : ds8!;
        let e: Experiment & { modelName?: string } = model === 'yamnet'
          ? await yamnetExperiment(dataset, { model: (yamnet ??= loadYamnet({ path: options.yamnetPath })), quiet: true })
          : cnnExperiment(dataset);
        let training = options.training?.[model] ?? (model === 'yamnet' ? YAMNET_HEAD_TRAINING : CNN_TRAINING_DEFAULTS);
        let tunedParams: ParamsFile | undefined;
        if (tuneCalls > 0) {
          const c = tuneCalls * cost(STEP_COST.tunePoint[model]);
          const dir = path.join(options.output, 'tuning', dataset.name, `${model}-validation`);
          const queue = options.queue;
          const tuned = await within(c, `tune ${model}`, () => tune({
            model, provider: e.provider, dir, calls: tuneCalls, folds: options.folds, seed: options.seed, quiet: true,
            ...(queue ? {
              batch: tuneBatchOnQueue(e.provider, {
                url: queue.url, dataset, recipe: { pretrained: model === 'yamnet', preset: 'default' },
                engine: queue.engine, batchSize: queue.tuneBatch ?? 1, dir, quiet: true,
              }),
            } : {}),
          }));
          step(c, `tune ${model}: best validation ${tuned.best.score.toFixed(3)}`);
          // The tuned point's hyperparameters and training; its results get their own <model>-tuned-<hash> folder.
          e = withParams(e, tuned.params);
          tunedParams = tuned.params;
          training = tuned.params.training;
        }
        const modelName = e.modelName ?? e.provider.name;
        const crossVal: Omit<CrossValOptions, 'runs'> = {
          provider: e.provider, modelFactory: e.modelFactory, modelConfig: e.modelConfig, modelName,
          inputScaling: e.inputScaling, linearProbe: e.linearProbe,
          ...training, folds: options.folds, seed: options.seed, root: resultsRoot, quiet: true,
        };
        const gridRuns = [
          { mode: 'NC' as const },
          ...gridGapModels(gapModels, dataset.sampleRate).map((gapModel) => ({ mode: 'C_ts' as const, gapModel })),
        ];
        const queue = options.queue;
        const recipe: ExperimentRecipe = {
          pretrained: model === 'yamnet', preset: 'default', ...(tunedParams ? { params: tunedParams } : {}),
        };
        await within(cost(STEP_COST.grid[model]), `grid ${model}`, () => (queue
          ? runCrossValidationOnQueue({ ...crossVal, runs: gridRuns }, { url: queue.url, dataset, engine: queue.engine, recipe })
          : runCrossValidation({ ...crossVal, runs: gridRuns })));
        step(cost(STEP_COST.grid[model]), `grid ${model} done`);
        paths.set(model, {
          crossVal, modelName, recipe,
          path: model === 'yamnet'
            ? { kind: 'yamnet', base: e.provider, dataset16k: ds16, model: yamnet! }
            : { kind: 'cnn', base: e.provider, dataset16k: ds16, dataset8k: ds8! },
        });
      }
      // Reconstruction of every test fold the classification needs (R_all: every fold).
      const allFolds = [...new Set(ds16.clips.map((c) => c.fold))];
      const reconstructFolds = options.repairModes.includes('R_all') ? undefined : options.folds ?? allFolds;
      for (const method of methods) {
        for (const gapModel of gapModelsFor(method, gapModels)) {
          const c = reconstructCost(method);
          const run = {
            dataset: ds16, method, gapModel, seed: options.seed, root: reconstructionRoot, folds: reconstructFolds,
            methodOptions: options.methodOptions, quiet: true,
          };
          const queue = options.queue;
          await within(c, `reconstruct ${method} ${gapModelLabel(gapModel)}`, () => (queue
            ? runReconstructionOnQueue(run, { url: queue.url, dataset: ds16 })
            : runReconstruction(run)));
          step(c, `reconstruct ${method} ${gapModelLabel(gapModel)}`);
        }
      }
      // Classification after reconstruction, then the headline per model.
      for (const model of options.models) {
        const p = paths.get(model)!;
        for (const mode of options.repairModes) {
          for (const method of methods) {
            if (!classifies(mode, method)) continue;
            const { provider: _provider, ...crossVal } = p.crossVal;
            const queue = options.queue;
            const runner = queue && afterRepairOnQueue({
              url: queue.url, dataset: model === 'yamnet' ? ds16 : ds8!, dataset16k: ds16, engine: queue.engine, recipe: p.recipe,
            });
            await within(classifyCost(model, mode, method), `${model} ${mode}-${method}`, () => classifyAfterRepair({
              crossVal, path: p.path, reconstructionRoot, method, mode, gapModels: gapModelsFor(method, gapModels),
              ...(runner ? { runner } : {}),
            }));
            step(classifyCost(model, mode, method), `${model} ${mode}-${method}`);
          }
          const h = writeHeadline(resultsRoot, p.modelName, mode);
          headlines.push(h.headline);
          files.push(...h.files, ...writeRecoverability(resultsRoot, p.modelName, ds16, mode).files);
        }
        files.push(...writeOverview(resultsRoot, p.modelName, { clipSamples: (model === 'yamnet' ? ds16 : ds8!).clipSamples }).files);
        step(cost(STEP_COST.headline), `headline ${model}`);
      }
    } finally {
      yamnet?.dispose();
    }
    progress.done();
    return { resultsRoot, reconstructionRoot, headlines, files, seconds: (Date.now() - t0) / 1000 };
  } catch (err) {
    progress.stop(`stopped: ${(err as Error).message.split('\n')[0]} — run the same study again to resume`);
    throw err;
  }
}

/**
 * What `runStudy(options)` would run and its cost on this machine (`lacuna study --plan`): rates
 * measured in seconds on the dataset's own clips, applied to its size or to `size` (a dataset
 * of that many clips of the same length, e.g. UrbanSound8K's 8732 in 10 folds).
 */
export async function planForStudy(
  options: StudyOptions,
  size?: { clips: number; folds: number },
): Promise<{ datasetName: string; shape: PlanShape; rates: StudyRates; steps: PlanStep[] }> {
  validate(options);
  const methods = ['zero', ...options.methods.filter((m) => m !== 'zero')];
  const gapModels = gapModelsOf(options);
  const ds16 = loadCachedDataset({ ...options.dataset, quiet: options.quiet }, 16000);
  const ds8 = options.models.includes('cnn') ? loadCachedDataset({ ...options.dataset, quiet: true }, 8000) : undefined;
  const yamnet = options.models.includes('yamnet') ? loadYamnet({ path: options.yamnetPath }) : undefined;
  let rates: StudyRates;
  try {
    rates = await measureStudyRates(ds16, {
      models: options.models, methods, gapModels, yamnet, dataset8k: ds8, methodOptions: options.methodOptions,
    });
  } finally {
    yamnet?.dispose();
  }
  const folds = size?.folds ?? new Set(ds16.clips.map((c) => c.fold)).size;
  const shape: PlanShape = {
    clips: size?.clips ?? ds16.clips.length, folds, testFolds: Math.min(folds, options.folds?.length ?? folds),
    clipSeconds: rates.clipSeconds,
    models: options.models, methods, gapModels, gapModelsFor: (m) => gapModelsFor(m, gapModels),
    repairModes: options.repairModes, tuneCalls: options.tuneCalls ?? 0, methodOptions: options.methodOptions,
  };
  return { datasetName: ds16.name, shape, rates, steps: planStudy(shape, rates) };
}
