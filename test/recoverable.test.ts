/**
 * The recoverability breakdown (lib/experiments/recoverable.ts, gap-energy.ts) on the shared quick
 * studies: the CNN's (zero, linear, ar; 1000 and 4000 samples, one gap; folds 1 and 2 of the tiny
 * set), which scores at chance there and loses no clip, and the YAMNet head's (zero, linear,
 * exemplar; 4000 and 16000 samples, one gap and four fragments), which loses some. The energy
 * shares match a computation from the gaps the reconstruction recorded, the bins partition the lost
 * clips, the counts are those of the runs' predictions.csv, and silence divides by nothing.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadCachedDataset } from '../lib/data';
import type { CachedDataset } from '../lib/types';
import { clipRng, drawGaps, gapMask } from '../lib/corrupt';
import { gapEnergyShare, gapEnergyShares } from '../lib/experiments/gap-energy';
import { ENERGY_BINS, energyBin, recoverabilityOf, recoverabilityOfLength, recoverabilityRows } from '../lib/experiments/recoverable';
import type { Recoverability } from '../lib/experiments/types';
import { recoverabilityFigure } from '../lib/plots/recoverability';
import { QUICK_YAMNET_STUDY, copyQuickStudy } from './support/study-fixture';
import { yamnetPath } from './support/yamnet';

const MODEL = yamnetPath();
const noYamnet = MODEL ? false : 'YAMNet model not found (LACUNA_YAMNET, data/models, ../shared)';
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'lacuna-recover-'));
const outYamnet = path.join(out, 'yamnet-study');
let dataset: CachedDataset;
let results: string;
let r: Recoverability;

before(() => {
  copyQuickStudy(out);
  dataset = loadCachedDataset({ kind: 'synthetic-urban', size: 'tiny', quiet: true }, 16000);
  results = path.join(out, 'results', dataset.name);
  r = recoverabilityOf(results, 'cnn', dataset);
});
after(() => fs.rmSync(out, { recursive: true, force: true }));

/** A run's predictions.csv read plainly: clip id → 0/1 (the test's own parser, not the library's). */
function correctness(modelDir: string, run: string): Map<string, boolean> {
  const [header, ...lines] = fs.readFileSync(path.join(modelDir, run, 'predictions.csv'), 'utf8').trim().split('\n');
  const cols = header.split(',');
  return new Map(lines.map((line) => {
    const f = line.split(',');
    return [f[cols.indexOf('clip_id')], f[cols.indexOf('correct')] === '1'];
  }));
}

/** Checks every count of `rec` against the predictions.csv of the runs in modelDir; returns the lost clips seen. */
function checkCounts(rec: Recoverability, modelDir: string): number {
  const clean = correctness(modelDir, path.join('NC', 'clean'));
  let lostSeen = 0;
  for (const l of rec.lengths) {
    const zero = correctness(modelDir, path.join('R_ts-zero', l.label));
    const lost = [...zero.keys()].filter((id) => clean.get(id) && !zero.get(id));
    lostSeen += lost.length;
    assert.equal(l.clips, zero.size);
    assert.equal(l.lost, lost.length);
    assert.deepEqual(l.lostClips.map((c) => c.clipId).sort(), lost.sort());
    assert.equal(l.bins.reduce((n, b) => n + b.lost, 0), l.lost, `${l.label}: the bins add up to the lost clips`);
    l.bins.forEach((b, i) => assert.equal(b.lost, l.lostClips.filter((c) => energyBin(c.energyShare) === i).length));
    assert.equal(l.halfEnergy.lost + l.lessThanHalf.lost, l.lost);
    assert.equal(l.halfEnergy.lost, l.lostClips.filter((c) => c.energyShare >= 0.5).length);
    for (const m of rec.methods) {
      const repaired = correctness(modelDir, path.join(`R_ts-${m}`, l.label));
      assert.equal(l.all.byMethod[m].recovered, lost.filter((id) => repaired.get(id)).length, `${l.label} ${m}: recovered`);
      assert.equal(l.bins.reduce((n, b) => n + b.byMethod[m].recovered, 0), l.all.byMethod[m].recovered);
      assert.equal(l.halfEnergy.byMethod[m].recovered + l.lessThanHalf.byMethod[m].recovered, l.all.byMethod[m].recovered);
      const ids = [...zero.keys()];
      assert.equal(l.changes[m].broken, ids.filter((id) => zero.get(id) && !repaired.get(id)).length, `${l.label} ${m}: broken`);
      // The net gain in right clips is what the repair won back, plus clips wrong even clean, minus what it broke.
      const net = ids.filter((id) => repaired.get(id)).length - ids.filter((id) => zero.get(id)).length;
      assert.equal(l.changes[m].net, net);
      assert.equal(net, l.all.byMethod[m].recovered + l.changes[m].alsoFixed - l.changes[m].broken);
    }
  }
  return lostSeen;
}

