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
 *
 * Gaps are drawn exactly as lib/corrupt draws them for classification (clipRng(seed, clip id)), so
 * a repaired clip is the repair of the very clip a C_ts classifier would see. A trained method is
 * trained once per test fold on `trainFoldsFor(testFold)` (default: every other fold), so no test
 * clip ever reaches the model that repairs it. Every file is written atomically; a finished fold is
 * skipped when the same command runs again.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { CachedDataset } from '../types';
import { GapModel, drawGaps, gapModelLabel, validateGapModel } from '../corrupt/gaps';
import { clipRng } from '../corrupt/apply';
import { claimRunDir } from '../experiments/store';
import { readJsonIfExists, writeFileAtomic, writeJsonAtomic } from '../util/atomic';
import { toCsv } from '../util/csv';
import { check } from '../util/errors';
import { NpyWriter } from '../util/npy';
import { createProgress } from '../util/progress';
import { getMethod, methodParameters, MethodOptions } from './methods';
import type { Reconstructor } from './types';

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
  /** Folds a trained method may learn from when repairing `testFold`; default all the others. */
  trainFoldsFor?: (testFold: number, allFolds: readonly number[]) => number[];
  overwrite?: boolean;
  quiet?: boolean;
}

export interface FoldManifest {
  testFold: number;
  clips: number;
  /** Folds the model that repaired this fold trained on (trained methods only). */
  trainFolds?: number[];
  model?: Record<string, unknown>;
  files: string[];
  seconds: number;
  notes: number;
}

export function reconstructRunDir(root: string, method: string, gapModel: GapModel, seed: number): string {
  return path.join(root, method, `${gapModelLabel(gapModel)}-seed${seed}`);
}

export function foldDir(runDir: string, fold: number): string {
  return path.join(runDir, `fold-${String(fold).padStart(2, '0')}`);
}

function otherFolds(testFold: number, all: readonly number[]): number[] {
  return all.filter((f) => f !== testFold);
}

/** Runs (or resumes) a reconstruction; returns the run folder and each fold's manifest. */
export async function runReconstruction(options: ReconstructRunOptions): Promise<{ dir: string; folds: FoldManifest[] }> {
  const { dataset, gapModel, seed } = options;
  validateGapModel(gapModel);
  check(dataset.sampleRate === 16000, `reconstruction needs the 16 kHz cache, got ${dataset.sampleRate} Hz`);
  const factory = getMethod(options.method);
  const methodOptions = options.methodOptions ?? {};
  const allFolds = [...new Set(dataset.clips.map((c) => c.fold))].sort((a, b) => a - b);
  const folds = options.folds ?? allFolds;
  for (const f of folds) check(allFolds.includes(f), `fold ${f} is not in the dataset (folds ${allFolds.join(',')})`);
  const trainFoldsFor = options.trainFoldsFor ?? otherFolds;
  const dir = reconstructRunDir(options.root, factory.name, gapModel, seed);
  const config = {
    dataset: dataset.name, fingerprint: dataset.fingerprint, method: factory.name, domain: factory.domain,
    parameters: methodParameters(factory, methodOptions), gapModel, seed, trained: Boolean(factory.train),
  };
  claimRunDir(dir, config, options.overwrite);

  const todo = folds.filter((f) => !fs.existsSync(path.join(foldDir(dir, f), 'manifest.json')));
  const rowsOf = (f: number) => dataset.clips.flatMap((c, i) => (c.fold === f ? [i] : []));
  const progress = createProgress({ total: todo.reduce((n, f) => n + rowsOf(f).length, 0), label: `reconstruct ${factory.name}`, quiet: options.quiet });
  for (const fold of todo) {
    const t0 = Date.now();
    let reconstructor: Reconstructor;
    let trained: { trainFolds: number[]; model: Record<string, unknown> } | undefined;
    if (factory.train) {
      const trainFolds = trainFoldsFor(fold, allFolds);
      check(!trainFolds.includes(fold), `fold scheme would train the model repairing fold ${fold} on fold ${fold}`);
      const t = await factory.train({ dataset, trainFolds, gapModel, seed, workDir: path.join(dir, '_model', `fold-${String(fold).padStart(2, '0')}`) }, methodOptions);
      reconstructor = t.reconstructor;
      trained = { trainFolds, model: t.model };
    } else {
      reconstructor = factory.create!(methodOptions);
    }
    const manifest = await repairFold(dataset, rowsOf(fold), reconstructor, gapModel, seed, foldDir(dir, fold), () => progress.tick(1, `fold ${fold}`));
    const done: FoldManifest = { testFold: fold, clips: manifest.clips, ...(trained ?? {}), files: manifest.files, seconds: (Date.now() - t0) / 1000, notes: manifest.notes };
    writeJsonAtomic(path.join(foldDir(dir, fold), 'manifest.json'), done);
    writeRunManifest(dir, config, allFolds);
  }
  progress.done();
  writeRunManifest(dir, config, allFolds);
  const finished = folds.map((f) => readJsonIfExists<FoldManifest>(path.join(foldDir(dir, f), 'manifest.json'))!);
  return { dir, folds: finished };
}

async function repairFold(dataset: CachedDataset, rows: number[], method: Reconstructor, gapModel: GapModel, seed: number, dir: string, tick: () => void) {
  fs.mkdirSync(dir, { recursive: true });
  const len = dataset.clipSamples;
  let melWriter: NpyWriter | undefined;
  let waveWriter: NpyWriter | undefined;
  const records: unknown[][] = [];
  let noteCount = 0;
  try {
    for (const row of rows) {
      const clip = dataset.clips[row];
      const clean = dataset.waveforms.subarray(row * len, (row + 1) * len);
      const gaps = drawGaps(clean, dataset.sampleRate, gapModel, clipRng(seed, clip.id));
      const corrupted = clean.slice();
      for (const g of gaps) corrupted.fill(0, g.start, g.start + g.length);
      const out = await method.repair({ corrupted, sampleRate: dataset.sampleRate, gaps });
      melWriter ??= new NpyWriter(path.join(dir, 'mel.npy'), [rows.length, out.mel.frames, out.mel.nMels]);
      melWriter.write(out.mel.data);
      if (out.waveform) {
        waveWriter ??= new NpyWriter(path.join(dir, 'waveforms.npy'), [rows.length, len]);
        waveWriter.write(out.waveform);
      }
      check(Boolean(out.waveform) === Boolean(waveWriter), `method ${method.name} gave a waveform for some clips and not for others`);
      noteCount += out.notes.length;
      records.push([clip.id, clip.classIndex, clip.className, clip.fold, JSON.stringify(gaps), out.notes.join(' | ')]);
      tick();
    }
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
