/**
 * The context-encoder GAN as the registry's trained method 'gan'. It trains (resumably, in the
 * run's model folder) on the mel power of the clean clips of the folds it is given, at the frame
 * count of the run's gap model, and repairs in the mel domain; mel repairs get audio by
 * Griffin–Lim like the other mel methods.
 *
 * Gap models: `single` trains a model of the gap's frame count; `multiple` one of the largest
 * fragment's (every fragment has gapSamples/4 samples, give or take one, and the reconstructor
 * repairs them one by one). `packet-loss` is refused: its bursts have random lengths, and a
 * context encoder is built for one gap length.
 *
 * lib/reconstruct/gan (and with it tfjs) is loaded only when a GAN trains, so the baselines and
 * the CLI stay light.
 */
import * as path from 'path';
import type { GapModel } from '../corrupt/gaps';
import { ParameterError, check } from '../util/errors';
import { DEFAULT_GRIFFIN_LIM_ITERATIONS } from '../audio/griffin-lim';
import { gapFrameCount, gapSpans, repairRanges } from './geometry';
import { melPowerOf, waveformFromMel } from './mel';
import { DEFAULT_TRAIN_SECONDS } from './gan/config';
import { MASKED_DEFAULTS } from './gan/presets';
import { GAN_PRESETS } from './types';
import type { MelPower, MethodOptions, Reconstructor, RepairInput, RepairOutput, TrainContext, TrainedMethod } from './types';

/** The samples of the largest gap the gap model draws (what the GAN is trained for). */
export function ganGapSamples(gapModel: GapModel): number {
  if (gapModel.kind === 'single') return gapModel.gapSamples;
  if (gapModel.kind === 'multiple') return Math.ceil(gapModel.gapSamples / 4);
  throw new ParameterError('the GAN repairs gaps of one length (--gap-model single or multiple); packet loss draws bursts of random lengths, use zero, linear, repeat, ar, exemplar or corpus-exemplar for it');
}

/** A GAN reconstructor whose mel repairs also get a waveform (Griffin–Lim over the repaired frames). */
function withAudio(inner: Reconstructor, iterations: number): Reconstructor {
  return {
    name: inner.name,
    domain: 'mel',
    async repair(input: RepairInput): Promise<RepairOutput> {
      const out = await inner.repair(input);
      if (iterations <= 0) return out;
      // The masked GAN fills every frame a gap touches (repairRanges); the context encoder its span.
      const ranges = inner.name === 'gan-masked' ? repairRanges(input.gaps, out.mel.frames)
        : gapSpans(input.gaps).map((s) => ({ first: s.startFrame, last: Math.min(out.mel.frames - 1, s.startFrame + s.frameCount - 1) }));
      return { ...out, waveform: waveformFromMel(input, out.mel, ranges, iterations) };
    },
  };
}

/** Dataset rows of the training folds and their clean mel power. */
function trainingMels(context: Pick<TrainContext, 'dataset' | 'trainFolds'>): { rows: number[]; clips: MelPower[] } {
  const { dataset } = context;
  const rows = dataset.clips.flatMap((c, i) => (context.trainFolds.includes(c.fold) ? [i] : []));
  check(rows.length > 0, `no clips in training folds ${context.trainFolds.join(',')}`);
  const len = dataset.clipSamples;
  return { rows, clips: rows.map((r) => melPowerOf(dataset.waveforms.subarray(r * len, (r + 1) * len))) };
}

/** What trainGan is given for a context: the training folds' mels, the gap's frames, preset, seed, budget, checkpoint folder. */
export function ganTrainingOf(context: TrainContext, options: MethodOptions) {
  const preset = options.preset ?? 'default';
  check((GAN_PRESETS as readonly string[]).includes(preset), `--gan-preset must be one of ${GAN_PRESETS.join(', ')}; got "${preset}"`);
  const gapFrames = gapFrameCount(ganGapSamples(context.gapModel));
  const { rows, clips } = trainingMels(context);
  const seconds = options.trainSeconds ?? DEFAULT_TRAIN_SECONDS;
  return { rows, train: { clips, gapFrames, preset, seed: context.seed, seconds, checkpointDir: context.workDir } };
}

export async function trainGanMethod(context: TrainContext, options: MethodOptions): Promise<TrainedMethod> {
  const { rows, train } = ganTrainingOf(context, options);
  const [{ initEngine }, gan] = await Promise.all([import('../engine/init'), import('./gan')]);
  await initEngine({ quiet: true });
  const model = await gan.trainGan({ ...train, quiet: options.quiet });
  return {
    reconstructor: withAudio(gan.ganReconstructor(model), options.griffinLimIterations ?? DEFAULT_GRIFFIN_LIM_ITERATIONS),
    trainedOn: rows.map((r) => context.dataset.clips[r].id),
    model: {
      preset: train.preset, gapFrames: train.gapFrames, steps: model.step, budgetSeconds: train.seconds, clips: rows.length, checkpoint: model.dir,
    },
  };
}

