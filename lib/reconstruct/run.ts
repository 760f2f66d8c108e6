/**
 * Repairs the test clips of every fold and writes them for the classifiers:
 *
 *   <root>/<method>/<gap label>-seed<seed>/config.json        what the run is (claimRunDir)
 *                                          manifest.json      method, parameters, seed, folds (and per
 *                                                             fold the folds trained on and the model)
 *                                          fold-XX/mel.npy    [N, frames, 64] mel power
 *                                          fold-XX/waveforms.npy [N, clipSamples] where produced
 *                                          fold-XX/clips.csv  id, class, fold, gaps, notes
 *                                          fold-XX/manifest.json  written last: the fold is done
 *                                          _model/<model id>/ a trained method's checkpoints
 *
 * Gaps are drawn exactly as lib/corrupt draws them for classification (clipRng(seed, clip id)), so
 * a repaired clip is the repair of the very clip a C_ts classifier would see. No test clip ever
 * reaches the model that repairs it (assertNoLeakage). Every file is written atomically; a finished fold is
 * skipped when the same command runs again.
 *
 * A trained method follows a fold scheme (lib/reconstruct/folds.ts, default cross-fit): each model
 * of the plan is trained once, in <run>/_model/<model id>/ (resumable there), and repairs every
 * fold the plan gives it; each fold manifest names the model and the folds it trained on.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { CachedDataset } from '../types';
import { GapModel, drawGaps, gapModelLabel, validateGapModel } from '../corrupt/gaps';
import { clipRng, zeroGaps } from '../corrupt/apply';
import { claimRunDir } from '../util/owned-dir';
import { readJsonIfExists, writeFileAtomic, writeJsonAtomic } from '../util/atomic';
import { toCsv } from '../util/csv';
import { check } from '../util/errors';
import { NpyWriter } from '../util/npy';
import { createProgress } from '../util/progress';
import { DEFAULT_FOLD_SCHEME, FoldScheme, RepairModelPlan, assertNoLeakage, modelForFold, repairPlan, trainingClips } from './folds';
import { getMethod, methodParameters, MethodFactory, sameParameters } from './methods';
import { defaultWorkerCount } from '../engine/parallel';
import { inOrder, repairPoolFor } from './pool';
import type { MethodOptions, Reconstructor, RepairInput, RepairOutput, TrainedMethod } from './types';

export interface ReconstructRunOptions {
  dataset: CachedDataset;
  method: string;
  methodOptions?: MethodOptions;
  gapModel: GapModel;
  /** Seed of the gaps (and of a trained method's training). */
  seed: number;
  /** Results root; the run goes to <root>/<method>/<gap label>-seed<seed>. */
  root: string;
  /** Test folds to do now (default all). */
  folds?: number[];
  /** Which model repairs which fold, for a trained method (lib/reconstruct/folds.ts). Default cross-fit. */
  foldScheme?: FoldScheme;
  overwrite?: boolean;
  quiet?: boolean;
}

export interface FoldManifest {
  testFold: number;
  clips: number;
  /** The model that repaired this fold and the folds it trained on (trained methods only). */
  modelId?: string;
  trainFolds?: number[];
  model?: Record<string, unknown>;
  files: string[];
  seconds: number;
  notes: number;
}

export function reconstructRunDir(root: string, method: string, gapModel: GapModel, seed: number): string {
  return path.join(root, method, `${gapModelLabel(gapModel)}-seed${seed}`);
}

/** A trained method's model folder (its checkpoints) in a run. */
export function modelDir(runDir: string, modelId: string): string {
  return path.join(runDir, '_model', modelId);
}

/**
 * The folders a trained method's model `modelId` gets in a run: its own (workDir) and the one every
 * gap model's run of the method with this seed shares (sharedDir, for a model serving every gap length).
 */
export function trainDirs(runDir: string, modelId: string, seed: number): { workDir: string; sharedDir: string } {
  return { workDir: modelDir(runDir, modelId), sharedDir: path.join(path.dirname(runDir), '_shared', `${modelId}-seed${seed}`) };
}

export function foldDir(runDir: string, fold: number): string {
  return path.join(runDir, `fold-${String(fold).padStart(2, '0')}`);
}

/** A reconstruction run checked and claimed on disk: what is left to do and how to do one fold. */
export interface PreparedReconstruction {
  dir: string;
  config: Record<string, unknown>;
  allFolds: number[];
  /** Folds asked for, and those of them without a finished manifest. */
  folds: number[];
  todo: number[];
  /** Test clips (dataset rows) of a fold. */
  rowsOf(fold: number): number[];
  /** Repairs one fold into `outDir` (a fold folder); the local loop and a queue job both call it. */
  repair(fold: number, outDir: string, tick: () => void): Promise<FoldManifest>;
}

