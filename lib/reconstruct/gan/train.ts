import * as tf from '@tensorflow/tfjs';
import { createProgress } from '../../util/progress';
import { ConfigMismatchError, ParameterError, check } from '../../util/errors';
import { Rng } from '../../util/rng';
import { configHash, diffKeys } from '../../util/owned-dir';
import type { MelPower } from '../types';
import { GanClip, drawBatch, usableClips } from './batches';
import { CheckpointState, readCheckpoint, readCheckpointState, writeCheckpoint } from './checkpoint';
import { DEFAULT_TRAIN_SECONDS, GanConfig, GanModel, LossPoint, dataFingerprint } from './config';
export type { GanModel } from './config';
import { buildDiscriminator, buildGenerator } from './model';
import { MASKED_DEFAULTS, buildMaskedDiscriminator, buildMaskedGenerator, drawMaskedBatch } from './masked';
import { fitNormalization, normalize } from './normalize';
import { GanPresetName, ganPreset } from './presets';
import { disposeNets, loadModelArtifacts, snapshotNets } from './snapshot';
import { makeOptimizers } from './step';
import { createGanTrainer } from './trainer';

export { DEFAULT_TRAIN_SECONDS };

export interface GanProgressInfo {
  step: number;
  /** Steps asked for, when the budget is in steps. */
  totalSteps?: number;
  trainSeconds: number;
  /** Estimated seconds to the end of the budget. */
  secondsLeft: number;
  losses: LossPoint;
}

export interface TrainGanOptions {
  /** Mel power spectrograms [frames, nMels] of the training clips (never a test fold's). */
  clips: readonly MelPower[];
  /** Frames per gap: floor(gapSamples / 160) + 1 (preset 'masked': the longest gap it learns). */
  gapFrames: number;
  /** Preset 'masked' only: frames of its window (default MASKED_DEFAULTS.windowFrames). */
  windowFrames?: number;
  /** Default 'default' (the light generator); 'reference' is the study's; 'masked' the mask-conditioned one (masked.ts). */
  preset?: GanPresetName;
  seed: number;
  /** Budget: stop after this many steps (in total, over resumed sessions)… */
  steps?: number;
  /** …or after this many seconds of training steps (in total), whichever comes first. Default (neither given): DEFAULT_TRAIN_SECONDS. */
  seconds?: number;
  /** Rows per step. Default 32. */
  batchSize?: number;
  /** Where checkpoints and loss curves go; training resumes from the checkpoint found there. */
  checkpointDir: string;
  /** Seconds between checkpoints. Default 60. */
  checkpointSeconds?: number;
  /** Worker threads (data-parallel on wasm). Default: lib/engine's defaultWorkerCount(). */
  workers?: number;
  onProgress?: (info: GanProgressInfo) => void;
  /** Called after each checkpoint is written (a queue worker sends it on; lib/queue/gan.ts). */
  onCheckpoint?: (step: number) => Promise<void>;
  /** No progress line. */
  quiet?: boolean;
}


function validate(o: TrainGanOptions): void {
  check(o.clips.length > 0, 'trainGan needs at least one training clip');
  check(o.steps === undefined || (Number.isInteger(o.steps) && o.steps >= 1), `steps must be an integer >= 1, got ${o.steps}`);
  check(o.seconds === undefined || o.seconds > 0, `seconds must be > 0, got ${o.seconds}`);
  check(o.batchSize === undefined || (Number.isInteger(o.batchSize) && o.batchSize >= 1), `batchSize must be an integer >= 1, got ${o.batchSize}`);
  check(Number.isInteger(o.seed), `seed must be an integer, got ${o.seed}`);
  const nMels = o.clips[0].nMels;
  for (const c of o.clips) check(c.nMels === nMels && c.data.length === c.frames * nMels, `training mels must all be [frames, ${nMels}]`);
}

function configFor(o: TrainGanOptions, saved: CheckpointState | undefined): GanConfig {
  return {
    preset: ganPreset(o.preset ?? 'default').name, architecture: configHash(ganPreset(o.preset ?? 'default')), gapFrames: o.gapFrames, nMels: o.clips[0].nMels, seed: o.seed,
    batchSize: o.batchSize ?? 32,
    normalisation: saved?.config.normalisation ?? fitNormalization(o.clips),
    clips: o.clips.length, dataFingerprint: dataFingerprint(o.clips),
    // Only the masked GAN has a window: the other presets' configs (and checkpoints) stay as they were.
    ...(o.preset === 'masked' ? { windowFrames: o.windowFrames ?? MASKED_DEFAULTS.windowFrames } : {}),
  };
}

async function freshSnapshot(config: GanConfig) {
  const rng = new Rng(config.seed).fork('gan-init');
  const preset = ganPreset(config.preset);
  const shape = { gapFrames: config.gapFrames, nMels: config.nMels };
  const masked = { windowFrames: config.windowFrames!, nMels: config.nMels };
  const nets = config.preset === 'masked'
    ? { generator: buildMaskedGenerator(preset, masked, rng), discriminator: buildMaskedDiscriminator(preset, masked, rng), ...makeOptimizers() }
    : { generator: buildGenerator(preset, shape, rng), discriminator: buildDiscriminator(preset, shape, rng), ...makeOptimizers() };
  try {
    return await snapshotNets(nets);
  } finally {
    disposeNets(nets);
  }
}

