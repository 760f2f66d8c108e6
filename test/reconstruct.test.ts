import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Rng } from '../lib/util/rng';
import { ConfigMismatchError, ParameterError } from '../lib/util/errors';
import { readNpy } from '../lib/util/npy';
import { drawGaps, GapModel, clipRng } from '../lib/corrupt';
import type { Gap } from '../lib/corrupt';
import type { CachedDataset } from '../lib/types';
import { griffinLim, melPowerToMagnitude } from '../lib/audio/griffin-lim';
import { cholesky, choleskySolve } from '../lib/util/linalg';
import { fitAr, lsarFill } from '../lib/reconstruct/lsar';
import { arInpainting } from '../lib/reconstruct/ar';
import { readWav } from '../lib/audio/io';
import { sharedDir } from './support/yamnet';
import {
  createMethod, drawContextGap, evaluateReconstruction, frameMask, gapFrameCount, gapGeometry, gapSpan, melGapScores,
  melPowerOf, methodNames, registerMethod, repairRanges, runReconstruction, touchedFrames, waveformGapSnr, getMethod,
} from '../lib/reconstruct';
import type { RepairOutput } from '../lib/reconstruct';
import { RepairPool, closeRepairPool } from '../lib/reconstruct/pool';
import { foldDir } from '../lib/reconstruct/run';
import { corpusExemplar } from '../lib/reconstruct/corpus';
import { gapMask } from '../lib/corrupt/apply';
import { hannWindow } from '../lib/audio/filters';
import { fftOf, forEachFrameSpectrum, stftMagnitude } from '../lib/audio/spectral';

const SR = 16000;

/** Tones plus a little noise: predictable enough for AR, broadband enough for every mel band. */
function toneClip(length: number, seed = 1, noise = 0.05): Float32Array {
  const rng = new Rng(seed);
  const x = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    const t = i / SR;
    x[i] = Math.sin(2 * Math.PI * 220 * t) + 0.6 * Math.sin(2 * Math.PI * 1310 * t + 1) + 0.3 * Math.sin(2 * Math.PI * 3170 * t + 2) + noise * rng.normal();
  }
  return x;
}

function corrupt(clean: Float32Array, gaps: readonly Gap[]): Float32Array {
  const x = clean.slice();
  for (const g of gaps) x.fill(0, g.start, g.start + g.length);
  return x;
}

test('gap geometry: floor(L/160) + 1 frames, the reference table', () => {
  const table: [number, number][] = [[500, 4], [1000, 7], [2000, 13], [4000, 26], [8000, 51], [16000, 101], [20000, 126]];
  for (const [samples, frames] of table) {
    assert.equal(gapFrameCount(samples), frames, `${samples} samples`);
    const span = gapSpan({ start: 3210, length: samples });
    assert.equal(span.frameCount, frames);
    assert.equal(span.startFrame, 20);
  }
  assert.throws(() => gapFrameCount(0), ParameterError);
  const g = gapGeometry([{ start: 100, length: 500 }, { start: 9000, length: 20 }], 16000);
  assert.equal(g.spans.length, 2);
  assert.equal(g.mask.reduce((a, b) => a + b, 0), 520);
  assert.throws(() => gapGeometry([{ start: 15990, length: 20 }], 16000), ParameterError);
});

test('touched frames are exactly the frames whose mel changes when the gap is zeroed', () => {
  const clean = toneClip(16000, 2, 0.5);
  const cleanMel = melPowerOf(clean);
  for (const gap of [{ start: 0, length: 100 }, { start: 1234, length: 160 }, { start: 4800, length: 1 }, { start: 7000, length: 3000 }, { start: 15700, length: 300 }]) {
    const mel = melPowerOf(corrupt(clean, [gap]));
    const changed: number[] = [];
    for (let f = 0; f < mel.frames; f++) {
      let d = 0;
      for (let m = 0; m < mel.nMels; m++) d += Math.abs(mel.data[f * 64 + m] - cleanMel.data[f * 64 + m]);
      if (d > 0) changed.push(f);
    }
    const t = touchedFrames(gap, mel.frames);
    assert.deepEqual([changed[0], changed[changed.length - 1]], [t.first, t.last], JSON.stringify(gap));
    const span = gapSpan(gap);
    const r = repairRanges([gap], mel.frames)[0];
    assert.ok(r.first <= span.startFrame && r.last >= Math.min(mel.frames - 1, span.startFrame + span.frameCount - 1));
  }
});

