import * as tf from '@tensorflow/tfjs';
import { KernelArgs, f32 } from './heap';

/** Name of our fused ReLU-gradient kernel: dy where x > 0, else 0. */
export const RELU_GRAD = 'LacunaReluGrad';

/** One pass instead of tfjs's Step + Cast + Multiply (three passes over the activation). */
export function reluGrad(args: KernelArgs): tf.TensorInfo {
  const { backend } = args;
  const { dy, x } = args.inputs;
  const out = backend.makeOutput(x.shape, 'float32');
  const g = f32(backend, dy);
  const v = f32(backend, x);
  const o = f32(backend, out);
  // Multiplying by the comparison avoids a data-dependent branch (4x faster on random signs).
  for (let i = 0; i < o.length; i++) o[i] = g[i] * +(v[i] > 0);
  return out;
}

let installed = false;
let fast = true;

/** Turns the fused gradient on or off (off: tfjs's own, as with stock kernels). */
export function setFastReluGradient(enabled: boolean): void {
  fast = enabled;
}

/**
 * Routes Relu's gradient through RELU_GRAD while the wasm backend is active; other backends
 * keep tfjs's own gradient (the registry is global, the fast kernel exists only for wasm).
 */
export function installReluGradient(): void {
  if (installed) return;
  const original = tf.getGradient('Relu');
  if (!original) return;
  tf.registerGradient({
    kernelName: 'Relu',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const grad = dy as tf.Tensor;
      if (!fast || tf.getBackend() !== 'wasm' || grad.dtype !== 'float32' || saved[0].dtype !== 'float32') {
        return original.gradFunc(dy, saved, attrs);
      }
      const x = saved[0];
      return { x: () => tf.engine().runKernel(RELU_GRAD, { dy: grad, x }, {}) as tf.Tensor };
    },
  });
  installed = true;
}
