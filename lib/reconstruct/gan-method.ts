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
import type { GapModel } from '../corrupt/gaps';
import { ParameterError, check } from '../util/errors';
import { gapFrameCount, gapSpans } from './geometry';
import { melPowerOf, waveformFromMel } from './mel';
import { DEFAULT_TRAIN_SECONDS } from './gan/config';
import { GAN_PRESETS } from './types';
import type { GanPresetOption, MethodOptions, Reconstructor, RepairInput, RepairOutput, TrainContext, TrainedMethod } from './types';

/** The samples of the largest gap the gap model draws (what the GAN is trained for). */
export function ganGapSamples(gapModel: GapModel): number {
  if (gapModel.kind === 'single') return gapModel.gapSamples;
  if (gapModel.kind === 'multiple') return Math.ceil(gapModel.gapSamples / 4);
  throw new ParameterError('the GAN repairs gaps of one length (--gap-model single or multiple); packet loss draws bursts of random lengths, use ar, linear, repeat or zero for it');
}

/** A GAN reconstructor whose mel repairs also get a waveform (Griffin–Lim over the repaired frames). */
function withAudio(inner: Reconstructor, iterations: number): Reconstructor {
  return {
    name: 'gan',
    domain: 'mel',
    async repair(input: RepairInput): Promise<RepairOutput> {
      const out = await inner.repair(input);
      if (iterations <= 0) return out;
      const ranges = gapSpans(input.gaps).map((s) => ({ first: s.startFrame, last: Math.min(out.mel.frames - 1, s.startFrame + s.frameCount - 1) }));
      return { ...out, waveform: waveformFromMel(input, out.mel, ranges, iterations) };
    },
  };
}

/** What trainGan is given for a context: the training folds' mels, the gap's frames, preset, seed, budget, checkpoint folder. */
export function ganTrainingOf(context: TrainContext, options: MethodOptions) {
  const preset = options.preset ?? 'default';
  check((GAN_PRESETS as readonly string[]).includes(preset), `--preset must be one of ${GAN_PRESETS.join(', ')}; got "${preset}"`);
  const gapFrames = gapFrameCount(ganGapSamples(context.gapModel));
  const { dataset } = context;
  const rows = dataset.clips.flatMap((c, i) => (context.trainFolds.includes(c.fold) ? [i] : []));
  check(rows.length > 0, `no clips in training folds ${context.trainFolds.join(',')}`);
  const len = dataset.clipSamples;
  const clips = rows.map((r) => melPowerOf(dataset.waveforms.subarray(r * len, (r + 1) * len)));
  const seconds = options.trainSeconds ?? DEFAULT_TRAIN_SECONDS;
  return { rows, train: { clips, gapFrames, preset, seed: context.seed, seconds, checkpointDir: context.workDir } };
}

export async function trainGanMethod(context: TrainContext, options: MethodOptions): Promise<TrainedMethod> {
  const { rows, train } = ganTrainingOf(context, options);
  const [{ initEngine }, gan] = await Promise.all([import('../engine/init'), import('./gan')]);
  await initEngine({ quiet: true });
  const model = await gan.trainGan({ ...train, quiet: options.quiet });
  return {
    reconstructor: withAudio(gan.ganReconstructor(model), options.griffinLimIterations ?? 32),
    trainedOn: rows.map((r) => context.dataset.clips[r].id),
    model: { preset: train.preset, gapFrames: train.gapFrames, steps: model.step, budgetSeconds: train.seconds, clips: rows.length, checkpoint: model.dir },
  };
}