test('the reference setting draws one gap with w frames of context each side', () => {
  const clip = 64000;
  const clipFrames = Math.floor((clip - 400) / 160) + 1;
  for (const L of [500, 1000, 2000, 4000, 8000, 16000, 20000]) {
    const rng = new Rng(L);
    for (let k = 0; k < 200; k++) {
      const gap = drawContextGap(clip, L, rng);
      const s = gapSpan(gap);
      assert.ok(s.startFrame >= s.frameCount, `context before, L=${L}`);
      assert.ok(s.startFrame + 2 * s.frameCount <= clipFrames, `context after, L=${L}`);
      assert.ok(gap.start + gap.length <= clip);
    }
  }
  assert.throws(() => drawContextGap(16000, 8000, new Rng(0)), /does not fit/);
});

const MODELS: GapModel[] = [
  { kind: 'single', gapSamples: 2000 },
  { kind: 'multiple', gapSamples: 4000 },
  { kind: 'packet-loss', lossRate: 0.1, meanBurstPackets: 2 },
];

test('every method changes only the gaps: samples (waveform) and repaired frames (mel)', async () => {
  const clean = toneClip(32000, 3);
  for (const model of MODELS) {
    const gaps = drawGaps(clean, SR, model, clipRng(5, model.kind));
    const corrupted = corrupt(clean, gaps);
    const geometry = gapGeometry(gaps, corrupted.length);
    const inputMel = melPowerOf(corrupted);
    for (const name of methodNames().filter((n) => getMethod(n).create)) { // the GAN: test/reconstruct-cli.test.ts
      const out: RepairOutput = await createMethod(name, { griffinLimIterations: 4 }).repair({ corrupted, sampleRate: SR, gaps });
      assert.equal(out.mel.frames, inputMel.frames);
      if (out.domain === 'mel') {
        const inside = frameMask(repairRanges(gaps, inputMel.frames), inputMel.frames);
        for (let f = 0; f < inputMel.frames; f++) {
          if (inside[f]) continue;
          for (let m = 0; m < 64; m++) assert.equal(out.mel.data[f * 64 + m], inputMel.data[f * 64 + m], `${name} ${model.kind}: frame ${f} outside the gaps changed`);
        }
      }
      assert.ok(out.waveform, `${name} gives a waveform`);
      let changedInside = 0;
      for (let i = 0; i < corrupted.length; i++) {
        if (!geometry.mask[i]) assert.equal(out.waveform[i], corrupted[i], `${name} ${model.kind}: sample ${i} outside the gaps changed`);
        else if (out.waveform[i] !== 0) changedInside++;
      }
      if (name !== 'zero') assert.ok(changedInside > 0, `${name} ${model.kind}: filled nothing`);
      for (const v of out.mel.data) assert.ok(Number.isFinite(v) && v >= 0);
    }
  }
});

test('exemplar\'s mel (its unrepaired frames from its own track\'s STFT) is melPowerOf of its waveform, bit for bit', async () => {
  const clean = toneClip(64000, 6);
  const edges: Gap[] = [{ start: 0, length: 900 }, { start: 30000, length: 5000 }, { start: 63500, length: 500 }];
  const cases = [...MODELS, { kind: 'single', gapSamples: 16000 } as GapModel].map((model) => drawGaps(clean, SR, model, clipRng(7, model.kind)));
  for (const gaps of [...cases, edges]) {
    const corrupted = corrupt(clean, gaps);
    for (const method of [createMethod('exemplar'), corpusExemplar([toneClip(64000, 8)])]) {
      const out = await method.repair({ corrupted, sampleRate: SR, gaps });
      const want = melPowerOf(out.waveform!);
      assert.equal(out.mel.frames, want.frames);
      assert.deepEqual(new Uint32Array(out.mel.data.buffer), new Uint32Array(want.data.buffer), `${method.name} ${JSON.stringify(gaps)}`);
    }
  }
});

