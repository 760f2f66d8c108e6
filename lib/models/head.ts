import * as tf from '@tensorflow/tfjs';
import { check } from '../util/errors';
import { seededDropout } from './layers';

/**
 * The reference study's classifier on top of YAMNet's flattened embeddings (8 x 1024 = 8192):
 * Dense(relu) > Dropout > Dense(relu) > Dropout > Dense(relu) > Dropout > Dense(softmax), L2 on
 * every kernel, Adam, sparse categorical cross-entropy.
 */
export interface YamnetHeadHyperparameters {
  /** Units of the three hidden layers. Reference: 128, 64, 32; tuned: 256, 64, 16. */
  units: number[];
  /** Dropout after each hidden layer. Reference 0.5; tuned 0.386. */
  dropout: number;
  /** L2 penalty on every kernel. Reference 1e-3; tuned 0.00129. */
  l2: number;
  /** Adam learning rate. Reference 1e-3. */
  learningRate: number;
}

export const REFERENCE_YAMNET_HEAD: Readonly<YamnetHeadHyperparameters> = Object.freeze({ units: [128, 64, 32], dropout: 0.5, l2: 1e-3, learningRate: 1e-3 });
export const TUNED_YAMNET_HEAD: Readonly<YamnetHeadHyperparameters> = Object.freeze({ units: [256, 64, 16], dropout: 0.386, l2: 0.00129, learningRate: 1e-3 });

/**
 * lacuna's default head, for standardised embeddings (crossval's inputScaling 'standardize').
 */
export const YAMNET_HEAD: Readonly<YamnetHeadHyperparameters> = Object.freeze({ units: [256], dropout: 0.5, l2: 1e-3, learningRate: 1e-3 });

export interface YamnetHeadOptions {
  /** Values per input row. Default 8192 (8 patches x 1024). */
  inputSize?: number;
  numClasses: number;
  /** Merged over REFERENCE_YAMNET_HEAD. */
  hyperparameters?: Partial<YamnetHeadHyperparameters>;
  /** Seed for every initialiser and dropout layer. Default 0. */
  seed?: number;
}

/** Builds and compiles the head. Fits the ModelFactory shape via `(a) => buildYamnetHead({ inputSize: a.inputShape[0], ... })`. */
export function buildYamnetHead(options: YamnetHeadOptions): tf.LayersModel {
  const inputSize = options.inputSize ?? 8192;
  const hp: YamnetHeadHyperparameters = { ...REFERENCE_YAMNET_HEAD, ...options.hyperparameters };
  check(Number.isInteger(inputSize) && inputSize >= 1, `inputSize must be an integer >= 1, got ${inputSize}`);
  check(Number.isInteger(options.numClasses) && options.numClasses >= 2, `numClasses must be an integer >= 2, got ${options.numClasses}`);
  check(hp.units.length >= 1 && hp.units.every((u) => Number.isInteger(u) && u >= 1), `units must be positive integers, got [${hp.units}]`);
  check(hp.dropout >= 0 && hp.dropout < 1, `dropout must be in [0, 1), got ${hp.dropout}`);
  check(hp.l2 >= 0, `l2 must be >= 0, got ${hp.l2}`);
  check(hp.learningRate > 0, `learningRate must be > 0, got ${hp.learningRate}`);
  let seed = options.seed ?? 0;
  const reg = () => (hp.l2 > 0 ? tf.regularizers.l2({ l2: hp.l2 }) : undefined);
  const layers: tf.layers.Layer[] = [];
  hp.units.forEach((units, i) => {
    layers.push(tf.layers.dense({
      units, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: seed++ }), kernelRegularizer: reg(),
      ...(i === 0 ? { inputShape: [inputSize] } : {}),
    }));
    layers.push(seededDropout({ rate: hp.dropout, seed: seed++ }));
  });
  layers.push(tf.layers.dense({ units: options.numClasses, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed++ }), kernelRegularizer: reg() }));
  const model = tf.sequential({ name: 'yamnet_head', layers });
  model.compile({ optimizer: tf.train.adam(hp.learningRate), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}
