import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../lib/engine';
import { DEFAULT_GAN, REFERENCE_GAN, generatorMacs, ganReconstructor, loadGan, readLossCurve, trainGan } from '../lib/reconstruct/gan';
import { buildDiscriminator, buildGenerator } from '../lib/reconstruct/gan/model';
import { makeOptimizers, trainStep } from '../lib/reconstruct/gan/step';
import { LinearBridge } from '../lib/reconstruct/gan/bridge';
import { drawBatch } from '../lib/reconstruct/gan/batches';
import { fitNormalization, normalize } from '../lib/reconstruct/gan/normalize';
import { readCheckpointState } from '../lib/reconstruct/gan/checkpoint';
import { Rng } from '../lib/util/rng';
import { TINY_MELS, tinyMelClips } from './support/gan-tiny';

const made: string[] = [];
const tmp = (name: string) => { const d = fs.mkdtempSync(path.join(os.tmpdir(), `lacuna-gan-${name}-`)); made.push(d); return d; };
after(() => { for (const d of made) fs.rmSync(d, { recursive: true, force: true }); });

before(async () => { await initEngine({ engine: 'wasm', quiet: true }); });

test('the reference generator costs what the issue says; the default at most a tenth of it', () => {
  // Issue 10: about 7 G multiply-adds per clip at 51 frames, 2.6 G of them in the 512→256 layer.
  const reference = generatorMacs(REFERENCE_GAN, 51);
  assert.ok(reference > 6e9 && reference < 7e9, `reference ${reference}`);
  assert.equal(51 * 16 * 512 * 24 * 256, 2_566_914_048);
  assert.ok(reference / generatorMacs(DEFAULT_GAN, 51) >= 10);
  assert.ok(reference / generatorMacs(DEFAULT_GAN, 26) >= 10);
});

test('generator shapes: a gap of w frames from w frames on each side, both presets', () => {
  for (const preset of [REFERENCE_GAN, DEFAULT_GAN]) {
    const g = buildGenerator(preset, { gapFrames: 5, nMels: 64 }, new Rng(1));
    const d = buildDiscriminator(preset, { gapFrames: 5, nMels: 64 }, new Rng(2));
    assert.deepEqual(g.outputs[0].shape, [null, 5, 64, 1]);
    assert.deepEqual(d.outputs[0].shape, [null, 1]);
    g.dispose(); d.dispose();
  }
});

test('a GAN train step lowers the loss on a fixed batch', () => {
  const clips = tinyMelClips(4, 24, 3);
  const norm = fitNormalization(clips);
  const data = clips.map((c) => ({ data: normalize(c.data, norm), frames: c.frames }));
  const batch = drawBatch(data, 4, TINY_MELS, 8, new Rng(4));
  const rng = new Rng(9);
  const shape = { gapFrames: 4, nMels: TINY_MELS };
  const nets = { generator: buildGenerator(DEFAULT_GAN, shape, rng), discriminator: buildDiscriminator(DEFAULT_GAN, shape, rng), ...makeOptimizers() };
  const first = trainStep(nets, batch);
  let last = first;
  for (let i = 0; i < 40; i++) last = trainStep(nets, batch);
  assert.ok(last.mae < 0.9 * first.mae, `MAE ${first.mae} → ${last.mae}`);
  assert.ok(last.g < first.g, `G loss ${first.g} → ${last.g}`);
  assert.ok(Number.isFinite(last.d) && last.d > 0);
  nets.generator.dispose(); nets.discriminator.dispose();
});

function killWhenStep(dir: string, atLeast: number): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'support', 'gan-train-child.ts'), dir], { stdio: 'ignore' });
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      const state = readCheckpointState(dir);
      if (state && state.step >= atLeast) { clearInterval(timer); child.kill('SIGKILL'); }
    }, 50);
    child.on('exit', (code, signal) => {
      clearInterval(timer);
      if (signal === 'SIGKILL') resolve(); else reject(new Error(`child exited on its own (code ${code})`));
    });
  });
}

const weightsOf = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));

