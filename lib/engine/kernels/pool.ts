import * as tf from '@tensorflow/tfjs';
import { KernelArgs, f32 } from './heap';

interface PoolGradAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * MaxPoolGrad as one pass over the heap. The built-in wasm kernel spends about a second per CNN
 * step. Ties follow the CPU backend: the first maximum in window order takes the gradient.
 *
 * Non-overlapping windows (stride >= window, the usual pooling) take a branch-free path: a
 * position gets dy when it equals the pooled output and no earlier position of its window did;
 * each covered position is written once. Overlapping windows scatter-add from an argmax.
 */
export function maxPoolGrad(args: KernelArgs<PoolGradAttrs>): tf.TensorInfo {
  const { backend, attrs } = args;
  const { dy, input, output } = args.inputs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number], attrs.filterSize, attrs.strides, 1,
    attrs.pad, attrs.dimRoundingMode);
  const out = backend.makeOutput(input.shape, 'float32');
  const x = f32(backend, input);
  const g = f32(backend, dy);
  const dx = f32(backend, out);
  const disjoint = info.strideHeight >= info.filterHeight && info.strideWidth >= info.filterWidth;
  if (disjoint && output) {
    disjointMaxPoolGrad(x, f32(backend, output), g, dx, info);
  } else {
    dx.fill(0);
    scatterMaxPoolGrad(x, g, dx, info);
  }
  return out;
}

/** Offsets (channel 0) of the in-range positions of window (n, oh, ow); returns their count. */
function windowOffsets(info: tf.backend_util.Conv2DInfo, n: number, oh: number, ow: number, into: Int32Array): number {
  const { inHeight: H, inWidth: W, inChannels: C } = info;
  let count = 0;
  for (let a = 0; a < info.filterHeight; a++) {
    const ih = oh * info.strideHeight - info.padInfo.top + a * info.dilationHeight;
    if (ih < 0 || ih >= H) continue;
    for (let b = 0; b < info.filterWidth; b++) {
      const iw = ow * info.strideWidth - info.padInfo.left + b * info.dilationWidth;
      if (iw < 0 || iw >= W) continue;
      into[count++] = ((n * H + ih) * W + iw) * C;
    }
  }
  return count;
}

function disjointMaxPoolGrad(
  x: Float32Array, y: Float32Array, g: Float32Array, dx: Float32Array, info: tf.backend_util.Conv2DInfo,
): void {
  const { batchSize, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const covered = info.strideHeight === info.filterHeight && info.strideWidth === info.filterWidth &&
    OH * info.filterHeight - info.padInfo.top >= H && OW * info.filterWidth - info.padInfo.left >= W;
  if (!covered) dx.fill(0);
  // Bit patterns: a hit masks dy's bits in, a miss writes +0, with no data-dependent branch.
  const gBits = new Int32Array(g.buffer, g.byteOffset, g.length);
  const dxBits = new Int32Array(dx.buffer, dx.byteOffset, dx.length);
  const offsets = new Int32Array(info.filterHeight * info.filterWidth);
  let yo = 0;
  for (let n = 0; n < batchSize; n++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++, yo += C) {
        const k = windowOffsets(info, n, oh, ow, offsets);
        for (let c = 0; c < C; c++) {
          const yv = y[yo + c];
          const d = gBits[yo + c];
          let found = 0;
          for (let t = 0; t < k; t++) {
            const p = offsets[t] + c;
            const hit = -(+(x[p] === yv)) & ~found;
            found |= hit;
            dxBits[p] = d & hit;
          }
        }
      }
    }
  }
}

function scatterMaxPoolGrad(x: Float32Array, g: Float32Array, dx: Float32Array, info: tf.backend_util.Conv2DInfo): void {
  const { batchSize, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const best = new Float32Array(C);
  const where = new Int32Array(C);
  const offsets = new Int32Array(info.filterHeight * info.filterWidth);
  let gi = 0;
  for (let n = 0; n < batchSize; n++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++, gi += C) {
        best.fill(-Infinity);
        where.fill(-1);
        const k = windowOffsets(info, n, oh, ow, offsets);
        for (let t = 0; t < k; t++) {
          const base = offsets[t];
          for (let c = 0; c < C; c++) {
            const v = x[base + c];
            if (v > best[c]) { best[c] = v; where[c] = base + c; }
          }
        }
        for (let c = 0; c < C; c++) if (where[c] >= 0) dx[where[c]] += g[gi + c];
      }
    }
  }
}