/**
 * Training budget of one masked GAN when none is given: 300 s per fold-scheme model. One model
 * serves every gap length and both gap kinds, so the study trains two (cross-fit) in 10 minutes in all.
 */
export const MASKED_TRAIN_SECONDS = 300;

/** Where a masked GAN's checkpoints live: `<sharedDir>/<budget>s` (every gap model's run shares it), else in workDir. */
export function maskedCheckpointDir(context: Pick<TrainContext, 'workDir' | 'sharedDir'>, options: MethodOptions): string {
  return path.join(context.sharedDir ?? context.workDir, `${options.trainSeconds ?? MASKED_TRAIN_SECONDS}s`);
}

/** What trainGan is given for a masked GAN: the training folds' mels, the longest gap, window, seed, budget, checkpoint folder. */
export function maskedGanTrainingOf(context: TrainContext, options: MethodOptions) {
  ganGapSamples(context.gapModel);
  const { rows, clips } = trainingMels(context);
  const { windowFrames, maxGapFrames } = MASKED_DEFAULTS;
  const seconds = options.trainSeconds ?? MASKED_TRAIN_SECONDS;
  return {
    rows,
    train: {
      clips, gapFrames: maxGapFrames, windowFrames, preset: 'masked' as const, seed: context.seed, seconds,
      checkpointDir: maskedCheckpointDir(context, options),
    },
  };
}

/** A GAN whose training a queue worker can run (lib/queue/gan.ts): what trainGan is given, where it checkpoints, its budget. */
export interface GanTraining {
  trainingOf(context: TrainContext, options: MethodOptions): ReturnType<typeof ganTrainingOf> | ReturnType<typeof maskedGanTrainingOf>;
  checkpointDir(context: Pick<TrainContext, 'workDir' | 'sharedDir'>, options: MethodOptions): string;
  budgetSeconds(options: MethodOptions): number;
}

/** The trained methods that are trainGan runs, by method name: the same training, here or on a queue worker. */
export const GAN_TRAININGS: Readonly<Record<string, GanTraining>> = {
  gan: {
    trainingOf: ganTrainingOf, checkpointDir: (context) => context.workDir,
    budgetSeconds: (options) => options.trainSeconds ?? DEFAULT_TRAIN_SECONDS,
  },
  'gan-masked': {
    trainingOf: maskedGanTrainingOf, checkpointDir: maskedCheckpointDir,
    budgetSeconds: (options) => options.trainSeconds ?? MASKED_TRAIN_SECONDS,
  },
};

/**
 * The mask-conditioned GAN (gan/masked.ts) as the trained method 'gan-masked': one model per
 * fold-scheme model for every gap length, trained in `context.sharedDir` (every gap model's run of
 * the method, with the same seed and budget, resumes or reuses it). Packet loss is refused like the
 * GAN's (the study skips it for trained methods); gaps touching more than 104 frames are an error.
 */
export async function trainMaskedGanMethod(context: TrainContext, options: MethodOptions): Promise<TrainedMethod> {
  const { rows, train } = maskedGanTrainingOf(context, options);
  const [{ initEngine }, gan, masked] = await Promise.all([import('../engine/init'), import('./gan'), import('./gan/masked')]);
  await initEngine({ quiet: true });
  const model = await gan.trainGan({ ...train, quiet: options.quiet });
  const iterations = options.griffinLimIterations ?? 32;
  // The recipe lets repairFold repair on every core (pool.ts): each thread loads the checkpoint.
  const recipe = { method: 'gan-masked', options: { griffinLimIterations: iterations }, checkpoint: model.dir };
  const { windowFrames, gapFrames: maxGapFrames, seconds } = train;
  return {
    reconstructor: { ...withAudio(masked.maskedGanReconstructor(model), iterations), recipe },
    trainedOn: rows.map((r) => context.dataset.clips[r].id),
    model: { preset: 'masked', windowFrames, maxGapFrames, steps: model.step, budgetSeconds: seconds, clips: rows.length, checkpoint: model.dir },
  };
}

/** The gan-masked reconstructor of the latest checkpoint in `dir` (what a repair thread builds from its recipe). */
export async function maskedGanFromCheckpoint(dir: string, options: MethodOptions): Promise<Reconstructor> {
  // require, not import(): this runs in repair threads, which under tsx register only the CommonJS hook.
  const { initEngine } = require('../engine/init') as typeof import('../engine/init');
  const gan = require('./gan') as typeof import('./gan');
  const masked = require('./gan/masked') as typeof import('./gan/masked');
  await initEngine({ quiet: true });
  return withAudio(masked.maskedGanReconstructor(await gan.loadGan(dir)), options.griffinLimIterations ?? 32);
}
