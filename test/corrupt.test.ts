import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../lib/util/rng';
import { ParameterError } from '../lib/util/errors';
import {
  GapModel, MULTIPLE_ZONES, clipRng, corruptClip, corruptDataset, drawGaps, gapModelLabel, maskedCount, packetSamples,
} from '../lib/corrupt';
import type { CachedDataset } from '../lib/types';

function noiseClip(rng: Rng, length: number, paddedFrom = length): Float32Array {
  const x = new Float32Array(length);
  for (let i = 0; i < paddedFrom; i++) x[i] = rng.normal() || 1e-3;
  return x;
}

function tinyDataset(n: number, clipSamples: number, seed = 1): CachedDataset {
  const rng = new Rng(seed);
  const waveforms = new Float32Array(n * clipSamples);
  for (let i = 0; i < waveforms.length; i++) waveforms[i] = rng.normal() || 1e-3;
  return {
    sampleRate: 8000, clipSamples, waveforms, classNames: ['a', 'b'], cacheDir: '/nowhere', fingerprint: 'test',
    clips: Array.from({ length: n }, (_, i) => ({ id: `clip-${i}`, classIndex: i % 2, className: i % 2 ? 'b' : 'a', fold: 1 + (i % 3) })),
  };
}

test('single and multiple masks cover exactly the requested samples and stay inside the clip', () => {
  const rng = new Rng(3);
  for (const len of [32000, 8000, 3001]) {
    for (const gapSamples of [1, 250, 501, 1000, 2000, 4000, 8000].filter((g) => g <= len / 4)) {
      for (const kind of ['single', 'multiple'] as const) {
        if (kind === 'multiple' && gapSamples < 4) continue;
        for (let trial = 0; trial < 30; trial++) {
          const clip = noiseClip(rng, len);
          const { mask, gaps, samples } = corruptClip(clip, 8000, { kind, gapSamples }, rng.fork(trial));
          assert.equal(maskedCount(mask), gapSamples, `${kind} ${gapSamples} of ${len}`);
          for (const g of gaps) assert.ok(g.start >= 0 && g.start + g.length <= len, `gap ${JSON.stringify(g)} outside ${len}`);
          for (let i = 0; i < len; i++) assert.equal(samples[i], mask[i] ? 0 : clip[i]);
        }
      }
    }
  }
});

test('single gap starts follow the reference ranges, including the re-draw on padding', () => {
  const len = 32000;
  const rng = new Rng(5);
  let maxStart = 0;
  for (let t = 0; t < 400; t++) {
    const [g] = drawGaps(noiseClip(rng, len), 8000, { kind: 'single', gapSamples: 1000 }, rng);
    maxStart = Math.max(maxStart, g.start);
    assert.ok(g.start <= Math.floor(len / 1.3));
  }
  assert.ok(maxStart > len / 1.3 - 1500, `starts should reach close to len/1.3, max ${maxStart}`);
  // A clip padded after len/8: any first draw past that lands in silence and must be re-drawn in [0, len/6].
  let redrawn = 0;
  for (let t = 0; t < 400; t++) {
    const clip = noiseClip(rng, len, len / 8);
    const [g] = drawGaps(clip, 8000, { kind: 'single', gapSamples: 500 }, rng);
    assert.ok(g.start < len / 8 || g.start <= len / 6, `start ${g.start} in padding outside the re-draw range`);
    if (g.start >= len / 8) redrawn++;
  }
  assert.ok(redrawn > 0, 're-drawn starts in [len/8, len/6] should occur');
});

test('multiple fragments start one per zone with width/4 each', () => {
  const len = 32000;
  const rng = new Rng(9);
  for (let t = 0; t < 200; t++) {
    const gaps = drawGaps(noiseClip(rng, len), 8000, { kind: 'multiple', gapSamples: 2002 }, rng);
    assert.deepEqual(gaps.map((g) => g.length), [501, 501, 500, 500]);
    gaps.forEach((g, i) => {
      const [lo, hi] = MULTIPLE_ZONES[i];
      assert.ok(g.start >= Math.floor(len * lo) && g.start <= Math.floor(len * hi), `fragment ${i} start ${g.start}`);
    });
  }
});

