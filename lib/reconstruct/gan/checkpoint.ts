import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { readJsonIfExists, writeFileAtomic, writeJsonAtomic } from '../../util/atomic';
import { ModelError } from '../../util/errors';
import type { GanSnapshot } from './snapshot';
import type { GanConfig, LossPoint } from './config';

/**
 * Checkpoints on disk, in the tfjs format:
 *   <dir>/latest.json                      which checkpoint is current (written last, atomically)
 *   <dir>/ckpt-000120/generator/model.json + weights.bin        (tf.loadLayersModel reads these)
 *   <dir>/ckpt-000120/discriminator/model.json + weights.bin
 *   <dir>/ckpt-000120/optimizers.json + optimizers.bin          Adam state of both networks
 *   <dir>/ckpt-000120/state.json                                config, step, training seconds
 *   <dir>/losses.json, losses.csv                               the loss curve up to that step
 * A checkpoint folder is written under a temporary name and renamed into place before
 * latest.json points at it, so a kill at any moment leaves the previous checkpoint intact.
 */

export interface CheckpointState {
  config: GanConfig;
  step: number;
  /** Wall seconds spent in training steps up to this checkpoint (over all sessions). */
  trainSeconds: number;
}

interface Latest { checkpoint: string; step: number }

const bytes = (data: tf.io.WeightData | undefined): Uint8Array => {
  if (!data) return new Uint8Array(0);
  return new Uint8Array(Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : data);
};

function writeModel(dir: string, artifacts: tf.io.ModelArtifacts): void {
  writeFileAtomic(path.join(dir, 'weights.bin'), bytes(artifacts.weightData));
  writeJsonAtomic(path.join(dir, 'model.json'), {
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
    convertedBy: null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
  });
}

function readModel(dir: string): tf.io.ModelArtifacts {
  const file = path.join(dir, 'model.json');
  if (!fs.existsSync(file)) throw new ModelError(`${file} not found`);
  const json = JSON.parse(fs.readFileSync(file, 'utf8')) as tf.io.ModelJSON;
  const weightData = fs.readFileSync(path.join(dir, 'weights.bin'));
  return {
    modelTopology: json.modelTopology, format: json.format, generatedBy: json.generatedBy,
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
    weightData: weightData.buffer.slice(weightData.byteOffset, weightData.byteOffset + weightData.byteLength),
  };
}

const LOSS_KEYS = ['step', 'seconds', 'd', 'g', 'mae', 'adv'] as const;

export function lossCurveCsv(curve: readonly LossPoint[]): string {
  return [LOSS_KEYS.join(','), ...curve.map((p) => LOSS_KEYS.map((k) => +p[k].toPrecision(6)).join(','))].join('\n') + '\n';
}

/** Writes a checkpoint of `state` and makes it the current one; older checkpoints are removed. */
export function writeCheckpoint(dir: string, state: CheckpointState, snapshot: GanSnapshot, curve: readonly LossPoint[]): void {
  const name = `ckpt-${String(state.step).padStart(6, '0')}`;
  const target = path.join(dir, name);
  const tmp = path.join(dir, `.${name}.tmp-${process.pid}`);
  fs.rmSync(tmp, { recursive: true, force: true });
  writeModel(path.join(tmp, 'generator'), snapshot.generator);
  writeModel(path.join(tmp, 'discriminator'), snapshot.discriminator);
  writeFileAtomic(path.join(tmp, 'optimizers.bin'), new Uint8Array(snapshot.optimizerData));
  writeJsonAtomic(path.join(tmp, 'optimizers.json'), snapshot.optimizerSpecs);
  writeJsonAtomic(path.join(tmp, 'state.json'), state);
  fs.rmSync(target, { recursive: true, force: true }); // only ever a leftover no latest.json names
  fs.renameSync(tmp, target);
  writeJsonAtomic(path.join(dir, 'losses.json'), curve);
  writeFileAtomic(path.join(dir, 'losses.csv'), lossCurveCsv(curve));
  writeJsonAtomic(path.join(dir, 'latest.json'), { checkpoint: name, step: state.step } satisfies Latest);
  for (const entry of fs.readdirSync(dir)) {
    if ((entry.startsWith('ckpt-') || entry.startsWith('.ckpt-')) && entry !== name) fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
  }
}

/** The current checkpoint's folder, or undefined when `dir` holds none. */
export function latestCheckpoint(dir: string): string | undefined {
  const latest = readJsonIfExists<Latest>(path.join(dir, 'latest.json'));
  return latest ? path.join(dir, latest.checkpoint) : undefined;
}

export function readCheckpointState(dir: string): CheckpointState | undefined {
  const ckpt = latestCheckpoint(dir);
  return ckpt ? readJsonIfExists<CheckpointState>(path.join(ckpt, 'state.json')) : undefined;
}

export function readCheckpoint(dir: string): { state: CheckpointState; snapshot: GanSnapshot; curve: LossPoint[] } {
  const ckpt = latestCheckpoint(dir);
  if (!ckpt) throw new ModelError(`${dir} holds no GAN checkpoint (no latest.json)`);
  const state = readJsonIfExists<CheckpointState>(path.join(ckpt, 'state.json'));
  if (!state) throw new ModelError(`${ckpt}/state.json not found`);
  const opt = fs.readFileSync(path.join(ckpt, 'optimizers.bin'));
  const snapshot: GanSnapshot = {
    generator: readModel(path.join(ckpt, 'generator')),
    discriminator: readModel(path.join(ckpt, 'discriminator')),
    optimizerSpecs: JSON.parse(fs.readFileSync(path.join(ckpt, 'optimizers.json'), 'utf8')),
    optimizerData: opt.buffer.slice(opt.byteOffset, opt.byteOffset + opt.byteLength),
  };
  return { state, snapshot, curve: readLossCurve(dir).filter((p) => p.step <= state.step) };
}

/** The saved loss curve (one point per training step), [] when there is none yet. */
export function readLossCurve(dir: string): LossPoint[] {
  return readJsonIfExists<LossPoint[]>(path.join(dir, 'losses.json')) ?? [];
}

/** The generator of the current checkpoint, as tfjs model artifacts. */
export function readGeneratorArtifacts(dir: string): { state: CheckpointState; generator: tf.io.ModelArtifacts } {
  const ckpt = latestCheckpoint(dir);
  const state = readCheckpointState(dir);
  if (!ckpt || !state) throw new ModelError(`${dir} holds no GAN checkpoint (no latest.json)`);
  return { state, generator: readModel(path.join(ckpt, 'generator')) };
}
