import * as tf from '@tensorflow/tfjs';
import { Rng } from '../util/rng';

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
  /** The module that registers this class: a training thread loads it before rebuilding a model (engine/parallel.ts). */
  static readonly sourceModule = __filename;
  readonly rate: number;
  seed: number;
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

  /**
   * Replicas of a data-parallel trainer would otherwise draw the same masks, so row i of every
   * shard would lose the same units: replica 0 keeps the seed, the others derive theirs.
   */
  reseedForReplica(index: number): void {
    if (index !== 0) this.seed = new Rng(this.seed).fork(`replica-${index}`).nextSeed();
  }
}

tf.serialization.registerClass(SeededDropout);

export function seededDropout(config: SeededDropoutConfig): SeededDropout {
  return new SeededDropout(config);
}
