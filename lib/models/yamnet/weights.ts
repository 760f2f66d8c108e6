/**
 * YAMNet's body read out of the official TFLite file as plain float32 data: the operator list is
 * walked in execution order and every CONV_2D / DEPTHWISE_CONV_2D becomes a layer, followed by the
 * MEAN (global average pool) and the FULLY_CONNECTED classifier. The file is fully int8-quantised
 * (int8 weights with per-channel scales, int32 biases, int8 activations; no DEQUANTIZE ops on
 * weights), so weights are dequantised here and the network runs the float math those integers
 * approximate. Batch norm is already folded into the conv biases in the file.
 */
import { ModelError } from '../../util/errors';
import { TfliteModel, TfliteOperator, TfliteTensor, sizeOf, tensorValues } from './tflite';

/** An int8 activation's affine quantisation: f = scale (q - zeroPoint). */
export interface ActivationQuant { scale: number; zeroPoint: number }

export interface ConvLayerWeights {
  name: string;
  kind: 'conv' | 'depthwise';
  /** tfjs layout: conv [kh, kw, in, out]; depthwise [kh, kw, channels, 1]. */
  kernel: Float32Array;
  kernelShape: [number, number, number, number];
  bias: Float32Array;
  stride: number;
  padding: 'same' | 'valid';
  /** Quantisation of the layer's output in the official int8 graph. */
  outputQuant?: ActivationQuant;
}

export interface YamnetWeights {
  /** Quantisation of the log-mel patch at the body's input in the int8 graph. */
  inputQuant?: ActivationQuant;
  layers: ConvLayerWeights[];
  poolQuant?: ActivationQuant;
  /** [1024, classes] row-major (tfjs matMul layout). */
  denseKernel: Float32Array;
  denseBias: Float32Array;
  embeddingSize: number;
  numClasses: number;
}

function quantOf(t: TfliteTensor): ActivationQuant | undefined {
  const q = t.quantization;
  return q && q.scale.length === 1 ? { scale: q.scale[0], zeroPoint: q.zeroPoint[0] ?? 0 } : undefined;
}

/** [O, kh, kw, I] (TFLite conv) → [kh, kw, I, O] (tfjs). */
function ohwiToHwio(src: Float32Array, [o, h, w, i]: number[]): Float32Array {
  const out = new Float32Array(src.length);
  for (let a = 0; a < o; a++) for (let b = 0; b < h; b++) for (let c = 0; c < w; c++) for (let d = 0; d < i; d++) {
    out[((b * w + c) * i + d) * o + a] = src[((a * h + b) * w + c) * i + d];
  }
  return out;
}

function convLayer(model: TfliteModel, op: TfliteOperator, label: string): ConvLayerWeights {
  const [, wIdx, bIdx] = op.inputs;
  const w = model.tensors[wIdx];
  const b = model.tensors[bIdx];
  const opts = op.options;
  if (!opts || opts.strideH !== opts.strideW) throw new ModelError(`${label}: operator ${op.index} (${op.opcode}) has no or unequal strides`);
  if (opts.activation !== 'relu6') throw new ModelError(`${label}: operator ${op.index} uses activation ${opts.activation}, expected relu6`);
  const name = (w.name.match(/layer\d+/g) ?? [`op${op.index}`])[0];
  const values = tensorValues(model, w);
  const bias = tensorValues(model, b);
  const [o, h, ww, i] = w.shape;
  const common = { name, bias, stride: opts.strideH, padding: opts.padding, outputQuant: quantOf(model.tensors[op.outputs[0]]) };
  if (op.opcode === 'CONV_2D') {
    return { ...common, kind: 'conv', kernel: ohwiToHwio(values, w.shape), kernelShape: [h, ww, i, o] };
  }
  if (o !== 1 || opts.depthMultiplier !== 1) throw new ModelError(`${label}: depthwise operator ${op.index} has multiplier ${opts.depthMultiplier}`);
  // [1, kh, kw, C] is already [kh, kw, C, 1] in memory.
  return { ...common, kind: 'depthwise', kernel: values, kernelShape: [h, ww, i, 1] };
}

/** Extracts YAMNet's body from a parsed TFLite model; `label` names the file in errors. */
export function extractYamnetWeights(model: TfliteModel, label = '<model>'): YamnetWeights {
  const layers: ConvLayerWeights[] = [];
  let inputQuant: ActivationQuant | undefined;
  let poolQuant: ActivationQuant | undefined;
  let dense: { kernel: Float32Array; bias: Float32Array; inSize: number; outSize: number } | undefined;
  for (const op of model.operators) {
    if (op.opcode === 'CONV_2D' || op.opcode === 'DEPTHWISE_CONV_2D') {
      if (layers.length === 0) inputQuant = quantOf(model.tensors[op.inputs[0]]);
      layers.push(convLayer(model, op, label));
    } else if (op.opcode === 'MEAN' && layers.length > 0) {
      poolQuant = quantOf(model.tensors[op.outputs[0]]);
    } else if (op.opcode === 'FULLY_CONNECTED' && layers.length > 0) {
      const w = model.tensors[op.inputs[1]];
      const [outSize, inSize] = w.shape;
      const src = tensorValues(model, w);
      const kernel = new Float32Array(src.length);
      for (let r = 0; r < outSize; r++) for (let c = 0; c < inSize; c++) kernel[c * outSize + r] = src[r * inSize + c];
      dense = { kernel, bias: tensorValues(model, model.tensors[op.inputs[2]]), inSize, outSize };
    }
  }
  if (layers.length !== 27) throw new ModelError(`${label}: found ${layers.length} conv layers, YAMNet has 27 (1 conv + 13 depthwise-separable pairs)`);
  if (!dense) throw new ModelError(`${label}: no classifier (FULLY_CONNECTED after the conv layers)`);
  const last = layers[layers.length - 1].kernelShape[3];
  if (dense.inSize !== last) throw new ModelError(`${label}: classifier takes ${dense.inSize} inputs, last conv gives ${last}`);
  if (sizeOf([dense.outSize]) !== dense.bias.length) throw new ModelError(`${label}: classifier bias has ${dense.bias.length} values for ${dense.outSize} classes`);
  return { inputQuant, layers, poolQuant, denseKernel: dense.kernel, denseBias: dense.bias, embeddingSize: dense.inSize, numClasses: dense.outSize };
}