test('banded LSAR equals the dense least-squares solution, also where equations are dropped at the edges', () => {
  const rng = new Rng(3);
  const N = 600;
  const p = 20;
  const x = new Float32Array(N);
  for (let i = 2; i < N; i++) x[i] = 1.6 * x[i - 1] - 0.9 * x[i - 2] + rng.normal();
  const a = fitAr(x, [{ start: 0, end: N }], p)!;
  assert.ok(Math.abs(a[0] - 1.6) < 0.1 && Math.abs(a[1] + 0.9) < 0.1, `AR(2) recovered: ${a[0]}, ${a[1]}`);
  const c = [1, ...Array.from(a, (v) => -v)];
  for (const [g0, g1] of [[250, 300], [0, 30], [580, 600], [10, 60]]) {
    const n = g1 - g0;
    const Q = new Float64Array(n * n);
    const b = new Float64Array(n);
    for (let t = p; t < N; t++) {
      const row = new Float64Array(n);
      let known = 0;
      for (let k = 0; k <= p; k++) {
        const s = t - k;
        if (s >= g0 && s < g1) row[s - g0] += c[k]; else known += c[k] * x[s];
      }
      for (let i = 0; i < n; i++) {
        b[i] -= row[i] * known;
        for (let j = 0; j < n; j++) Q[i * n + j] += row[i] * row[j];
      }
    }
    const rho0 = c.reduce((s, v) => s + v * v, 0);
    for (let i = 0; i < n; i++) Q[i * n + i] += 1e-6 * rho0 + 1e-12;
    const dense = choleskySolve(cholesky(Q, n), n, b, 1);
    for (const solver of ['schur', 'cholesky'] as const) {
      const y = corrupt(x, [{ start: g0, length: n }]);
      lsarFill(y, { start: g0, end: g1 }, a, undefined, solver);
      for (let i = 0; i < n; i++) assert.ok(Math.abs(dense[i] - y[g0 + i]) < 1e-4, `${solver}, gap [${g0}, ${g1}) sample ${i}: ${dense[i]} vs ${y[g0 + i]}`);
    }
  }
});

test('AR by Schur\'s Toeplitz solver gives the banded Cholesky\'s samples (to 1e-6 of the peak) on a real clip and on tones', () => {
  const meow = readWav(path.join(sharedDir(), 'audio', 'yamnet-examples', 'meow_16k.wav')).samples.subarray(16000, 48000);
  // Two-sided gaps, gaps at the clip's ends and gaps close enough that one is extrapolated.
  const layouts: Gap[][] = [
    [{ start: 12000, length: 4000 }],
    [{ start: 0, length: 700 }, { start: 6000, length: 1000 }, { start: 7100, length: 1000 }, { start: 32000 - 500, length: 500 }],
    [{ start: 100, length: 60 }, { start: 20000, length: 20 }],
  ];
  for (const [name, clean] of [['meow_16k.wav', meow], ['tones', toneClip(32000, 7, 0.01)]] as const) {
    for (const gaps of layouts) {
      const corrupted = corrupt(clean, gaps);
      const fast = arInpainting({}, 'schur').repair({ corrupted, sampleRate: SR, gaps }).waveform!;
      const reference = arInpainting({}, 'cholesky').repair({ corrupted, sampleRate: SR, gaps }).waveform!;
      const peak = Math.max(...reference.map(Math.abs));
      const worst = Math.max(...fast.map((v, i) => Math.abs(v - reference[i])));
      assert.ok(peak > 0 && worst <= 1e-6 * peak, `${name}, gaps ${JSON.stringify(gaps)}: max difference ${worst} of peak ${peak}`);
    }
  }
});

test('AR restores a sum of sinusoids across a 20 ms gap to > 20 dB SNR', async () => {
  const clean = toneClip(16000, 4, 0.01);
  const gap = { start: 7000, length: 320 };
  const corrupted = corrupt(clean, [gap]);
  const out = await createMethod('ar').repair({ corrupted, sampleRate: SR, gaps: [gap] });
  const snr = waveformGapSnr(clean, out.waveform!, gapGeometry([gap], clean.length).mask);
  assert.ok(snr > 20, `AR SNR ${snr.toFixed(1)} dB`);
  assert.deepEqual(out.notes, []);
  const zero = await createMethod('zero').repair({ corrupted, sampleRate: SR, gaps: [gap] });
  assert.equal(waveformGapSnr(clean, zero.waveform!, gapGeometry([gap], clean.length).mask), 0);
});

