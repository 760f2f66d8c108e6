import * as tf from '@tensorflow/tfjs';
import { Rng } from '../util/rng';
import { check } from '../util/errors';

/**
 * A few training steps of a small Conv1D network on a two-class toy task (a noisy tone vs
 * noise). Not a study result: it shows in seconds that the chosen engine trains convolutions,
 * which is exactly what the WASM backend cannot do without lacuna's kernels.
 */
export interface TinyTrainingOptions {
  /** Optimiser steps. Default 30. */
  steps?: number;
  /** Clips per step. Default 32. */
  batchSize?: number;
  /** Samples per clip. Default 2048. */
  clipSamples?: number;
  seed?: number;
}

export interface TinyTrainingResult {
  backend: string;
  seed: number;
  losses: number[];
  /** Accuracy on a fresh batch after training. */
  accuracy: number;
  samplesPerSec: number;
}

/** One batch of the toy task: class 1 holds a tone at a random frequency and phase. */
function toyBatch(rng: Rng, batchSize: number, clipSamples: number): { x: Float32Array; y: Float32Array } {
  const x = new Float32Array(batchSize * clipSamples);
  const y = new Float32Array(batchSize);
  for (let b = 0; b < batchSize; b++) {
    const tone = rng.bernoulli(0.5);
    y[b] = tone ? 1 : 0;
    const freq = rng.range(0.02, 0.2);
    const phase = rng.range(0, 2 * Math.PI);
    for (let i = 0; i < clipSamples; i++) {
      x[b * clipSamples + i] = 0.5 * rng.normal() + (tone ? Math.sin(2 * Math.PI * freq * i + phase) : 0);
    }
  }
  return { x, y };
}

export async function trainTinyModel(options: TinyTrainingOptions = {}): Promise<TinyTrainingResult> {
  const steps = options.steps ?? 30;
  const batchSize = options.batchSize ?? 32;
  const clipSamples = options.clipSamples ?? 2048;
  const seed = options.seed ?? 1;
  check(steps >= 1, `steps must be >= 1, got ${steps}`);
  check(clipSamples >= 256, `clipSamples must be >= 256, got ${clipSamples}`);
  const rng = new Rng(seed);

  const model = tf.sequential({
    layers: [
      tf.layers.conv1d({ inputShape: [clipSamples, 1], filters: 16, kernelSize: 8, strides: 4, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: rng.nextSeed() }) }),
      tf.layers.maxPooling1d({ poolSize: 4, padding: 'same' }),
      tf.layers.conv1d({ filters: 16, kernelSize: 8, strides: 4, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: rng.nextSeed() }) }),
      tf.layers.globalAveragePooling1d(),
      tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: rng.nextSeed() }) }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(3e-3), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });

  const losses: number[] = [];
  const start = Date.now();
  for (let s = 0; s < steps; s++) {
    const { x, y } = toyBatch(rng, batchSize, clipSamples);
    const xs = tf.tensor3d(x, [batchSize, clipSamples, 1]);
    const ys = tf.tensor1d(y);
    const out = await model.trainOnBatch(xs, ys);
    losses.push(Array.isArray(out) ? out[0] : out);
    xs.dispose();
    ys.dispose();
  }
  const seconds = (Date.now() - start) / 1000;

  const test = toyBatch(rng, 128, clipSamples);
  const accuracy = tf.tidy(() => {
    const pred = (model.predict(tf.tensor3d(test.x, [128, clipSamples, 1])) as tf.Tensor).argMax(-1);
    return pred.equal(tf.tensor1d(test.y, 'int32')).mean().dataSync()[0];
  });
  model.dispose();
  return { backend: tf.getBackend(), seed, losses, accuracy, samplesPerSec: (steps * batchSize) / seconds };
}
