import * as tf from '@tensorflow/tfjs';

/**
 * The slice of the wasm backend our kernels use. Tensors live on the wasm heap; a kernel
 * allocates its outputs with `makeOutput` and reads/writes them through typed-array views.
 */
export interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
  incRef(dataId: tf.DataId): void;
}

export interface KernelArgs<A = Record<string, unknown>> {
  inputs: Record<string, tf.TensorInfo>;
  backend: WasmBackendLike;
  attrs: A;
}

/**
 * A float32 view of a tensor on the heap. Views die when the heap grows, so take every view
 * only after the kernel has allocated all its outputs.
 */
export function f32(backend: WasmBackendLike, info: tf.TensorInfo): Float32Array {
  if (info.dtype !== 'float32') throw new Error(`lacuna kernel: expected float32, got ${info.dtype}`);
  return backend.typedArrayFromHeap(info) as Float32Array;
}

/** Runs a built-in wasm kernel (one we did not replace) on TensorInfos, outside the engine. */
export function runWasm(
  name: string, backend: WasmBackendLike, inputs: Record<string, tf.TensorInfo>,
  attrs: Record<string, unknown> = {},
): tf.TensorInfo {
  const kernel = tf.getKernel(name, 'wasm');
  if (!kernel) throw new Error(`lacuna kernel: wasm has no ${name}`);
  return kernel.kernelFunc({ inputs, backend: backend as never, attrs: attrs as never }) as tf.TensorInfo;
}

/** A reshaped alias of `info` (the backend counts the extra reference; release it). */
export function reshaped(backend: WasmBackendLike, info: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  backend.incRef(info.dataId);
  return { dataId: info.dataId, shape, dtype: info.dtype };
}

export function release(backend: WasmBackendLike, ...infos: tf.TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

/** `a [M,K] @ b [K,N]` → [M,N] with wasm's BatchMatMul; never transposed operands (slow on wasm). */
export function matMul2d(backend: WasmBackendLike, a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo {
  const [m, k] = a.shape;
  const n = b.shape[1];
  const a3 = reshaped(backend, a, [1, m, k]);
  const b3 = reshaped(backend, b, [1, k, n]);
  const out = runWasm('BatchMatMul', backend, { a: a3, b: b3 }, { transposeA: false, transposeB: false });
  release(backend, a3, b3);
  out.shape = [m, n];
  return out;
}

/** Transposes a 2-D tensor on the heap with wasm's Transpose kernel. */
export function transpose2d(backend: WasmBackendLike, x: tf.TensorInfo): tf.TensorInfo {
  return runWasm('Transpose', backend, { x }, { perm: [1, 0] });
}

/** Transposes NCHW → NHWC (or back with `toNchw`) for kernels that only speak NHWC. */
export function permuted(backend: WasmBackendLike, x: tf.TensorInfo, toNchw = false): tf.TensorInfo {
  return runWasm('Transpose', backend, { x }, { perm: toNchw ? [0, 3, 1, 2] : [0, 2, 3, 1] });
}