test('gaps at the clip edges are repaired and each method says what it did instead', async () => {
  const clean = toneClip(16000, 6, 0.01);
  for (const gap of [{ start: 0, length: 480 }, { start: 16000 - 480, length: 480 }]) {
    const corrupted = corrupt(clean, [gap]);
    const mask = gapGeometry([gap], clean.length).mask;
    // repeat copies the frames before a gap, so only the clip's start takes it off its usual path
    for (const name of gap.start === 0 ? ['ar', 'linear', 'repeat', 'exemplar'] : ['ar', 'linear', 'exemplar']) {
      const out = await createMethod(name, { griffinLimIterations: 4 }).repair({ corrupted, sampleRate: SR, gaps: [gap] });
      assert.ok(out.notes.length > 0 && /start|end|before|after/.test(out.notes.join(' ')), `${name} at ${gap.start}: notes ${JSON.stringify(out.notes)}`);
      for (const v of out.waveform!) assert.ok(Number.isFinite(v));
    }
    const ar = await createMethod('ar').repair({ corrupted, sampleRate: SR, gaps: [gap] });
    assert.ok(waveformGapSnr(clean, ar.waveform!, mask) > 3, 'one-sided AR still extrapolates the tones');
  }
  const whole = [{ start: 0, length: 16000 }];
  const out = await createMethod('linear', { griffinLimIterations: 0 }).repair({ corrupted: new Float32Array(16000), sampleRate: SR, gaps: whole });
  assert.match(out.notes.join(' '), /whole spectrogram/);
  assert.match((await createMethod('ar').repair({ corrupted: new Float32Array(16000), sampleRate: SR, gaps: whole })).notes.join(' '), /no context/);
  assert.match((await createMethod('exemplar').repair({ corrupted: new Float32Array(16000), sampleRate: SR, gaps: whole })).notes.join(' '), /left at zero/);
});

test('exemplar copies a periodic signal across a quarter-second gap to > 25 dB SNR, and keeps a texture\'s level', async () => {
  // 220, 1310 and 3170 Hz repeat every 1600 samples: an exact continuation exists elsewhere in the clip.
  const tones = toneClip(32000, 8, 0.01);
  const gap = { start: 12000, length: 4000 };
  const out = await createMethod('exemplar').repair({ corrupted: corrupt(tones, [gap]), sampleRate: SR, gaps: [gap] });
  const snr = waveformGapSnr(tones, out.waveform!, gapGeometry([gap], tones.length).mask);
  assert.ok(snr > 25, `exemplar SNR on a periodic signal ${snr.toFixed(1)} dB`);
  assert.deepEqual(out.notes, []);
  const again = await createMethod('exemplar').repair({ corrupted: corrupt(tones, [gap]), sampleRate: SR, gaps: [gap] });
  assert.deepEqual(again.waveform, out.waveform, 'deterministic');
  // Noise has no continuation to find, but what fills the gap is the same texture at the same level.
  const rng = new Rng(9);
  const noise = new Float32Array(32000);
  for (let i = 1; i < noise.length; i++) noise[i] = 0.9 * noise[i - 1] + 0.1 * rng.normal();
  const long = { start: 10000, length: 8000 };
  const filled = (await createMethod('exemplar').repair({ corrupted: corrupt(noise, [long]), sampleRate: SR, gaps: [long] })).waveform!;
  const rms = (x: Float32Array, a: number, b: number) => Math.sqrt(x.subarray(a, b).reduce((s, v) => s + v * v, 0) / (b - a));
  const ratioDb = 20 * Math.log10(rms(filled, long.start, long.start + long.length) / rms(noise, 0, long.start));
  assert.ok(Math.abs(ratioDb) < 3, `gap level vs context: ${ratioDb.toFixed(2)} dB`);
});

/**
 * Griffin–Lim as lacuna ran it before it skipped frames without unknowns and paired inverse FFTs:
 * every frame, one inverse FFT per frame, Math.hypot. The reference the faster loop must equal.
 */
