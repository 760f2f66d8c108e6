/**
 * Classification after reconstruction and `lacuna study`, on the tiny built-in dataset with the
 * real YAMNet and CNN: the study runs end to end and resumes without recomputing; repair by
 * `zero` gives exactly C_ts's results; no test fold is repaired by a model trained on it; the
 * headline's recovered fraction is (repaired − corrupted) / (clean − corrupted).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initEngine } from '../lib/engine';
import { loadCachedDataset } from '../lib/data';
import type { CachedDataset } from '../lib/types';
import { createMethod, getMethod, melPowerOf, methodNames, registerMethod, repairRanges, runReconstruction } from '../lib/reconstruct';
import { loadYamnet, Yamnet } from '../lib/models/yamnet/model';
import { YAMNET_HEAD_TRAINING, yamnetExperiment } from '../lib/experiments/yamnet-features';
import { classifyAfterRepair } from '../lib/experiments/after-repair';
import { loadRepairedAudio, repairedYamnetFeatures } from '../lib/experiments/repaired';
import { repairedRows } from '../lib/queue/after-repair';
import { foldWinsTiesLosses, headlineOf, recoveredFraction } from '../lib/experiments/headline';
import type { RunSummary } from '../lib/experiments/types';
import { loadRunSummaries, type FoldResult } from '../lib/experiments/results';
import { ParameterError } from '../lib/util/errors';
import { yamnetPath } from './support/yamnet';
import { runLacuna } from './support/cli';
import { copyQuickStudy } from './support/study-fixture';

const MODEL = yamnetPath();
// The study runs YAMNet; without a model anywhere these tests skip, as the other YAMNet tests do.
const skip = MODEL ? false : 'YAMNet model not found (LACUNA_YAMNET, data/models, ../shared)';
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'lacuna-after-'));
const STUDY = ['study', '--quick', '--size', 'tiny', '--output', out];
let dataset: CachedDataset;
let yamnet: Yamnet;

before(async () => {
  if (skip) return;
  await initEngine({ engine: 'wasm', quiet: true });
  dataset = loadCachedDataset({ kind: 'synthetic-urban', size: 'tiny', quiet: true }, 16000);
  yamnet = loadYamnet({ path: MODEL });
});
after(() => { yamnet?.dispose(); fs.rmSync(out, { recursive: true, force: true }); });

function lacuna(args: string[]) {
  return runLacuna(args, { env: MODEL ? { LACUNA_YAMNET: MODEL } : {}, timeout: 10 * 60 * 1000 });
}

/** Every file under dir with its modification time. */
function mtimes(dir: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) { const f = path.join(e.parentPath, e.name); m.set(f, fs.statSync(f).mtimeMs); }
  }
  return m;
}

const results = () => path.join(out, 'results', dataset.name);
const fold = (dir: string, f: number) => JSON.parse(fs.readFileSync(path.join(results(), dir, `fold-0${f}.json`), 'utf8')) as FoldResult;

test('study --quick: end to end on the tiny dataset, then resumes without recomputing anything', { skip }, () => {
  assert.match(lacuna([...STUDY, '--no-such-flag']).stderr, /unknown option --no-such-flag for lacuna study/);
  assert.match(lacuna([...STUDY, '--methods', 'magic']).stderr, /--methods takes .*got "magic"/);
  assert.match(lacuna([...STUDY, '--train-seconds', '60']).stderr, /--train-seconds applies to trained methods \(gan\) only, not --methods zero,linear,ar,exemplar/);
  // The CNN with zero, linear and ar comes from the shared local run (test/queue.test.ts checks its files too):
  // this run adds YAMNet and exemplar, so it also resumes and extends a study of fewer models and methods.
  copyQuickStudy(out);
  const first = lacuna(STUDY);
  assert.equal(first.status, 0, first.stderr);
  for (const model of ['yamnet', 'cnn']) {
    // The CNN's grid counts 8 kHz samples: C_ts at half the length is the same duration of audio.
    for (const run of ['NC/clean', model === 'cnn' ? 'C_ts/500-single' : 'C_ts/1000-single', 'R_ts-zero/4000-single', 'R_ts-linear/1000-single', 'R_ts-ar/4000-single']) {
      assert.ok(fs.existsSync(path.join(results(), model, run, 'summary.json')), `${model}/${run}`);
    }
    assert.match(fs.readFileSync(path.join(results(), model, 'headline-R_ts.html'), 'utf8'), /repaired: linear/);
  }
  assert.match(first.stdout, /yamnet \(R_ts\):[\s\S]*repaired: ar/);
  const before = [...mtimes(results()), ...mtimes(path.join(out, 'reconstruct'))];
  const second = lacuna(STUDY);
  assert.equal(second.status, 0, second.stderr);
  const afterRun = new Map([...mtimes(results()), ...mtimes(path.join(out, 'reconstruct'))]);
  const redone = before.filter(([f, t]) => /fold-\d+(\.json|\/manifest\.json)$|weights\.bin$/.test(f) && afterRun.get(f) !== t);
  assert.deepEqual(redone, [], 'no fold, reconstruction or training redone');
});

