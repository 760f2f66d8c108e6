import * as tf from '@tensorflow/tfjs';
import {
  KernelArgs, WasmBackendLike, f32, matMul2d, permuted, release, reshaped, transpose2d,
} from './heap';

/**
 * Conv2D gradients for wasm as im2col + one large matrix product per batch chunk.
 *
 * Why this shape of algorithm: wasm's matMul is fast (XNNPACK) only when neither operand is
 * transposed, and when the big dimension is the inner one; gathering the im2col matrix in a
 * plain typed-array loop on the heap costs one memory pass. Any stride, 'same'/'valid'/explicit
 * padding, height-1 (Conv1D) and 2-D inputs, NHWC (NCHW via transposes).
 */

/** Default upper bound on the im2col buffer (floats, 128 MiB); larger batches go in chunks. */
export const DEFAULT_COLUMN_FLOATS = 1 << 25;
let maxColFloats = DEFAULT_COLUMN_FLOATS;

/** Sets the im2col budget (floats). Small values force chunking; tests use that. */
export function setColumnBudget(floats: number = DEFAULT_COLUMN_FLOATS): void {
  if (!(floats >= 1)) throw new Error(`column budget must be >= 1 float, got ${floats}`);
  maxColFloats = floats;
}

export interface ConvGeometry {
  n: number; h: number; w: number; ci: number;
  oh: number; ow: number; co: number;
  kh: number; kw: number; sh: number; sw: number; top: number; left: number;
}

interface ConvGradAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape?: [number, number, number, number];
  inputShape?: [number, number, number, number];
}

export function convGeometry(
  xShape: number[], filterShape: number[], attrs: ConvGradAttrs,
): ConvGeometry {
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number], filterShape as [number, number, number, number],
    attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
  return {
    n: info.batchSize, h: info.inHeight, w: info.inWidth, ci: info.inChannels,
    oh: info.outHeight, ow: info.outWidth, co: info.outChannels,
    kh: info.filterHeight, kw: info.filterWidth, sh: info.strideHeight, sw: info.strideWidth,
    top: info.padInfo.top, left: info.padInfo.left,
  };
}

const nhwc = (s: number[]) => [s[0], s[2], s[3], s[1]];

/** Samples per chunk so that a [rows, chunk*OH*OW] buffer stays within the budget. */
function chunkSamples(g: ConvGeometry, rows: number): number {
  return Math.max(1, Math.min(g.n, Math.floor(maxColFloats / Math.max(1, rows * g.oh * g.ow))));
}

/** col[j, r] = x at tap r = (kh, kw, ci) for output position j = (n, oh, ow); 0 in padding. */
function fillCol(x: Float32Array, col: Float32Array, g: ConvGeometry, n0: number, n1: number): void {
  let o = 0;
  for (let n = n0; n < n1; n++) {
    for (let oh = 0; oh < g.oh; oh++) {
      for (let ow = 0; ow < g.ow; ow++) {
        for (let kh = 0; kh < g.kh; kh++) {
          const ih = oh * g.sh - g.top + kh;
          for (let kw = 0; kw < g.kw; kw++) {
            const iw = ow * g.sw - g.left + kw;
            if (ih < 0 || ih >= g.h || iw < 0 || iw >= g.w) {
              for (let c = 0; c < g.ci; c++) col[o++] = 0;
            } else {
              const xo = ((n * g.h + ih) * g.w + iw) * g.ci;
              for (let c = 0; c < g.ci; c++) col[o++] = x[xo + c];
            }
          }
        }
      }
    }
  }
}

/** dx[n, ih, iw, :] += dcol[j, tap] for every tap that read that input position. */
function col2im(dcol: Float32Array, dx: Float32Array, g: ConvGeometry, n0: number, n1: number): void {
  const R = g.kh * g.kw * g.ci;
  let j = 0;
  for (let n = n0; n < n1; n++) {
    for (let oh = 0; oh < g.oh; oh++) {
      for (let ow = 0; ow < g.ow; ow++, j++) {
        for (let kh = 0; kh < g.kh; kh++) {
          const ih = oh * g.sh - g.top + kh;
          if (ih < 0 || ih >= g.h) continue;
          for (let kw = 0; kw < g.kw; kw++) {
            const iw = ow * g.sw - g.left + kw;
            if (iw < 0 || iw >= g.w) continue;
            const xo = ((n * g.h + ih) * g.w + iw) * g.ci;
            const co = j * R + (kh * g.kw + kw) * g.ci;
            for (let c = 0; c < g.ci; c++) dx[xo + c] += dcol[co + c];
          }
        }
      }
    }
  }
}

