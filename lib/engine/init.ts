import * as tf from '@tensorflow/tfjs';
import { LacunaError } from '../util/errors';
import { installKernelGuards } from '../util/tslab';
import { EngineName, EngineRequest, TFJS_NODE, TfjsEngineName, findTfjsNode, resolveRequest } from './choose';
import { registerWasmKernels } from './kernels';
import { InferenceName, chooseInference, setInference } from './inference';

export interface EngineInfo {
  /** The TensorFlow.js engine: it trains, and runs inference unless `inference` is 'onnx'. */
  name: TfjsEngineName;
  /** What runs inference (YAMNet's body, CNN and head predictions): onnxruntime's native kernels or `name`. */
  inference: InferenceName;
  /** Why that inference engine, in words for the user. */
  inferenceReason: string;
  /** tf.getBackend(): 'tensorflow', 'wasm' or 'cpu'. */
  backend: string;
  /** Why this engine, in words for the user. */
  reason: string;
  tfjsVersion: string;
  /** Kernels lacuna registered or replaced for this backend (wasm only). */
  kernelsRegistered: string[];
}

export interface EngineOptions {
  /** Force an engine; default: env LACUNA_ENGINE, else tfjs-node when it loads, else wasm. */
  engine?: EngineName;
  /** Do not print the one-line summary. Default false. */
  quiet?: boolean;
}

const INSTALL_HINT = 'install it with `npm run accelerate` (needs internet), or use --engine wasm';

let current: EngineInfo | undefined;
let pending: Promise<EngineInfo> | undefined;

/**
 * Initialises TensorFlow.js once and says which engine it chose and why. Calling again returns
 * the same engine unless a different one is asked for explicitly, which switches.
 */
export async function initEngine(options: EngineOptions = {}): Promise<EngineInfo> {
  // Every notebook starts here: make the kernel's output channel safe before any long cell runs.
  installKernelGuards();
  if (pending) await pending.catch(() => undefined);
  const request = resolveRequest(options.engine);
  if (current && (options.engine === undefined || sameEngine(options.engine, current))) return current;
  // Decided first: asking for onnx where it cannot load fails before any engine switches.
  const inference = chooseInference(request);
  pending = start(request.engine === 'onnx' ? { engine: 'auto', source: request.source } : request).then((info) => ({
    ...info, inference: inference.name, inferenceReason: inference.reason,
  }));
  try {
    current = await pending;
  } finally {
    pending = undefined;
  }
  setInference(inference);
  if (!options.quiet) {
    const native = current.inference === 'onnx' ? `; inference on onnx (${current.inferenceReason})` : '';
    console.log(`lacuna engine: ${current.name} (${current.reason})${native}`);
  }
  return current;
}

/** Whether `asked` is what `info` already runs ('onnx': native inference on any training engine). */
function sameEngine(asked: EngineName, info: EngineInfo): boolean {
  return asked === 'onnx' ? info.inference === 'onnx' : asked === info.name && info.inference === 'tfjs';
}

/** The engine initEngine chose, or undefined before the first call. */
export function describeEngine(): EngineInfo | undefined {
  return current ? { ...current, backend: tf.getBackend() } : undefined;
}

type TfjsInfo = Omit<EngineInfo, 'inference' | 'inferenceReason'>;

async function start(request: EngineRequest): Promise<TfjsInfo> {
  silenceCpuBanner();
  const why = request.source === 'option' ? 'asked for explicitly' : `asked for by ${request.source}`;
  if (request.engine === 'cpu') return activate('cpu', 'cpu', `${why}; the CPU backend is very slow for training`);
  if (request.engine === 'wasm') return useWasm(why);
  const probe = findTfjsNode();
  if (request.engine === 'node') {
    if (!probe.available) throw new LacunaError(`engine "node" ${why}, but ${probe.reason}; ${INSTALL_HINT}`);
    const failure = tryLoadNode(probe.load!);
    if (failure) throw new LacunaError(`engine "node" ${why}, but ${TFJS_NODE} failed to load: ${failure}; ${INSTALL_HINT}`);
    return activate('node', 'tensorflow', `${why}; ${probe.reason}`);
  }
  if (probe.available) {
    const failure = tryLoadNode(probe.load!);
    if (!failure) return activate('node', 'tensorflow', `native TensorFlow: ${probe.reason}`);
    return useWasm(`${TFJS_NODE} is present but failed to load (${failure})`);
  }
  return useWasm(`${probe.reason}`);
}

/** Loads tfjs-node; returns why it is unusable, or undefined when its backend is registered. */
function tryLoadNode(load: () => unknown): string | undefined {
  try {
    load();
  } catch (err) {
    return (err as Error).message.split('\n')[0];
  }
  if (!tf.engine().registryFactory.tensorflow) {
    return 'it did not register its backend with this copy of @tensorflow/tfjs (version mismatch?)';
  }
  return undefined;
}

async function useWasm(why: string): Promise<TfjsInfo> {
  require('@tensorflow/tfjs-backend-wasm');
  const reason = why.startsWith('asked') ? why : `${why}; using WebAssembly (SIMD, 1 thread) with lacuna's training kernels`;
  const info = await activate('wasm', 'wasm', reason);
  info.kernelsRegistered = registerWasmKernels();
  return info;
}

async function activate(name: TfjsEngineName, backend: string, reason: string): Promise<TfjsInfo> {
  let ok = false;
  try {
    ok = await tf.setBackend(backend);
  } catch (err) {
    throw new LacunaError(`could not start the ${name} engine: ${(err as Error).message}`);
  }
  if (!ok) throw new LacunaError(`could not start the ${name} engine (tf.setBackend('${backend}') failed)`);
  await tf.ready();
  return { name, backend: tf.getBackend(), reason, tfjsVersion: tf.version.tfjs, kernelsRegistered: [] };
}

/** tfjs-backend-cpu greets Node users with advice to install tfjs-node; lacuna explains itself. */
function silenceCpuBanner(): void {
  const cpu = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | null;
  if (cpu && 'firstUse' in cpu) cpu.firstUse = false;
}
