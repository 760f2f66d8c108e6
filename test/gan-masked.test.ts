import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initEngine } from '../lib/engine';
import { drawGaps, clipRng } from '../lib/corrupt';
import type { GapModel } from '../lib/corrupt';
import type { CachedDataset } from '../lib/types';
import { melPowerOf, repairRanges, runReconstruction, getMethod, methodParameters } from '../lib/reconstruct';
import { MASKED_GAN, buildMaskedDiscriminator, buildMaskedGenerator, drawGapFrames, drawMaskedBatch, windowStart } from '../lib/reconstruct/gan/masked';
import { makeOptimizers, trainStep } from '../lib/reconstruct/gan/step';
import { fitNormalization, normalize } from '../lib/reconstruct/gan/normalize';
import { readCheckpointState } from '../lib/reconstruct/gan/checkpoint';
import { dataFingerprint } from '../lib/reconstruct/gan/config';
import { readNpy } from '../lib/util/npy';
import { trainingBudgets } from '../lib/experiments/headline';
import { maskedGanFromCheckpoint } from '../lib/reconstruct/gan-method';
import { RepairPool, closeRepairPool } from '../lib/reconstruct/pool';
import { Rng } from '../lib/util/rng';

const SR = 16000;
const made: string[] = [];
const tmp = (name: string) => { const d = fs.mkdtempSync(path.join(os.tmpdir(), `lacuna-gan-masked-${name}-`)); made.push(d); return d; };
after(() => { for (const d of made) fs.rmSync(d, { recursive: true, force: true }); });
before(async () => { await initEngine({ engine: 'wasm', quiet: true }); });

/** Tones whose pitch glides, plus a little noise: structure across frames a window can learn from. */
function glideClip(samples: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const f0 = rng.range(200, 1500);
  const x = new Float32Array(samples);
  let phase = 0;
  for (let i = 0; i < samples; i++) {
    phase += (2 * Math.PI * f0 * (1 + (0.5 * i) / samples)) / SR;
    x[i] = 0.4 * Math.sin(phase) + 0.02 * rng.normal();
  }
  return x;
}

function dataset(n: number, clipSamples: number): CachedDataset {
  const waveforms = new Float32Array(n * clipSamples);
  for (let c = 0; c < n; c++) waveforms.set(glideClip(clipSamples, c), c * clipSamples);
  return {
    sampleRate: SR, clipSamples, waveforms, classNames: ['a', 'b'], name: 'masked-test', cacheDir: '/nowhere', fingerprint: 'masked-test',
    clips: Array.from({ length: n }, (_, i) => ({ id: `clip-${i}`, classIndex: i % 2, className: i % 2 ? 'b' : 'a', fold: 1 + (i % 3) })),
  };
}

test('masked batches: one contiguous gap per row, zeros in the masked window, the clean window as target', () => {
  const clips = [0, 1, 2].map((s) => ({ data: Float32Array.from({ length: 40 * 8 }, (_, i) => 1 + s + i / 1000), frames: 40 }));
  const shape = { windowFrames: 32, nMels: 8, minGapFrames: 2, maxGapFrames: 20 };
  const batch = drawMaskedBatch(clips, shape, 16, new Rng(3));
  const size = 32 * 8;
  const lengths = new Set<number>();
  for (let r = 0; r < batch.rows; r++) {
    const maskFrames = Array.from({ length: 32 }, (_, f) => batch.after[r * size + f * 8]);
    const first = maskFrames.indexOf(1);
    const count = maskFrames.filter((v) => v === 1).length;
    assert.ok(count >= 2 && count <= 20, `gap of ${count} frames`);
    assert.deepEqual(maskFrames.slice(first, first + count), new Array(count).fill(1), 'the gap is contiguous');
    lengths.add(count);
    for (let i = 0; i < size; i++) {
      const m = batch.after[r * size + i];
      assert.ok(batch.gap[r * size + i] > 0, 'the target is the clean window');
      assert.equal(batch.before[r * size + i], m ? 0 : batch.gap[r * size + i]);
    }
  }
  assert.ok(lengths.size > 3, 'gap lengths vary');
  for (let i = 0; i < 200; i++) { const g = drawGapFrames(new Rng(i), 2, 104); assert.ok(g >= 2 && g <= 104); }
  assert.equal(windowStart({ first: 0, last: 9 }, 32, 100), 0, 'kept inside the clip at its start');
  assert.equal(windowStart({ first: 95, last: 99 }, 32, 100), 68, 'and at its end');
  assert.equal(windowStart({ first: 40, last: 49 }, 32, 100), 29, 'else centred');
});