test('packet loss reaches the requested loss rate and burst length over many clips', () => {
  const len = 32000;
  const size = packetSamples(8000);
  assert.equal(size, 160);
  for (const [lossRate, meanBurstPackets] of [[0.1, 1], [0.2, 4], [0.05, 3]]) {
    const model: GapModel = { kind: 'packet-loss', lossRate, meanBurstPackets };
    let lost = 0;
    let total = 0;
    const bursts: number[] = [];
    const clip = new Float32Array(len).fill(0.5);
    for (let c = 0; c < 300; c++) {
      const { mask, gaps } = corruptClip(clip, 8000, model, clipRng(11, `c${c}`));
      lost += maskedCount(mask);
      total += len;
      for (const g of gaps) {
        assert.equal(g.start % size, 0, 'gaps start on packet boundaries');
        if (g.start > 0 && g.start + g.length < len) bursts.push(g.length / size);
      }
    }
    const rate = lost / total;
    assert.ok(Math.abs(rate - lossRate) < 0.15 * lossRate + 0.005, `loss rate ${rate} vs ${lossRate}`);
    const meanBurst = bursts.reduce((a, b) => a + b, 0) / bursts.length;
    assert.ok(Math.abs(meanBurst - meanBurstPackets) < 0.15 * meanBurstPackets, `burst ${meanBurst} vs ${meanBurstPackets}`);
  }
});

test('input is never mutated and the same seed gives the same gaps', () => {
  const rng = new Rng(2);
  const clip = noiseClip(rng, 8000);
  const before = clip.slice();
  const models: GapModel[] = [
    { kind: 'single', gapSamples: 700 }, { kind: 'multiple', gapSamples: 1000 },
    { kind: 'packet-loss', lossRate: 0.3, meanBurstPackets: 2 },
  ];
  for (const model of models) {
    const a = corruptClip(clip, 8000, model, clipRng(42, 'x'));
    const b = corruptClip(clip, 8000, model, clipRng(42, 'x'));
    const c = corruptClip(clip, 8000, model, clipRng(43, 'x'));
    assert.deepEqual(clip, before);
    assert.deepEqual(a.gaps, b.gaps);
    assert.deepEqual(a.samples, b.samples);
    assert.notDeepEqual(a.gaps, c.gaps, `${gapModelLabel(model)}: another seed should move the gaps`);
  }
});

test('corruptDataset: per-clip gaps do not depend on dataset order, input untouched', () => {
  const ds = tinyDataset(12, 4000);
  const original = ds.waveforms.slice();
  const model: GapModel = { kind: 'single', gapSamples: 300 };
  const a = corruptDataset(ds, model, 7);
  assert.deepEqual(ds.waveforms, original);
  assert.deepEqual([...a.missingPerClip], new Array(12).fill(300));
  // Reverse the clip order: every clip must carry the same corrupted samples.
  const reversed: CachedDataset = { ...ds, clips: ds.clips.slice().reverse(), waveforms: new Float32Array(ds.waveforms.length) };
  for (let i = 0; i < 12; i++) reversed.waveforms.set(ds.waveforms.subarray((11 - i) * 4000, (12 - i) * 4000), i * 4000);
  const b = corruptDataset(reversed, model, 7);
  for (let i = 0; i < 12; i++) {
    assert.deepEqual(b.dataset.waveforms.subarray((11 - i) * 4000, (12 - i) * 4000), a.dataset.waveforms.subarray(i * 4000, (i + 1) * 4000));
  }
  // Masks mark exactly the zeros written.
  for (let i = 0; i < a.masks.length; i++) if (a.masks[i]) assert.equal(a.dataset.waveforms[i], 0);
});

test('bad parameters are refused with the parameter named', () => {
  const clip = new Float32Array(1000).fill(1);
  const rng = new Rng(1);
  assert.throws(() => corruptClip(clip, 8000, { kind: 'single', gapSamples: 0 }, rng), (e: Error) => e instanceof ParameterError && /gapSamples/.test(e.message));
  assert.throws(() => corruptClip(clip, 8000, { kind: 'single', gapSamples: 2000 }, rng), /exceeds the clip length/);
  assert.throws(() => corruptClip(clip, 8000, { kind: 'packet-loss', lossRate: 1.2, meanBurstPackets: 2 }, rng), /lossRate/);
  assert.throws(() => corruptClip(clip, 8000, { kind: 'packet-loss', lossRate: 0.9, meanBurstPackets: 2 }, rng), /meanBurstPackets/);
  assert.equal(gapModelLabel({ kind: 'multiple', gapSamples: 4000 }), '4000-multiple');
  assert.equal(gapModelLabel({ kind: 'packet-loss', lossRate: 0.1, meanBurstPackets: 4 }), 'p0.1-b4-packet-loss');
});
