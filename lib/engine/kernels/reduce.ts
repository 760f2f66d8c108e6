import * as tf from '@tensorflow/tfjs';
import { KernelArgs, f32 } from './heap';

type KernelFunc = (args: KernelArgs<{ axis: number | number[]; keepDims: boolean }>) => tf.TensorInfo;

/**
 * Sum over leading or trailing axes as a plain loop with float64 accumulators. The built-in
 * wasm Sum transposes the reduced axes to the end first, which for a bias gradient
 * ([N,1,W,C] summed to [C]) means copying the whole activation once more.
 * Other axis patterns and non-float inputs go to the original kernel.
 */
export function makeSum(original: KernelFunc): KernelFunc {
  return (args) => {
    const { backend, attrs } = args;
    const { x } = args.inputs;
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(attrs.axis, x.shape).sort((a, b) => a - b);
    const contiguous = axes.every((a, i) => i === 0 || a === axes[i - 1] + 1);
    const leading = axes.length > 0 && axes[0] === 0 && contiguous;
    const trailing = axes.length > 0 && axes[axes.length - 1] === rank - 1 && contiguous;
    if (x.dtype !== 'float32' || rank === 0 || !(leading || trailing)) return original(args);
    const kept = x.shape.filter((_, i) => !axes.includes(i));
    const shape = attrs.keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : kept;
    const out = backend.makeOutput(shape, 'float32');
    const src = f32(backend, x);
    const dst = f32(backend, out);
    const keptSize = kept.reduce((a, b) => a * b, 1);
    if (trailing) {
      const inner = keptSize === 0 ? 0 : src.length / keptSize;
      for (let r = 0, o = 0; r < keptSize; r++) {
        let s = 0;
        for (let i = 0; i < inner; i++, o++) s += src[o];
        dst[r] = s;
      }
    } else {
      const acc = new Float64Array(keptSize);
      const rows = keptSize === 0 ? 0 : src.length / keptSize;
      for (let r = 0, o = 0; r < rows; r++) {
        for (let i = 0; i < keptSize; i++, o++) acc[i] += src[o];
      }
      dst.set(acc);
    }
    return out;
  };
}