test('an after-repair job computes only its test fold\'s rows, and they are the local run\'s bytes (YAMNet: waveform and mel methods)', { skip }, async () => {
  // Uses the study above's repairs. Embedded here, in this process's engine (a cache made by onnx serves wasm
  // too, within 1e-4): the local matrix (folds 1 and 2 repaired, every row) into a fresh cache.
  const root = path.join(out, 'reconstruct', dataset.name);
  const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'lacuna-after-embed-'));
  for (const method of ['ar', 'linear']) {
    const gapModel = { kind: 'single' as const, gapSamples: 4000 };
    const local = await repairedYamnetFeatures(yamnet, dataset, loadRepairedAudio({ dataset, root, method, gapModel, seed: 0, folds: [1, 2] }),
      path.join(fresh, method), { quiet: true });
    const job = await repairedRows(loadRepairedAudio({ dataset, root, method, gapModel, seed: 0, folds: [2] }), [2], dataset, dataset, () => yamnet);
    assert.equal(job.rows, local.rows);
    const row = (local.data.length / local.rows) * 4; // bytes of one clip's embeddings
    const bytes = (m: typeof local, r: number) => Buffer.from(m.data.buffer, m.data.byteOffset + r * row, row);
    dataset.clips.forEach((c, r) => {
      if (c.fold === 2) assert.ok(bytes(job, r).equals(bytes(local, r)), `${method}: clip ${c.id}`);
      else assert.ok(bytes(job, r).every((b) => b === 0), `${method}: clip ${c.id} of fold ${c.fold} is not computed`);
    });
  }
  fs.rmSync(fresh, { recursive: true, force: true });
});

test('study --tune: tunes on validation scores first, then every step trains and repairs with the tuned point', { skip }, () => {
  assert.match(lacuna([...STUDY, '--tune', '-1']).stderr, /--tune must be an integer >= 0/);
  const run = lacuna([...STUDY, '--models', 'yamnet', '--methods', 'exemplar', '--tune', '2']);
  assert.equal(run.status, 0, run.stderr);
  const trials = path.join(out, 'tuning', dataset.name, 'yamnet-validation', 'trials');
  assert.deepEqual(fs.readdirSync(trials).sort(), ['trial-0000.json', 'trial-0001.json']);
  const tuned = fs.readdirSync(results()).filter((d) => /^yamnet-tuned-[0-9a-f]{8}$/.test(d));
  assert.equal(tuned.length, 1, `one tuned model folder, got ${fs.readdirSync(results()).join(', ')}`);
  const config = JSON.parse(fs.readFileSync(path.join(results(), tuned[0], 'NC', 'clean', 'config.json'), 'utf8'));
  assert.equal(config.modelConfig.params.source.objective, 'validation');
  assert.equal(config.modelConfig.params.source.optimistic, false);
  const headline = JSON.parse(fs.readFileSync(path.join(results(), tuned[0], 'headline-R_ts.json'), 'utf8'));
  assert.deepEqual(headline.methods, ['exemplar']);
  assert.match(run.stdout, /repaired: exemplar/);
});

