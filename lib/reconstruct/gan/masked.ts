import * as tf from '@tensorflow/tfjs';
import { check } from '../../util/errors';
import { Rng } from '../../util/rng';
import type { Reconstructor, RepairInput, RepairOutput } from '../types';
import { FrameRange, repairRanges } from '../geometry';
import type { GanClip } from './batches';
import { denormalize, normalize } from './normalize';
import type { GanPreset } from './presets';
import { MASKED_DEFAULTS, MASKED_GENERATOR_NAME } from './presets';
export { MASKED_GAN, MASKED_DEFAULTS } from './presets';
import type { GanBatch } from './step';
import type { GanModel } from './config';
import { decoderLayer, encoderLayer } from './model';
import { ganInputMel } from './repair';

/**
 * The mask-conditioned GAN ('gan-masked'): one model for every gap length. Where the reference's
 * context encoder learns one gap of w frames from w frames on each side (one model per length),
 * this generator sees a window of `windowFrames` frames of normalised log-mel with the missing
 * frames set to 0 and, as a second channel, the mask (1 = missing), and returns the whole window;
 * only the masked frames count (MAE over them) and are kept. It is trained on gaps of random
 * length (log-uniform, 2 to `maxGapFrames` frames) at random places in the window, so one
 * training per fold-scheme model serves every length the study runs, single gaps and fragments.
 *
 * The network halves time and mel five times (a 192-frame window → 6 × 2 codes, so the middle of a
 * 104-frame gap still hears the context) with U-Net skips from the encoder to the decoder; the
 * discriminator is the reference's, on the window with the fill composited in.
 *
 * Batches travel in the GanBatch fields the trainer and its workers already carry: `before` =
 * the masked window, `gap` = the clean window (the target), `after` = the mask.
 */


export interface MaskedShape {
  windowFrames: number;
  nMels: number;
}

const init = (rng: Rng) => tf.initializers.glorotUniform({ seed: rng.nextSeed() });

function checkMaskedShape(preset: GanPreset, shape: MaskedShape): void {
  const down = 2 ** preset.encoder.length;
  check(preset.decoder.length === preset.encoder.length,
    `preset ${preset.name}: the decoder must mirror the encoder's ${preset.encoder.length} layers`);
  check(shape.windowFrames % down === 0 && shape.nMels % down === 0,
    `the masked GAN needs windowFrames and nMels that are multiples of ${down}, got ${shape.windowFrames} and ${shape.nMels}`);
}

export function buildMaskedGenerator(preset: GanPreset, shape: MaskedShape, rng: Rng): tf.LayersModel {
  checkMaskedShape(preset, shape);
  const window = tf.input({ shape: [shape.windowFrames, shape.nMels, 1], name: 'window' });
  const mask = tf.input({ shape: [shape.windowFrames, shape.nMels, 1], name: 'mask' });
  let h = tf.layers.concatenate({ axis: 3, name: 'window_and_mask' }).apply([window, mask]) as tf.SymbolicTensor;
  const skips: tf.SymbolicTensor[] = [];
  preset.encoder.forEach((s, i) => {
    skips.push(h);
    h = encoderLayer(s, i, rng).apply(h) as tf.SymbolicTensor;
  });
  preset.decoder.forEach((s, i) => {
    const last = i === preset.decoder.length - 1;
    h = decoderLayer(s, i, last, rng).apply(h) as tf.SymbolicTensor;
    // U-Net skip: the encoder's input at this resolution (not after the last layer, which is the output).
    if (!last) h = tf.layers.concatenate({ axis: 3, name: `skip${i + 1}` }).apply([h, skips[skips.length - 1 - i]]) as tf.SymbolicTensor;
  });
  return tf.model({ inputs: [window, mask], outputs: h, name: MASKED_GENERATOR_NAME });
}

export function buildMaskedDiscriminator(preset: GanPreset, shape: MaskedShape, rng: Rng): tf.LayersModel {
  const model = tf.sequential({ name: 'gan_discriminator_masked' });
  preset.discriminator.forEach((s, i) => model.add(tf.layers.conv2d({
    name: `disc${i + 1}`, filters: s.filters, kernelSize: s.kernel, strides: s.strides, padding: 'same', activation: 'relu',
    kernelInitializer: init(rng), ...(i === 0 ? { inputShape: [shape.windowFrames, shape.nMels, 1] } : {}),
  })));
  model.add(tf.layers.flatten({ name: 'disc_flatten' }));
  model.add(tf.layers.dense({ name: 'disc_logit', units: 1, kernelInitializer: init(rng) }));
  return model;
}

/** Gap lengths in frames, log-uniform over [minGapFrames, maxGapFrames] (short gaps are as common as long ones per octave). */
export function drawGapFrames(rng: Rng, minGapFrames: number, maxGapFrames: number): number {
  const v = Math.exp(rng.range(Math.log(minGapFrames), Math.log(maxGapFrames + 1)));
  return Math.min(maxGapFrames, Math.max(minGapFrames, Math.floor(v)));
}