function griffinLimReference(magnitude: Float32Array, frames: number, length: number, iterations: number, known?: { samples: Float32Array; mask: Uint8Array }): Float32Array {
  const bins = 257;
  const n = frames * bins;
  const window = hannWindow(400);
  const fft = fftOf(512);
  const inverse = (re: Float32Array, im: Float32Array) => {
    const full = new Float64Array(1024), time = new Float64Array(1024), acc = new Float64Array(length), norm = new Float64Array(length);
    for (let f = 0; f < frames; f++) {
      for (let k = 0; k < bins; k++) { full[2 * k] = re[f * bins + k]; full[2 * k + 1] = im[f * bins + k]; }
      for (let k = bins; k < 512; k++) { full[2 * k] = full[2 * (512 - k)]; full[2 * k + 1] = -full[2 * (512 - k) + 1]; }
      fft.inverseTransform(time, full);
      for (let i = 0; i < 400 && f * 160 + i < length; i++) { acc[f * 160 + i] += time[2 * i] * window[i]; norm[f * 160 + i] += window[i] ** 2; }
    }
    return Float32Array.from(acc, (v, i) => (norm[i] > 1e-8 ? v / norm[i] : 0));
  };
  const spectrum = (x: Float32Array) => {
    const re = new Float32Array(n), im = new Float32Array(n);
    forEachFrameSpectrum(x, {}, (f, s) => { if (f < frames) for (let k = 0; k < bins; k++) { re[f * bins + k] = s[2 * k]; im[f * bins + k] = s[2 * k + 1]; } });
    return { re, im };
  };
  let angle = known ? spectrum(known.samples) : (() => {
    const rng = new Rng(0);
    const phi = Array.from({ length: n }, () => 2 * Math.PI * rng.uniform());
    return { re: Float32Array.from(phi, Math.cos), im: Float32Array.from(phi, Math.sin) };
  })();
  const synth = () => {
    const re = new Float32Array(n), im = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const h = Math.hypot(angle.re[i], angle.im[i]);
      re[i] = h > 1e-16 ? (angle.re[i] * magnitude[i]) / h : magnitude[i];
      im[i] = h > 1e-16 ? (angle.im[i] * magnitude[i]) / h : 0;
    }
    const x = inverse(re, im);
    if (known) for (let i = 0; i < length; i++) if (!known.mask[i]) x[i] = known.samples[i];
    return x;
  };
  let prev: { re: Float32Array; im: Float32Array } | undefined;
  const beta = 0.99 / 1.99;
  for (let it = 0; it < iterations; it++) {
    const rebuilt = spectrum(synth());
    angle = { re: rebuilt.re.map((v, i) => v - (prev ? beta * prev.re[i] : 0)), im: rebuilt.im.map((v, i) => v - (prev ? beta * prev.im[i] : 0)) };
    prev = rebuilt;
  }
  return synth();
}

test('Griffin–Lim equals its frame-by-frame reference to float rounding, with known samples and without', () => {
  const clean = toneClip(9000, 5, 0.2);
  const frames = 1 + Math.floor((clean.length - 400) / 160);
  const length = (frames - 1) * 160 + 400;
  const magnitude = stftMagnitude(clean).data.slice(0, frames * 257);
  const mask = gapMask([{ start: 3000, length: 1500 }, { start: 6100, length: 70 }], length);
  const known = { samples: corrupt(clean, [{ start: 3000, length: 1500 }, { start: 6100, length: 70 }]).subarray(0, length), mask };
  for (const k of [known, undefined]) {
    const fast = griffinLim(magnitude, frames, { length, iterations: 8, known: k });
    const reference = griffinLimReference(magnitude, frames, length, 8, k);
    const peak = Math.max(...reference.map(Math.abs));
    const worst = Math.max(...fast.map((v, i) => Math.abs(v - reference[i])));
    assert.ok(worst <= 1e-5 * peak, `${k ? 'known samples' : 'random phase'}: max difference ${worst} of peak ${peak}`);
  }
});

test('Griffin–Lim of a clean clip\'s mel gives a clip whose mel is within 3 dB LSD (> 15 dB mel SNR)', () => {
  const clean = toneClip(16000, 7, 0.2);
  const mel = melPowerOf(clean);
  const audio = griffinLim(melPowerToMagnitude(mel), mel.frames, { length: (mel.frames - 1) * 160 + 400, iterations: 32, seed: 0 });
  const back = melPowerOf(audio.subarray(0, clean.length));
  const s = melGapScores(mel, back, new Uint8Array(mel.frames).fill(1));
  assert.ok(s.lsdDb < 3, `LSD ${s.lsdDb.toFixed(2)} dB`);
  assert.ok(s.melSnrDb > 15, `mel SNR ${s.melSnrDb.toFixed(1)} dB`);
});

