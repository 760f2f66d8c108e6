import * as tf from '@tensorflow/tfjs';
import { KernelArgs, f32 } from './heap';

interface DepthwiseGradAttrs {
  strides: number | [number, number];
  dilations: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape?: [number, number, number, number];
  inputShape?: [number, number, number, number];
}

/**
 * Depthwise conv gradients (NHWC, any stride/dilation/padding) as direct loops on the heap.
 * Depthwise work per output is only taps x channels, so a matrix product buys nothing here;
 * wasm simply has no kernel for these two.
 */
function geometry(xShape: number[], filterShape: number[], attrs: DepthwiseGradAttrs) {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number], filterShape as [number, number, number, number],
    attrs.strides, attrs.dilations, attrs.pad, attrs.dimRoundingMode, true);
}

/** Calls visit(xOffset, dyOffset, filterOffset) for every (output position, tap) in range. */
function forEachTap(g: tf.backend_util.Conv2DInfo, visit: (xo: number, dyo: number, fo: number) => void): void {
  const C = g.inChannels;
  const M = g.outChannels / C;
  for (let n = 0; n < g.batchSize; n++) {
    for (let oh = 0; oh < g.outHeight; oh++) {
      for (let ow = 0; ow < g.outWidth; ow++) {
        const dyo = ((n * g.outHeight + oh) * g.outWidth + ow) * C * M;
        for (let a = 0; a < g.filterHeight; a++) {
          const ih = oh * g.strideHeight - g.padInfo.top + a * g.dilationHeight;
          if (ih < 0 || ih >= g.inHeight) continue;
          for (let b = 0; b < g.filterWidth; b++) {
            const iw = ow * g.strideWidth - g.padInfo.left + b * g.dilationWidth;
            if (iw < 0 || iw >= g.inWidth) continue;
            visit(((n * g.inHeight + ih) * g.inWidth + iw) * C, dyo, (a * g.filterWidth + b) * C * M);
          }
        }
      }
    }
  }
}

export function depthwiseBackpropFilter(args: KernelArgs<DepthwiseGradAttrs>): tf.TensorInfo {
  const { backend, attrs } = args;
  const { x, dy } = args.inputs;
  const fs = attrs.filterShape as number[];
  const g = geometry(x.shape, fs, attrs);
  const out = backend.makeOutput(fs, 'float32');
  const xv = f32(backend, x);
  const gv = f32(backend, dy);
  const C = g.inChannels;
  const M = fs[3];
  const acc = new Float64Array(fs[0] * fs[1] * C * M);
  forEachTap(g, (xo, dyo, fo) => {
    for (let c = 0; c < C; c++) {
      const v = xv[xo + c];
      const k = c * M;
      for (let m = 0; m < M; m++) acc[fo + k + m] += v * gv[dyo + k + m];
    }
  });
  f32(backend, out).set(acc);
  return out;
}

export function depthwiseBackpropInput(args: KernelArgs<DepthwiseGradAttrs>): tf.TensorInfo {
  const { backend, attrs } = args;
  const { dy, filter } = args.inputs;
  const shape = attrs.inputShape as number[];
  const g = geometry(shape, filter.shape, attrs);
  const out = backend.makeOutput(shape, 'float32');
  const dx = f32(backend, out);
  const gv = f32(backend, dy);
  const w = f32(backend, filter);
  const C = g.inChannels;
  const M = filter.shape[3];
  dx.fill(0);
  forEachTap(g, (xo, dyo, fo) => {
    for (let c = 0; c < C; c++) {
      const k = c * M;
      let s = 0;
      for (let m = 0; m < M; m++) s += gv[dyo + k + m] * w[fo + k + m];
      dx[xo + c] += s;
    }
  });
  return out;
}
