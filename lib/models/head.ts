import * as tf from '@tensorflow/tfjs';
import { check } from '../util/errors';
import { SeededDropout, seededDropout } from './layers';

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

/** An affine map of the head's input to class scores: score[c] = Σ_j x[j]·weights[j·k + c] + bias[c]. */
export interface LinearScores {
  /** [inputs, classes], row-major. */
  weights: Float32Array;
  bias: ArrayLike<number>;
}

/**
 * Sets a one-hidden-layer ReLU head (buildYamnetHead with one entry in `units`) so that its logits
 * are exactly `scale` × the linear scores (linearStartProblem says when it cannot). Hidden units c and c + k
 * compute relu(a_c) and relu(−a_c) of a_c = scale ×
 * score c, and logit c = h_c − h_{c+k} = a_c (relu(a) − relu(−a) = a). The other hidden units keep
 * their initial weights with output weights 0, free for training to use. The scale sits in the
 * hidden layer: Adam moves every weight by about the learning rate a step, so larger first-layer
 * weights are moved relatively less.
 */
export function setLinearStart(model: tf.LayersModel, scores: LinearScores, scale: number): void {
  const problem = linearStartProblem(model);
  check(problem === undefined, `setLinearStart: ${problem}`);
  const [hidden, output] = model.layers.filter((l) => l.getClassName() === 'Dense');
  const [kernel, hiddenBias] = hidden.getWeights();
  const [inputs, units] = kernel.shape;
  const k = output.getWeights()[0].shape[1] as number;
  check(scores.weights.length === inputs * k && scores.bias.length === k,
    `linear scores of ${scores.weights.length / k} inputs x ${scores.bias.length} classes for a head of ${inputs} inputs x ${k} classes`);
  check(Number.isFinite(scale) && scale > 0, `scale must be > 0, got ${scale}`);
  const w = kernel.dataSync().slice() as Float32Array;
  const b = hiddenBias.dataSync().slice() as Float32Array;
  for (let j = 0; j < inputs; j++) {
    for (let c = 0; c < k; c++) {
      const v = scale * scores.weights[j * k + c];
      w[j * units + c] = v;
      w[j * units + k + c] = -v;
    }
  }
  for (let c = 0; c < k; c++) { b[c] = scale * scores.bias[c]; b[k + c] = -scale * scores.bias[c]; }
  const outKernel = new Float32Array(units * k);
  for (let c = 0; c < k; c++) { outKernel[c * k + c] = 1; outKernel[(k + c) * k + c] = -1; }
  const tensors = [tf.tensor2d(w, [inputs, units]), tf.tensor1d(b), tf.tensor2d(outKernel, [units, k]), tf.zeros([k])];
  try {
    hidden.setWeights(tensors.slice(0, 2));
    output.setWeights(tensors.slice(2));
  } finally {
    tf.dispose(tensors);
  }
}

/**
 * Why setLinearStart cannot set this model, or undefined when it can: it needs one hidden ReLU layer
 * (dropout aside) of at least 2 units a class. A head for more than units/2 classes (e.g. 129
 * classes on the default 256 units) starts as built.
 */
export function linearStartProblem(model: tf.LayersModel): string | undefined {
  const dense = model.layers.filter((l) => l.getClassName() === 'Dense');
  const others = model.layers.filter((l) => l.getClassName() !== 'Dense' && l.getClassName() !== SeededDropout.className);
  if (dense.length !== 2 || others.length > 0) {
    const layerNames = model.layers.map((l) => l.getClassName()).join(', ');
    return `a linear start needs one hidden layer and an output layer; the model has ${layerNames}`;
  }
  const [hidden, output] = dense;
  if (hidden.getConfig().activation !== 'relu') {
    return `the hidden layer's activation is ${String(hidden.getConfig().activation)}, not relu`;
  }
  const units = hidden.getConfig().units as number;
  const k = output.getConfig().units as number;
  if (units < 2 * k) return `${units} hidden units cannot hold ${k} classes' scores (a linear start needs 2 units a class)`;
  return undefined;
}