/** Rows [n0, n1) of an [N, ..., C] tensor as an [rows, C] tensor (an alias when it is all). */
function batchRows(backend: WasmBackendLike, t: tf.TensorInfo, n0: number, n1: number, perSample: number, cols: number): tf.TensorInfo {
  const n = t.shape[0];
  if (n0 === 0 && n1 === n) return reshaped(backend, t, [n * perSample, cols]);
  const out = backend.makeOutput([(n1 - n0) * perSample, cols], 'float32');
  const src = f32(backend, t);
  f32(backend, out).set(src.subarray(n0 * perSample * cols, n1 * perSample * cols));
  return out;
}

/**
 * [taps, Co] filter gradient of samples [n0, n1). wasm's matMul repacks its right operand on
 * every call, so the larger of im2col (taps x L) and dy (L x Co) goes on the left: with few
 * taps (e.g. Conv1D on a raw waveform, 8 taps, 64 filters) transposing dy and packing the
 * small im2col halves the time.
 */
function filterProduct(backend: WasmBackendLike, x: tf.TensorInfo, dy: tf.TensorInfo, g: ConvGeometry, n0: number, n1: number): tf.TensorInfo {
  const R = g.kh * g.kw * g.ci;
  const L = (n1 - n0) * g.oh * g.ow;
  const dyRows = batchRows(backend, dy, n0, n1, g.oh * g.ow, g.co);
  // im2col is gathered row-major (sequential writes) and transposed by wasm's Transpose: filling
  // the [taps, L] layout directly writes with a stride of L floats, which for the GAN's
  // 6144-tap layers cost more than the transpose (4.6 s vs 3.6 s per filter gradient).
  const col = backend.makeOutput([L, R], 'float32');
  fillCol(f32(backend, x), f32(backend, col), g, n0, n1);
  if (R >= g.co) {
    const colT = transpose2d(backend, col);
    release(backend, col);
    const part = matMul2d(backend, colT, dyRows);
    release(backend, colT, dyRows);
    return part;
  }
  const dyT = transpose2d(backend, dyRows);
  release(backend, dyRows);
  const partT = matMul2d(backend, dyT, col);
  release(backend, dyT, col);
  const part = transpose2d(backend, partT);
  release(backend, partT);
  return part;
}

function backpropFilterNhwc(backend: WasmBackendLike, x: tf.TensorInfo, dy: tf.TensorInfo, g: ConvGeometry): tf.TensorInfo {
  const R = g.kh * g.kw * g.ci;
  const step = chunkSamples(g, R);
  const out = backend.makeOutput([g.kh, g.kw, g.ci, g.co], 'float32');
  for (let n0 = 0; n0 < g.n; n0 += step) {
    const n1 = Math.min(g.n, n0 + step);
    const part = filterProduct(backend, x, dy, g, n0, n1);
    const acc = f32(backend, out);
    const p = f32(backend, part);
    if (n0 === 0) acc.set(p);
    else for (let i = 0; i < p.length; i++) acc[i] += p[i];
    release(backend, part);
  }
  return out;
}

function backpropInputNhwc(backend: WasmBackendLike, dy: tf.TensorInfo, filter: tf.TensorInfo, g: ConvGeometry): tf.TensorInfo {
  const R = g.kh * g.kw * g.ci;
  const step = chunkSamples(g, R);
  const dx = backend.makeOutput([g.n, g.h, g.w, g.ci], 'float32');
  const w2 = reshaped(backend, filter, [R, g.co]);
  const wT = transpose2d(backend, w2);
  release(backend, w2);
  f32(backend, dx).fill(0);
  for (let n0 = 0; n0 < g.n; n0 += step) {
    const n1 = Math.min(g.n, n0 + step);
    const dyRows = batchRows(backend, dy, n0, n1, g.oh * g.ow, g.co);
    const dcol = matMul2d(backend, dyRows, wT);
    col2im(f32(backend, dcol), f32(backend, dx), g, n0, n1);
    release(backend, dyRows, dcol);
  }
  release(backend, wT);
  return dx;
}