test('metrics: identical is perfect, zero fill is 0 dB, silence has no SNR', () => {
  const clean = toneClip(4000, 8);
  const mask = new Uint8Array(4000).fill(1, 1000, 2000);
  assert.equal(waveformGapSnr(clean, clean, mask), Infinity);
  assert.equal(waveformGapSnr(clean, corrupt(clean, [{ start: 1000, length: 1000 }]), mask), 0);
  assert.ok(Number.isNaN(waveformGapSnr(new Float32Array(4000), clean, mask)));
  const mel = melPowerOf(clean);
  assert.equal(melGapScores(mel, mel, new Uint8Array(mel.frames).fill(1)).lsdDb, 0);
  assert.throws(() => createMethod('nope'), ParameterError);
  assert.throws(() => createMethod('ar').repair({ corrupted: clean, sampleRate: 8000, gaps: [] }), /16000/);
  assert.throws(() => createMethod('ar').repair({ corrupted: clean, sampleRate: SR, gaps: [{ start: 3990, length: 20 }] }), /inside the clip/);
});

function syntheticDataset(n: number, clipSamples: number): CachedDataset {
  const waveforms = new Float32Array(n * clipSamples);
  for (let c = 0; c < n; c++) waveforms.set(toneClip(clipSamples, 100 + c, 0.3), c * clipSamples);
  return {
    sampleRate: SR, clipSamples, waveforms, classNames: ['a', 'b'], name: 'recon-test', cacheDir: '/nowhere', fingerprint: 'test',
    clips: Array.from({ length: n }, (_, i) => ({ id: `clip-${i}`, classIndex: i % 2, className: i % 2 ? 'b' : 'a', fold: 1 + (i % 3) })),
  };
}

test('evaluation: a row per method and length, AR beats zero fill on tones', async () => {
  const dataset = syntheticDataset(4, 16000);
  dataset.waveforms.fill(0, 3 * 16000); // a silent clip has nothing to restore: left out
  const rows = await evaluateReconstruction({
    dataset, clipIndices: [0, 1, 2, 3], methods: [createMethod('zero'), createMethod('ar')], gapLengths: [160, 480], seed: 0, quiet: true,
  });
  assert.equal(rows.length, 4);
  assert.ok(rows.every((r) => r.clips === 3));
  const get = (m: string, l: number) => rows.find((r) => r.method === m && r.gap_samples === l)!;
  assert.equal(get('zero', 160).wave_snr_db, 0);
  assert.equal(get('ar', 480).gap_frames, 4);
  assert.ok(get('ar', 160).wave_snr_db > 6 && get('ar', 160).lsd_db < get('zero', 160).lsd_db);
});

