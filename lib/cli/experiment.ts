/**
 * What classify and grid share once the flags are read: the dataset loaded, the model built,
 * the cross-validation options, and the one-line summary of a run.
 */
import { loadCachedDataset, resultsRoot } from '../data';
import { Experiment, ExperimentRecipe, buildExperiment } from '../experiments/recipe';
import type { CrossValOptions, RunSummary } from '../experiments';
import type { CachedDataset } from '../types';
import type { ExperimentFlags } from './flags/experiment';
import { datasetLine } from './flags/dataset';
import { shownPath } from './shown-path';

/** An experiment with its dataset loaded and its results root chosen; `modelName` names its results (default the provider's). */
export type PreparedExperiment = Experiment & { dataset: CachedDataset; root: string; modelName?: string };

/** Loads (creating or reusing its cache) the dataset the flags name, and says which it is. */
function loadDataset(f: ExperimentFlags, sampleRate: number): CachedDataset {
  const dataset = loadCachedDataset({ ...f.dataset, quiet: false }, sampleRate);
  console.log(datasetLine(dataset));
  return dataset;
}

/** What another machine needs to build the same model: path, preset and the tuned point's contents (not its file name). */
export function recipeOf(f: ExperimentFlags): ExperimentRecipe {
  if (!f.params) return { pretrained: f.pretrained, preset: f.preset };
  const { file: _file, ...params } = f.params;
  return { pretrained: f.pretrained, preset: f.preset, params };
}

/** The model path: the CNN on 8 kHz waveforms, or (--pretrained) YAMNet embeddings at 16 kHz. */
export async function prepareExperiment(f: ExperimentFlags): Promise<PreparedExperiment> {
  const dataset = loadDataset(f, f.pretrained ? 16000 : 8000);
  const root = f.output ?? resultsRoot(dataset.name);
  return { ...(await buildExperiment(dataset, recipeOf(f), f.yamnet)), dataset, root };
}

/** CrossValOptions from the shared flags (runs to be filled in by the caller). */
export function crossValOptions(f: ExperimentFlags, e: PreparedExperiment): Omit<CrossValOptions, 'runs'> {
  return {
    provider: e.provider, modelFactory: e.modelFactory, modelConfig: e.modelConfig, modelName: e.modelName,
    inputScaling: e.inputScaling, linearProbe: e.linearProbe,
    folds: f.folds, ...f.training, seed: f.seed, root: e.root, overwrite: f.overwrite,
  };
}

export function printSummary(s: RunSummary): void {
  const folds = s.perFold.map((p) => `${p.fold}:${p.accuracy.toFixed(3)}`).join(' ');
  const partial = s.foldsMissing.length ? ` (folds missing: ${s.foldsMissing.join(',')})` : '';
  const probe = s.probeMeanAccuracy !== undefined ? `; linear probe ${s.probeMeanAccuracy.toFixed(4)}` : '';
  const chosen = s.selectedMeanAccuracy !== undefined
    ? `; head or probe chosen by validation ${s.selectedMeanAccuracy.toFixed(4)} ` +
      `(probe on ${s.perFold.filter((p) => p.selected === 'probe').length} of ${s.perFold.length} folds)`
    : '';
  console.log(`${s.model} ${s.mode} ${s.label}: accuracy ${s.meanAccuracy.toFixed(4)} ± ${s.stdAccuracy.toFixed(4)} ` +
    `over ${s.folds.length} fold(s)${partial}; dummy ${s.dummyMeanAccuracy.toFixed(4)}${probe}${chosen}`);
  console.log(`  per fold ${folds}`);
  console.log(`  → ${shownPath(s.dir)}`);
}