export function conv2DBackpropFilter(args: KernelArgs<ConvGradAttrs>): tf.TensorInfo {
  const { backend, attrs } = args;
  let { x, dy } = args.inputs;
  const nchw = attrs.dataFormat === 'NCHW';
  if (nchw) { x = permuted(backend, x); dy = permuted(backend, dy); }
  try {
    const g = convGeometry(x.shape, attrs.filterShape as number[], { ...attrs, dataFormat: 'NHWC' });
    return backpropFilterNhwc(backend, x, dy, g);
  } finally {
    if (nchw) release(backend, x, dy);
  }
}

export function conv2DBackpropInput(args: KernelArgs<ConvGradAttrs>): tf.TensorInfo {
  const { backend, attrs } = args;
  let { dy } = args.inputs;
  const { filter } = args.inputs;
  const nchw = attrs.dataFormat === 'NCHW';
  const inputShape = nchw ? nhwc(attrs.inputShape as number[]) : (attrs.inputShape as number[]);
  if (nchw) dy = permuted(backend, dy);
  try {
    const g = convGeometry(inputShape, filter.shape, { ...attrs, dataFormat: 'NHWC' });
    const dx = backpropInputNhwc(backend, dy, filter, g);
    if (!nchw) return dx;
    const back = permuted(backend, dx, true);
    release(backend, dx);
    return back;
  } finally {
    if (nchw) release(backend, dy);
  }
}

interface ConvAttrs extends ConvGradAttrs { dilations?: number | [number, number] }
type ConvKernel = (args: KernelArgs<ConvAttrs>) => tf.TensorInfo;

/** Taps from which a forward Conv2D goes through im2col + matMul instead of the built-in kernel. */
export const IM2COL_MIN_TAPS = 1024;

/**
 * Forward Conv2D for wide layers as im2col + one matrix product per batch chunk: the filter
 * [kh, kw, ci, co] is already the [taps, co] right operand and the product is the NHWC output.
 * For the GAN's 6144-tap layers this ran in ~0.6 of the built-in kernel's time; narrow layers
 * (fewer than IM2COL_MIN_TAPS taps), 1x1 kernels, dilations and NCHW stay with the original.
 */
export function makeConv2D(original: ConvKernel): ConvKernel {
  return (args) => {
    const { backend, attrs } = args;
    const { x, filter } = args.inputs;
    const dil = attrs.dilations ?? 1;
    const dilated = Array.isArray(dil) ? dil.some((d) => d !== 1) : dil !== 1;
    const taps = filter.shape[0] * filter.shape[1] * filter.shape[2];
    const pointwise = filter.shape[0] * filter.shape[1] === 1; // im2col would be a plain copy
    if (attrs.dataFormat === 'NCHW' || dilated || pointwise || taps < IM2COL_MIN_TAPS || x.dtype !== 'float32') return original(args);
    const g = convGeometry(x.shape, filter.shape, attrs);
    const step = chunkSamples(g, taps);
    const out = backend.makeOutput([g.n, g.oh, g.ow, g.co], 'float32');
    const w2 = reshaped(backend, filter, [taps, g.co]);
    for (let n0 = 0; n0 < g.n; n0 += step) {
      const n1 = Math.min(g.n, n0 + step);
      const col = backend.makeOutput([(n1 - n0) * g.oh * g.ow, taps], 'float32');
      fillCol(f32(backend, x), f32(backend, col), g, n0, n1);
      const part = matMul2d(backend, col, w2);
      f32(backend, out).set(f32(backend, part), n0 * g.oh * g.ow * g.co);
      release(backend, col, part);
    }
    release(backend, w2);
    return out;
  };
}
