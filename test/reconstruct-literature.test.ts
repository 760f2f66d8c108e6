import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../lib/util/rng';
import { symmetricEigenvalues } from '../lib/util/linalg';
import { frechetDistance } from '../lib/reconstruct/frechet';
import { stftLogSpectralDistance } from '../lib/reconstruct/metrics';
import { createMethod } from '../lib/reconstruct';
import { LITERATURE_GAP_MS, PUBLISHED_INPAINTING_SCORES, literatureScores } from '../lib/reconstruct/literature';
import { initEngine } from '../lib/engine';
import { loadYamnet } from '../lib/models/yamnet/model';
import type { CachedDataset } from '../lib/types';
import { yamnetPath } from './support/yamnet';

const sorted = (a: Float64Array) => [...a].sort((x, y) => x - y);

test('symmetric eigenvalues: the ring Laplacian\'s 2 − 2cos(2πk/n), and trace and Frobenius norm of a random Gram matrix', () => {
  const n = 9;
  const ring = new Float64Array(n * n);
  for (let i = 0; i < n; i++) { ring[i * n + i] = 2; ring[i * n + ((i + 1) % n)] = -1; ring[i * n + ((i + n - 1) % n)] = -1; }
  const expected = Array.from({ length: n }, (_, k) => 2 - 2 * Math.cos((2 * Math.PI * k) / n)).sort((x, y) => x - y);
  sorted(symmetricEigenvalues(ring, n)).forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-12, `${v} vs ${expected[i]}`));
  const rng = new Rng(4);
  const m = 30;
  const b = Float64Array.from({ length: m * 7 }, () => rng.normal());
  const g = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) for (let k = 0; k < 7; k++) g[i * m + j] += b[i * 7 + k] * b[j * 7 + k];
  const ev = symmetricEigenvalues(g, m);
  let trace = 0; let frob = 0;
  for (let i = 0; i < m; i++) trace += g[i * m + i];
  for (const v of g) frob += v * v;
  assert.ok(Math.abs(ev.reduce((s, v) => s + v, 0) - trace) < 1e-9 * trace);
  assert.ok(Math.abs(ev.reduce((s, v) => s + v * v, 0) - frob) < 1e-9 * frob);
  assert.equal(sorted(ev).filter((v) => Math.abs(v) > 1e-9 * trace).length, 7, 'rank 7');
});

test('Fréchet distance: 0 for the same set, |shift|² for a shifted one, tr Σ for one scaled by 2, the 1-D closed form', () => {
  const rng = new Rng(1);
  const dim = 40;
  const rows = 25; // fewer rows than dimensions: the rank-deficient case FAD meets
  const a = Float32Array.from({ length: rows * dim }, () => rng.normal());
  assert.ok(frechetDistance(a, a, dim) < 1e-6);
  const twice = new Float32Array([...a, ...a]); // repeated rows, as the patches a gap does not touch are
  assert.ok(frechetDistance(twice, twice, dim) < 1e-6);
  const shifted = a.map((v, i) => v + (i % dim === 3 ? 2 : 0));
  assert.ok(Math.abs(frechetDistance(a, shifted, dim) - 4) < 1e-6);
  const mean = new Float64Array(dim);
  for (let i = 0; i < a.length; i++) mean[i % dim] += a[i] / rows;
  let trace = 0;
  for (let i = 0; i < a.length; i++) trace += (a[i] - mean[i % dim]) ** 2 / (rows - 1);
  const scaled = a.map((v, i) => mean[i % dim] + 2 * (v - mean[i % dim]));
  assert.ok(Math.abs(frechetDistance(a, scaled, dim) - trace) < 1e-6 * trace);
  const x = Float32Array.from({ length: 200 }, () => rng.normal());
  const y = Float32Array.from({ length: 300 }, () => 1 + 3 * rng.normal());
  const stats = (v: Float32Array) => { const m = v.reduce((s, t) => s + t, 0) / v.length; return [m, Math.sqrt(v.reduce((s, t) => s + (t - m) ** 2, 0) / (v.length - 1))]; };
  const [mx, sx] = stats(x); const [my, sy] = stats(y);
  assert.ok(Math.abs(frechetDistance(x, y, 1) - ((mx - my) ** 2 + (sx - sy) ** 2)) < 1e-6);
  assert.throws(() => frechetDistance(a, a.subarray(0, dim), dim), /needs >= 2/);
});

