/**
 * The whole pretrained YAMNet: file → (labels, front end, network). `loadYamnet` is the one call
 * most code needs; `classifyWaveform` gives AudioSet scores averaged over patches and `topClasses`
 * names the best. Embeddings ([patches, 1024] per clip, 8 patches for 4 s) come from embeddings.ts
 * (`embedWaveforms`) and mel-embeddings.ts (`embedMelSpectrograms`), which may spread batches over
 * worker threads (pool.ts); `dispose` stops those threads.
 */
import * as fs from 'fs';
import { ModelError, check } from '../../util/errors';
import { locateYamnet, sha256Of, YAMNET_SHA256 } from './locate';
import { parseTflite, TfliteModel } from './tflite';
import { readZipText } from './zip';
import { extractYamnetWeights, YamnetWeights } from './weights';
import { FileFrontend, readFileFrontend, waveformToPatches } from './frontend';
import { YamnetBody, YamnetNetwork, YamnetNetworkOptions } from './network';
import { closeWorkerPool } from './pool';
import { YamnetOnnxNetwork } from './onnx';
import { currentInference, defaultWorkerCount, InferenceName } from '../../engine';

export interface YamnetFile {
  path: string;
  sha256: string;
  /** Whether the sha256 is the official file's. */
  official: boolean;
  tflite: TfliteModel;
  labels: string[];
  weights: YamnetWeights;
  frontend: FileFrontend;
}

const LABELS_ENTRY = 'yamnet_label_list.txt';

/** Reads and checks a YAMNet TFLite file (labels from its appended zip). */
export function readYamnetFile(file: string): YamnetFile {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(fs.readFileSync(file));
  } catch (err) {
    throw new ModelError(`${file}: cannot read YAMNet model (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const sha256 = sha256Of(bytes);
  const tflite = parseTflite(bytes, file);
  const weights = extractYamnetWeights(tflite, file);
  const text = readZipText(bytes, LABELS_ENTRY, file);
  if (text === undefined) throw new ModelError(`${file}: no ${LABELS_ENTRY} in the zip appended to the model`);
  const labels = text.split(/\r?\n/).filter((l) => l.length > 0);
  if (labels.length !== weights.numClasses) throw new ModelError(`${file}: ${labels.length} labels for ${weights.numClasses} outputs`);
  return { path: file, sha256, official: sha256 === YAMNET_SHA256, tflite, labels, weights, frontend: readFileFrontend(tflite, file) };
}

export interface LoadYamnetOptions extends YamnetNetworkOptions {
  /** Explicit model path; otherwise $LACUNA_YAMNET, then data/models/yamnet.tflite. */
  path?: string;
  /** Warn (through `warn`) when the file is not the official one but still loads. Default true. */
  verifySha256?: boolean;
  warn?: (message: string) => void;
  /**
   * What runs the body: 'onnx' (onnxruntime's native kernels) or 'tfjs' (the TensorFlow.js
   * engine). Default: currentInference() of lib/engine. emulateInt8 always runs on tfjs.
   */
  inference?: InferenceName;
  /** Intra-op threads of the onnx session. Default defaultWorkerCount(); worker threads use 1. */
  threads?: number;
}

export interface Yamnet {
  file: Omit<YamnetFile, 'tflite'>;
  labels: string[];
  network: YamnetBody;
  /** Frees the network's tensors and stops the worker threads embedding used, if any. */
  dispose(): void;
}

/** Locates, reads and builds YAMNet on the current tfjs backend. */
export function loadYamnet(options: LoadYamnetOptions = {}): Yamnet {
  const file = readYamnetFile(locateYamnet(options.path));
  if ((options.verifySha256 ?? true) && !file.official) {
    const warn = options.warn ?? ((message: string) => console.warn(message));
    warn(`lacuna: warning: ${file.path} has sha256 ${file.sha256}, not the official YAMNet file's ${YAMNET_SHA256}; loading it anyway`);
  }
  const inference = options.emulateInt8 ? 'tfjs' : options.inference ?? currentInference().name;
  const network: YamnetBody = inference === 'onnx'
    ? new YamnetOnnxNetwork(file.weights, options.threads ?? defaultWorkerCount())
    : new YamnetNetwork(file.weights, options);
  const { tflite: _unused, ...rest } = file;
  void _unused;
  const model: Yamnet = {
    file: rest, labels: file.labels, network,
    dispose: () => { network.dispose(); void closeWorkerPool(model); },
  };
  return model;
}

export interface Classification {
  /** Mean over patches of each class score, [classes]. */
  scores: Float32Array;
  /** [patches, classes]. */
  patchScores: Float32Array;
  patches: number;
}

/** AudioSet scores of a 16 kHz waveform in [-1, 1], averaged over its patches. */
export async function classifyWaveform(model: Yamnet, samples: Float32Array): Promise<Classification> {
  const p = waveformToPatches(samples);
  const out = await model.network.infer(p.data, p.patches);
  return { scores: meanOverPatches(out.scores, p.patches), patchScores: out.scores, patches: p.patches };
}

/** Mean over patches of [patches, classes] row-major scores: [classes]. */
export function meanOverPatches(patchScores: Float32Array, patches: number): Float32Array {
  check(patches >= 1 && patchScores.length % patches === 0,
    `${patchScores.length} scores are not a whole number of rows for ${patches} patches`);
  const classes = patchScores.length / patches;
  const scores = new Float32Array(classes);
  for (let i = 0; i < patches; i++) for (let c = 0; c < classes; c++) scores[c] += patchScores[i * classes + c] / patches;
  return scores;
}

/** The `k` best classes of a score vector, best first. */
export function topClasses(scores: Float32Array, labels: string[], k = 5): { label: string; index: number; score: number }[] {
  check(Number.isInteger(k) && k >= 1, `top must be an integer >= 1, got ${k}`);
  return Array.from(scores, (score, index) => ({ label: labels[index] ?? `class ${index}`, index, score }))
    .sort((a, b) => b.score - a.score)
    .slice(0, k);
}
