/**
 * Which engine runs inference (YAMNet's body, the CNN's and the head's predictions): onnxruntime's
 * native CPU kernels when onnxruntime-node loads, else the TensorFlow.js engine that trains.
 * Native kernels use the CPU's full vector width (AVX2/AVX-512) where WASM stops at 128-bit SIMD.
 * Training stays on TensorFlow.js: the npm package of onnxruntime has no training API.
 *
 * Asking for an engine by name (--engine / LACUNA_ENGINE = wasm, cpu or node) runs inference on
 * that engine too, so results can be compared between engines; `onnx` asks for the native engine
 * and fails when it cannot load. Predictions agree within 1e-4 either way (test/engine-onnx).
 */
import { LacunaError } from '../util/errors';
import { EngineRequest, resolveRequest } from './choose';
import { probeOnnxRuntime } from './onnx/runtime';

export type InferenceName = 'onnx' | 'tfjs';

export interface InferenceChoice {
  name: InferenceName;
  /** Why, in words for the user. */
  reason: string;
}

/** The inference engine for an engine request (see resolveRequest). */
export function chooseInference(request: EngineRequest, env: NodeJS.ProcessEnv = process.env): InferenceChoice {
  const why = request.source === 'option' ? 'asked for explicitly' : `asked for by ${request.source}`;
  if (request.engine === 'onnx') {
    const probe = probeOnnxRuntime(env);
    if (!probe.available) throw new LacunaError(`engine "onnx" ${why}, but ${probe.reason}; use --engine wasm`);
    return { name: 'onnx', reason: `${why}: ${probe.reason}` };
  }
  if (request.engine !== 'auto') return { name: 'tfjs', reason: `engine "${request.engine}" ${why}, so inference runs on it too` };
  const probe = probeOnnxRuntime(env);
  if (probe.available) return { name: 'onnx', reason: `${probe.reason} loaded` };
  return { name: 'tfjs', reason: `${probe.reason}; inference runs on the TensorFlow.js engine` };
}

let current: InferenceChoice | undefined;

/** Records the choice initEngine made, so models built later follow it. */
export function setInference(choice: InferenceChoice): void {
  current = choice;
}

/** The inference engine in use: initEngine's choice, else what the environment asks for. */
export function currentInference(env: NodeJS.ProcessEnv = process.env): InferenceChoice {
  return current ?? chooseInference(resolveRequest(undefined, env), env);
}
