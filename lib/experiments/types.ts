import type * as tf from '@tensorflow/tfjs';

/** How corruption enters a cross-validation run (the reference's four modes). */
export type CorruptionMode = 'NC' | 'C_tr' | 'C_ts' | 'C_all';

/** Gap models of lib/corrupt. */
export type GapModelName = 'single' | 'multiple' | 'packet-loss';

/** Rows of equal-shaped features: row i belongs to clip i of the dataset. */
export interface FeatureMatrix {
  /** [rows * prod(rowShape)] */
  data: Float32Array;
  rows: number;
  /** Shape of one row as the model takes it, e.g. [32000, 1] for the CNN, [8192] for the YAMNet head. */
  rowShape: number[];
}

/**
 * Gives a model's inputs for every clip, clean or corrupted. The CNN's provider returns
 * waveforms; YAMNet's returns cached embeddings of the (possibly corrupted) audio. Providers
 * cache what they compute; `trainFolds` lets a provider fit something on the training folds only
 * (a scaler) and is undefined when the features do not depend on the split.
 */
export interface FeatureProvider {
  /** Short name used in result paths (`cnn`, `yamnet`). */
  name: string;
  /** What the features depend on, recorded in each run's config (rate, scaling, model hash…). */
  describe(): Record<string, unknown>;
  /** Whether features() must be called per split (it uses trainFolds). */
  readonly dependsOnSplit: boolean;
  features(variant: 'clean' | 'corrupted', trainFolds?: number[]): Promise<FeatureMatrix>;
}

/** Builds a fresh, compiled model for one fold. */
export type ModelFactory = (args: { inputShape: number[]; numClasses: number; seed: number }) => tf.LayersModel;
