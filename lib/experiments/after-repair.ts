/**
 * Runs classification after reconstruction in the leave-one-fold-out runner: one call per model
 * path, reconstruction method and repair mode, over the gap models given. Same layout, resume and
 * configuration check as the grid (runCrossValidation); R_ts shares the grid's clean-trained
 * weights. For the CNN the gap lengths are those of the reconstruction, in 16 kHz samples.
 *
 *   await classifyAfterRepair({ crossVal: { ...grid options }, path: { kind: 'yamnet', base: e.provider, dataset16k, model },
 *     reconstructionRoot, method: 'linear', mode: 'R_ts', gapModels: [{ kind: 'single', gapSamples: 4000 }] });
 */
import * as path from 'path';
import type { CachedDataset } from '../types';
import type { GapModel } from '../corrupt/gaps';
import { gapModelLabel } from '../corrupt/gaps';
import { reconstructRunDir } from '../reconstruct/run';
import { sameParameters } from '../reconstruct/methods';
import { readJsonIfExists } from '../util/atomic';
import { ParameterError, check } from '../util/errors';
import type { Yamnet } from '../models/yamnet/model';
import { CrossValOptions, runCrossValidation } from './crossval';
import type { CorruptionSpec, FeatureMatrix, FeatureProvider, RepairMode, RunSummary } from './types';
import {
  REPAIRED_MODE, loadRepairedAudio, repairedCnnFeatures, repairedYamnetFeatures, withRepairedFeatures,
} from './repaired';

/** The model path whose corrupted features are replaced: YAMNet's head (16 kHz) or the CNN (8 kHz). */
export type RepairedPath =
  | { kind: 'yamnet'; base: FeatureProvider; dataset16k: CachedDataset; model: Yamnet; embeddingCacheDir?: string }
  | { kind: 'cnn'; base: FeatureProvider; dataset16k: CachedDataset; dataset8k: CachedDataset };

export interface AfterRepairOptions {
  crossVal: Omit<CrossValOptions, 'runs' | 'repair' | 'provider'>;
  path: RepairedPath;
  /** Where `lacuna reconstruct` wrote: <root>/<method>/<gap label>-seed<seed>/. */
  reconstructionRoot: string;
  method: string;
  mode: RepairMode;
  gapModels: GapModel[];
  /**
   * Runs one gap model's cross-validation on the repaired features; default runCrossValidation here
   * (lib/queue's afterRepairOnQueue hands its units to workers).
   */
  runner?: AfterRepairRunner;
}

/** Where one call's repairs are, for a runner that computes them elsewhere. */
export interface RepairedRun { reconstructionRoot: string; method: string; mode: RepairMode; gapModel: GapModel; seed: number }

export type AfterRepairRunner = (crossVal: CrossValOptions, run: RepairedRun) => Promise<RunSummary[]>;

/** What the repaired runs record about the method (the same for every gap model of one call). */
function repairSource(options: AfterRepairOptions, seed: number): Record<string, unknown> {
  const configs = options.gapModels.map((g) => {
    const dir = reconstructRunDir(options.reconstructionRoot, options.method, g, seed);
    const c = readJsonIfExists<Record<string, unknown>>(path.join(dir, 'config.json'));
    if (!c) {
      throw new ParameterError(
        `no reconstruction of ${gapModelLabel(g)} (seed ${seed}) by ${options.method} in ${dir}; run lacuna reconstruct first`);
    }
    return { method: c.method, domain: c.domain, parameters: c.parameters, trained: c.trained };
  });
  const same = (a: typeof configs[number], b: typeof configs[number]) =>
    JSON.stringify({ ...a, parameters: null }) === JSON.stringify({ ...b, parameters: null })
    && sameParameters(options.method, (a.parameters ?? {}) as Record<string, unknown>, (b.parameters ?? {}) as Record<string, unknown>);
  for (const c of configs) {
    check(same(c, configs[0]),
      `the ${options.method} reconstructions under ${options.reconstructionRoot} were made with different parameters`);
  }
  return configs[0];
}

/** Cross-validates the model on `method`'s repairs of every gap model; returns one summary per gap model. */
export async function classifyAfterRepair(options: AfterRepairOptions): Promise<RunSummary[]> {
  const { crossVal, path: p, mode } = options;
  const seed = crossVal.corruptionSeed ?? crossVal.seed;
  const source = repairSource(options, seed);
  if (mode === 'R_all' && source.trained) {
    throw new ParameterError(`R_all with the trained method "${options.method}" would train the classifier on training folds`
      + ' repaired by models that saw the test fold; use R_ts (or an untrained method)');
  }
  const allFolds = [...new Set(p.dataset16k.clips.map((c) => c.fold))].sort((a, b) => a - b);
  // R_ts reads only each test fold's rows; R_all trains on every other fold's repairs too.
  const folds = mode === 'R_all' ? allFolds : crossVal.folds ?? allFolds;
  const repaired = async (corruption: CorruptionSpec): Promise<FeatureMatrix> => {
    const audio = loadRepairedAudio({
      dataset: p.dataset16k, root: options.reconstructionRoot, method: options.method,
      gapModel: corruption.gapModel, seed: corruption.seed, folds,
    });
    if (p.kind === 'cnn') return repairedCnnFeatures(p.dataset16k, p.dataset8k, audio);
    const cacheDir = p.embeddingCacheDir ?? path.join(p.dataset16k.cacheDir, 'yamnet-embeddings');
    return repairedYamnetFeatures(p.model, p.dataset16k, audio, cacheDir, { quiet: crossVal.quiet });
  };
  const provider = withRepairedFeatures(p.base, repaired);
  const repair = { method: options.method, source: { ...source, reconstructionRoot: path.resolve(options.reconstructionRoot) } };
  // One gap model per call: each fold's evaluation then reads the features of one run, loaded once.
  const summaries: RunSummary[] = [];
  for (const gapModel of options.gapModels) {
    const cv: CrossValOptions = { ...crossVal, provider, runs: [{ mode: REPAIRED_MODE[mode], gapModel }], repair };
    const run: RepairedRun = { reconstructionRoot: options.reconstructionRoot, method: options.method, mode, gapModel, seed };
    summaries.push(...await (options.runner ? options.runner(cv, run) : runCrossValidation(cv)));
  }
  return summaries;
}
