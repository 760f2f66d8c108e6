import { ParameterError } from '../../util/errors';

/**
 * Architectures of the context-encoder GAN, as data: the model builder and the multiply-add
 * counter both read these, so a preset's cost is computed from the same numbers that build it.
 */

/** One convolution: output channels, kernel [time, mel], strides [time, mel]. */
export interface ConvSpec {
  filters: number;
  kernel: [number, number];
  strides: [number, number];
}

export interface GanPreset {
  name: GanPresetName;
  /** Shared encoder for the frames before and after the gap (Conv2D, 'same', relu). */
  encoder: ConvSpec[];
  /** Decoder (Conv2DTranspose, 'same', relu; the last layer is linear with 1 filter). */
  decoder: ConvSpec[];
  /** Discriminator on [before; gap; after] (Conv2D, relu) → Flatten → Dense(1, sigmoid). */
  discriminator: ConvSpec[];
  /** Output = linear interpolation across the gap (bridge.ts) + the decoder's correction. */
  linearBridge: boolean;
}

export const GAN_PRESET_NAMES = ['reference', 'default', 'masked'] as const;
export type GanPresetName = (typeof GAN_PRESET_NAMES)[number];

const K: [number, number] = [4, 6];
const conv = (filters: number, strides: [number, number], kernel: [number, number] = K): ConvSpec => ({ filters, kernel, strides });
const HALF_MEL: [number, number] = [1, 2];
const ONE: [number, number] = [1, 1];

/** The reference study's generator and discriminator (shared/docs/reference-method.md). */
export const REFERENCE_GAN: Readonly<GanPreset> = Object.freeze({
  name: 'reference',
  encoder: [conv(32, HALF_MEL), conv(64, HALF_MEL), conv(128, ONE), conv(256, ONE)],
  decoder: [conv(256, HALF_MEL), conv(128, HALF_MEL), conv(64, ONE), conv(32, ONE), conv(1, ONE)],
  discriminator: [conv(32, [2, 2], [3, 3]), conv(64, [2, 2], [3, 3]), conv(128, [2, 2], [3, 3])],
  linearBridge: false,
});

/**
 * lacuna's default: the same shape of network, but the encoder halves the mel axis three times
 * (64 → 8 bands) with 16/32/64 channels and the decoder mirrors it, so the wide layers never run
 * at full resolution: about 1/30 of the reference's multiply-adds per clip (cost.ts).
 */
export const DEFAULT_GAN: Readonly<GanPreset> = Object.freeze({
  name: 'default',
  encoder: [conv(16, HALF_MEL), conv(32, HALF_MEL), conv(64, HALF_MEL)],
  decoder: [conv(64, HALF_MEL), conv(32, HALF_MEL), conv(16, HALF_MEL), conv(1, ONE)],
  discriminator: REFERENCE_GAN.discriminator,
  // Measured with the bridge (bench/gan-quality.ts, 600 s): LSD 11.0 dB but MAE 1.31 and mel SNR
  // −2.0 dB, against 12.3 / 1.23 / 0.0 without it; so off by default.
  linearBridge: false,
});

/**
 * The mask-conditioned generator (masked.ts, method 'gan-masked'): a window of log-mel and its
 * mask in, the window out; the encoder halves time and mel five times (kernel 4 x 6), the decoder
 * mirrors it with U-Net skips and ends in 1 linear filter. Not a context encoder: the time stride
 * is 2, so only masked.ts builds it.
 */
const HALF_BOTH: [number, number] = [2, 2];
export const MASKED_GAN: Readonly<GanPreset> = Object.freeze({
  name: 'masked',
  encoder: [conv(16, HALF_BOTH), conv(32, HALF_BOTH), conv(64, HALF_BOTH), conv(64, HALF_BOTH), conv(128, HALF_BOTH)],
  decoder: [conv(64, HALF_BOTH), conv(64, HALF_BOTH), conv(32, HALF_BOTH), conv(16, HALF_BOTH), conv(1, HALF_BOTH)],
  discriminator: REFERENCE_GAN.discriminator,
  linearBridge: false,
});

/** The masked GAN's window and longest gap: a 16000-sample gap touches 103 frames, leaving ≥ 44 frames of context each side in 192. */
export const MASKED_DEFAULTS = Object.freeze({ windowFrames: 192, maxGapFrames: 104, minGapFrames: 2 });

export function ganPreset(name: string): GanPreset {
  if (name === 'reference') return REFERENCE_GAN;
  if (name === 'default') return DEFAULT_GAN;
  if (name === 'masked') return MASKED_GAN;
  throw new ParameterError(`unknown GAN preset "${name}"; expected one of ${GAN_PRESET_NAMES.join(', ')}`);
}

/** The masked generator's model name: the training step tells it apart by it (step.ts), without importing masked.ts. */
export const MASKED_GENERATOR_NAME = 'gan_generator_masked';

/** True for a generator built by buildMaskedGenerator (the training step's loss depends on it). */
export function isMaskedGenerator(model: { name: string }): boolean {
  return model.name.startsWith(MASKED_GENERATOR_NAME);
}
