import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../lib/engine';
import { setColumnBudget } from '../lib/engine/kernels';
import { Rng } from '../lib/util/rng';

/**
 * Every kernel lacuna registers for wasm against the CPU backend's own kernel on random shapes.
 * Error measure: max |wasm - cpu| / max |cpu| over the output (per-element ratios are
 * meaningless where the true value is near zero).
 */

interface Arr { data: Float32Array; shape: number[] }
type Attrs = Record<string, unknown>;

const TOLERANCE = 1e-4;

before(async () => {
  const info = await initEngine({ engine: 'wasm', quiet: true });
  assert.equal(info.name, 'wasm');
});

function random(rng: Rng, shape: number[], ints = false): Arr {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = ints ? rng.int(0, 3) : rng.normal();
  return { data, shape };
}

async function runOn(backend: string, kernel: string, inputs: Record<string, Arr>, attrs: Attrs): Promise<Arr> {
  await tf.setBackend(backend);
  const tensors: Record<string, tf.Tensor> = {};
  for (const [k, v] of Object.entries(inputs)) tensors[k] = tf.tensor(v.data, v.shape);
  const out = tf.engine().runKernel(kernel, tensors as never, attrs as never) as tf.Tensor;
  const result = { data: (await out.data()) as Float32Array, shape: out.shape };
  tf.dispose([out, ...Object.values(tensors)]);
  return result;
}

function relError(actual: Arr, expected: Arr): number {
  assert.deepEqual(actual.shape, expected.shape);
  let diff = 0, scale = 0;
  for (let i = 0; i < expected.data.length; i++) {
    diff = Math.max(diff, Math.abs(actual.data[i] - expected.data[i]));
    scale = Math.max(scale, Math.abs(expected.data[i]));
  }
  return scale === 0 ? diff : diff / scale;
}

async function compare(label: string, kernel: string, inputs: Record<string, Arr>, attrs: Attrs): Promise<void> {
  const expected = await runOn('cpu', kernel, inputs, attrs);
  const actual = await runOn('wasm', kernel, inputs, attrs);
  const err = relError(actual, expected);
  assert.ok(err < TOLERANCE, `${kernel} ${label}: relative error ${err}`);
  assert.ok(expected.data.some((v) => v !== 0), `${kernel} ${label}: degenerate all-zero case`);
}

interface ConvCase { label: string; x: number[]; filter: number[]; strides: [number, number]; pad: unknown }

/** 1-D (height 1) and 2-D cases over strides 1-4, same/valid, odd sizes and channel counts. */
function convCases(rng: Rng): ConvCase[] {
  const cases: ConvCase[] = [];
  for (const twoD of [false, true]) {
    for (let s = 1; s <= 4; s++) {
      for (const pad of ['same', 'valid']) {
        const kh = twoD ? rng.int(1, 4) : 1, kw = rng.int(1, 8);
        const h = twoD ? rng.int(kh, 11) : 1, w = rng.int(kw + 3, 37);
        const ci = [1, 3, 5][rng.int(0, 2)], co = rng.int(1, 7);
        const strides: [number, number] = [twoD ? s : 1, s];
        cases.push({ label: `${twoD ? '2d' : '1d'} s${s} ${pad} x[2,${h},${w},${ci}] k${kh}x${kw} co${co}`,
          x: [rng.int(1, 3), h, w, ci], filter: [kh, kw, ci, co], strides, pad });
      }
    }
  }
  cases.push({ label: 'explicit padding', x: [2, 7, 9, 3], filter: [3, 2, 3, 4], strides: [2, 1],
    pad: [[0, 0], [1, 2], [0, 1], [0, 0]] });
  // Both product layouts of the filter gradient: fewer taps than filters, and more.
  cases.push({ label: 'few taps, many filters', x: [2, 1, 41, 1], filter: [1, 4, 1, 16], strides: [1, 2], pad: 'valid' });
  cases.push({ label: 'many taps, few filters', x: [2, 5, 9, 3], filter: [2, 2, 3, 2], strides: [1, 1], pad: 'same' });
  return cases;
}

