import * as tf from '@tensorflow/tfjs';
import { ModelError, check } from '../util/errors';

/**
 * The arithmetic of one data-parallel training step, shared by the workers, the main thread
 * and the tests' single-thread reference, so all three do exactly the same float operations.
 * Plain data (Float32Array + row counts) crosses this module's boundary.
 */

/** A compiled LayersModel as structured-clonable data: topology, weights, loss, optimizer state. */
export type ModelArtifacts = tf.io.ModelArtifacts;

/** Loss and gradients of one shard; `grads` concatenates the trainable weights' gradients in model order. */
export interface ShardResult {
  rows: number;
  /** Mean loss over the shard's rows plus the regularisation penalties (as Keras reports it). */
  loss: number;
  /** Mean of the model's first metric over the shard (accuracy for the reference CNN), NaN without metrics. */
  metric: number;
  grads: Float32Array;
  /** Wall milliseconds the shard's forward and backward pass took where it ran. */
  computeMs: number;
}

/** The tfjs-layers internals a compiled model carries; Keras' own training function uses these. */
interface CompiledInternals {
  lossFunctions?: Array<(yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor>;
  metricsTensors?: Array<[(yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor, number]>;
  calculateLosses(): tf.Scalar[];
}

/** A Sequential keeps its compiled state in an inner LayersModel. */
function compiledInternals(model: tf.LayersModel): CompiledInternals {
  const inner = (model as unknown as { model?: unknown }).model;
  return (model instanceof tf.Sequential && inner ? inner : model) as unknown as CompiledInternals;
}

/** Serialises a compiled model, including its optimizer's configuration and state. */
export async function modelArtifacts(model: tf.LayersModel): Promise<ModelArtifacts> {
  if (!model.optimizer) throw new ModelError('the model is not compiled (no optimizer); call model.compile() first');
  let saved: ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    saved = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }), { includeOptimizer: true });
  if (!saved) throw new ModelError('the model could not be serialised');
  return saved;
}

/** Rebuilds a compiled model (same weights, loss, metrics, optimizer state) from modelArtifacts(). */
export async function modelFromArtifacts(artifacts: ModelArtifacts): Promise<tf.LayersModel> {
  const model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  if (!model.optimizer) throw new ModelError('the serialised model carried no training configuration');
  return model;
}

/** Copies weights and optimizer state from artifacts into an existing model of the same topology. */
export async function loadArtifactsInto(model: tf.LayersModel, artifacts: ModelArtifacts): Promise<void> {
  const specs = artifacts.weightSpecs ?? [];
  const named = tf.io.decodeWeights(artifacts.weightData as ArrayBuffer, specs);
  const modelSpecs = specs.filter((s) => s.group !== 'optimizer');
  const optimizerSpecs = specs.filter((s) => s.group === 'optimizer');
  check(modelSpecs.length === model.weights.length,
    `the trained weights (${modelSpecs.length} tensors) do not fit this model (${model.weights.length} weights)`);
  model.setWeights(modelSpecs.map((s) => named[s.name]));
  if (model.optimizer && optimizerSpecs.length) {
    await model.optimizer.setWeights(optimizerSpecs.map((s) => ({ name: s.name, tensor: named[s.name] })));
  }
  tf.dispose(Object.values(named));
}

/** Shape of one input row, e.g. [32000, 1]; throws when the model's input is not fully defined. */
export function rowShapeOf(model: tf.LayersModel): number[] {
  const shape = model.inputs[0].shape.slice(1);
  if (shape.some((d) => d == null || d < 1)) throw new ModelError(`the model's input shape [${shape}] is not fully defined`);
  return shape as number[];
}

function rowSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Input and target tensors for `rows` rows; targets get Keras' [rows, k] shape (k = 1 for class indices). */
function batchTensors(model: tf.LayersModel, x: Float32Array, y: ArrayLike<number>, rows: number): [tf.Tensor, tf.Tensor] {
  const shape = rowShapeOf(model);
  check(x.length === rows * rowSize(shape), `x has ${x.length} values, expected ${rows} rows of [${shape}] = ${rows * rowSize(shape)}`);
  check(rows > 0 && y.length % rows === 0, `y has ${y.length} values, not a whole number per row for ${rows} rows`);
  return [tf.tensor(x, [rows, ...shape]), tf.tensor2d(Float32Array.from(y), [rows, y.length / rows])];
}

/**
 * Loss and gradients of the model on one shard, computed as Keras' trainOnBatch does (mean loss
 * over the rows, plus model.losses' penalties) but without applying them.
 */
