import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { readJsonIfExists, writeFileAtomic, writeJsonAtomic } from '../util/atomic';
import { ConfigMismatchError } from '../util/errors';
import { hashString } from '../util/rng';
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

/** Dotted paths whose values differ between two JSON-like values. */
export function diffKeys(a: unknown, b: unknown, prefix = ''): string[] {
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObj(a) && isObj(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => diffKeys(a[k], b[k], prefix ? `${prefix}.${k}` : k));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [prefix || '(root)'];
}

/**
 * Makes sure `dir` holds a run of exactly `config`: writes config.json into a new folder, accepts
 * an identical one, and otherwise throws ConfigMismatchError naming the folder and the keys —
 * unless `overwrite`, which deletes the old run's files first.
 */
export function claimRunDir(dir: string, config: Record<string, unknown>, overwrite = false): void {
  const file = path.join(dir, 'config.json');
  const saved = readJsonIfExists<Record<string, unknown>>(file);
  if (saved !== undefined) {
    const diff = diffKeys(saved, JSON.parse(JSON.stringify(config)));
    if (diff.length === 0) return;
    if (!overwrite) {
      throw new ConfigMismatchError(
        `${dir} holds a run with a different configuration (differs in: ${diff.join(', ')}). ` +
        'Use another --output folder, or --overwrite to replace it.');
    }
    for (const f of fs.readdirSync(dir)) fs.rmSync(path.join(dir, f), { recursive: true, force: true });
  }
  writeJsonAtomic(file, config);
}

/** Short stable hash of a JSON-able value (8 hex digits). */
export function configHash(value: unknown): string {
  return hashString(JSON.stringify(value)).toString(16).padStart(8, '0');
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
  return { manifest: { weights: weights.map((w, i) => ({ name: model.weights[i].name, shape: w.shape })), meta }, bin: new Uint8Array(all.buffer) };
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
  if (manifest.weights.length !== expected.length || manifest.weights.some((w, i) => JSON.stringify(w.shape) !== JSON.stringify(expected[i]))) {
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

/** Saves a model's weights (one float32 file and a manifest), atomically. */
export function saveWeights(dir: string, fold: number, model: tf.LayersModel, meta: Record<string, unknown>): void {
  writeWeights(dir, fold, weightsOf(model, meta));
}

/** Loads saved weights into a freshly built model; returns the saved meta, or undefined if absent. */
export function loadWeights(dir: string, fold: number, model: tf.LayersModel): Record<string, unknown> | undefined {
  const saved = readWeights(dir, fold);
  return saved && applyWeights(model, saved);
}