/**
 * Trains the context-encoder GAN on the training clips' mels, resuming from `checkpointDir`.
 * Each step draws its batch from a stream seeded by (seed, step), so a resumed run draws what
 * an uninterrupted one would have. Checkpoints every `checkpointSeconds` and at the end.
 */
export async function trainGan(options: TrainGanOptions): Promise<GanModel> {
  validate(options);
  const saved = readCheckpointState(options.checkpointDir);
  const config = configFor(options, saved);
  if (saved) {
    const diff = diffKeys(saved.config, config);
    if (diff.length) throw new ConfigMismatchError(`${options.checkpointDir} holds a GAN trained with a different configuration (differs in: ${diff.join(', ')}); use another checkpoint folder`);
  }
  const resumed = saved ? readCheckpoint(options.checkpointDir) : undefined;
  let snapshot = resumed?.snapshot ?? await freshSnapshot(config);
  const curve: LossPoint[] = resumed?.curve ?? [];
  let state: CheckpointState = resumed?.state ?? { config, step: 0, trainSeconds: 0 };
  const normalized = options.clips.map((c) => ({ data: normalize(c.data, config.normalisation), frames: c.frames }));
  const masked = config.windowFrames !== undefined;
  const clips: GanClip[] = masked ? normalized.filter((c) => c.frames >= config.windowFrames!) : usableClips(normalized, config.gapFrames);
  if (clips.length === 0) {
    throw new ParameterError(masked ? `no training clip has the ${config.windowFrames} frames of the masked GAN's window`
      : `no training clip has the ${3 * config.gapFrames} frames a ${config.gapFrames}-frame gap needs with its context`);
  }
  const drawn = (rng: Rng) => (masked
    ? drawMaskedBatch(clips, { windowFrames: config.windowFrames!, nMels: config.nMels, minGapFrames: MASKED_DEFAULTS.minGapFrames, maxGapFrames: config.gapFrames }, config.batchSize, rng)
    : drawBatch(clips, config.gapFrames, config.nMels, config.batchSize, rng));

  const maxSteps = options.steps ?? Infinity;
  const maxSeconds = options.seconds ?? (options.steps === undefined ? DEFAULT_TRAIN_SECONDS : Infinity);
  const bySteps = options.steps !== undefined;
  const progress = createProgress({
    total: bySteps ? maxSteps : Math.ceil(maxSeconds), label: `gan ${config.preset} ${config.gapFrames} frames`, quiet: options.quiet,
  });
  // The bar counts steps, or whole seconds of training for a budget in seconds.
  const position = (steps: number, seconds: number) => (bySteps ? Math.min(steps, maxSteps) : Math.min(Math.floor(seconds), Math.ceil(maxSeconds)));
  let shown = position(state.step, state.trainSeconds);
  progress.tick(shown);
  const trainer = await createGanTrainer(snapshot, options.workers);
  const checkpointMs = (options.checkpointSeconds ?? 60) * 1000;
  let step = state.step;
  let trainSeconds = state.trainSeconds;
  let lastSave = Date.now();
  const save = async () => {
    snapshot = await trainer.snapshot();
    state = { config, step, trainSeconds };
    writeCheckpoint(options.checkpointDir, state, snapshot, curve);
    await options.onCheckpoint?.(step);
    lastSave = Date.now();
  };
  try {
    while (step < maxSteps && trainSeconds < maxSeconds) {
      const batch = drawn(new Rng(config.seed).fork(`batch-${step}`));
      const t0 = performance.now();
      const losses = await trainer.step(batch);
      const dt = (performance.now() - t0) / 1000;
      step++;
      trainSeconds += dt;
      const point: LossPoint = { step, seconds: trainSeconds, ...losses };
      curve.push(point);
      const perStep = trainSeconds / step;
      const secondsLeft = Math.max(0, Math.min((maxSteps - step) * perStep, maxSeconds - trainSeconds));
      const now = position(step, trainSeconds);
      progress.tick(now - shown, `D ${losses.d.toFixed(3)} G ${losses.g.toFixed(3)} MAE ${losses.mae.toFixed(3)} · ${(config.batchSize / dt).toFixed(1)} samples/s`);
      shown = now;
      options.onProgress?.({ step, totalSteps: options.steps, trainSeconds, secondsLeft, losses: point });
      if (Date.now() - lastSave >= checkpointMs) await save();
    }
    if (step > state.step || !saved) await save();
  } finally {
    await trainer.dispose();
  }
  progress.done(`step ${step}, ${trainSeconds.toFixed(0)} s of training`);
  const generator = await loadModelArtifacts(snapshot.generator);
  return { generator, config, step, dir: options.checkpointDir, replicas: trainer.replicas };
}