test('a killed GAN training resumes from its checkpoint: same steps continue, weights loaded', async () => {
  const dir = tmp('resume');
  await killWhenStep(dir, 3);
  const saved = readCheckpointState(dir)!;
  assert.ok(saved.step >= 3);
  const options = { clips: tinyMelClips(6, 30, 5), gapFrames: 4, preset: 'default' as const, seed: 11, batchSize: 4, workers: 1, quiet: true };
  const resumed = await trainGan({ ...options, steps: saved.step + 2, checkpointDir: dir });
  assert.equal(resumed.step, saved.step + 2);
  assert.deepEqual(readLossCurve(dir).map((p) => p.step), Array.from({ length: saved.step + 2 }, (_, i) => i + 1));
  // An uninterrupted run of as many steps ends with the same weights only if the resumed one
  // loaded the checkpoint's weights and optimizer state and drew the same batches.
  const straight = await trainGan({ ...options, steps: saved.step + 2, checkpointDir: tmp('straight') });
  assert.deepEqual(weightsOf(resumed.generator), weightsOf(straight.generator));
  const loaded = await loadGan(dir);
  assert.equal(loaded.step, saved.step + 2);
  assert.deepEqual(weightsOf(loaded.generator), weightsOf(resumed.generator));
  // A different configuration never resumes someone else's checkpoint.
  await assert.rejects(trainGan({ ...options, seed: 12, steps: 1, checkpointDir: dir }), /different configuration.*seed/);
});

test('the GAN reconstructor writes only the gap frames and notes missing context', async () => {
  const clips = tinyMelClips(6, 30, 5);
  const model = await trainGan({ clips, gapFrames: 4, seed: 1, steps: 2, batchSize: 4, workers: 1, quiet: true, checkpointDir: tmp('repair') });
  const clip = clips[0];
  const gaps = [{ start: 160 * 10, length: 400 }, { start: 0, length: 320 }];
  const out = await ganReconstructor(model).repair({ corrupted: new Float32Array(30 * 160), sampleRate: 16000, gaps, melPower: clip });
  const touched = new Set([10, 11, 12, 0, 1, 2]);
  for (let f = 0; f < clip.frames; f++) {
    const a = clip.data.subarray(f * TINY_MELS, (f + 1) * TINY_MELS);
    const b = out.mel.data.subarray(f * TINY_MELS, (f + 1) * TINY_MELS);
    if (touched.has(f)) assert.notDeepEqual(Array.from(b), Array.from(a), `frame ${f} repaired`);
    else assert.deepEqual(Array.from(b), Array.from(a), `frame ${f} untouched`);
  }
  assert.ok(out.mel.data.every((v) => v >= 0 && Number.isFinite(v)));
  assert.equal(out.notes.length, 1);
  assert.match(out.notes[0], /gap at sample 0: 4 context frames lie outside the clip/);
  await assert.rejects(async () => ganReconstructor(model).repair({ corrupted: new Float32Array(30 * 160), sampleRate: 16000, gaps: [{ start: 0, length: 1600 }], melPower: clip }), /covers 11 frames/);
});

test('data-parallel training on two worker threads takes the same steps as training in this thread', async () => {
  const options = { clips: tinyMelClips(6, 30, 5), gapFrames: 4, preset: 'default' as const, seed: 3, batchSize: 6, steps: 3, quiet: true };
  const one = await trainGan({ ...options, workers: 1, checkpointDir: tmp('one') });
  const two = await trainGan({ ...options, workers: 2, checkpointDir: tmp('two') });
  assert.equal(two.replicas, 2);
  const a = weightsOf(one.generator).flat();
  const b = weightsOf(two.generator).flat();
  const worst = a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
  assert.ok(worst < 1e-5, `max weight difference ${worst}`);
  await assert.rejects(loadGan(tmp('none')), /holds no GAN checkpoint/);
});

test('the linear bridge is the straight line across the gap in log-mel', () => {
  const bridge = new LinearBridge({});
  const before = tf.tensor4d([0, 0, 0, 2, 1, 1], [1, 3, 2, 1]); // last frame before: [1, 1]
  const after = tf.tensor4d([5, 9, 0, 0, 0, 0], [1, 3, 2, 1]); // first frame after: [5, 9]
  const line = bridge.apply([before, after]) as tf.Tensor;
  assert.deepEqual(Array.from(line.dataSync()), [2, 3, 3, 5, 4, 7]);
  tf.dispose([before, after, line]);
});