/**
 * `rows` random (clip, window, gap) draws: a window of `windowFrames` frames anywhere in the clip,
 * and in it one gap of drawGapFrames frames anywhere (so edges and off-centre gaps are learnt too).
 */
export function drawMaskedBatch(
  clips: readonly GanClip[], shape: MaskedShape & { minGapFrames: number; maxGapFrames: number }, rows: number, rng: Rng,
): GanBatch {
  const { windowFrames: w, nMels } = shape;
  check(shape.maxGapFrames < w, `maxGapFrames (${shape.maxGapFrames}) must be shorter than the window (${w} frames)`);
  const usable = clips.filter((c) => c.frames >= w);
  check(usable.length > 0, `no training clip has the ${w} frames of the masked GAN's window`);
  const size = w * nMels;
  const batch: GanBatch = {
    before: new Float32Array(rows * size), gap: new Float32Array(rows * size), after: new Float32Array(rows * size), rows,
  };
  for (let r = 0; r < rows; r++) {
    const clip = rng.pick(usable);
    const start = rng.int(0, clip.frames - w);
    const g = drawGapFrames(rng, shape.minGapFrames, shape.maxGapFrames);
    const first = rng.int(0, w - g);
    const target = clip.data.subarray(start * nMels, start * nMels + size);
    batch.gap.set(target, r * size);
    batch.before.set(target, r * size);
    batch.before.fill(0, r * size + first * nMels, r * size + (first + g) * nMels);
    batch.after.fill(1, r * size + first * nMels, r * size + (first + g) * nMels);
  }
  return batch;
}

/** The window start that centres `range` in a window of `w` frames, kept inside the clip. */
export function windowStart(range: FrameRange, w: number, frames: number): number {
  const centre = Math.floor((range.first + range.last + 1) / 2);
  return Math.max(0, Math.min(frames - w, centre - Math.floor(w / 2)));
}

/**
 * The masked GAN behind the Reconstructor interface. Each repair range (every frame a gap's window
 * touches, lib/reconstruct/geometry's repairRanges) is filled in time order from a window centred on
 * it; other ranges still missing in that window are masked too, earlier fills count as known. A
 * range longer than the model's longest gap is an error. Frames outside every range keep their
 * exact input values.
 */
export function maskedGanReconstructor(model: GanModel): Reconstructor {
  const { nMels, normalisation } = model.config;
  const w = model.config.windowFrames!;
  const maxGap = model.config.gapFrames;
  return {
    name: 'gan-masked',
    domain: 'mel',
    repair(input: RepairInput): RepairOutput {
      const mel = ganInputMel(input, nMels);
      check(mel.frames >= w, `the masked GAN needs clips of at least ${w} frames, this one has ${mel.frames}`);
      const values = normalize(mel.data, normalisation);
      const ranges = repairRanges(input.gaps, mel.frames);
      const missing = new Uint8Array(mel.frames);
      for (const r of ranges) {
        check(r.last - r.first + 1 <= maxGap, `a gap touches ${r.last - r.first + 1} frames; this masked GAN repairs up to ${maxGap}`);
        missing.fill(1, r.first, r.last + 1);
      }
      for (const r of ranges) {
        const start = windowStart(r, w, mel.frames);
        const windowValues = values.slice(start * nMels, (start + w) * nMels);
        const maskValues = new Float32Array(w * nMels);
        for (let f = 0; f < w; f++) {
          if (!missing[start + f]) continue;
          windowValues.fill(0, f * nMels, (f + 1) * nMels);
          maskValues.fill(1, f * nMels, (f + 1) * nMels);
        }
        const predicted = tf.tidy(() => {
          const shape: [number, number, number, number] = [1, w, nMels, 1];
          const out = model.generator.predict([tf.tensor4d(windowValues, shape), tf.tensor4d(maskValues, shape)]) as tf.Tensor;
          return out.dataSync() as Float32Array;
        });
        for (let f = r.first; f <= r.last; f++) values.set(predicted.subarray((f - start) * nMels, (f - start + 1) * nMels), f * nMels);
        missing.fill(0, r.first, r.last + 1);
      }
      const repaired = denormalize(values, normalisation);
      const inRange = new Uint8Array(mel.frames);
      for (const r of ranges) inRange.fill(1, r.first, r.last + 1);
      for (let f = 0; f < mel.frames; f++) if (!inRange[f]) repaired.set(mel.data.subarray(f * nMels, (f + 1) * nMels), f * nMels);
      return { domain: 'mel', mel: { data: repaired, frames: mel.frames, nMels }, notes: [] };
    },
  };
}
