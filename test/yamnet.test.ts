import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { deflateRawSync } from 'zlib';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../lib/engine';
import { parseTflite, tensorValues } from '../lib/models/yamnet/tflite';
import { readZipText, zipEntries } from '../lib/models/yamnet/zip';
import { classifyWaveform, loadYamnet, readYamnetFile, topClasses, Yamnet } from '../lib/models/yamnet/model';
import { locateYamnet } from '../lib/models/yamnet/locate';
import { waveformToPatches } from '../lib/models/yamnet/frontend';
import { ModelError } from '../lib/util/errors';
import { Rng } from '../lib/util/rng';
import { exampleClip16k, exampleClipsDir, yamnetPath } from './support/yamnet';

const MODEL = yamnetPath();
const CLIPS = exampleClipsDir();
const skip = !MODEL || !CLIPS ? 'YAMNet model or example clips not found' : false;

test('LACUNA_YAMNET, when set, names an existing model file (a wrong path fails, never skips)', { skip: process.env.LACUNA_YAMNET ? false : 'LACUNA_YAMNET not set' }, () => {
  const file = process.env.LACUNA_YAMNET!;
  assert.ok(fs.existsSync(file) && fs.statSync(file).isFile(), `LACUNA_YAMNET=${file} does not exist`);
  assert.equal(locateYamnet(), path.resolve(file));
});

let yamnet: Yamnet;
before(async () => {
  if (skip) return;
  await initEngine({ engine: 'wasm', quiet: true });
  yamnet = loadYamnet({ path: MODEL });
});
after(() => yamnet?.dispose());

async function top5(name: string): Promise<string[]> {
  const r = await classifyWaveform(yamnet, exampleClip16k(name));
  return topClasses(r.scores, yamnet.labels, 5).map((c) => c.label);
}

test('the TFLite reader finds the graph, the quantisation and the label list', { skip }, () => {
  const bytes = new Uint8Array(fs.readFileSync(MODEL!));
  const m = parseTflite(bytes, MODEL);
  assert.equal(m.version, 3);
  assert.deepEqual(m.tensors[m.inputs[0]].shape, [15600]);
  assert.deepEqual(m.tensors[m.outputs[0]].shape, [1, 521]);
  const ops = m.operators.map((o) => o.opcode);
  assert.equal(ops.filter((o) => o === 'CONV_2D').length, 14);
  assert.equal(ops.filter((o) => o === 'DEPTHWISE_CONV_2D').length, 13);
  assert.ok(ops.includes('LOGISTIC') && ops.includes('MEAN'));
  // Per-channel int8 weights: dequantised value = scale[channel] * (q - zeroPoint).
  const conv = m.tensors.find((t) => t.name === 'tower0/network/layer1/conv/Conv2D')!;
  assert.equal(conv.type, 'int8');
  assert.equal(conv.quantization!.scale.length, 32);
  const raw = new Int8Array(m.buffer(conv.buffer).buffer, m.buffer(conv.buffer).byteOffset, 288);
  const values = tensorValues(m, conv);
  for (const i of [0, 9, 100, 287]) {
    const c = Math.floor(i / 9);
    assert.ok(Math.abs(values[i] - conv.quantization!.scale[c] * (raw[i] - conv.quantization!.zeroPoint[c])) < 1e-6, `weight ${i}`);
  }
  const file = readYamnetFile(MODEL!);
  assert.equal(file.labels.length, 521);
  assert.equal(file.labels[0], 'Speech');
  assert.equal(file.labels[76], 'Cat');
  assert.equal(file.official, true);
  assert.equal(file.weights.layers.length, 27);
  assert.deepEqual(file.weights.layers[0].kernelShape, [3, 3, 1, 32]);
  assert.deepEqual(file.weights.layers[26].kernelShape, [1, 1, 1024, 1024]);
});

