/**
 * A trained tfjs Sequential model's inference as an ONNX graph, for onnxruntime's native kernels:
 * the layers lacuna's classifiers use (Conv1D, MaxPooling1D, Flatten, Dense, dropout, which is the
 * identity at inference). tfjs keeps sequences as [batch, steps, channels]; ONNX convolves
 * [batch, channels, steps], so the graph transposes in, and back before Flatten so that Dense sees
 * tfjs's order. Models with other layers get `undefined`: they predict on tfjs.
 */
import * as tf from '@tensorflow/tfjs';
import { encodeModel, NodeSpec, TensorSpec } from '../engine/onnx/proto';

interface Build { nodes: NodeSpec[]; initializers: TensorSpec[]; x: string; channelsFirst: boolean }

const ACTIVATIONS: Record<string, string | undefined> = { relu: 'Relu', softmax: 'Softmax', sigmoid: 'Sigmoid', tanh: 'Tanh', linear: undefined };

/** The layer's input shape, batch first (null batch). */
function inputShapeOf(l: tf.layers.Layer): (number | null)[] {
  return (l.input as tf.SymbolicTensor).shape;
}

function values(t: tf.Tensor): Float32Array {
  return t.dataSync() as Float32Array;
}

/** Appends `op` (with a fresh output name) and makes it the current value. */
function add(b: Build, opType: string, inputs: string[], attributes?: NodeSpec['attributes']): void {
  const out = `t${b.nodes.length}`;
  b.nodes.push({ opType, inputs: [b.x, ...inputs], outputs: [out], ...(attributes ? { attributes } : {}) });
  b.x = out;
}

function activation(b: Build, name: string | undefined): boolean {
  if (!name || name === 'linear') return true;
  const op = ACTIVATIONS[name];
  if (!op) return false;
  add(b, op, [], op === 'Softmax' ? { axis: { int: -1 } } : undefined);
  return true;
}

/**
 * Moves between tfjs's [batch, steps, channels] and the [batch, channels, 1, steps] images the
 * convolutions run on: onnxruntime's fastest CPU convolutions (NCHWc blocks) are 2-D only.
 */
function toChannels(b: Build, first: boolean): void {
  if (b.channelsFirst === first) return;
  if (!b.initializers.some((t) => t.name === 'axis2')) b.initializers.push({ name: 'axis2', dims: [1], values: { int64: [2] } });
  if (first) {
    add(b, 'Transpose', [], { perm: { ints: [0, 2, 1] } });
    add(b, 'Unsqueeze', ['axis2']);
  } else {
    add(b, 'Squeeze', ['axis2']);
    add(b, 'Transpose', [], { perm: { ints: [0, 2, 1] } });
  }
  b.channelsFirst = first;
}

/** [k, in, out] (tfjs Conv1D) → [out, in, k] (ONNX Conv). */
function kioToOik(src: Float32Array, [k, i, o]: number[]): Float32Array {
  const out = new Float32Array(src.length);
  for (let a = 0; a < k; a++) for (let c = 0; c < i; c++) for (let d = 0; d < o; d++) out[(d * i + c) * k + a] = src[(a * i + c) * o + d];
  return out;
}

/** TF's 'same' pooling pads the end with the odd element: [before, after] for a sequence of `length`. */
function samePads(length: number, size: number, stride: number): [number, number] {
  const outLength = Math.ceil(length / stride);
  const total = Math.max((outLength - 1) * stride + size - length, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/** One layer into the graph; false when the layer is not one this writer knows. */
function layer(b: Build, l: tf.layers.Layer, index: number): boolean {
  const config = l.getConfig() as Record<string, unknown>;
  const cls = l.getClassName();
  if (cls === 'Dropout' || cls === 'LacunaSeededDropout') return true;
  if (cls === 'Conv1D') {
    const [kernel, bias] = l.getWeights();
    const [dilation] = [config.dilationRate].flat() as number[];
    if ((dilation !== undefined && dilation !== 1) || (config.padding !== 'same' && config.padding !== 'valid')) return false;
    const [stride] = [config.strides].flat() as number[];
    const [k, cin, cout] = kernel.shape as [number, number, number];
    toChannels(b, true);
    b.initializers.push({ name: `w${index}`, dims: [cout, cin, 1, k], values: kioToOik(values(kernel), [k, cin, cout]) });
    const inputs = [`w${index}`];
    if (bias) { b.initializers.push({ name: `b${index}`, dims: [bias.shape[0]], values: values(bias) }); inputs.push(`b${index}`); }
    add(b, 'Conv', inputs, {
      kernel_shape: { ints: [1, k] }, strides: { ints: [1, stride] },
      ...(config.padding === 'same' ? { auto_pad: { string: 'SAME_UPPER' } } : {}),
    });
    return activation(b, config.activation as string);
  }
  if (cls === 'MaxPooling1D') {
    const [size] = [config.poolSize].flat() as number[];
    const [stride] = [config.strides ?? size].flat() as number[];
    const length = inputShapeOf(l)[1] as number;
    toChannels(b, true);
    const [before, after]: [number, number] = config.padding === 'same' ? samePads(length, size, stride) : [0, 0];
    add(b, 'MaxPool', [], { kernel_shape: { ints: [1, size] }, strides: { ints: [1, stride] }, pads: { ints: [0, before, 0, after] } });
    return true;
  }
  if (cls === 'Flatten') {
    toChannels(b, false);
    add(b, 'Flatten', [], { axis: { int: 1 } });
    return true;
  }
  if (cls === 'Dense') {
    if (inputShapeOf(l).length !== 2) return false;
    const [kernel, bias] = l.getWeights();
    b.initializers.push({ name: `w${index}`, dims: kernel.shape, values: values(kernel) });
    const inputs = [`w${index}`];
    if (bias) { b.initializers.push({ name: `b${index}`, dims: [bias.shape[0]], values: values(bias) }); inputs.push(`b${index}`); }
    add(b, 'Gemm', inputs);
    return activation(b, config.activation as string);
  }
  return false;
}

/**
 * The model's predict() as a serialised ONNX model with input `x` (the model's input shape, batch
 * first) and output `y`, or undefined when a layer is not supported. Weights are copied as they
 * are now: rebuild after training.
 */
export function sequentialOnnxModel(model: tf.LayersModel): Uint8Array | undefined {
  const inputShape = model.inputs[0].shape.slice(1) as number[];
  if (inputShape.some((d) => d === null) || inputShape.length > 2) return undefined;
  const b: Build = { nodes: [], initializers: [], x: 'x', channelsFirst: inputShape.length !== 2 };
  for (let i = 0; i < model.layers.length; i++) {
    if (model.layers[i].getClassName() === 'InputLayer') continue;
    if (!layer(b, model.layers[i], i)) return undefined;
  }
  b.nodes.push({ opType: 'Identity', inputs: [b.x], outputs: ['y'] });
  const outputs = model.outputs[0].shape.slice(1) as number[];
  return encodeModel({
    name: model.name, nodes: b.nodes, initializers: b.initializers,
    inputs: [{ name: 'x', dims: ['batch', ...inputShape] }],
    outputs: [{ name: 'y', dims: ['batch', ...outputs] }],
  });
}
