import * as tf from '@tensorflow/tfjs';

/**
 * Dropout that is reproducible *and* random. tfjs's Dropout with a `seed` draws the same mask on
 * every call (the seed restarts the generator), so each batch position would lose the same units
 * at every step; without a seed it uses Math.random and runs cannot be repeated. This layer
 * advances its seed on each training call: same seed, same sequence of masks, a new mask per step.
 */
export interface SeededDropoutConfig {
  rate: number;
  seed: number;
  name?: string;
}

export class SeededDropout extends tf.layers.Layer {
  static className = 'LacunaSeededDropout';
  readonly rate: number;
  readonly seed: number;
  private calls = 0;

  constructor(config: SeededDropoutConfig) {
    super({ name: config.name });
    this.rate = config.rate;
    this.seed = config.seed;
    this.supportsMasking = true;
  }

  call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (!kwargs.training || this.rate === 0) return tf.clone(x);
    const seed = (this.seed + 0x9e3779b1 * ++this.calls) % 0x7fffffff;
    return tf.dropout(x, this.rate, undefined, seed);
  }

  computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed };
  }
}

tf.serialization.registerClass(SeededDropout);

export function seededDropout(config: SeededDropoutConfig): SeededDropout {
  return new SeededDropout(config);
}