test('STFT log-spectral distance: 0 when identical; zero fill scores higher inside the gap than over the clip', () => {
  const rng = new Rng(2);
  const clean = Float32Array.from({ length: 16000 }, (_, i) => Math.sin(i / 7) + 0.2 * rng.normal());
  const gap = { start: 6000, length: 2400 };
  assert.deepEqual(stftLogSpectralDistance(clean, clean, [gap]), { gap: 0, clip: 0 });
  const zeroed = clean.slice();
  zeroed.fill(0, gap.start, gap.start + gap.length);
  const lsd = stftLogSpectralDistance(clean, zeroed, [gap]);
  assert.ok(lsd.gap > 2 && lsd.clip > 0 && lsd.clip < lsd.gap / 2, JSON.stringify(lsd));
});

test('published figures: every entry says where its setting differs; the literature\'s lengths', () => {
  assert.deepEqual([...LITERATURE_GAP_MS], [64, 150, 300, 1000]);
  assert.ok(PUBLISHED_INPAINTING_SCORES.length >= 20);
  for (const p of PUBLISHED_INPAINTING_SCORES) assert.ok(p.differs.length > 20 && Number.isFinite(p.value) && p.gap_ms > 0);
  const lsd = (m: string, ms: number) => PUBLISHED_INPAINTING_SCORES.find((p) => p.method === m && p.gap_ms === ms && p.metric === 'LSD')!.value;
  assert.equal(lsd('zero fill', 300), 1.162);
});

const MODEL = yamnetPath();
test('literature scores with YAMNet\'s FAD: a row per method and length, AR beats zero fill at 64 ms, zero fill\'s FAD grows with the gap', { skip: MODEL ? false : 'YAMNet model not found' }, async () => {
  await initEngine({ engine: 'wasm', quiet: true });
  const yamnet = loadYamnet({ path: MODEL! });
  const n = 4;
  const len = 64000;
  const rng = new Rng(3);
  const waveforms = new Float32Array(n * len);
  for (let c = 0; c < n; c++) for (let i = 0; i < len; i++) waveforms[c * len + i] = Math.sin((2 * Math.PI * (300 + 170 * c) * i) / 16000) * (0.6 + 0.4 * Math.sin(i / 3000)) + 0.05 * rng.normal();
  const dataset: CachedDataset = {
    sampleRate: 16000, clipSamples: len, waveforms, classNames: ['a'], name: 'lit-test', cacheDir: '/nowhere', fingerprint: 'test',
    clips: Array.from({ length: n }, (_, i) => ({ id: `c${i}`, classIndex: 0, className: 'a', fold: 1 })),
  };
  const rows = await literatureScores({ dataset, clipIndices: [0, 1, 2, 3], methods: [createMethod('zero'), createMethod('ar')], gapMs: [64, 1000], seed: 0, yamnet, quiet: true });
  assert.equal(rows.length, 4);
  const get = (m: string, ms: number) => rows.find((r) => r.method === m && r.gap_ms === ms)!;
  for (const r of rows) assert.ok(r.clips === 4 && r.fad_embeddings === 32 && r.fad_yamnet >= 0 && Number.isFinite(r.lsd_gap), JSON.stringify(r));
  assert.equal(get('zero', 64).gap_samples, 1024);
  assert.equal(get('zero', 64).snr_db, 0);
  assert.ok(get('ar', 64).snr_db > 10 && get('ar', 64).lsd_gap < get('zero', 64).lsd_gap);
  assert.ok(get('zero', 1000).fad_yamnet > get('zero', 64).fad_yamnet, JSON.stringify(rows));
});
