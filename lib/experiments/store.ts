import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { readJsonIfExists, writeFileAtomic, writeJsonAtomic } from '../util/atomic';
import { configHash } from '../util/owned-dir';
import type { CorruptionMode } from './types';

/**
 * Where runs live on disk. One folder per run (`<root>/<model>/<mode>/<label>/`), one file per
 * finished fold so an interrupted run resumes, and a cache of trained weights per
 * (training data, fold) under `<root>/<model>/_trained/` so every mode reuses them.
 */

/** Folder of one run: `<root>/<model>/<mode>/<label>` (label `clean` for NC). */
export function runDir(root: string, model: string, mode: CorruptionMode, label: string): string {
  return path.join(root, model, mode, mode === 'NC' ? 'clean' : label);
}

export function foldFile(dir: string, fold: number): string {
  return path.join(dir, `fold-${String(fold).padStart(2, '0')}.json`);
}

/** Folder holding the trained weights of one training variant. */
export function trainedDir(root: string, model: string, trainKey: string, trainingConfig: unknown): string {
  return path.join(root, model, '_trained', `${trainKey}-${configHash(trainingConfig)}`);
}

export interface WeightManifest {
  weights: { name: string; shape: number[] }[];
  meta: Record<string, unknown>;
}

/** A model's weights as bytes: one float32 blob and its manifest (what a worker sends back). */
export interface SavedWeights {
  manifest: WeightManifest;
  bin: Uint8Array;
}

function weightsBase(dir: string, fold: number): string {
  return path.join(dir, `fold-${String(fold).padStart(2, '0')}`);
}

/** The model's weights as one float32 blob and a manifest holding `meta`. */
export function weightsOf(model: tf.LayersModel, meta: Record<string, unknown>): SavedWeights {
  const weights = model.getWeights();
  const arrays = weights.map((w) => w.dataSync() as Float32Array);
  const all = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
  let offset = 0;
  for (const a of arrays) { all.set(a, offset); offset += a.length; }
  const manifest = { weights: weights.map((w, i) => ({ name: model.weights[i].name, shape: w.shape })), meta };
  return { manifest, bin: new Uint8Array(all.buffer) };
}

/** Writes saved weights (the float32 file, then the manifest that marks the save complete), atomically. */
export function writeWeights(dir: string, fold: number, saved: SavedWeights): void {
  const base = weightsBase(dir, fold);
  writeFileAtomic(`${base}.weights.bin`, saved.bin);
  writeJsonAtomic(`${base}.weights.json`, saved.manifest); // written last: its presence marks a complete save
}

/** Saved weights of one fold, or undefined if absent. */
export function readWeights(dir: string, fold: number): SavedWeights | undefined {
  const base = weightsBase(dir, fold);
  const manifest = readJsonIfExists<WeightManifest>(`${base}.weights.json`);
  if (!manifest || !fs.existsSync(`${base}.weights.bin`)) return undefined;
  return { manifest, bin: new Uint8Array(fs.readFileSync(`${base}.weights.bin`)) };
}

/** Puts saved weights into a freshly built model; returns their meta, or undefined if the shapes do not fit. */
export function applyWeights(model: tf.LayersModel, saved: SavedWeights): Record<string, unknown> | undefined {
  const { manifest, bin } = saved;
  const all = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
  const expected = model.getWeights().map((w) => w.shape);
  const sameShapes = manifest.weights.length === expected.length
    && manifest.weights.every((w, i) => JSON.stringify(w.shape) === JSON.stringify(expected[i]));
  if (!sameShapes) {
    return undefined; // a different architecture under the same key: retrain rather than fail
  }
  let offset = 0;
  const tensors = manifest.weights.map((w) => {
    const size = w.shape.reduce((a, b) => a * b, 1);
    const t = tf.tensor(all.subarray(offset, offset + size), w.shape);
    offset += size;
    return t;
  });
  if (offset !== all.length) { tf.dispose(tensors); return undefined; }
  model.setWeights(tensors);
  tf.dispose(tensors);
  return manifest.meta;
}