test('the study wrote the breakdown beside the headline, as recoverabilityOf computes it', () => {
  const written = JSON.parse(fs.readFileSync(path.join(results, 'cnn', 'recoverability-R_ts.json'), 'utf8'));
  assert.deepEqual(written, JSON.parse(JSON.stringify(r)));
  assert.deepEqual(r.methods, ['ar', 'linear']);
  assert.deepEqual(r.lengths.map((l) => l.label), ['1000-single', '4000-single']);
  assert.equal(r.seed, 0);
  const csv = fs.readFileSync(path.join(results, 'cnn', 'recoverability-R_ts.csv'), 'utf8').trim().split('\n');
  assert.equal(csv.length, 1 + recoverabilityRows(r).length);
});

test('energy shares match the energy inside the gaps the reconstruction recorded', () => {
  const fold1 = path.join(out, 'reconstruct', dataset.name, 'zero', '4000-single-seed0', 'fold-01', 'clips.csv');
  const rows = fs.readFileSync(fold1, 'utf8').trim().split('\n').slice(1, 4);
  assert.equal(rows.length, 3);
  const len = dataset.clipSamples;
  for (const row of rows) {
    const id = row.split(',')[0];
    const gaps = JSON.parse(row.slice(row.indexOf('"') + 1, row.lastIndexOf('"')).replace(/""/g, '"')) as { start: number; length: number }[];
    const clip = dataset.waveforms.subarray(dataset.clips.findIndex((c) => c.id === id) * len);
    let total = 0;
    let inGap = 0;
    for (let i = 0; i < len; i++) total += clip[i] ** 2;
    for (const g of gaps) for (let i = g.start; i < g.start + g.length; i++) inGap += clip[i] ** 2;
    const share = gapEnergyShares(dataset, { kind: 'single', gapSamples: 4000 }, 0, [id]).get(id)!;
    assert.ok(inGap > 0 && Math.abs(share - inGap / total) < 1e-9, `${id}: ${share} against ${inGap / total}`);
  }
});

test('CNN: every count is the runs\' predictions.csv', () => {
  checkCounts(r, path.join(results, 'cnn')); // on the tiny set the CNN scores at chance and loses none: YAMNet's test counts some
  const figure = recoverabilityFigure(r);
  assert.equal(figure.data.length, ENERGY_BINS.length + 1 + 2 * r.methods.length);
});

test('YAMNet: the bins partition the lost clips, and every count is the runs\' predictions.csv', { skip: noYamnet }, () => {
  if (!process.env.LACUNA_YAMNET) process.env.LACUNA_YAMNET = MODEL; // the fixture's study finds the model as the test did
  copyQuickStudy(outYamnet, QUICK_YAMNET_STUDY);
  const root = path.join(outYamnet, 'results', dataset.name);
  const rec = recoverabilityOf(root, 'yamnet', dataset);
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(root, 'yamnet', 'recoverability-R_ts.json'), 'utf8')), JSON.parse(JSON.stringify(rec)));
  assert.deepEqual(rec.lengths.map((l) => l.label), ['4000-multiple', '4000-single', '16000-multiple', '16000-single']);
  assert.ok(checkCounts(rec, path.join(root, 'yamnet')) > 0, 'the head loses clips to its gaps, so the counts above are tested');
  assert.ok(rec.lengths.some((l) => l.lostClips.some((c) => c.energyShare > 0.1)), 'some lost clip lost a real share of its energy');
});

