import * as fs from 'node:fs';
import * as path from 'node:path';
import { ParameterError } from '../util/errors';

/** The engines lacuna can run TensorFlow.js on (training, and inference when onnx is not used). */
export type TfjsEngineName = 'node' | 'wasm' | 'cpu';
/**
 * What --engine / LACUNA_ENGINE may ask for: a TensorFlow.js engine (which then also runs
 * inference), or `onnx`: inference on onnxruntime's native kernels, training on the
 * TensorFlow.js engine chosen as for 'auto' (see inference.ts).
 */
export type EngineName = 'onnx' | TfjsEngineName;
export const ENGINE_NAMES: readonly EngineName[] = ['onnx', 'node', 'wasm', 'cpu'];

/** What was asked for, and by whom (for the reason text). */
export interface EngineRequest {
  engine: EngineName | 'auto';
  source: 'option' | 'LACUNA_ENGINE' | 'default';
}

/** The package tfjs-node publishes under; an alias of another name is not the native engine. */
export const TFJS_NODE = '@tensorflow/tfjs-node';

export function isEngineName(value: string): value is EngineName {
  return (ENGINE_NAMES as readonly string[]).includes(value);
}

/** The option wins over env var LACUNA_ENGINE; neither means 'auto'. */
export function resolveRequest(option: string | undefined, env: NodeJS.ProcessEnv = process.env): EngineRequest {
  if (option !== undefined) {
    if (!isEngineName(option)) throw new ParameterError(`engine must be one of ${ENGINE_NAMES.join(', ')}; got "${option}"`);
    return { engine: option, source: 'option' };
  }
  const fromEnv = env.LACUNA_ENGINE?.trim();
  if (fromEnv) {
    if (!isEngineName(fromEnv)) {
      throw new ParameterError(`LACUNA_ENGINE must be one of ${ENGINE_NAMES.join(', ')}; got "${fromEnv}"`);
    }
    return { engine: fromEnv, source: 'LACUNA_ENGINE' };
  }
  return { engine: 'auto', source: 'default' };
}

/** Outcome of looking for tfjs-node: `load` is set only when it is really there. */
export interface NodeProbe {
  available: boolean;
  /** Why it is or is not usable, in words for the user. */
  reason: string;
  /** Folder of the package found, if any. */
  location?: string;
  /** Requires the package (registers the 'tensorflow' backend); throws what it throws. */
  load?: () => unknown;
}

/**
 * Finds tfjs-node without loading it. `LACUNA_TFJS_NODE` may name another module folder or
 * name (tests use it to stand in a broken or absent package). The folder's package.json must
 * be named @tensorflow/tfjs-node: danfojs-node's override installs @tensorflow/tfjs under
 * that folder name, which is not the native engine.
 */
export function findTfjsNode(env: NodeJS.ProcessEnv = process.env): NodeProbe {
  const spec = env.LACUNA_TFJS_NODE?.trim() || TFJS_NODE;
  const manifest = locateManifest(spec);
  if (!manifest) return { available: false, reason: `${spec} is not installed` };
  const location = path.dirname(manifest);
  let pkg: { name?: string; version?: string };
  try {
    pkg = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string; version?: string };
  } catch (err) {
    return { available: false, location, reason: `${manifest} is unreadable: ${(err as Error).message}` };
  }
  if (pkg.name !== TFJS_NODE) {
    return {
      available: false, location,
      reason: `${location} holds ${pkg.name ?? 'an unnamed package'}@${pkg.version ?? '?'} ` +
        `(an alias, e.g. danfojs-node's override), not the native ${TFJS_NODE}`,
    };
  }
  return {
    available: true, location,
    reason: `${TFJS_NODE}@${pkg.version ?? '?'} found at ${location}`,
    load: () => require(location),
  };
}

function locateManifest(spec: string): string | undefined {
  if (path.isAbsolute(spec) || spec.startsWith('.')) {
    const file = path.join(path.resolve(spec), 'package.json');
    return fs.existsSync(file) ? file : undefined;
  }
  try {
    return require.resolve(`${spec}/package.json`);
  } catch {
    return undefined;
  }
}