function outShape(c: ConvCase): number[] {
  const info = tf.backend_util.computeConv2DInfo(c.x as never, c.filter as never, c.strides, 1, c.pad as never);
  return [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
}

test('Conv2DBackpropFilter matches cpu (strides 1-4, same/valid, 1-D and 2-D)', async () => {
  const rng = new Rng(11);
  for (const c of convCases(rng)) {
    await compare(c.label, 'Conv2DBackpropFilter', { x: random(rng, c.x), dy: random(rng, outShape(c)) },
      { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter });
  }
});

test('Conv2DBackpropInput matches cpu (strides 1-4, same/valid, 1-D and 2-D)', async () => {
  const rng = new Rng(12);
  for (const c of convCases(rng)) {
    await compare(c.label, 'Conv2DBackpropInput', { dy: random(rng, outShape(c)), filter: random(rng, c.filter) },
      { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x });
  }
});

test('conv gradients: NCHW layout and chunked batches match cpu', async () => {
  const rng = new Rng(13);
  const c: ConvCase = { label: '', x: [3, 6, 11, 2], filter: [3, 3, 2, 4], strides: [2, 1], pad: 'same' };
  const [n, h, w, ch] = c.x;
  const [, oh, ow, co] = outShape(c);
  await compare('NCHW', 'Conv2DBackpropFilter', { x: random(rng, [n, ch, h, w]), dy: random(rng, [n, co, oh, ow]) },
    { strides: c.strides, pad: c.pad, dataFormat: 'NCHW', filterShape: c.filter });
  await compare('NCHW', 'Conv2DBackpropInput', { dy: random(rng, [n, co, oh, ow]), filter: random(rng, c.filter) },
    { strides: c.strides, pad: c.pad, dataFormat: 'NCHW', inputShape: [n, ch, h, w] });
  setColumnBudget(64); // one sample's columns exceed it: one sample per chunk
  try {
    await compare('chunked', 'Conv2DBackpropFilter', { x: random(rng, c.x), dy: random(rng, outShape(c)) },
      { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter });
    await compare('chunked', 'Conv2DBackpropInput', { dy: random(rng, outShape(c)), filter: random(rng, c.filter) },
      { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x });
  } finally {
    setColumnBudget();
  }
});

test('wide Conv2D forward (im2col + matMul) matches cpu, also in chunks', async () => {
  const rng = new Rng(17);
  for (const [label, x, filter, strides] of [
    ['s1x2 same', [3, 5, 12, 48], [4, 6, 48, 5], [1, 2]],
    ['s2 same odd', [2, 7, 9, 40], [6, 5, 40, 3], [2, 2]],
  ] as [string, number[], number[], [number, number]][]) {
    assert.ok(filter[0] * filter[1] * filter[2] >= 1024, `${label}: wide enough for the im2col path`);
    await compare(label, 'Conv2D', { x: random(rng, x), filter: random(rng, filter) }, { strides, pad: 'same', dataFormat: 'NHWC', dilations: 1 });
    setColumnBudget(64);
    try {
      await compare(`${label} chunked`, 'Conv2D', { x: random(rng, x), filter: random(rng, filter) }, { strides, pad: 'same', dataFormat: 'NHWC', dilations: 1 });
    } finally {
      setColumnBudget();
    }
  }
});

test('depthwise conv gradients match cpu (strides 1-3, multipliers 1-2)', async () => {
  const rng = new Rng(14);
  const cases = [
    { x: [2, 9, 11, 3], f: [3, 3, 3, 1], strides: [1, 1], dilations: [1, 1], pad: 'same' },
    { x: [2, 9, 11, 3], f: [3, 2, 3, 2], strides: [2, 2], dilations: [1, 1], pad: 'valid' },
    { x: [1, 1, 23, 5], f: [1, 5, 5, 2], strides: [1, 3], dilations: [1, 1], pad: 'same' },
    // No dilation > 1: tfjs refuses it in depthwise gradients and the CPU kernel ignores it.
    { x: [2, 10, 10, 2], f: [4, 4, 2, 1], strides: [1, 1], dilations: [1, 1], pad: 'valid' },
  ];
  for (const c of cases) {
    const info = tf.backend_util.computeConv2DInfo(c.x as never, c.f as never, c.strides as never,
      c.dilations as never, c.pad as never, undefined, true);
    const dyShape = [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
    const label = JSON.stringify(c);
    await compare(label, 'DepthwiseConv2dNativeBackpropFilter', { x: random(rng, c.x), dy: random(rng, dyShape) },
      { strides: c.strides, dilations: c.dilations, pad: c.pad, filterShape: c.f });
    await compare(label, 'DepthwiseConv2dNativeBackpropInput', { dy: random(rng, dyShape), filter: random(rng, c.f) },
      { strides: c.strides, dilations: c.dilations, pad: c.pad, inputShape: c.x });
  }
});

test('MaxPoolGrad matches cpu: disjoint, gapped and overlapping windows, ties', async () => {
  const rng = new Rng(15);
  const cases: Array<{ x: number[]; size: [number, number]; strides: [number, number]; pad: string; ints?: boolean }> = [
    { x: [2, 31, 1, 5], size: [4, 1], strides: [4, 1], pad: 'same' }, // Keras MaxPooling1D layout
    { x: [2, 1, 29, 3], size: [1, 4], strides: [1, 4], pad: 'valid' },
    { x: [2, 9, 11, 3], size: [2, 3], strides: [2, 3], pad: 'same' },
    { x: [2, 9, 11, 3], size: [2, 2], strides: [3, 3], pad: 'valid' },
    { x: [2, 9, 11, 3], size: [3, 3], strides: [1, 2], pad: 'same' },
    { x: [1, 1, 33, 4], size: [1, 5], strides: [1, 2], pad: 'valid' },
    { x: [2, 8, 8, 3], size: [2, 2], strides: [2, 2], pad: 'valid', ints: true },
    { x: [2, 8, 8, 3], size: [3, 3], strides: [2, 2], pad: 'same', ints: true },
  ];
  for (const c of cases) {
    const input = random(rng, c.x, c.ints);
    await tf.setBackend('cpu');
    const pooled = tf.tidy(() => tf.maxPool(tf.tensor4d(input.data, c.x as never), c.size, c.strides, c.pad as never));
    const output = { data: pooled.dataSync() as Float32Array, shape: pooled.shape };
    pooled.dispose();
    await compare(JSON.stringify(c), 'MaxPoolGrad', { dy: random(rng, output.shape), input, output },
      { filterSize: c.size, strides: c.strides, pad: c.pad });
  }
});

test('Sum matches cpu on leading, trailing, middle and all axes', async () => {
  const rng = new Rng(16);
  const cases: Array<[number[], number[] | undefined, boolean]> = [
    [[5, 1, 37, 3], [0, 1, 2], false], [[5, 1, 37, 3], [0, 1, 2], true], [[3, 4, 5], [2], false],
    [[3, 4, 5], [1, 2], true], [[3, 4, 5], [0], false], [[3, 4, 5], [1], false], [[3, 4, 5], undefined, false],
    [[7, 9], [-1], false],
  ];
  for (const [shape, axis, keepDims] of cases) {
    await compare(`${shape} axis ${axis} keep ${keepDims}`, 'Sum', { x: random(rng, shape) },
      { axis: axis ?? shape.map((_, i) => i), keepDims });
  }
});

test('BatchMatMul and _FusedMatMul with transposed operands match cpu (2-D and batched)', async () => {
  const rng = new Rng(18);
  for (const [tA, tB] of [[true, false], [false, true], [true, true], [false, false]]) {
    for (const batch of [undefined, 3]) {
      const [m, k, n] = [rng.int(1, 40), rng.int(1, 70), rng.int(1, 33)];
      const lead = batch ? [batch] : [];
      const a = random(rng, [...lead, ...(tA ? [k, m] : [m, k])]);
      const b = random(rng, [...lead, ...(tB ? [n, k] : [k, n])]);
      const label = `tA ${tA} tB ${tB} m${m} k${k} n${n} batch ${batch ?? 'none'}`;
      if (batch) {
        await compare(label, 'BatchMatMul', { a, b }, { transposeA: tA, transposeB: tB });
      } else {
        const bias = random(rng, [n]);
        await compare(label, '_FusedMatMul', { a: { data: a.data, shape: [1, ...a.shape] }, b: { data: b.data, shape: [1, ...b.shape] }, bias },
          { transposeA: tA, transposeB: tB, activation: 'relu', leakyreluAlpha: 0 });
      }
    }
  }
});

test('ReLU gradient and Identity on wasm match cpu', async () => {
  const rng = new Rng(17);
  const x = random(rng, [3, 17, 5]);
  const dy = random(rng, [3, 17, 5]);
  const grad = async (backend: string): Promise<Arr> => {
    await tf.setBackend(backend);
    const xt = tf.tensor(x.data, x.shape), dyt = tf.tensor(dy.data, dy.shape);
    const g = tf.grad((v: tf.Tensor) => tf.relu(v).mul(dyt).sum())(xt);
    const out = { data: (await g.data()) as Float32Array, shape: g.shape };
    tf.dispose([xt, dyt, g]);
    return out;
  };
  assert.ok(relError(await grad('wasm'), await grad('cpu')) < TOLERANCE);
  // Identity shares the buffer: the clone must outlive its source.
  await tf.setBackend('wasm');
  const a = tf.tensor(x.data, x.shape);
  const b = tf.clone(a);
  a.dispose();
  assert.deepEqual(await b.data(), x.data);
  b.dispose();
});

/** A small model with every layer kind the reference CNN and the GAN use. */
function smallModel(kind: '1d' | '2d', seed: number): tf.Sequential {
  let s = seed;
  const init = () => tf.initializers.glorotUniform({ seed: s++ });
  const model = tf.sequential();
  if (kind === '1d') {
    model.add(tf.layers.conv1d({ inputShape: [61, 1], filters: 4, kernelSize: 5, strides: 2, activation: 'relu', kernelInitializer: init() }));
    model.add(tf.layers.maxPooling1d({ poolSize: 2, strides: 2, padding: 'same' }));
    model.add(tf.layers.conv1d({ filters: 6, kernelSize: 3, strides: 3, padding: 'same', activation: 'relu', kernelInitializer: init() }));
    model.add(tf.layers.flatten());
  } else {
    model.add(tf.layers.conv2d({ inputShape: [9, 10, 2], filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: init() }));
    model.add(tf.layers.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: init() }));
    model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    model.add(tf.layers.flatten());
  }
  model.add(tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: init() }));
  return model;
}

