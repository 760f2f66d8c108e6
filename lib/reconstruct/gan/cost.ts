import { ConvSpec, GanPreset } from './presets';

/**
 * Multiply-adds of the GAN's layers, counted from the preset (biases and activations left out).
 * 'same' convolutions: output positions × taps × in-channels × out-channels; transposed ones
 * scatter every input position over all taps, so they count input positions instead.
 */

interface Shape { h: number; w: number; c: number }

const ceilDiv = (a: number, b: number) => Math.ceil(a / b);

function convMacs(input: Shape, spec: ConvSpec): { macs: number; out: Shape } {
  const out = { h: ceilDiv(input.h, spec.strides[0]), w: ceilDiv(input.w, spec.strides[1]), c: spec.filters };
  return { macs: out.h * out.w * spec.kernel[0] * spec.kernel[1] * input.c * spec.filters, out };
}

function transposedMacs(input: Shape, spec: ConvSpec): { macs: number; out: Shape } {
  const out = { h: input.h * spec.strides[0], w: input.w * spec.strides[1], c: spec.filters };
  return { macs: input.h * input.w * spec.kernel[0] * spec.kernel[1] * input.c * spec.filters, out };
}

function chain(input: Shape, specs: readonly ConvSpec[], layer: typeof convMacs): { macs: number; out: Shape } {
  let macs = 0;
  let shape = input;
  for (const spec of specs) {
    const r = layer(shape, spec);
    macs += r.macs;
    shape = r.out;
  }
  return { macs, out: shape };
}

/** Generator multiply-adds for one clip's gap of `gapFrames` frames × `nMels` bands (forward). */
export function generatorMacs(preset: GanPreset, gapFrames: number, nMels = 64): number {
  const enc = chain({ h: gapFrames, w: nMels, c: 1 }, preset.encoder, convMacs);
  const dec = chain({ ...enc.out, c: 2 * enc.out.c }, preset.decoder, transposedMacs);
  return 2 * enc.macs + dec.macs;
}

/** Discriminator multiply-adds for one [before; gap; after] stack (forward), Dense included. */
export function discriminatorMacs(preset: GanPreset, gapFrames: number, nMels = 64): number {
  const convs = chain({ h: 3 * gapFrames, w: nMels, c: 1 }, preset.discriminator, convMacs);
  return convs.macs + convs.out.h * convs.out.w * convs.out.c;
}

/**
 * Multiply-adds of one training sample: the generator forward and backward (≈ 3 forwards),
 * the discriminator on the fake for G's loss (forward + backward) and on real and fake for its
 * own update (2 × forward + backward).
 */
export function trainingMacsPerSample(preset: GanPreset, gapFrames: number, nMels = 64): number {
  return 3 * generatorMacs(preset, gapFrames, nMels) + 9 * discriminatorMacs(preset, gapFrames, nMels);
}