export function shardGradients(model: tf.LayersModel, x: Float32Array, y: ArrayLike<number>, rows: number): ShardResult {
  const internals = compiledInternals(model);
  const lossFunctions = internals.lossFunctions;
  if (!model.optimizer || !lossFunctions?.length) throw new ModelError('the model is not compiled; call model.compile() first');
  if (lossFunctions.length !== 1) throw new ModelError('parallel training supports models with one output');
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const t0 = performance.now();
  // Plain values leave tf.tidy through these: tidy walks whatever it returns looking for
  // tensors, element by element for a typed array (tens of ms for a CNN's gradient).
  let result: ShardResult | undefined;
  tf.tidy(() => {
    const [xs, ys] = batchTensors(model, x, y, rows);
    let metric: tf.Scalar | undefined;
    const { value, grads } = model.optimizer.computeGradients(() => {
      const output = model.apply(xs, { training: true }) as tf.Tensor;
      let total = tf.mean(lossFunctions[0](ys, output)) as tf.Scalar;
      const first = internals.metricsTensors?.[0];
      if (first) metric = tf.keep(tf.mean(first[0](ys, output)) as tf.Scalar);
      for (const penalty of internals.calculateLosses()) total = tf.add(total, penalty);
      return total;
    }, variables);
    const flat = flatten(variables.map((v) => grads[v.name]));
    result = { rows, loss: value.dataSync()[0], metric: metric ? metric.dataSync()[0] : NaN, grads: flat, computeMs: 0 };
    if (metric) metric.dispose();
  });
  result!.computeMs = performance.now() - t0;
  return result!;
}

/** Flat copy of tensors' values, one after another (for posting between threads). */
export function flatten(tensors: tf.Tensor[]): Float32Array {
  const out = new Float32Array(tensors.reduce((n, t) => n + t.size, 0));
  let offset = 0;
  for (const t of tensors) {
    out.set(t.dataSync() as Float32Array, offset);
    offset += t.size;
  }
  return out;
}

/**
 * Row-weighted mean of the shards' gradients, loss and metric: the full batch's mean loss has
 * exactly this gradient, and the penalties (same in every shard) keep weight 1.
 */
export function averageShards(shards: readonly ShardResult[]): ShardResult {
  check(shards.length > 0, 'no shards to average');
  const total = shards.reduce((n, s) => n + s.rows, 0);
  const size = shards[0].grads.length;
  const out = new Float32Array(size);
  let loss = 0;
  let metric = 0;
  for (const s of shards) {
    check(s.grads.length === size, `shards disagree on the number of parameters (${s.grads.length} vs ${size})`);
    const w = s.rows / total;
    for (let i = 0; i < size; i++) out[i] += w * s.grads[i];
    loss += w * s.loss;
    metric += w * s.metric;
  }
  return { rows: total, loss, metric, grads: out, computeMs: Math.max(...shards.map((s) => s.computeMs)) };
}

/**
 * Sets the rate the optimizer's next steps use (a schedule's value). tfjs' optimizers read their
 * `learningRate` field on every applyGradients and have no public setter.
 */
export function setLearningRate(model: tf.LayersModel, learningRate: number): void {
  check(Number.isFinite(learningRate) && learningRate > 0, `learning rate must be > 0, got ${learningRate}`);
  const optimizer = model.optimizer as unknown as { learningRate?: unknown };
  if (typeof optimizer.learningRate !== 'number') throw new ModelError(`the ${model.optimizer.getClassName()} optimizer has no learning rate to schedule`);
  optimizer.learningRate = learningRate;
}

/** Applies a flat gradient (trainable weights in model order) with the model's own optimizer. */
export function applyFlatGradients(model: tf.LayersModel, flat: Float32Array): void {
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const expected = variables.reduce((n, v) => n + v.size, 0);
  check(flat.length === expected, `gradient has ${flat.length} values, the model has ${expected} trainable parameters`);
  tf.tidy(() => {
    let offset = 0;
    const named = variables.map((v) => {
      const tensor = tf.tensor(flat.subarray(offset, offset + v.size), v.shape);
      offset += v.size;
      return { name: v.name, tensor };
    });
    model.optimizer.applyGradients(named);
  });
}

/** Output rows of model.predict for `rows` rows, flattened. */
export function predictRows(model: tf.LayersModel, x: Float32Array, rows: number): Float32Array {
  const shape = rowShapeOf(model);
  check(x.length === rows * rowSize(shape), `x has ${x.length} values, expected ${rows} rows of [${shape}]`);
  const output = tf.tidy(() => model.predict(tf.tensor(x, [rows, ...shape])) as tf.Tensor);
  try {
    return output.dataSync() as Float32Array;
  } finally {
    output.dispose();
  }
}
