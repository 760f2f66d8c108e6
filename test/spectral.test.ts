import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { hannWindow, melFilterbank, hzToMel, melToHz } from '../lib/audio/filters';
import { forEachFrameSpectrum, frame, logMelSpectrogram, melSpectrogram, padForPatches, paddedLength, patches, stftMagnitude } from '../lib/audio/spectral';
import { parseTflite } from '../lib/models/yamnet/tflite';
import { readFileFrontend, patchCount, waveformToPatches } from '../lib/models/yamnet/frontend';
import { ParameterError } from '../lib/util/errors';
import { Rng } from '../lib/util/rng';
import { yamnetPath } from './support/yamnet';

const MODEL = yamnetPath();
const fileFrontend = MODEL ? readFileFrontend(parseTflite(new Uint8Array(fs.readFileSync(MODEL)), MODEL), MODEL) : undefined;

function noise(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => 0.3 * rng.normal());
}

test('Hann window equals the window stored in the YAMNet TFLite file', { skip: !fileFrontend && 'YAMNet model not found' }, () => {
  const w = hannWindow(400);
  assert.equal(fileFrontend!.window.length, 400);
  for (let i = 0; i < 400; i++) assert.ok(Math.abs(w[i] - fileFrontend!.window[i]) < 1e-5, `window[${i}] ${w[i]} vs ${fileFrontend!.window[i]}`);
  assert.equal(w[0], 0);
  assert.equal(w[200], 1); // periodic: peak at N/2, not symmetric
  assert.notEqual(hannWindow(400, { periodic: false })[399], w[399]);
  assert.equal(hannWindow(400), w, 'memoised');
});

test('mel filterbank equals the mel matrix stored in the YAMNet TFLite file', { skip: !fileFrontend && 'YAMNet model not found' }, () => {
  const bank = melFilterbank();
  assert.equal(bank.bins, 257);
  assert.equal(bank.nMels, 64);
  let maxDiff = 0;
  for (let i = 0; i < bank.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(bank.data[i] - fileFrontend!.melMatrix[i]));
  assert.ok(maxDiff < 1e-5, `max difference ${maxDiff}`);
  for (let m = 0; m < 64; m++) for (let b = 0; b < 257; b++) {
    if (b < bank.start[m] || b >= bank.end[m]) assert.equal(bank.data[b * 64 + m], 0, `band ${m} bin ${b} outside its range`);
  }
  assert.equal(melFilterbank(), bank, 'memoised');
});

test('HTK mel formula round-trips and is 1000 mel near 1000 Hz', () => {
  assert.ok(Math.abs(hzToMel(1000) - 999.99) < 0.1);
  for (const hz of [0, 125, 440, 7500]) assert.ok(Math.abs(melToHz(hzToMel(hz)) - hz) < 1e-9);
});

test('STFT magnitude equals a direct DFT of Hann-windowed frames, and a sine peaks at its bin', () => {
  const x = noise(1200, 1);
  const s = stftMagnitude(x);
  assert.equal(s.frames, 1 + Math.floor((1200 - 400) / 160));
  const w = hannWindow(400);
  for (const f of [0, s.frames - 1]) for (const k of [0, 1, 37, 128, 256]) {
    let re = 0; let im = 0;
    for (let n = 0; n < 400; n++) { const v = x[f * 160 + n] * w[n]; re += v * Math.cos((2 * Math.PI * k * n) / 512); im -= v * Math.sin((2 * Math.PI * k * n) / 512); }
    assert.ok(Math.abs(Math.hypot(re, im) - s.data[f * 257 + k]) < 1e-4, `frame ${f} bin ${k}`);
  }
  const sine = Float32Array.from({ length: 16000 }, (_, i) => Math.sin((2 * Math.PI * 1000 * i) / 16000));
  const m = stftMagnitude(sine);
  const row = Array.from(m.data.subarray(5 * 257, 6 * 257));
  assert.equal(row.indexOf(Math.max(...row)), 32); // 1000 Hz * 512 / 16000
});

test('log-mel of lacuna equals the log-mel computed with the file\'s own window and mel matrix', { skip: !fileFrontend && 'YAMNet model not found' }, () => {
  const x = noise(15600, 2);
  const ours = logMelSpectrogram(x);
  assert.equal(ours.frames, 96);
  assert.equal(ours.nMels, 64);
  const fe = fileFrontend!;
  const [before] = fe.fftPadding;
  let maxDiff = 0;
  for (const f of [0, 17, 95]) {
    const mag = new Float64Array(257);
    for (let k = 0; k < 257; k++) {
      let re = 0; let im = 0;
      for (let n = 0; n < 400; n++) {
        const v = x[f * 160 + n] * fe.window[n];
        const ph = (2 * Math.PI * k * (n + before)) / 512;
        re += v * Math.cos(ph); im -= v * Math.sin(ph);
      }
      mag[k] = Math.hypot(re, im);
    }
    for (let m = 0; m < 64; m++) {
      let acc = 0;
      for (let k = 0; k < 257; k++) acc += mag[k] * fe.melMatrix[k * 64 + m];
      maxDiff = Math.max(maxDiff, Math.abs(Math.log(acc + fe.logOffset) - ours.data[f * 64 + m]));
    }
  }
  assert.ok(maxDiff < 1e-4, `max log-mel difference ${maxDiff}`);
});