function batch(kind: '1d' | '2d', rng: Rng, n: number): { x: Arr; y: Arr } {
  const x = random(rng, kind === '1d' ? [n, 61, 1] : [n, 9, 10, 2]);
  const y = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) y[i * 3 + (i % 3)] = 1;
  return { x, y: { data: y, shape: [n, 3] } };
}

for (const kind of ['1d', '2d'] as const) {
  test(`end to end (${kind}): gradients on wasm match cpu, and the model trains on wasm`, async () => {
    const rng = new Rng(kind === '1d' ? 21 : 22);
    const model = smallModel(kind, 5);
    const { x, y } = batch(kind, rng, 6);
    const grads = async (backend: string): Promise<Arr[]> => {
      await tf.setBackend(backend);
      const xt = tf.tensor(x.data, x.shape), yt = tf.tensor(y.data, y.shape);
      const { grads: g } = tf.variableGrads(() =>
        tf.losses.softmaxCrossEntropy(yt, model.apply(xt) as tf.Tensor) as tf.Scalar);
      const out = await Promise.all(model.trainableWeights.map(async (w) =>
        ({ data: (await g[w.originalName].data()) as Float32Array, shape: g[w.originalName].shape })));
      tf.dispose([xt, yt, ...Object.values(g)]);
      return out;
    };
    const onCpu = await grads('cpu');
    const onWasm = await grads('wasm');
    onCpu.forEach((g, i) => assert.ok(relError(onWasm[i], g) < TOLERANCE, `${model.trainableWeights[i].name}: ${relError(onWasm[i], g)}`));

    await tf.setBackend('wasm');
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    const xt = tf.tensor(x.data, x.shape), yt = tf.tensor(y.data, y.shape);
    const first = (await model.trainOnBatch(xt, yt)) as number;
    let last = first;
    for (let i = 0; i < 40; i++) last = (await model.trainOnBatch(xt, yt)) as number;
    tf.dispose([xt, yt]);
    assert.ok(Number.isFinite(last) && last < 0.5 * first, `loss ${first} -> ${last}`);
  });
}