test('study --loss-rates: packet-loss channels are repaired, classified and in the headline after the lengths', { skip }, () => {
  assert.match(lacuna([...STUDY, '--loss-rates', '1.5']).stderr, /--loss-rates takes loss rates in \(0, 1\), got 1.5/);
  assert.match(lacuna([...STUDY, '--burst', '2']).stderr, /--burst applies to packet loss only: give --loss-rates/);
  const run = lacuna([...STUDY, '--models', 'yamnet', '--methods', 'exemplar', '--gap-lengths', '1000', '--loss-rates', '0.1']);
  assert.equal(run.status, 0, run.stderr);
  for (const method of ['zero', 'exemplar']) assert.ok(fs.existsSync(path.join(results(), 'yamnet', `R_ts-${method}`, 'p0.1-b3-packet-loss', 'summary.json')), method);
  const headline = JSON.parse(fs.readFileSync(path.join(results(), 'yamnet', 'headline-R_ts.json'), 'utf8'));
  const labels = headline.lengths.map((l: { label: string }) => l.label);
  assert.equal(labels[labels.length - 1], 'p0.1-b3-packet-loss', labels.join(', '));
  assert.ok(headline.lengths[labels.length - 1].repaired.exemplar, 'exemplar repaired the packet loss');
});

test('repair by zero gives exactly the C_ts results (YAMNet: same features, same clean-trained weights)', { skip }, () => {
  for (const label of ['1000-single', '4000-single']) {
    for (const f of [1, 2]) {
      const cts = fold(`yamnet/C_ts/${label}`, f);
      const zero = fold(`yamnet/R_ts-zero/${label}`, f);
      assert.deepEqual(zero.predictions, cts.predictions, `${label} fold ${f}`);
      assert.equal(zero.accuracy, cts.accuracy);
      assert.deepEqual(zero.clipIds, cts.clipIds);
      assert.ok(zero.training.reused, 'R_ts evaluates the clean model of the grid');
    }
  }
});

test('the headline: recovered = (repaired − corrupted) / (clean − corrupted), from the runs on disk', { skip }, () => {
  assert.ok(Math.abs(recoveredFraction(0.5, 0.4, 0.6) - 0.5) < 1e-12);
  assert.equal(recoveredFraction(0.6, 0.4, 0.6), 1);
  assert.ok(Math.abs(recoveredFraction(0.35, 0.4, 0.6) - -0.25) < 1e-12);
  assert.ok(Number.isNaN(recoveredFraction(0.5, 0.6, 0.6)), 'nothing lost, nothing to recover');
  for (const model of ['yamnet', 'cnn']) {
    const saved = JSON.parse(fs.readFileSync(path.join(results(), model, 'headline-R_ts.json'), 'utf8'));
    const summaries = loadRunSummaries(results(), model);
    const mean = (dir: string) => summaries.find((s) => s.dir.endsWith(dir))!.meanAccuracy;
    assert.deepEqual(saved.methods, ['ar', 'exemplar', 'linear']);
    // The --loss-rates test above added a channel repaired by exemplar only.
    for (const l of saved.lengths.filter((x: { label: string }) => !x.label.endsWith('packet-loss'))) {
      const clean = mean('NC/clean');
      const corrupted = mean(`R_ts-zero/${l.label}`);
      assert.equal(l.corrupted.accuracy, corrupted);
      for (const m of ['ar', 'exemplar', 'linear']) {
        const repaired = mean(`R_ts-${m}/${l.label}`);
        const want = clean > corrupted ? (repaired - corrupted) / (clean - corrupted) : null;
        assert.equal(l.repaired[m].recovered, want, `${model} ${m} ${l.label}`); // NaN is saved as null
        const run = (dir: string) => summaries.find((s) => s.dir.endsWith(dir))!;
        const wtl = l.repaired[m].vsCorrupted;
        assert.deepEqual(wtl, foldWinsTiesLosses(run(`R_ts-${m}/${l.label}`), run(`R_ts-zero/${l.label}`)));
        assert.equal(wtl.wins + wtl.ties + wtl.losses, run(`R_ts-${m}/${l.label}`).folds.length, 'every fold compared');
      }
    }
    assert.deepEqual(JSON.parse(JSON.stringify(headlineOf(summaries))), saved);
    const csv = fs.readFileSync(path.join(results(), model, 'headline-R_ts.csv'), 'utf8').split('\n');
    assert.equal(csv[0], 'length,setting,accuracy,std,folds,recovered,won_tied_lost');
    assert.ok(csv.some((line) => /^[^,]+,repaired: exemplar,.*,\d+\/\d+\/\d+$/.test(line)), 'a repair row gives its folds won/tied/lost');
  }
});

