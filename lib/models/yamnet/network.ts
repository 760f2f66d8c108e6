/**
 * YAMNet's body as tfjs ops: log-mel patches [n, 96, 64] → 27 conv layers (one 3x3 conv, then
 * 13 depthwise 3x3 + pointwise 1x1 pairs, batch norm folded into the biases, ReLU6) → global
 * average pool (the 1024-d embedding) → dense → sigmoid (521 AudioSet scores). Weights come from
 * the official TFLite file (see weights.ts). Tensors live only in here; callers pass and get
 * plain Float32Arrays.
 */
import * as tf from '@tensorflow/tfjs';
import { check } from '../../util/errors';
import { ActivationQuant, YamnetWeights } from './weights';

export interface YamnetNetworkOptions {
  /**
   * Round every activation to the int8 grid the official TFLite graph uses (input patch, each
   * layer's output, the pooled embedding), to mimic the official integer model's outputs. Default
   * false: plain float math on the dequantised weights, which is what embeddings are made with.
   */
  emulateInt8?: boolean;
}

export interface YamnetOutputs {
  /** [patches, 1024] row-major. */
  embeddings: Float32Array;
  /** [patches, 521] row-major, sigmoid scores. */
  scores: Float32Array;
  patches: number;
}

/**
 * The body as either inference engine runs it (this file's tfjs network, onnx.ts's native one):
 * plain Float32Arrays in and out.
 */
export interface YamnetBody {
  readonly embeddingSize: number;
  readonly numClasses: number;
  readonly emulateInt8: boolean;
  readonly engine: 'onnx' | 'tfjs';
  /** Log-mel patches [count, 96, 64] → embeddings and scores per patch, in batches of `batchSize` patches. */
  infer(patches: Float32Array, count: number, options?: { batchSize?: number }): Promise<YamnetOutputs>;
  dispose(): void;
}

/**
 * Runs `count` patches [count, 96, 64] through `run` in batches of `batchSize` (default 64), each
 * batch getting its [n, 96, 64] slice, and gathers the embeddings and scores per patch.
 */
export async function inferInBatches(
  body: { embeddingSize: number; numClasses: number }, patches: Float32Array, count: number, batchSize = 64,
  run: (batch: Float32Array, n: number) => Promise<[Float32Array, Float32Array]>,
): Promise<YamnetOutputs> {
  const size = PATCH_FRAMES * PATCH_BANDS;
  check(Number.isInteger(count) && count >= 0, `count must be an integer >= 0, got ${count}`);
  check(patches.length === count * size, `patches must hold count x 96 x 64 = ${count * size} values, got ${patches.length}`);
  check(Number.isInteger(batchSize) && batchSize >= 1, `batchSize must be an integer >= 1, got ${batchSize}`);
  const embeddings = new Float32Array(count * body.embeddingSize);
  const scores = new Float32Array(count * body.numClasses);
  for (let start = 0; start < count; start += batchSize) {
    const n = Math.min(batchSize, count - start);
    const [e, s] = await run(patches.subarray(start * size, (start + n) * size), n);
    embeddings.set(e, start * body.embeddingSize);
    scores.set(s, start * body.numClasses);
  }
  return { embeddings, scores, patches: count };
}

/** Patch geometry YAMNet was trained with. */
export const PATCH_FRAMES = 96;
export const PATCH_BANDS = 64;

export class YamnetNetwork implements YamnetBody {
  readonly embeddingSize: number;
  readonly numClasses: number;
  private readonly layers: { kind: 'conv' | 'depthwise'; kernel: tf.Tensor4D; bias: tf.Tensor1D; stride: number; padding: 'same' | 'valid'; quant?: ActivationQuant }[];
  private readonly denseKernel: tf.Tensor2D;
  private readonly denseBias: tf.Tensor1D;
  readonly emulateInt8: boolean;
  readonly engine = 'tfjs' as const;
  private readonly inputQuant?: ActivationQuant;
  private readonly poolQuant?: ActivationQuant;
  private disposed = false;

  constructor(weights: YamnetWeights, options: YamnetNetworkOptions = {}) {
    this.emulateInt8 = options.emulateInt8 ?? false;
    this.embeddingSize = weights.embeddingSize;
    this.numClasses = weights.numClasses;
    this.inputQuant = weights.inputQuant;
    this.poolQuant = weights.poolQuant;
    this.layers = weights.layers.map((l) => ({
      kind: l.kind, stride: l.stride, padding: l.padding, quant: l.outputQuant,
      kernel: tf.tensor4d(l.kernel, l.kernelShape),
      bias: tf.tensor1d(l.bias),
    }));
    this.denseKernel = tf.tensor2d(weights.denseKernel, [weights.embeddingSize, weights.numClasses]);
    this.denseBias = tf.tensor1d(weights.denseBias);
  }

  /** Rounds to the int8 grid (clipped to [-128, 127]) and back; identity when not emulating. */
  private fakeQuant(x: tf.Tensor, q?: ActivationQuant): tf.Tensor {
    if (!this.emulateInt8 || !q) return x;
    return tf.round(tf.div(x, q.scale)).add(q.zeroPoint).clipByValue(-128, 127).sub(q.zeroPoint).mul(q.scale);
  }

  /** The graph for one batch: [b, 96, 64] → { embeddings [b, 1024], scores [b, 521] }. */
  private forward(batch: tf.Tensor3D): { embeddings: tf.Tensor2D; scores: tf.Tensor2D } {
    let x: tf.Tensor4D = this.fakeQuant(batch, this.inputQuant).reshape([batch.shape[0], PATCH_FRAMES, PATCH_BANDS, 1]);
    for (const l of this.layers) {
      const args = { x, filter: l.kernel, strides: l.stride, pad: l.padding, bias: l.bias, activation: 'relu6' as const };
      x = l.kind === 'conv' ? tf.fused.conv2d(args) : tf.fused.depthwiseConv2d(args);
      x = this.fakeQuant(x, l.quant) as tf.Tensor4D;
    }
    const embeddings = this.fakeQuant(tf.mean(x, [1, 2]), this.poolQuant) as tf.Tensor2D;
    const scores = tf.sigmoid(tf.add(tf.matMul(embeddings, this.denseKernel), this.denseBias)) as tf.Tensor2D;
    return { embeddings, scores };
  }

  /**
   * Runs log-mel patches [count, 96, 64] (row-major) through the body in batches of `batchSize`
   * (default 64) and returns embeddings and scores per patch.
   */
  async infer(patches: Float32Array, count: number, options: { batchSize?: number } = {}): Promise<YamnetOutputs> {
    check(!this.disposed, 'this YamnetNetwork was disposed');
    return inferInBatches(this, patches, count, options.batchSize, async (batch, n) => {
      const out = tf.tidy(() => {
        const r = this.forward(tf.tensor3d(batch, [n, PATCH_FRAMES, PATCH_BANDS]));
        return [r.embeddings, r.scores];
      });
      const [embeddings, scores] = await Promise.all(out.map((t) => t.data<'float32'>()));
      out.forEach((t) => t.dispose());
      return [embeddings, scores];
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const l of this.layers) { l.kernel.dispose(); l.bias.dispose(); }
    this.denseKernel.dispose();
    this.denseBias.dispose();
  }
}