test('a gap the reconstruction did not record is refused, naming the run', () => {
  const file = path.join(out, 'reconstruct', dataset.name, 'zero', '1000-single-seed0', 'fold-02', 'clips.csv');
  const original = fs.readFileSync(file, 'utf8');
  try {
    fs.writeFileSync(file, original.replace(/\[\{""start"":(\d+)/, (_, s) => `[{""start"":${Number(s) + 1}`));
    assert.throws(() => recoverabilityOf(results, 'cnn', dataset), /1000-single-seed0: clip .* was repaired with gaps/);
  } finally {
    fs.writeFileSync(file, original);
  }
});

test('silence: a gap in digital silence takes no energy, and a silent clip divides by nothing', () => {
  const len = 64000;
  const model = { kind: 'multiple', gapSamples: 8000 } as const; // where its fragments fall does not depend on the audio
  const gapsOf = (id: string) => drawGaps(new Float32Array(len), 16000, model, clipRng(7, id));
  const inGap = gapMask(gapsOf('quiet-gap'), len);
  const tone = Float32Array.from({ length: len }, (_, i) => (inGap[i] ? 0 : Math.sin(i / 9)));
  const allInGap = gapMask(gapsOf('all-in-gap'), len);
  const burst = Float32Array.from({ length: len }, (_, i) => (allInGap[i] ? 0.3 : 0));
  const waveforms = new Float32Array(3 * len);
  waveforms.set(tone, 0);
  waveforms.set(burst, 2 * len);
  const clips = ['quiet-gap', 'silent', 'all-in-gap'].map((id) => ({ id, fold: 1, classIndex: 0, className: 'a' }));
  const ds = { sampleRate: 16000, clipSamples: len, waveforms, clips, classNames: ['a'], name: 'silence', cacheDir: '', fingerprint: '' };
  const shares = gapEnergyShares(ds as CachedDataset, model, 7, ['quiet-gap', 'silent', 'all-in-gap']);
  assert.deepEqual([...shares.values()], [0, 0, 1]);
  assert.equal(gapEnergyShare(new Float32Array(10), new Uint8Array(10).fill(1)), 0);
  assert.throws(() => gapEnergyShare(new Float32Array(10), new Uint8Array(9)), /mask covers 9 samples/);
});

test('counting by hand: four lost clips in three bins, one recovered, one broken', () => {
  const res = (fold: number, ...correct: boolean[]) => new Map(correct.map((c, i) => [`c${i}`, { fold, correct: c }]));
  const shares = new Map([['c0', 0.1], ['c1', 0.9], ['c2', 0.8], ['c3', 0.3], ['c4', 0.5], ['c5', 0]]);
  const l = recoverabilityOfLength({
    label: '4000-single', gapSamples: 4000, shares,
    clean: res(1, true, true, true, true, true, false),
    corrupted: res(1, false, false, false, true, false, false),
    repaired: { exemplar: res(1, true, false, false, false, false, true) },
  });
  assert.equal(l.clips, 6);
  assert.equal(l.clipsHalfEnergy, 3);
  assert.deepEqual(l.bins.map((b) => b.lost), [1, 0, 1, 2]);
  assert.deepEqual(l.bins.map((b) => b.byMethod.exemplar.recovered), [1, 0, 0, 0]);
  assert.deepEqual([l.halfEnergy.lost, l.halfEnergy.byMethod.exemplar.share], [3, 0]);
  assert.deepEqual([l.lessThanHalf.lost, l.lessThanHalf.byMethod.exemplar.share], [1, 1]);
  assert.ok(Number.isNaN(l.bins[1].byMethod.exemplar.share));
  assert.deepEqual(l.changes.exemplar, { broken: 1, alsoFixed: 1, net: 1 });
  assert.deepEqual(l.lostClips.find((c) => c.clipId === 'c0')!.recoveredBy, ['exemplar']);
});
