import type { CachedDataset } from '../types';
import type { FeatureProvider, ModelFactory } from './types';
import type { LinearProbeOptions } from './probe';
import { cnnExperiment } from './cnn';
import { yamnetExperiment } from './yamnet-features';
import { ParameterError } from '../util/errors';
import { ParamsFile, withParams } from '../tuning/params';

/** What a model path hands to runCrossValidation. */
export interface Experiment {
  provider: FeatureProvider; modelFactory: ModelFactory; modelConfig: Record<string, unknown>;
  inputScaling?: 'standardize'; linearProbe?: LinearProbeOptions;
}

/** The choices that name a model path: enough for another machine to build the same one. */
export interface ExperimentRecipe {
  /** YAMNet embeddings + dense head (16 kHz) instead of the CNN (8 kHz). */
  pretrained: boolean;
  preset: 'default' | 'reference';
  /** A tuned point (`lacuna tune`'s best-params.json contents): its hyperparameters replace the preset's. */
  params?: ParamsFile;
}

/** The sample rate a recipe's dataset cache must have. */
export function recipeSampleRate(recipe: ExperimentRecipe): number {
  return recipe.pretrained ? 16000 : 8000;
}

/**
 * The model path on a loaded dataset: the CNN on waveforms, or YAMNet embeddings (model file: `yamnet`, else
 * $LACUNA_YAMNET…). With a tuned point its contents are recorded in the model config and name the results folder.
 */
export async function buildExperiment(dataset: CachedDataset, recipe: ExperimentRecipe, yamnet?: string): Promise<Experiment & { modelName?: string }> {
  const { params } = recipe;
  const e: Experiment = recipe.pretrained
    ? await yamnetExperiment(dataset, { modelPath: yamnet, preset: recipe.preset, hyperparameters: params?.hyperparameters })
    : cnnExperiment(dataset, params?.hyperparameters ?? {}, recipe.preset);
  if (!params) return e;
  if (params.inputScaling !== (e.inputScaling ?? 'none')) {
    throw new ParameterError(`--params: the point was tuned with input scaling ${params.inputScaling}, this path uses ${e.inputScaling ?? 'none'}`);
  }
  return withParams(e, params);
}
