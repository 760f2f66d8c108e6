import * as tf from '@tensorflow/tfjs';

/** Accumulated wall time and call count of one kernel. */
export interface KernelTime {
  name: string;
  ms: number;
  calls: number;
}

export interface KernelTimer {
  /** Zeroes the counters (e.g. after a warm-up step). */
  reset(): void;
  /** Current totals, slowest first. */
  report(): KernelTime[];
  /** Puts the original kernels back. */
  stop(): void;
}

/**
 * Wraps every kernel of `backendName` in a wall-clock timer. For synchronous backends (wasm,
 * cpu) this is the kernel's real cost; nested kernel calls are counted in their caller too.
 * Unlike tf.profile it reads no outputs back, so it does not perturb the timings.
 */
export function timeKernels(backendName: string = tf.getBackend()): KernelTimer {
  const totals = new Map<string, KernelTime>();
  const originals = tf.getKernelsForBackend(backendName);
  for (const k of originals) {
    const inner = k.kernelFunc;
    const entry: KernelTime = { name: k.kernelName, ms: 0, calls: 0 };
    totals.set(k.kernelName, entry);
    tf.unregisterKernel(k.kernelName, backendName);
    tf.registerKernel({
      ...k,
      kernelFunc: (args) => {
        const t0 = performance.now();
        try {
          return inner(args);
        } finally {
          entry.ms += performance.now() - t0;
          entry.calls++;
        }
      },
    });
  }
  return {
    reset() { for (const e of totals.values()) { e.ms = 0; e.calls = 0; } },
    report() { return [...totals.values()].filter((e) => e.calls > 0).sort((a, b) => b.ms - a.ms).map((e) => ({ ...e })); },
    stop() {
      for (const k of originals) {
        tf.unregisterKernel(k.kernelName, backendName);
        tf.registerKernel(k);
      }
    },
  };
}