test('reconstruct run: files per fold, resumes, refuses another configuration, trained methods never see their test fold', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lacuna-recon-'));
  const dataset = syntheticDataset(6, 16000);
  const gapModel: GapModel = { kind: 'single', gapSamples: 1000 };
  const first = await runReconstruction({ dataset, method: 'linear', methodOptions: { griffinLimIterations: 2 }, gapModel, seed: 1, root, quiet: true });
  assert.equal(first.folds.length, 3);
  const mel = readNpy(path.join(first.dir, 'fold-01', 'mel.npy'));
  assert.deepEqual(mel.shape, [2, melPowerOf(new Float32Array(16000)).frames, 64]);
  assert.deepEqual(readNpy(path.join(first.dir, 'fold-01', 'waveforms.npy')).shape, [2, 16000]);
  const again = await runReconstruction({ dataset, method: 'linear', methodOptions: { griffinLimIterations: 2 }, gapModel, seed: 1, root, quiet: true });
  assert.deepEqual(again.folds.map((f) => f.seconds), first.folds.map((f) => f.seconds), 'finished folds are not redone');
  await assert.rejects(runReconstruction({ dataset, method: 'linear', methodOptions: { griffinLimIterations: 5 }, gapModel, seed: 1, root, quiet: true }), ConfigMismatchError);
  // A default given by name (lacuna reconstruct) and left out (lacuna study) is the same configuration, both ways round.
  const implicit = await runReconstruction({ dataset, method: 'repeat', gapModel, seed: 1, root, quiet: true });
  const explicit = await runReconstruction({ dataset, method: 'repeat', methodOptions: { griffinLimIterations: 32 }, gapModel, seed: 1, root, quiet: true });
  assert.deepEqual(explicit.folds.map((f) => f.seconds), implicit.folds.map((f) => f.seconds), 'the explicit default reuses the run');
  fs.writeFileSync(path.join(implicit.dir, 'config.json'), fs.readFileSync(path.join(implicit.dir, 'config.json'), 'utf8').replace(/"griffinLimIterations": 32,?/, ''));
  await runReconstruction({ dataset, method: 'repeat', methodOptions: { griffinLimIterations: 32 }, gapModel, seed: 1, root, quiet: true });
  assert.equal(JSON.parse(fs.readFileSync(path.join(implicit.dir, 'config.json'), 'utf8')).parameters.griffinLimIterations, undefined, 'a record without the default is kept as it was');
  await assert.rejects(runReconstruction({ dataset, method: 'repeat', methodOptions: { griffinLimIterations: 4 }, gapModel, seed: 1, root, quiet: true }), ConfigMismatchError);
  const manifest = JSON.parse(fs.readFileSync(path.join(first.dir, 'manifest.json'), 'utf8'));
  assert.equal(manifest.complete, true);
  assert.equal(manifest.method, 'linear');

  // A trained method through the same seam: the mean log-mel of its training clips fills the gaps.
  const seen = new Map<number, string[]>();
  let trainings = 0;
  if (!methodNames().includes('mean-of-training')) {
    registerMethod({
      name: 'mean-of-training', domain: 'mel', summary: 'test: mean training spectrum',
      async train(context) {
        trainings++;
        const rows = context.dataset.clips.flatMap((c, i) => (context.trainFolds.includes(c.fold) ? [i] : []));
        const ids = rows.map((r) => context.dataset.clips[r].id);
        const mean = new Float32Array(64);
        for (const r of rows) {
          const m = melPowerOf(context.dataset.waveforms.subarray(r * 16000, (r + 1) * 16000));
          for (let i = 0; i < m.data.length; i++) mean[i % 64] += m.data[i] / (m.frames * rows.length);
        }
        const base = createMethod('linear', { griffinLimIterations: 0 });
        return {
          model: { clips: ids.length },
          reconstructor: {
            name: 'mean-of-training', domain: 'mel',
            async repair(input) {
              const out = await base.repair(input);
              for (const r of repairRanges(input.gaps, out.mel.frames)) for (let f = r.first; f <= r.last; f++) out.mel.data.set(mean, f * 64);
              seen.set(input.gaps[0].start, ids);
              return { ...out, waveform: undefined };
            },
          },
        };
      },
    });
  }
  assert.ok(getMethod('mean-of-training').train);
  const trained = await runReconstruction({ dataset, method: 'mean-of-training', gapModel, seed: 1, root, quiet: true, foldScheme: 'per-fold' });
  assert.equal(trainings, 3, 'per-fold: one model per test fold');
  for (const f of trained.folds) {
    assert.ok(f.trainFolds && !f.trainFolds.includes(f.testFold), `fold ${f.testFold} trained on ${f.trainFolds}`);
    assert.equal(f.model?.clips, 4);
    assert.equal(f.modelId, `fold-0${f.testFold}`);
  }
  // The default scheme, cross-fit, trains two models and reuses each for every fold it repairs.
  const crossRoot = path.join(root, 'cross');
  const cross = await runReconstruction({ dataset, method: 'mean-of-training', gapModel, seed: 1, root: crossRoot, quiet: true });
  assert.equal(trainings, 5);
  assert.deepEqual(cross.folds.map((f) => [f.testFold, f.modelId, f.trainFolds]), [[1, 'half-b', [3]], [2, 'half-b', [3]], [3, 'half-a', [1, 2]]]);
  await assert.rejects(runReconstruction({ dataset, method: 'mean-of-training', gapModel, seed: 1, root: crossRoot, quiet: true, foldScheme: 'per-fold' }), ConfigMismatchError,
    'models of another fold scheme never mix into a run');
  const testIds = new Set(dataset.clips.map((c) => c.id));
  for (const ids of seen.values()) assert.ok(ids.every((id) => testIds.has(id)));
  for (const f of trained.folds) {
    const repairedIds = dataset.clips.filter((c) => c.fold === f.testFold).map((c) => c.id);
    const trainedOn = dataset.clips.filter((c) => f.trainFolds!.includes(c.fold)).map((c) => c.id);
    assert.ok(repairedIds.every((id) => !trainedOn.includes(id)), `a fold-${f.testFold} clip was in the training set of its model`);
  }
  assert.ok(!fs.existsSync(path.join(trained.dir, 'fold-01', 'waveforms.npy')));
  fs.rmSync(root, { recursive: true, force: true });
});

