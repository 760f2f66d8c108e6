import * as tf from '@tensorflow/tfjs';
import { check } from '../../util/errors';
import { isMaskedGenerator } from './presets';

/**
 * The arithmetic of one GAN training step, shared by the training loop in this thread and by
 * the data-parallel workers, so both do the same float operations.
 *
 * Order within a step: the generator is updated against the current discriminator
 * (0.9·MAE(gap) + 0.1·BCE(D(fake), real)), and the discriminator on real stacks and on the same
 * fake batch (BCE(D(real), 1) + BCE(D(fake), 0)). Neither gradient depends on the other's
 * update, so both come from one forward of the generator; the reference alternated D then G
 * with a fresh fake, which costs a second generator forward per step.
 */

export const MAE_WEIGHT = 0.9;
export const ADVERSARIAL_WEIGHT = 0.1;
export const LEARNING_RATE = 1e-4;
export const BETA1 = 0.5;

/** Rows of normalised log-mel: before, gap and after each [rows, gapFrames, nMels] (the masked GAN: see masked.ts). */
export interface GanBatch {
  before: Float32Array;
  gap: Float32Array;
  after: Float32Array;
  rows: number;
}

export interface GanLosses {
  /** Discriminator loss: BCE on real + BCE on fake. */
  d: number;
  /** Generator loss: 0.9·MAE + 0.1·adversarial BCE. */
  g: number;
  /** Mean absolute error inside the gap (normalised log-mel units). */
  mae: number;
  /** Adversarial BCE of the generator. */
  adv: number;
}

export interface GanNets {
  generator: tf.LayersModel;
  discriminator: tf.LayersModel;
  gOptimizer: tf.Optimizer;
  dOptimizer: tf.Optimizer;
}

export function makeOptimizers(): { gOptimizer: tf.Optimizer; dOptimizer: tf.Optimizer } {
  return { gOptimizer: tf.train.adam(LEARNING_RATE, BETA1), dOptimizer: tf.train.adam(LEARNING_RATE, BETA1) };
}

const variablesOf = (model: tf.LayersModel) => model.trainableWeights.map((w) => w.read() as tf.Variable);

function batchTensors(batch: GanBatch, gapFrames: number, nMels: number): tf.Tensor4D[] {
  const shape: [number, number, number, number] = [batch.rows, gapFrames, nMels, 1];
  const size = batch.rows * gapFrames * nMels;
  for (const [name, a] of [['before', batch.before], ['gap', batch.gap], ['after', batch.after]] as const) {
    check(a.length === size, `${name} has ${a.length} values, expected ${batch.rows} rows x ${gapFrames} frames x ${nMels} mels`);
  }
  return [tf.tensor4d(batch.before, shape), tf.tensor4d(batch.gap, shape), tf.tensor4d(batch.after, shape)];
}

export interface StepGradients {
  losses: GanLosses;
  /** Gradients in trainableWeights order (the order every optimizer call uses). */
  g: tf.Tensor[];
  d: tf.Tensor[];
}

