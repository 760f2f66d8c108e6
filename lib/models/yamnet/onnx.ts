/**
 * YAMNet's body as an ONNX graph, written by lacuna from the weights read out of the official
 * TFLite file (weights.ts), and run on onnxruntime's native CPU kernels: the same float math as
 * network.ts (27 conv layers with ReLU6, global average pool, dense, sigmoid), in NCHW layout.
 * TF's 'same' padding puts the odd pixel at the end, which is ONNX's SAME_UPPER.
 */
import { check } from '../../util/errors';
import { encodeModel, NodeSpec, TensorSpec } from '../../engine/onnx/proto';
import { OnnxGraphSession, openOnnxSession } from '../../engine/onnx/runtime';
import { YamnetWeights } from './weights';
import type { YamnetBody, YamnetOutputs } from './network';
import { PATCH_BANDS, PATCH_FRAMES, inferInBatches } from './network';

/** [kh, kw, in, out] (tfjs conv) → [out, in, kh, kw] (ONNX Conv). */
function hwioToOihw(src: Float32Array, [h, w, i, o]: readonly number[]): Float32Array {
  const out = new Float32Array(src.length);
  for (let a = 0; a < h; a++) for (let b = 0; b < w; b++) for (let c = 0; c < i; c++) for (let d = 0; d < o; d++) {
    out[((d * i + c) * h + a) * w + b] = src[((a * w + b) * i + c) * o + d];
  }
  return out;
}

/** [kh, kw, C, 1] (tfjs depthwise) → [C, 1, kh, kw] (ONNX Conv with group = C). */
function depthwiseToOihw(src: Float32Array, [h, w, c]: readonly number[]): Float32Array {
  const out = new Float32Array(src.length);
  for (let a = 0; a < h; a++) for (let b = 0; b < w; b++) for (let d = 0; d < c; d++) out[(d * h + a) * w + b] = src[(a * w + b) * c + d];
  return out;
}

/**
 * The serialised ONNX model: input `patches` [batch, 96, 64] (log-mel), outputs `embeddings`
 * [batch, 1024] and `scores` [batch, 521].
 */
export function yamnetOnnxModel(weights: YamnetWeights): Uint8Array {
  const nodes: NodeSpec[] = [];
  const initializers: TensorSpec[] = [
    { name: 'image_shape', dims: [4], values: { int64: [-1, 1, PATCH_FRAMES, PATCH_BANDS] } },
    { name: 'relu6_min', dims: [], values: Float32Array.of(0) },
    { name: 'relu6_max', dims: [], values: Float32Array.of(6) },
  ];
  nodes.push({ opType: 'Reshape', inputs: ['patches', 'image_shape'], outputs: ['x0'] });
  let x = 'x0';
  weights.layers.forEach((l, i) => {
    const [kh, kw, cin, cout] = l.kernelShape;
    const depthwise = l.kind === 'depthwise';
    const kernel = depthwise ? depthwiseToOihw(l.kernel, l.kernelShape) : hwioToOihw(l.kernel, l.kernelShape);
    initializers.push(
      { name: `w${i}`, dims: depthwise ? [cin, 1, kh, kw] : [cout, cin, kh, kw], values: kernel },
      { name: `b${i}`, dims: [l.bias.length], values: l.bias },
    );
    nodes.push({
      opType: 'Conv', inputs: [x, `w${i}`, `b${i}`], outputs: [`c${i}`],
      attributes: {
        kernel_shape: { ints: [kh, kw] }, strides: { ints: [l.stride, l.stride] }, group: { int: depthwise ? cin : 1 },
        ...(l.padding === 'same' ? { auto_pad: { string: 'SAME_UPPER' } } : {}),
      },
    });
    nodes.push({ opType: 'Clip', inputs: [`c${i}`, 'relu6_min', 'relu6_max'], outputs: [`a${i}`] });
    x = `a${i}`;
  });
  nodes.push(
    { opType: 'GlobalAveragePool', inputs: [x], outputs: ['pooled'] },
    { opType: 'Flatten', inputs: ['pooled'], outputs: ['embeddings'], attributes: { axis: { int: 1 } } },
    { opType: 'Gemm', inputs: ['embeddings', 'dense_w', 'dense_b'], outputs: ['logits'] },
    { opType: 'Sigmoid', inputs: ['logits'], outputs: ['scores'] },
  );
  initializers.push(
    { name: 'dense_w', dims: [weights.embeddingSize, weights.numClasses], values: weights.denseKernel },
    { name: 'dense_b', dims: [weights.numClasses], values: weights.denseBias },
  );
  return encodeModel({
    name: 'yamnet', nodes, initializers,
    inputs: [{ name: 'patches', dims: ['batch', PATCH_FRAMES, PATCH_BANDS] }],
    outputs: [{ name: 'embeddings', dims: ['batch', weights.embeddingSize] }, { name: 'scores', dims: ['batch', weights.numClasses] }],
  });
}

/**
 * YamnetNetwork's interface on onnxruntime. The session opens on first use (loadYamnet stays
 * synchronous) with `threads` intra-op threads.
 */
export class YamnetOnnxNetwork implements YamnetBody {
  readonly embeddingSize: number;
  readonly numClasses: number;
  /** The native graph computes plain float math only (see YamnetNetworkOptions.emulateInt8). */
  readonly emulateInt8 = false;
  readonly engine = 'onnx' as const;
  private session?: Promise<OnnxGraphSession>;
  private model?: Uint8Array;
  private disposed = false;

  constructor(weights: YamnetWeights, private readonly threads: number) {
    this.embeddingSize = weights.embeddingSize;
    this.numClasses = weights.numClasses;
    this.model = yamnetOnnxModel(weights);
  }

  private open(): Promise<OnnxGraphSession> {
    if (!this.session) {
      this.session = openOnnxSession(this.model!, this.threads);
      this.model = undefined; // onnxruntime keeps its own copy of the weights
    }
    return this.session;
  }

  /** As YamnetNetwork.infer: patches [count, 96, 64] → embeddings and scores per patch. */
  async infer(patches: Float32Array, count: number, options: { batchSize?: number } = {}): Promise<YamnetOutputs> {
    check(!this.disposed, 'this YamnetOnnxNetwork was disposed');
    return inferInBatches(this, patches, count, options.batchSize, async (batch, n) => {
      const session = await this.open(); // opened on the first batch, after the arguments are checked
      const inputs = { patches: { values: batch, dims: [n, PATCH_FRAMES, PATCH_BANDS] } };
      const [embeddings, scores] = await session.run(inputs, ['embeddings', 'scores']);
      return [embeddings, scores];
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    void this.session?.then((s) => s.dispose());
  }
}
