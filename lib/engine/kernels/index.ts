import * as tf from '@tensorflow/tfjs';
import { conv2DBackpropFilter, conv2DBackpropInput, makeConv2D } from './conv';
import { depthwiseBackpropFilter, depthwiseBackpropInput } from './depthwise';
import { makeUntransposedMatMul } from './matmul';
import { maxPoolGrad } from './pool';
import { makeSum } from './reduce';
import { RELU_GRAD, installReluGradient, reluGrad, setFastReluGradient } from './relu';

type AnyKernel = (args: never) => tf.TensorInfo;

/**
 * Identity as a shared reference, as the CPU backend does: tfjs tensors are immutable, and the
 * engine clones every tensor it saves for backprop, which on wasm copied each activation.
 */
function identityAlias(args: { inputs: { x: tf.TensorInfo }; backend: { incRef(id: tf.DataId): void } }): tf.TensorInfo {
  const { x } = args.inputs;
  args.backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

export { setColumnBudget } from './conv';

let registered: string[] | undefined;
/** The kernels we replaced or added, and what wasm had under each name before (undefined: none). */
const ours = new Map<string, tf.KernelConfig>();
const stock = new Map<string, tf.KernelConfig | undefined>();

/** Registers `kernelFunc` for wasm, replacing a built-in one; keeps its setup so delegation works. */
function put(name: string, kernelFunc: AnyKernel): void {
  const existing = tf.getKernel(name, 'wasm');
  if (existing) tf.unregisterKernel(name, 'wasm');
  const config: tf.KernelConfig = {
    kernelName: name, backendName: 'wasm',
    kernelFunc: kernelFunc as unknown as tf.KernelFunc,
    ...(existing?.setupFunc ? { setupFunc: existing.setupFunc } : {}),
  };
  tf.registerKernel(config);
  ours.set(name, config);
  stock.set(name, existing);
}

/**
 * Adds the kernels conv training needs and wasm lacks, and replaces built-ins that are slow
 * for training shapes. Idempotent; returns the kernel names registered (and 'Relu' gradient).
 * Call after the wasm backend is initialised, so replaced kernels' setup has already run.
 */
export function registerWasmKernels(): string[] {
  if (registered) return registered;
  const sum = tf.getKernel('Sum', 'wasm');
  if (!sum) throw new Error('lacuna: the wasm backend is not loaded (no Sum kernel)');
  const original = sum.kernelFunc as unknown as Parameters<typeof makeSum>[0];
  const conv = tf.getKernel('Conv2D', 'wasm')!.kernelFunc as unknown as Parameters<typeof makeConv2D>[0];
  put('Conv2D', makeConv2D(conv));
  put('Conv2DBackpropFilter', conv2DBackpropFilter);
  put('Conv2DBackpropInput', conv2DBackpropInput);
  put('DepthwiseConv2dNativeBackpropFilter', depthwiseBackpropFilter);
  put('DepthwiseConv2dNativeBackpropInput', depthwiseBackpropInput);
  put('MaxPoolGrad', maxPoolGrad);
  put('Sum', makeSum(original));
  for (const name of ['BatchMatMul', '_FusedMatMul']) {
    const product = tf.getKernel(name, 'wasm');
    if (product) put(name, makeUntransposedMatMul(product.kernelFunc as unknown as Parameters<typeof makeUntransposedMatMul>[0]));
  }
  put(RELU_GRAD, reluGrad);
  put('Identity', identityAlias);
  installReluGradient();
  registered = [
    'Conv2D (wide layers)', 'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'DepthwiseConv2dNativeBackpropFilter',
    'DepthwiseConv2dNativeBackpropInput', 'MaxPoolGrad', 'Sum', 'BatchMatMul', '_FusedMatMul', 'Identity',
    RELU_GRAD, 'Relu (gradient)',
  ];
  return registered;
}

/**
 * Switches between lacuna's kernels and wasm's stock ones (benchmarks' baseline, and tests
 * that compare the two). With stock kernels, layers that need a kernel wasm lacks (any conv
 * layer's training) fail as they would in plain tfjs. registerWasmKernels() must have run.
 */
export function useStockWasmKernels(useStock: boolean): void {
  if (!registered) throw new Error('lacuna: registerWasmKernels() has not run (initialise the wasm engine first)');
  for (const [name, config] of ours) {
    const wanted = useStock ? stock.get(name) : config;
    if (tf.getKernel(name, 'wasm')) tf.unregisterKernel(name, 'wasm');
    if (wanted) tf.registerKernel(wanted);
  }
  setFastReluGradient(!useStock);
}