test('a trained method: each test fold is repaired by a model that never saw it, and R_all refuses it', { skip }, async () => {
  const name = 'mean-of-training-after';
  if (!methodNames().includes(name)) {
    registerMethod({
      name, domain: 'mel', summary: 'test: mean training spectrum fills the gap',
      async train(context) {
        const rows = context.dataset.clips.flatMap((c, i) => (context.trainFolds.includes(c.fold) ? [i] : []));
        const mean = new Float32Array(64);
        const len = context.dataset.clipSamples;
        for (const r of rows) {
          const m = melPowerOf(context.dataset.waveforms.subarray(r * len, (r + 1) * len));
          for (let i = 0; i < m.data.length; i++) mean[i % 64] += m.data[i] / (m.frames * rows.length);
        }
        const base = createMethod('linear', { griffinLimIterations: 0 });
        return {
          model: { clips: rows.length },
          reconstructor: {
            name, domain: 'mel',
            async repair(input) {
              const o = await base.repair(input);
              for (const r of repairRanges(input.gaps, o.mel.frames)) for (let f = r.first; f <= r.last; f++) o.mel.data.set(mean, f * 64);
              return { ...o, waveform: undefined };
            },
          },
        };
      },
    });
  }
  assert.ok(getMethod(name).train);
  const gapModel = { kind: 'single', gapSamples: 4000 } as const;
  const reconstructionRoot = path.join(out, 'reconstruct', dataset.name);
  await runReconstruction({ dataset, method: name, gapModel, seed: 0, root: reconstructionRoot, folds: [1, 2], quiet: true });
  // The head of the study's grid (same configuration, so its clean weights are reused).
  const e = await yamnetExperiment(dataset, { model: yamnet, quiet: true });
  const crossVal = {
    modelFactory: e.modelFactory, modelConfig: e.modelConfig, inputScaling: e.inputScaling, linearProbe: e.linearProbe,
    ...YAMNET_HEAD_TRAINING, folds: [1, 2], seed: 0, root: results(), quiet: true,
  };
  const yamnetPath = { kind: 'yamnet' as const, base: e.provider, dataset16k: dataset, model: yamnet };
  const [summary] = await classifyAfterRepair({ crossVal, path: yamnetPath, reconstructionRoot, method: name, mode: 'R_ts', gapModels: [gapModel] });
  assert.deepEqual(summary.folds, [1, 2]);
  assert.equal(summary.repair, name);
  const config = JSON.parse(fs.readFileSync(path.join(summary.dir, 'config.json'), 'utf8'));
  assert.equal(config.repair.source.trained, true);
  assert.ok(fold(`yamnet/R_ts-${name}/4000-single`, 1).training.reused);

  await assert.rejects(classifyAfterRepair({ crossVal, path: yamnetPath, reconstructionRoot, method: name, mode: 'R_all', gapModels: [gapModel] }),
    (err: Error) => err instanceof ParameterError && /R_all with the trained method/.test(err.message));
  // A run whose manifest says fold 2 was repaired by a model trained on fold 2 is refused.
  const manifestFile = path.join(reconstructionRoot, name, '4000-single-seed0', 'fold-02', 'manifest.json');
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  assert.ok(!manifest.trainFolds.includes(2));
  fs.writeFileSync(manifestFile, JSON.stringify({ ...manifest, trainFolds: [...manifest.trainFolds, 2] }));
  assert.throws(() => loadRepairedAudio({ dataset, root: reconstructionRoot, method: name, gapModel, seed: 0, folds: [1, 2] }),
    /fold 2 was repaired by a model trained on folds .* which must exclude it/);
  assert.throws(() => loadRepairedAudio({ dataset, root: reconstructionRoot, method: name, gapModel, seed: 0, folds: [3] }), /fold 3 .* is not reconstructed yet/);
});

test('fold wins/ties/losses: fold by fold, folds one run lacks left out', () => {
  const run = (accs: Record<number, number>) => ({ perFold: Object.entries(accs).map(([fold, accuracy]) => ({ fold: Number(fold), accuracy })) }) as unknown as RunSummary;
  assert.deepEqual(foldWinsTiesLosses(run({ 1: 0.5, 2: 0.6, 3: 0.4, 4: 0.9 }), run({ 1: 0.4, 2: 0.6, 3: 0.5 })), { wins: 1, ties: 1, losses: 1 });
});