test('STFT magnitude: frames of zeros (padding, inside a gap) are the bits of their FFT\'s magnitude, +0', () => {
  const rng = new Rng(4);
  const x = padForPatches(Float32Array.from({ length: 20000 }, () => rng.normal()));
  x.fill(0, 3000, 9000);
  x.fill(-0, 5000, 6000);
  const got = stftMagnitude(x);
  // Every frame through the FFT, as before silent frames were skipped.
  const want = new Float32Array(got.data.length);
  forEachFrameSpectrum(x, {}, (f, s, bins) => {
    for (let k = 0; k < bins; k++) want[f * bins + k] = Math.sqrt(s[2 * k] * s[2 * k] + s[2 * k + 1] * s[2 * k + 1]);
  });
  assert.deepEqual(new Uint32Array(got.data.buffer), new Uint32Array(want.buffer));
  let silent = 0;
  for (let f = 0; f < got.frames; f++) if (got.data.subarray(f * got.bins, (f + 1) * got.bins).every((v) => Object.is(v, 0))) silent++;
  assert.ok(silent > 30, `${silent} silent frames`);
});

test('power mel spectrogram squares the magnitude before the filterbank', () => {
  const x = noise(4000, 3);
  const mag = stftMagnitude(x);
  const pow = melSpectrogram(x, { power: true });
  const bank = melFilterbank();
  let expected = 0;
  for (let b = 0; b < 257; b++) expected += mag.data[3 * 257 + b] ** 2 * bank.data[b * 64 + 10];
  assert.ok(Math.abs(pow.data[3 * 64 + 10] - expected) < 1e-4 * Math.max(1, expected));
  assert.ok(melSpectrogram(x).data[3 * 64 + 10] !== pow.data[3 * 64 + 10]);
});

test('YAMNet padding: 4 s gives 69360 samples, 432 frames and 8 patches; 0.975 s gives one', () => {
  assert.equal(paddedLength(64000), 69360);
  assert.equal(paddedLength(15600), 15600);
  assert.equal(paddedLength(100), 15600);
  assert.equal(paddedLength(15601), 15600 + 7680);
  assert.equal(patchCount(64000), 8);
  assert.equal(patchCount(15600), 1);
  const x = noise(64000, 4);
  const padded = padForPatches(x);
  assert.equal(padded.length, 69360);
  assert.deepEqual(padded.subarray(0, 64000), x);
  assert.ok(padded.subarray(64000).every((v) => v === 0));
  const spec = logMelSpectrogram(padded);
  assert.equal(spec.frames, 432);
  const p = waveformToPatches(x);
  assert.equal(p.patches, 8);
  // Patch 1 starts 48 frames into the spectrogram.
  assert.deepEqual(p.data.subarray(96 * 64, 96 * 64 + 64), spec.data.subarray(48 * 64, 49 * 64));
});

test('frame and patches keep only whole frames', () => {
  const x = Float32Array.from({ length: 10 }, (_, i) => i);
  const f = frame(x, 4, 3);
  assert.equal(f.frames, 3);
  assert.deepEqual(Array.from(f.data.subarray(4, 8)), [3, 4, 5, 6]);
  assert.equal(frame(x, 11, 1).frames, 0);
  const p = patches({ data: new Float32Array(100 * 2), frames: 100, nMels: 2 }, { patchFrames: 96, patchHop: 48 });
  assert.equal(p.patches, 1);
});

test('bad parameters raise ParameterError naming the parameter', () => {
  assert.throws(() => stftMagnitude(new Float32Array(1000), { fftLength: 500 }), (e: Error) => e instanceof ParameterError && /fftLength/.test(e.message));
  assert.throws(() => stftMagnitude(new Float32Array(1000), { windowLength: 600 }), /windowLength/);
  assert.throws(() => stftMagnitude(new Float32Array(1000), { hopLength: 0 }), /hopLength/);
  assert.throws(() => melFilterbank({ fMax: 9000 }), /fMax/);
  assert.throws(() => logMelSpectrogram(new Float32Array(1000), { logOffset: 0 }), /logOffset/);
  assert.throws(() => stftMagnitude([1, 2, 3] as unknown as Float32Array), /Float32Array/);
});
