import type { CachedDataset } from '../types';
import type { FeatureProvider, ModelFactory } from './types';
import type { LinearProbeOptions } from './probe';
import { cnnExperiment } from './cnn';
import { yamnetExperiment } from './yamnet-features';

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
}

/** The sample rate a recipe's dataset cache must have. */
export function recipeSampleRate(recipe: ExperimentRecipe): number {
  return recipe.pretrained ? 16000 : 8000;
}

/** The model path on a loaded dataset: the CNN on waveforms, or YAMNet embeddings (model file: `yamnet`, else $LACUNA_YAMNET…). */
export async function buildExperiment(dataset: CachedDataset, recipe: ExperimentRecipe, yamnet?: string): Promise<Experiment> {
  if (!recipe.pretrained) return cnnExperiment(dataset, {}, recipe.preset);
  return yamnetExperiment(dataset, { modelPath: yamnet, preset: recipe.preset });
}
