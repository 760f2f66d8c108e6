/**
 * onnxruntime-node, the native CPU engine lacuna runs inference on when it loads: finding it
 * (without failing when it is absent), and running a graph of float32 inputs and outputs.
 * It is loaded with require at first use so that a machine without its binary still runs
 * everything on WASM.
 */
import type * as Ort from 'onnxruntime-node';
import { ModelError } from '../../util/errors';

export const ONNX_RUNTIME = 'onnxruntime-node';

export interface OnnxProbe {
  available: boolean;
  /** Why it is or is not usable, in words for the user. */
  reason: string;
  version?: string;
}

let loaded: { ort?: typeof Ort; probe: OnnxProbe } | undefined;

/**
 * Loads onnxruntime-node once and says whether it works. `LACUNA_ONNXRUNTIME` may name another
 * module (tests point it at a missing one to see the WASM fallback).
 */
export function probeOnnxRuntime(env: NodeJS.ProcessEnv = process.env): OnnxProbe {
  const spec = env.LACUNA_ONNXRUNTIME?.trim() || ONNX_RUNTIME;
  if (loaded && spec === ONNX_RUNTIME) return loaded.probe;
  let ort: typeof Ort;
  try {
    ort = require(spec) as typeof Ort;
  } catch (err) {
    const first = (err as Error).message.split('\n')[0];
    return { available: false, reason: `${spec} did not load (${first})` };
  }
  const version = ort.env?.versions?.node ?? ort.env?.versions?.common ?? '?';
  const probe = ort.InferenceSession
    ? { available: true, version, reason: `${spec}@${version} (native CPU kernels)` }
    : { available: false, reason: `${spec} has no InferenceSession` };
  if (spec === ONNX_RUNTIME) loaded = { ort: probe.available ? ort : undefined, probe };
  return probe;
}

function runtime(): typeof Ort {
  const probe = probeOnnxRuntime();
  if (!probe.available || !loaded?.ort) throw new ModelError(`the native engine is not available: ${probe.reason}`);
  return loaded.ort;
}

/** A loaded graph with float32 inputs and outputs. */
export interface OnnxGraphSession {
  /** Runs the graph: each input is [values, dims]; returns the named outputs' values. */
  run(inputs: Record<string, { values: Float32Array; dims: readonly number[] }>, outputs: readonly string[]): Promise<Float32Array[]>;
  dispose(): Promise<void>;
}

/**
 * Opens a serialised ModelProto with `threads` intra-op threads (the cores this session may
 * use; 1 inside worker threads so that N workers use N cores, not N x cores).
 */
export async function openOnnxSession(model: Uint8Array, threads: number): Promise<OnnxGraphSession> {
  const ort = runtime();
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential',
    graphOptimizationLevel: 'all', enableCpuMemArena: true, logSeverityLevel: 3,
    // Idle threads sleep instead of spinning: the cores are shared (worker threads, other processes),
    // and spinning bought no speed per CPU second in bench runs on 2 cores.
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  });
  return {
    async run(inputs, outputs) {
      const feeds: Record<string, Ort.Tensor> = {};
      for (const [name, t] of Object.entries(inputs)) feeds[name] = new ort.Tensor('float32', t.values, t.dims);
      const result = await session.run(feeds, outputs as string[]);
      return outputs.map((name) => {
        const data = result[name].data as Float32Array;
        // The output may view memory onnxruntime reuses: copy it out.
        const copy = data.slice();
        result[name].dispose?.();
        return copy;
      });
    },
    dispose: () => session.release(),
  };
}