/**
 * Checks the options, claims the run folder (its config must match) and lists the folds left;
 * writes nothing else. runReconstruction repairs them here, runReconstructionOnQueue (lib/queue)
 * through workers; both store each fold with storeReconstructedFold.
 */
export function prepareReconstruction(options: ReconstructRunOptions): PreparedReconstruction {
  const { dataset, gapModel, seed } = options;
  validateGapModel(gapModel);
  check(dataset.sampleRate === 16000, `reconstruction needs the 16 kHz cache, got ${dataset.sampleRate} Hz`);
  const factory = getMethod(options.method);
  const methodOptions = options.methodOptions ?? {};
  const allFolds = [...new Set(dataset.clips.map((c) => c.fold))].sort((a, b) => a - b);
  const folds = options.folds ?? allFolds;
  for (const f of folds) check(allFolds.includes(f), `fold ${f} is not in the dataset (folds ${allFolds.join(',')})`);
  const foldScheme = options.foldScheme ?? DEFAULT_FOLD_SCHEME;
  const plan = repairPlan(allFolds, foldScheme);
  const dir = reconstructRunDir(options.root, factory.name, gapModel, seed);
  let parameters = methodParameters(factory, methodOptions);
  // A run recorded before defaults were written out keeps its record when it means the same.
  const saved = readJsonIfExists<{ parameters?: Record<string, unknown> }>(path.join(dir, 'config.json'));
  if (saved?.parameters && sameParameters(factory.name, saved.parameters, parameters)) parameters = saved.parameters;
  const config = {
    dataset: dataset.name, fingerprint: dataset.fingerprint, method: factory.name, domain: factory.domain,
    parameters, gapModel, seed, trained: Boolean(factory.train),
    ...(factory.train ? { foldScheme } : {}),
  };
  claimRunDir(dir, config, { overwrite: options.overwrite });

  const todo = folds.filter((f) => !fs.existsSync(path.join(foldDir(dir, f), 'manifest.json')));
  const rowsOf = (f: number) => dataset.clips.flatMap((c, i) => (c.fold === f ? [i] : []));
  const models = trainedModels(factory, plan, { dataset, gapModel, seed, dir }, { ...methodOptions, quiet: options.quiet });
  const repair = async (fold: number, outDir: string, tick: () => void): Promise<FoldManifest> => {
    const t0 = Date.now();
    let reconstructor: Reconstructor;
    let trained: { modelId: string; trainFolds: number[]; model: Record<string, unknown> } | undefined;
    if (factory.train) {
      const planned = modelForFold(plan, fold);
      const t = await models(planned);
      reconstructor = t.reconstructor;
      trained = { modelId: planned.id, trainFolds: planned.trainFolds, model: t.model };
    } else {
      reconstructor = factory.create!(methodOptions);
    }
    const manifest = await repairFold(dataset, rowsOf(fold), turnTaking(reconstructor), gapModel, seed, outDir, tick);
    return { testFold: fold, clips: manifest.clips, ...(trained ?? {}), files: manifest.files, seconds: (Date.now() - t0) / 1000, notes: manifest.notes };
  };
  return { dir, config, allFolds, folds, todo, rowsOf, repair };
}

/**
 * The reconstructor, letting the event loop turn before each clip: a synchronous repair (AR on a
 * long gap) would otherwise hold it for a whole fold, starving the timers that renew a queue job's
 * lock, print progress off a terminal and deliver Ctrl-C.
 */
function turnTaking(r: Reconstructor): Reconstructor {
  return {
    ...r,
    async repair(input) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      return r.repair(input);
    },
  };
}

/** Marks a repaired fold done (its manifest, written last) and updates the run's manifest. */
export function storeReconstructedFold(run: PreparedReconstruction, manifest: FoldManifest): void {
  writeJsonAtomic(path.join(foldDir(run.dir, manifest.testFold), 'manifest.json'), manifest);
  writeRunManifest(run.dir, run.config, run.allFolds);
}

/** The run folder and each asked-for fold's manifest, once every fold is stored. */
export function finishReconstruction(run: PreparedReconstruction): { dir: string; folds: FoldManifest[] } {
  writeRunManifest(run.dir, run.config, run.allFolds);
  const finished = run.folds.map((f) => readJsonIfExists<FoldManifest>(path.join(foldDir(run.dir, f), 'manifest.json'))!);
  return { dir: run.dir, folds: finished };
}

/** Runs (or resumes) a reconstruction; returns the run folder and each fold's manifest. */
export async function runReconstruction(options: ReconstructRunOptions): Promise<{ dir: string; folds: FoldManifest[] }> {
  const run = prepareReconstruction(options);
  const progress = createProgress({ total: run.todo.reduce((n, f) => n + run.rowsOf(f).length, 0), label: `reconstruct ${getMethod(options.method).name}`, quiet: options.quiet });
  for (const fold of run.todo) {
    storeReconstructedFold(run, await run.repair(fold, foldDir(run.dir, fold), () => progress.tick(1, `fold ${fold}`)));
  }
  progress.done();
  return finishReconstruction(run);
}