test('meow_16k scores Cat first, like the official TFLite classifier', { skip }, async () => {
  const r = await classifyWaveform(yamnet, exampleClip16k('meow_16k.wav'));
  const top = topClasses(r.scores, yamnet.labels, 5);
  assert.equal(top[0].label, 'Cat');
  // Official: Cat 0.80, Animal 0.67, Domestic animals/pets 0.67, Meow 0.50, Caterwaul 0.33.
  const expected: Record<string, number> = { Cat: 0.8, Animal: 0.67, 'Domestic animals, pets': 0.67, Meow: 0.5, Caterwaul: 0.33 };
  assert.deepEqual(new Set(top.map((t) => t.label)), new Set(Object.keys(expected)));
  for (const t of top) assert.ok(Math.abs(t.score - expected[t.label]) < 0.1, `${t.label} ${t.score} vs ${expected[t.label]}`);
});

test('dog, baby (44.1 kHz) and jingle (48 kHz) clips have their class in the top 5', { skip }, async () => {
  assert.ok((await top5('dog_975ms.wav')).includes('Dog'));
  assert.ok((await top5('baby_975ms.wav')).includes('Baby cry, infant cry'));
  const jingle = await top5('jingle_975ms.wav');
  assert.ok(jingle.some((l) => /^(Music|Jingle)/.test(l)), jingle.join(', '));
});

test('batched inference equals one patch at a time; a 4 s clip gives 8 embeddings', { skip }, async () => {
  const rng = new Rng(7);
  const clip = Float32Array.from({ length: 64000 }, () => 0.1 * rng.normal());
  const p = waveformToPatches(clip);
  assert.equal(p.patches, 8);
  const all = await yamnet.network.infer(p.data, 8, { batchSize: 8 });
  const one = await yamnet.network.infer(p.data.subarray(5 * 6144, 6 * 6144), 1);
  assert.equal(all.embeddings.length, 8 * 1024);
  for (let i = 0; i < 1024; i++) assert.ok(Math.abs(all.embeddings[5 * 1024 + i] - one.embeddings[i]) < 1e-4);
  assert.ok(all.embeddings.every((v) => v >= 0 && v <= 6), 'ReLU6 embeddings lie in [0, 6]');
  const tensorsBefore = tf.memory().numTensors;
  await yamnet.network.infer(p.data, 8, { batchSize: 3 });
  assert.equal(tf.memory().numTensors, tensorsBefore, 'no tensors leak');
});

test('zip reader inflates deflated entries of an archive appended to other bytes', () => {
  const text = 'alpha\nbeta\ngamma\n'.repeat(20);
  const name = Buffer.from('labels.txt');
  const data = deflateRawSync(Buffer.from(text));
  const prefix = Buffer.from('not a zip, model bytes first');
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(8, 8);
  local.writeUInt32LE(data.length, 18); local.writeUInt32LE(text.length, 22); local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(8, 10);
  central.writeUInt32LE(data.length, 20); central.writeUInt32LE(text.length, 24); central.writeUInt16LE(name.length, 28);
  central.writeUInt32LE(0, 42); // offset relative to the zip's own start, as appended archives often record
  const cdOffset = local.length + name.length + data.length;
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0); eocd.writeUInt16LE(1, 8); eocd.writeUInt16LE(1, 10);
  eocd.writeUInt32LE(central.length + name.length, 12); eocd.writeUInt32LE(cdOffset, 16);
  const bytes = new Uint8Array(Buffer.concat([prefix, local, name, data, central, name, eocd]));
  assert.equal(zipEntries(bytes)[0].name, 'labels.txt');
  assert.equal(readZipText(bytes, 'labels.txt'), text);
  assert.equal(readZipText(bytes, 'other.txt'), undefined);
  assert.deepEqual(zipEntries(new Uint8Array(100)), []);
});

test('missing or wrong model files raise ModelError with the fix', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lacuna-yamnet-'));
  assert.throws(() => locateYamnet(path.join(dir, 'nope.tflite')), (e: Error) => e instanceof ModelError && /fetch:yamnet/.test(e.message) && /nope\.tflite/.test(e.message));
  const bogus = path.join(dir, 'bogus.tflite');
  fs.writeFileSync(bogus, Buffer.from('this is not a flatbuffer at all'));
  assert.throws(() => readYamnetFile(bogus), (e: Error) => e instanceof ModelError && /bogus\.tflite/.test(e.message) && /TFL3/.test(e.message));
  fs.writeFileSync(bogus, Buffer.alloc(0));
  assert.throws(() => readYamnetFile(bogus), /not a TFLite model/);
  fs.rmSync(dir, { recursive: true, force: true });
});