/** Losses and gradients of both networks on one batch; the caller disposes the gradients. */
export function stepGradients(nets: GanNets, batch: GanBatch): StepGradients {
  const [, gapFrames, nMels] = nets.generator.outputs[0].shape as number[];
  const gVars = variablesOf(nets.generator);
  const dVars = variablesOf(nets.discriminator);
  return tf.tidy((): tf.TensorContainer => {
    const [before, gap, after] = batchTensors(batch, gapFrames, nMels);
    // The masked GAN (masked.ts): before = masked window, gap = clean window, after = mask; its
    // discriminator sees the window with the fill composited in, and MAE counts masked values only.
    const masked = isMaskedGenerator(nets.generator);
    const stack = masked
      ? (middle: tf.Tensor) => tf.add(before, tf.mul(middle, after))
      : (middle: tf.Tensor) => tf.concat([before, middle, after], 1);
    const gapMae = masked
      ? (out: tf.Tensor) => tf.div(tf.sum(tf.mul(tf.abs(tf.sub(out, gap)), after)), tf.maximum(tf.sum(after), 1)) as tf.Scalar
      : (out: tf.Tensor) => tf.mean(tf.abs(tf.sub(out, gap))) as tf.Scalar;
    const logit = (x: tf.Tensor) => nets.discriminator.apply(x, { training: true }) as tf.Tensor;
    let fake: tf.Tensor | undefined;
    let mae: tf.Scalar | undefined;
    let adv: tf.Scalar | undefined;
    const gStep = tf.variableGrads(() => {
      const out = nets.generator.apply([before, after], { training: true }) as tf.Tensor;
      fake = tf.keep(out);
      const l = logit(stack(out));
      mae = tf.keep(gapMae(out));
      adv = tf.keep(tf.losses.sigmoidCrossEntropy(tf.onesLike(l), l) as tf.Scalar);
      return tf.add(tf.mul(MAE_WEIGHT, mae), tf.mul(ADVERSARIAL_WEIGHT, adv)) as tf.Scalar;
    }, gVars);
    const held = fake!; // a plain tensor here: only the discriminator's variables get gradients
    const dStep = tf.variableGrads(() => {
      const real = logit(stack(gap));
      const made = logit(stack(held));
      return tf.add(tf.losses.sigmoidCrossEntropy(tf.onesLike(real), real), tf.losses.sigmoidCrossEntropy(tf.zerosLike(made), made)) as tf.Scalar;
    }, dVars);
    const losses: GanLosses = { d: dStep.value.dataSync()[0], g: gStep.value.dataSync()[0], mae: mae!.dataSync()[0], adv: adv!.dataSync()[0] };
    tf.dispose([fake!, mae!, adv!]); // kept out of variableGrads' scope, so freed by hand
    return { losses, g: gVars.map((v) => gStep.grads[v.name]), d: dVars.map((v) => dStep.grads[v.name]) } as unknown as tf.TensorContainer;
  }) as unknown as StepGradients;
}

/** Applies gradients (trainableWeights order) with the network's Adam. */
export function applyGradients(model: tf.LayersModel, optimizer: tf.Optimizer, grads: tf.Tensor[]): void {
  const vars = variablesOf(model);
  check(grads.length === vars.length, `got ${grads.length} gradients for ${vars.length} weights`);
  optimizer.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: grads[i] })));
}

/** One full step in this thread. */
export function trainStep(nets: GanNets, batch: GanBatch): GanLosses {
  const grads = stepGradients(nets, batch);
  try {
    applyGradients(nets.generator, nets.gOptimizer, grads.g);
    applyGradients(nets.discriminator, nets.dOptimizer, grads.d);
  } finally {
    tf.dispose([...grads.g, ...grads.d]);
  }
  return grads.losses;
}

export { flatten } from '../../engine/parallel-step';

/** Splits a flat gradient back into tensors shaped like the model's trainable weights. */
export function unflatten(model: tf.LayersModel, flat: Float32Array): tf.Tensor[] {
  const vars = variablesOf(model);
  const expected = vars.reduce((n, v) => n + v.size, 0);
  check(flat.length === expected, `gradient has ${flat.length} values, the model has ${expected} trainable parameters`);
  let offset = 0;
  return vars.map((v) => {
    const t = tf.tensor(flat.subarray(offset, offset + v.size), v.shape);
    offset += v.size;
    return t;
  });
}

/** Applies flat gradients of both networks (as the workers receive them). */
export function applyFlatGradients(nets: GanNets, g: Float32Array, d: Float32Array): void {
  const gt = unflatten(nets.generator, g);
  const dt = unflatten(nets.discriminator, d);
  try {
    applyGradients(nets.generator, nets.gOptimizer, gt);
    applyGradients(nets.discriminator, nets.dOptimizer, dt);
  } finally {
    tf.dispose([...gt, ...dt]);
  }
}