/**
 * Trains each model of the plan at most once per run (on first use), and checks that what it
 * trained on leaks no clip of a fold it repairs.
 */
function trainedModels(factory: MethodFactory, plan: RepairModelPlan[], run: { dataset: CachedDataset; gapModel: GapModel; seed: number; dir: string }, options: MethodOptions) {
  const done = new Map<string, Promise<TrainedMethod>>();
  const trainedOn = new Map<string, string[]>();
  const train = async (m: RepairModelPlan): Promise<TrainedMethod> => {
    const t = await factory.train!({
      dataset: run.dataset, trainFolds: [...m.trainFolds], gapModel: run.gapModel, seed: run.seed, ...trainDirs(run.dir, m.id, run.seed),
    }, options);
    trainedOn.set(m.id, t.trainedOn ?? trainingClips(m, run.dataset.clips).map((c) => c.id));
    assertNoLeakage(plan, run.dataset.clips, trainedOn);
    return t;
  };
  return (m: RepairModelPlan): Promise<TrainedMethod> => {
    if (!done.has(m.id)) done.set(m.id, train(m));
    return done.get(m.id)!;
  };
}

/**
 * Repairs the clips `rows` into `dir`. A registered untrained method repairs on
 * defaultWorkerCount() threads (lib/reconstruct/pool; $LACUNA_WORKERS=1: this thread only); the
 * files are written in row order either way, and are the same bytes.
 */
async function repairFold(dataset: CachedDataset, rows: number[], method: Reconstructor, gapModel: GapModel, seed: number, dir: string, tick: () => void) {
  fs.mkdirSync(dir, { recursive: true });
  const len = dataset.clipSamples;
  const workers = defaultWorkerCount();
  const pool = method.recipe && workers > 1 && rows.length > 1 ? await repairPoolFor(method.recipe, method.domain, workers, (m) => console.error(m)) : undefined;
  let melWriter: NpyWriter | undefined;
  let waveWriter: NpyWriter | undefined;
  const records: unknown[][] = [];
  let noteCount = 0;
  const inputOf = (row: number): RepairInput => {
    const clean = dataset.waveforms.subarray(row * len, (row + 1) * len);
    const gaps = drawGaps(clean, dataset.sampleRate, gapModel, clipRng(seed, dataset.clips[row].id));
    return { corrupted: zeroGaps(clean.slice(), gaps), sampleRate: dataset.sampleRate, gaps };
  };
  const write = (row: number, input: RepairInput, out: RepairOutput) => {
    const clip = dataset.clips[row];
    melWriter ??= new NpyWriter(path.join(dir, 'mel.npy'), [rows.length, out.mel.frames, out.mel.nMels]);
    melWriter.write(out.mel.data);
    if (out.waveform) {
      waveWriter ??= new NpyWriter(path.join(dir, 'waveforms.npy'), [rows.length, len]);
      waveWriter.write(out.waveform);
    }
    check(Boolean(out.waveform) === Boolean(waveWriter), `method ${method.name} gave a waveform for some clips and not for others`);
    noteCount += out.notes.length;
    records.push([clip.id, clip.classIndex, clip.className, clip.fold, JSON.stringify(input.gaps), out.notes.join(' | ')]);
    tick();
  };
  try {
    // Two clips in flight per thread keep every thread busy while the results are written in order.
    await inOrder(rows.length, pool ? 2 * pool.size : 1, async (i) => {
      const input = inputOf(rows[i]);
      return { input, out: await (pool ? pool.repair(input) : method.repair(input)) };
    }, (i, r) => write(rows[i], r.input, r.out));
    melWriter?.close();
    waveWriter?.close();
  } catch (err) {
    melWriter?.abort();
    waveWriter?.abort();
    throw err;
  }
  writeFileAtomic(path.join(dir, 'clips.csv'), toCsv(['id', 'classIndex', 'className', 'fold', 'gaps', 'notes'], records));
  const files = ['mel.npy', ...(waveWriter ? ['waveforms.npy'] : []), 'clips.csv'];
  return { clips: rows.length, files, notes: noteCount };
}

function writeRunManifest(dir: string, config: Record<string, unknown>, allFolds: number[]): void {
  const folds: Record<string, FoldManifest> = {};
  for (const f of allFolds) {
    const m = readJsonIfExists<FoldManifest>(path.join(foldDir(dir, f), 'manifest.json'));
    if (m) folds[String(f)] = m;
  }
  writeJsonAtomic(path.join(dir, 'manifest.json'), { ...config, folds, complete: Object.keys(folds).length === allFolds.length });
}
