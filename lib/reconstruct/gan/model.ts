import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../util/rng';
import { check } from '../../util/errors';
import { GanPreset } from './presets';
import { LinearBridge } from './bridge';

/**
 * The generator and discriminator as tfjs LayersModels (saved and loaded in the tfjs format).
 * The generator takes [before, after] (each [gapFrames, nMels, 1], normalised log-mel) and
 * returns the gap [gapFrames, nMels, 1]; the discriminator takes [before; gap; after] stacked
 * on time and returns one logit (the reference's Dense(1, sigmoid) before its sigmoid, so the
 * losses use the numerically stable sigmoid cross-entropy on logits).
 */

export interface GanShape {
  gapFrames: number;
  nMels: number;
}

function melStride(specs: GanPreset['encoder']): number {
  return specs.reduce((p, s) => p * s.strides[1], 1);
}

export function checkGanShape(preset: GanPreset, shape: GanShape): void {
  check(Number.isInteger(shape.gapFrames) && shape.gapFrames >= 1, `gapFrames must be an integer >= 1, got ${shape.gapFrames}`);
  const down = melStride(preset.encoder);
  const up = melStride(preset.decoder);
  check(down === up, `preset ${preset.name}: encoder halves the mel axis ${down}x but the decoder restores ${up}x`);
  check(shape.nMels % down === 0, `nMels (${shape.nMels}) must be a multiple of ${down} for preset ${preset.name}`);
  for (const s of [...preset.encoder, ...preset.decoder]) check(s.strides[0] === 1, `preset ${preset.name}: the time stride must be 1 (gap frames are kept)`);
}

const init = (rng: Rng) => tf.initializers.glorotUniform({ seed: rng.nextSeed() });

/** Encoder layer `index` of a preset (its initialiser takes one seed from `rng`, in layer order). */
export function encoderLayer(spec: GanPreset['encoder'][number], index: number, rng: Rng): tf.layers.Layer {
  return tf.layers.conv2d({
    name: `enc${index + 1}`, filters: spec.filters, kernelSize: spec.kernel, strides: spec.strides, padding: 'same',
    activation: 'relu', kernelInitializer: init(rng),
  });
}

/** Decoder layer `index` of a preset; the last one is linear (it writes the output). */
export function decoderLayer(spec: GanPreset['decoder'][number], index: number, last: boolean, rng: Rng): tf.layers.Layer {
  return tf.layers.conv2dTranspose({
    name: `dec${index + 1}`, filters: spec.filters, kernelSize: spec.kernel, strides: spec.strides, padding: 'same',
    activation: last ? 'linear' : 'relu', kernelInitializer: init(rng),
  });
}

export function buildGenerator(preset: GanPreset, shape: GanShape, rng: Rng): tf.LayersModel {
  checkGanShape(preset, shape);
  const before = tf.input({ shape: [shape.gapFrames, shape.nMels, 1], name: 'before' });
  const after = tf.input({ shape: [shape.gapFrames, shape.nMels, 1], name: 'after' });
  // One set of layers applied to both sides: the reference's shared encoder.
  const encoder = preset.encoder.map((s, i) => encoderLayer(s, i, rng));
  const encode = (x: tf.SymbolicTensor) => encoder.reduce((h, layer) => layer.apply(h) as tf.SymbolicTensor, x);
  let h = tf.layers.concatenate({ axis: 3, name: 'codes' }).apply([encode(before), encode(after)]) as tf.SymbolicTensor;
  preset.decoder.forEach((s, i) => {
    h = decoderLayer(s, i, i === preset.decoder.length - 1, rng).apply(h) as tf.SymbolicTensor;
  });
  if (preset.linearBridge) {
    const line = new LinearBridge({ name: 'linear_bridge' }).apply([before, after]) as tf.SymbolicTensor;
    h = tf.layers.add({ name: 'bridged' }).apply([line, h]) as tf.SymbolicTensor;
  }
  return tf.model({ inputs: [before, after], outputs: h, name: `gan_generator_${preset.name}` });
}

export function buildDiscriminator(preset: GanPreset, shape: GanShape, rng: Rng): tf.LayersModel {
  const model = tf.sequential({ name: `gan_discriminator_${preset.name}` });
  preset.discriminator.forEach((s, i) => model.add(tf.layers.conv2d({
    name: `disc${i + 1}`, filters: s.filters, kernelSize: s.kernel, strides: s.strides, padding: 'same', activation: 'relu',
    kernelInitializer: init(rng), ...(i === 0 ? { inputShape: [3 * shape.gapFrames, shape.nMels, 1] } : {}),
  })));
  model.add(tf.layers.flatten({ name: 'disc_flatten' }));
  model.add(tf.layers.dense({ name: 'disc_logit', units: 1, kernelInitializer: init(rng) }));
  return model;
}