test('a masked GAN train step lowers the MAE over the masked frames on a fixed batch', () => {
  const mels = [0, 1, 2, 3].map((s) => melPowerOf(glideClip(16000, s)));
  const norm = fitNormalization(mels);
  const clips = mels.map((m) => ({ data: normalize(m.data, norm), frames: m.frames }));
  const shape = { windowFrames: 32, nMels: 64 };
  const batch = drawMaskedBatch(clips, { ...shape, minGapFrames: 2, maxGapFrames: 12 }, 8, new Rng(4));
  const rng = new Rng(9);
  const nets = { generator: buildMaskedGenerator(MASKED_GAN, shape, rng), discriminator: buildMaskedDiscriminator(MASKED_GAN, shape, rng), ...makeOptimizers() };
  assert.deepEqual(nets.generator.outputs[0].shape, [null, 32, 64, 1]);
  const first = trainStep(nets, batch);
  let last = first;
  for (let i = 0; i < 30; i++) last = trainStep(nets, batch);
  assert.ok(last.mae < 0.8 * first.mae, `MAE ${first.mae} → ${last.mae}`);
  assert.ok(Number.isFinite(last.d) && last.d > 0);
  nets.generator.dispose(); nets.discriminator.dispose();
});

test('gan-masked: one model per half serves every gap model, trained on its training folds only; only the touched frames change', async () => {
  const root = tmp('run');
  const ds = dataset(6, 40000);
  const options = { trainSeconds: 1, griffinLimIterations: 2 };
  assert.deepEqual(methodParameters(getMethod('gan-masked'), {}).trainSeconds, 300, 'its own default budget is what is recorded');
  const models: Record<string, unknown>[] = [];
  for (const gapModel of [{ kind: 'single', gapSamples: 4000 }, { kind: 'multiple', gapSamples: 4000 }] as GapModel[]) {
    const run = await runReconstruction({ dataset: ds, method: 'gan-masked', methodOptions: options, gapModel, seed: 2, root, quiet: true });
    assert.equal(run.folds.length, 3);
    for (const f of run.folds) {
      assert.ok(f.trainFolds && f.trainFolds.length > 0 && !f.trainFolds.includes(f.testFold), `fold ${f.testFold} repaired by a model of folds ${f.trainFolds}`);
      models.push({ fold: f.testFold, ...f.model });
      const mel = readNpy(path.join(run.dir, `fold-0${f.testFold}`, 'mel.npy'));
      assert.ok(fs.existsSync(path.join(run.dir, `fold-0${f.testFold}`, 'waveforms.npy')));
      const rows = ds.clips.flatMap((c, i) => (c.fold === f.testFold ? [i] : []));
      rows.forEach((row, k) => {
        const clean = ds.waveforms.subarray(row * ds.clipSamples, (row + 1) * ds.clipSamples);
        const gaps = drawGaps(clean, SR, gapModel, clipRng(2, ds.clips[row].id));
        const corrupted = clean.slice();
        for (const g of gaps) corrupted.fill(0, g.start, g.start + g.length);
        const own = melPowerOf(corrupted);
        const inRange = new Uint8Array(own.frames);
        for (const r of repairRanges(gaps, own.frames)) inRange.fill(1, r.first, r.last + 1);
        const values = (mel.data as Float32Array).subarray(k * own.data.length, (k + 1) * own.data.length);
        let changed = 0;
        for (let fr = 0; fr < own.frames; fr++) {
          const same = own.data.subarray(fr * 64, (fr + 1) * 64).every((v, m) => v === values[fr * 64 + m]);
          if (!inRange[fr]) assert.ok(same, `frame ${fr} outside the gaps changed`);
          else if (!same) changed++;
        }
        assert.ok(changed > 0, 'the gap frames are filled');
      });
    }
  }
  // Both gap models were repaired by the same two checkpoints, trained once.
  const byFold = (fold: number) => models.filter((m) => m.fold === fold);
  for (const fold of [1, 2, 3]) {
    const [a, b] = byFold(fold);
    assert.equal(a.checkpoint, b.checkpoint);
    assert.equal(a.steps, b.steps);
  }
  const checkpoints = [...new Set(models.map((m) => m.checkpoint as string))];
  assert.equal(checkpoints.length, 2, 'cross-fit: two models');
  for (const dir of checkpoints) {
    const state = readCheckpointState(dir)!;
    const planned = models.find((m) => m.checkpoint === dir)!;
    const trainFolds = dir.includes('half-a') ? [1, 2] : [3];
    const trainRows = ds.clips.flatMap((c, i) => (trainFolds.includes(c.fold) ? [i] : []));
    const mels = trainRows.map((r) => melPowerOf(ds.waveforms.subarray(r * ds.clipSamples, (r + 1) * ds.clipSamples)));
    // The checkpoint's data fingerprint is that of the training folds' clips: no test clip was in it.
    assert.equal(state.config.clips, trainRows.length);
    assert.equal(state.config.dataFingerprint, dataFingerprint(mels));
    assert.ok(!trainRows.some((r) => (planned.fold as number) === ds.clips[r].fold));
    assert.equal(state.config.windowFrames, 192);
  }
  // Every core: threads that load the checkpoint repair the same bytes as this thread.
  const here = await maskedGanFromCheckpoint(checkpoints[0], options);
  const clean = ds.waveforms.subarray(0, ds.clipSamples);
  const gaps = drawGaps(clean, SR, { kind: 'single', gapSamples: 4000 }, clipRng(2, 'pool'));
  const corrupted = clean.slice();
  for (const g of gaps) corrupted.fill(0, g.start, g.start + g.length);
  const input = { corrupted, sampleRate: SR, gaps };
  const pool = await RepairPool.start({ method: 'gan-masked', options, checkpoint: checkpoints[0] }, 'mel', 2);
  try {
    const [a, b] = [await here.repair(input), await pool.repair(input)];
    assert.deepEqual(b.mel.data, a.mel.data);
    assert.deepEqual(b.waveform, a.waveform);
  } finally {
    await pool.close();
    await closeRepairPool();
  }
});

test('the headline states a trained method\'s training budget per model, as its runs recorded it', () => {
  const root = tmp('headline');
  const write = (method: string, source: Record<string, unknown>) => {
    const dir = path.join(root, 'yamnet', `R_ts-${method}`, '4000-single');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ repair: { method, source } }));
  };
  write('gan-masked', { method: 'gan-masked', trained: true, parameters: { trainSeconds: 300, griffinLimIterations: 32 } });
  write('exemplar', { method: 'exemplar', trained: false, parameters: {} });
  const entry = { accuracy: 0.9, std: 0, folds: 2, recovered: 0.5 };
  const h = { model: 'yamnet', mode: 'R_ts' as const, methods: ['exemplar', 'gan-masked'], lengths: [{ label: '4000-single', gapSamples: 4000, repaired: { exemplar: entry, 'gan-masked': entry } }] };
  assert.deepEqual(trainingBudgets(root, 'yamnet', h), { 'gan-masked': 300 });
});