test('every core: repairs made by worker threads are the bytes the calling thread makes, files in clip order', async () => {
  const dataset = syntheticDataset(12, 16000);
  const gapModel: GapModel = { kind: 'multiple', gapSamples: 2000 };
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lacuna-recon-pool-'));
  const saved = process.env.LACUNA_WORKERS;
  const errors: string[] = [];
  const error = console.error;
  console.error = (...a: unknown[]) => { errors.push(a.join(' ')); };
  try {
    const pool = await RepairPool.start(createMethod('exemplar').recipe!, 'waveform', 2);
    assert.equal(pool.size, 2);
    const input = { corrupted: corrupt(toneClip(16000, 7, 0.3), [{ start: 5000, length: 3000 }]), sampleRate: SR, gaps: [{ start: 5000, length: 3000 }] };
    const [inThread, inWorker] = [await createMethod('exemplar').repair(input), await pool.repair(input)];
    assert.deepEqual(Buffer.from(inWorker.waveform!.buffer), Buffer.from(inThread.waveform!.buffer));
    assert.deepEqual(inWorker.notes, inThread.notes);
    await pool.close();
    await assert.rejects(pool.repair(input), /closed/);

    for (const method of ['exemplar', 'linear', 'corpus-exemplar']) {
      const files: Record<string, Buffer[]> = {};
      for (const workers of ['1', '2']) {
        process.env.LACUNA_WORKERS = workers;
        const run = await runReconstruction({ dataset, method, methodOptions: method === 'linear' ? { griffinLimIterations: 2 } : {}, gapModel, seed: 3, root: path.join(root, workers), quiet: true });
        files[workers] = run.folds.flatMap((f) => f.files.map((name) => fs.readFileSync(path.join(foldDir(run.dir, f.testFold), name))));
      }
      assert.equal(files['1'].length, 9);
      files['1'].forEach((b, i) => assert.ok(b.equals(files['2'][i]), `${method}: file ${i} differs between 1 and 2 threads`));
    }
    assert.deepEqual(errors, [], 'the threads started (no fallback to this thread)');
  } finally {
    console.error = error;
    if (saved === undefined) delete process.env.LACUNA_WORKERS; else process.env.LACUNA_WORKERS = saved;
    await closeRepairPool();
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('corpus exemplar: a lone event with no like stretch of its own is continued from a corpus clip, and the clip\'s own audio wins ties', async () => {
  const rng = new Rng(5);
  const n = 32000;
  const tone = (i: number) => Math.sin((2 * Math.PI * 700 * i) / SR) + 0.6 * Math.sin((2 * Math.PI * 1900 * i) / SR + 1);
  const clean = Float32Array.from({ length: n }, (_, i) => (i >= 8000 && i < 14800 ? tone(i) : 0) + 0.01 * rng.normal());
  const noise = Float32Array.from({ length: n }, () => 0.02 * rng.normal());
  const toneClip = Float32Array.from({ length: n }, (_, i) => tone(i + 123) + 0.01 * rng.normal());
  const gap = { start: 10000, length: 3200 };
  const input = { corrupted: corrupt(clean, [gap]), sampleRate: SR, gaps: [gap] };
  const mask = gapMask([gap], n);
  const own = (await createMethod('exemplar').repair(input)).waveform!;
  const nearestOnly = (await corpusExemplar([noise, toneClip], 1).repair(input)).waveform!;
  const both = await corpusExemplar([noise, toneClip], 2).repair(input);
  assert.deepEqual(nearestOnly, own, 'a corpus clip that matches no better leaves the fill as exemplar makes it');
  assert.ok(waveformGapSnr(clean, own, mask) < 5);
  assert.ok(waveformGapSnr(clean, both.waveform!, mask) > 25, 'the tone clip of the corpus continues the tone');
  assert.equal(both.waveform!.subarray(0, gap.start).every((v, i) => v === input.corrupted[i]), true, 'known samples untouched');
});
