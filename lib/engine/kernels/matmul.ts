import * as tf from '@tensorflow/tfjs';
import { KernelArgs, WasmBackendLike, f32, release } from './heap';

/**
 * Matrix products with transposed operands, as a transpose plus an untransposed product.
 *
 * wasm's BatchMatMul hands `transposeA`/`transposeB` to a slow path: for a dense layer's weight
 * gradient (x^T [8192,128] @ dy [128,128]) it took 270 ms where the untransposed product of the
 * same size takes 7 ms. Backprop of every dense layer asks for exactly these products, so the
 * operands are transposed here first; a blocked typed-array loop does that in one memory pass
 * (wasm's own Transpose kernel took 25 ms for some of these shapes).
 */

type MatMulAttrs = { transposeA: boolean; transposeB: boolean } & Record<string, unknown>;
type MatMulKernel = (args: KernelArgs<MatMulAttrs>) => tf.TensorInfo;

/** Side of the square tiles the transpose walks (8 was fastest for [128,8192] and [8192,128]: 1.7 ms each). */
const TILE = 8;

/** [..., rows, cols] → [..., cols, rows] into `dst` (same length), tile by tile. */
export function transposeLastTwo(src: Float32Array, dst: Float32Array, rows: number, cols: number): void {
  const plane = rows * cols;
  for (let base = 0; base < src.length; base += plane) {
    for (let r0 = 0; r0 < rows; r0 += TILE) {
      const r1 = Math.min(rows, r0 + TILE);
      for (let c0 = 0; c0 < cols; c0 += TILE) {
        const c1 = Math.min(cols, c0 + TILE);
        for (let r = r0; r < r1; r++) {
          const from = base + r * cols;
          for (let c = c0, to = base + c0 * rows + r; c < c1; c++, to += rows) dst[to] = src[from + c];
        }
      }
    }
  }
}

/** A new heap tensor holding `x` with its last two axes swapped. */
function transposedCopy(backend: WasmBackendLike, x: tf.TensorInfo): tf.TensorInfo {
  const shape = [...x.shape];
  const rank = shape.length;
  const rows = shape[rank - 2];
  const cols = shape[rank - 1];
  [shape[rank - 2], shape[rank - 1]] = [cols, rows];
  const out = backend.makeOutput(shape, 'float32');
  transposeLastTwo(f32(backend, x), f32(backend, out), rows, cols);
  return out;
}

/**
 * Wraps a built-in product kernel (BatchMatMul or _FusedMatMul: both take `a`, `b` and the two
 * flags) so that it only ever sees untransposed float operands.
 */
export function makeUntransposedMatMul(original: MatMulKernel): MatMulKernel {
  return (args) => {
    const { backend, attrs } = args;
    const { a, b } = args.inputs;
    const flipA = attrs.transposeA && a.dtype === 'float32' && a.shape.length >= 2;
    const flipB = attrs.transposeB && b.dtype === 'float32' && b.shape.length >= 2;
    if (!flipA && !flipB) return original(args);
    const a2 = flipA ? transposedCopy(backend, a) : a;
    const b2 = flipB ? transposedCopy(backend, b) : b;
    try {
      return original({
        ...args,
        inputs: { ...args.inputs, a: a2, b: b2 },
        attrs: { ...attrs, transposeA: attrs.transposeA && !flipA, transposeB: attrs.transposeB && !flipB },
      });
    } finally {
      if (flipA) release(backend, a2);
      if (flipB) release(backend, b2);
    }
  };
}
