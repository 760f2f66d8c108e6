import * as tf from '@tensorflow/tfjs';

/**
 * The straight line across the gap in normalised log-mel: frame f of a w-frame gap is
 * (1 − t)·(last frame before) + t·(first frame after), t = (f + 1)/(w + 1). No weights. A preset
 * with `linearBridge` predicts this line plus a learned correction, so it starts where linear
 * interpolation is and training only has to learn what the line misses.
 */
export class LinearBridge extends tf.layers.Layer {
  static className = 'LacunaLinearBridge';

  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const [before, after] = inputs as tf.Tensor4D[];
    return tf.tidy(() => {
      const [, frames, mels] = before.shape;
      const last = tf.slice(before, [0, frames - 1, 0, 0], [-1, 1, mels, -1]);
      const first = tf.slice(after, [0, 0, 0, 0], [-1, 1, mels, -1]);
      const t = tf.tensor4d(Float32Array.from({ length: frames }, (_, f) => (f + 1) / (frames + 1)), [1, frames, 1, 1]);
      return tf.add(tf.mul(last, tf.sub(1, t)), tf.mul(first, t));
    });
  }

  computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return (inputShape as tf.Shape[])[0];
  }
}

tf.serialization.registerClass(LinearBridge);
