import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../lib/util/rng';
import { ConfigMismatchError } from '../lib/util/errors';
import type { CachedDataset } from '../lib/types';
import { corruptDataset } from '../lib/corrupt';
import {
  ModelFactory, RunSpec, foldSplit, gridRuns, loadRunSummaries, runCrossValidation, stratifiedDummyPredictions,
  stratifiedSplit, trainModel, waveformProvider, writeOverview,
} from '../lib/experiments';
import { overviewFigure } from '../lib/plots/results';
import { CNN_TRAINING_DEFAULTS, LINEAR_PROBE, REFERENCE_CNN_TRAINING, REFERENCE_CNN_VALIDATION, summaryRows } from '../lib/experiments';
import { REFERENCE_YAMNET_HEAD_TRAINING } from '../lib/experiments/yamnet-features';

before(async () => { await tf.setBackend('cpu'); });

const CLIP = 64;

/** Three classes told apart by where a bump sits in the clip; 3 folds of 20 clips. */
function toyDataset(seed = 1): CachedDataset {
  const rng = new Rng(seed);
  const n = 60;
  const waveforms = new Float32Array(n * CLIP);
  const clips = [];
  for (let i = 0; i < n; i++) {
    const cls = i % 3;
    for (let t = 0; t < CLIP; t++) {
      const bump = Math.floor(t / (CLIP / 3)) === cls ? 1.5 : 0;
      waveforms[i * CLIP + t] = bump + 0.5 * rng.normal();
    }
    clips.push({ id: `toy-${i}`, classIndex: cls, className: `c${cls}`, fold: 1 + (Math.floor(i / 3) % 3) });
  }
  return { sampleRate: 8000, clipSamples: CLIP, waveforms, clips, classNames: ['c0', 'c1', 'c2'], cacheDir: '/mem', fingerprint: 'toy-v1' };
}

const denseFactory: ModelFactory = ({ inputShape, numClasses, seed }) => {
  const model = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape }),
      tf.layers.dense({ units: 16, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
      tf.layers.dense({ units: numClasses, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return model;
};

const RUNS: RunSpec[] = [
  { mode: 'NC' },
  { mode: 'C_ts', gapModel: { kind: 'single', gapSamples: 24 } },
  { mode: 'C_tr', gapModel: { kind: 'single', gapSamples: 24 } },
  { mode: 'C_all', gapModel: { kind: 'single', gapSamples: 24 } },
];

function tmpRoot(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'lacuna-cv-'));
}

function options(root: string, extra: Partial<Parameters<typeof runCrossValidation>[0]> = {}) {
  return {
    provider: waveformProvider(toyDataset()), modelFactory: denseFactory, modelConfig: { units: 16 }, runs: RUNS,
    epochs: 8, batchSize: 16, seed: 5, root, quiet: true, ...extra,
  };
}

test('splits: leave-one-fold-out, stratified validation, stratified dummy', () => {
  const folds = [1, 2, 3, 1, 2, 3, 1];
  const s = foldSplit(folds, 2);
  assert.deepEqual(s.test, [1, 4]);
  assert.deepEqual(s.trainFolds, [1, 3]);
  assert.throws(() => foldSplit(folds, 4), /fold 4 is not in the dataset/);
  const labels = Array.from({ length: 100 }, (_, i) => (i < 80 ? 0 : 1));
  const v = stratifiedSplit(labels.map((_, i) => i), labels, 0.2, new Rng(1));
  assert.equal(v.validation.filter((i) => labels[i] === 0).length, 16);
  assert.equal(v.validation.filter((i) => labels[i] === 1).length, 4);
  assert.equal(new Set([...v.train, ...v.validation]).size, 100);
  const dummy = stratifiedDummyPredictions(labels, 5000, 2, new Rng(3));
  const share = dummy.filter((p) => p === 1).length / 5000;
  assert.ok(Math.abs(share - 0.2) < 0.03, `dummy predicts class 1 at ${share}`);
});

test('early stopping stops when validation accuracy cannot beat the baseline', async () => {
  const ds = toyDataset();
  const provider = waveformProvider(ds);
  const matrix = await provider.features({});
  const labels = ds.clips.map((c) => c.classIndex);
  const model = denseFactory({ inputShape: [CLIP, 1], numClasses: 3, seed: 1 });
  const rows = labels.map((_, i) => i);
  const h = await trainModel(model, matrix, labels, rows, { epochs: 20, batchSize: 16, seed: 1, validation: { fraction: 0.2, patience: 3, minDelta: 0.01, baseline: 1.01 } });
  model.dispose();
  assert.equal(h.epochsRun, 3);
  assert.ok(h.stoppedEarly);
  assert.equal(h.valAccuracy.length, 3);
  assert.equal(h.validationRows, 12);
});

test('waveform provider writes the same gaps as corruptDataset', async () => {
  const ds = toyDataset();
  const spec = { gapModel: { kind: 'multiple', gapSamples: 16 } as const, seed: 9 };
  const m = await waveformProvider(ds).features({ corruption: spec });
  assert.deepEqual(m.rowShape, [CLIP, 1]);
  assert.deepEqual(m.data, corruptDataset(ds, spec.gapModel, 9).dataset.waveforms);
  assert.notDeepEqual(m.data, ds.waveforms);
});

test('cross-validation: shared training, results on disk, learns beyond the dummy', async () => {
  const root = tmpRoot();
  const summaries = await runCrossValidation(options(root));
  assert.equal(summaries.length, 4);
  const nc = summaries[0];
  assert.equal(nc.dir, path.join(root, 'cnn', 'NC', 'clean'));
  assert.deepEqual(nc.folds, [1, 2, 3]);
  assert.ok(nc.meanAccuracy > 0.8, `clean accuracy ${nc.meanAccuracy}`);
  assert.ok(nc.dummyMeanAccuracy < 0.6);
  for (const s of summaries) {
    for (const f of ['config.json', 'summary.json', 'folds.csv', 'predictions.csv', 'confusion.csv', 'confusion.html', 'folds.html', 'fold-01.json']) {
      assert.ok(fs.existsSync(path.join(s.dir, f)), `${s.dir}/${f}`);
    }
    s.confusionSum.forEach((row) => assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 3) < 1e-9));
    assert.ok(fs.readFileSync(path.join(s.dir, 'confusion.html'), 'utf8').includes('Plotly'));
  }
  // One model per (training data, fold): 2 variants x 3 folds in the weight cache, and the
  // clean-trained fold models behind NC and C_ts are literally the same (same history).
  const trained = fs.readdirSync(path.join(root, 'cnn', '_trained'));
  assert.equal(trained.length, 2);
  for (const d of trained) assert.equal(fs.readdirSync(path.join(root, 'cnn', '_trained', d)).filter((f) => f.endsWith('.bin')).length, 3);
  const foldOf = (mode: string, label: string) => JSON.parse(fs.readFileSync(path.join(root, 'cnn', mode, label, 'fold-02.json'), 'utf8'));
  assert.deepEqual(foldOf('NC', 'clean').training.loss, foldOf('C_ts', '24-single').training.loss);
  assert.deepEqual(foldOf('C_tr', '24-single').training.loss, foldOf('C_all', '24-single').training.loss);
  assert.notDeepEqual(foldOf('NC', 'clean').training.loss, foldOf('C_tr', '24-single').training.loss);
  // Gaps hurt the clean-trained model on this task.
  assert.ok(summaries[1].meanAccuracy < nc.meanAccuracy, `C_ts ${summaries[1].meanAccuracy} vs NC ${nc.meanAccuracy}`);

  const { files } = writeOverview(root, 'cnn', { clipSamples: CLIP });
  assert.equal(files.length, 2);
  const fig = overviewFigure(loadRunSummaries(root, 'cnn'));
  const names = fig.data.map((d) => String(d.name));
  assert.ok(names.some((n) => n.startsWith('no corruption')) && names.some((n) => n.startsWith('stratified dummy')));
  assert.ok(names.includes('C_ts · single'));
});

test('same seed, same numbers; a killed run resumes without recomputing finished folds', async () => {
  const a = tmpRoot();
  const b = tmpRoot();
  const runs: RunSpec[] = [RUNS[0], RUNS[1]];
  const first = await runCrossValidation(options(a, { runs, folds: [1, 2] }));
  assert.deepEqual(first[0].foldsMissing, [3]);
  // Simulate a kill during fold 2 of C_ts: its result is missing, everything else is on disk.
  const ctsDir = first[1].dir;
  fs.rmSync(path.join(ctsDir, 'fold-02.json'));
  const before01 = fs.readFileSync(path.join(ctsDir, 'fold-01.json'), 'utf8');
  const resumed = await runCrossValidation(options(a, { runs }));
  assert.equal(fs.readFileSync(path.join(ctsDir, 'fold-01.json'), 'utf8'), before01, 'fold 1 must not be recomputed');
  const f2 = JSON.parse(fs.readFileSync(path.join(ctsDir, 'fold-02.json'), 'utf8'));
  assert.equal(f2.training.reused, true, 'fold 2 reuses the cached clean-trained weights');
  const f3 = JSON.parse(fs.readFileSync(path.join(ctsDir, 'fold-03.json'), 'utf8'));
  assert.equal(f3.training.reused, false);
  assert.deepEqual(resumed[1].folds, [1, 2, 3]);

  const fresh = await runCrossValidation(options(b, { runs }));
  for (let i = 0; i < 2; i++) {
    assert.deepEqual(fresh[i].perFold.map((p) => p.accuracy), resumed[i].perFold.map((p) => p.accuracy));
    assert.equal(fs.readFileSync(path.join(fresh[i].dir, 'predictions.csv'), 'utf8'), fs.readFileSync(path.join(resumed[i].dir, 'predictions.csv'), 'utf8'));
  }
});

test('a different config is refused with the folder and keys named, unless overwrite', async () => {
  const root = tmpRoot();
  const runs: RunSpec[] = [RUNS[0]];
  await runCrossValidation(options(root, { runs, folds: [1], epochs: 2 }));
  await assert.rejects(runCrossValidation(options(root, { runs, folds: [1], epochs: 3 })), (e: Error) => {
    assert.ok(e instanceof ConfigMismatchError);
    assert.match(e.message, /NC[\\/]clean/);
    assert.match(e.message, /training\.epochs/);
    return true;
  });
  const [s] = await runCrossValidation(options(root, { runs, folds: [1], epochs: 3, overwrite: true }));
  assert.equal(s.perFold[0].epochsRun, 3);
});

test('small training sets: the batch shrinks to minStepsPerEpoch, refit trains on every row, validation chooses head or probe; recorded and compared', async () => {
  const root = tmpRoot();
  const validation = { fraction: 0.25, patience: 100, minDelta: 0, baseline: 0, restoreBest: true, refit: true };
  const settings = { runs: [RUNS[0]], folds: [1], epochs: 3, batchSize: 16, minStepsPerEpoch: 8, validation, linearProbe: LINEAR_PROBE, inputScaling: 'standardize' as const };
  const [s] = await runCrossValidation(options(root, settings));
  const fold = JSON.parse(fs.readFileSync(path.join(s.dir, 'fold-01.json'), 'utf8'));
  const t = fold.training;
  assert.deepEqual([t.trainRows, t.validationRows], [30, 9], '39 training rows (folds 2 and 3), a quarter held out per class');
  assert.equal(t.batchSize, 3, 'batch 16 would give 2 steps an epoch; 30 rows / 8 steps → 3 rows a step');
  assert.equal(t.steps, t.epochsRun * 10);
  assert.deepEqual({ epochs: t.refit.epochs, trainRows: t.refit.trainRows }, { epochs: t.restoredEpoch, trainRows: 39 }, 'refit: every training row, the chosen epochs');
  assert.equal(t.refit.steps, t.restoredEpoch * Math.ceil(39 / 4), '39 rows / 8 steps → 4 rows a step');
  assert.equal(fold.selection.headValidation, t.valAccuracy[t.restoredEpoch - 1]);
  assert.equal(fold.selection.validationRows, t.validationRows, 'the same rows the head held out');
  assert.ok(['head', 'probe'].includes(fold.selection.chosen));
  assert.equal(fold.selectedAccuracy, fold.selection.chosen === 'probe' ? fold.probeAccuracy : fold.accuracy);
  assert.equal(s.selectedMeanAccuracy, fold.selectedAccuracy);
  assert.equal(s.perFold[0].selected, fold.selection.chosen);
  assert.equal(JSON.parse(fs.readFileSync(path.join(s.dir, 'config.json'), 'utf8')).training.minStepsPerEpoch, 8);
  // Results of other budgets are another configuration, never mixed in.
  await assert.rejects(runCrossValidation(options(root, { ...settings, minStepsPerEpoch: undefined })), /training\.minStepsPerEpoch/);
  await assert.rejects(runCrossValidation(options(root, { ...settings, validation: { ...validation, refit: false } })), /training\.validation/);
  // Without a probe there is nothing to choose.
  const [cnn] = await runCrossValidation(options(tmpRoot(), { ...settings, linearProbe: undefined }));
  assert.equal(cnn.selectedMeanAccuracy, undefined);
});

test('the grid covers NC, three modes x lengths x {single, multiple}, and packet loss', () => {
  const runs = gridRuns();
  assert.equal(runs[0].mode, 'NC');
  assert.equal(runs.length, 1 + 3 * (6 * 2 + 3));
  assert.ok(runs.some((r) => r.mode === 'C_all' && r.gapModel?.kind === 'multiple' && r.gapModel.gapSamples === 8000));
  assert.ok(runs.some((r) => r.gapModel?.kind === 'packet-loss'));
});

test('CLI flags map to the reference modes and gap models', async () => {
  const { parseCommandLine } = await import('../lib/cli/command');
  const { command: classify } = await import('../lib/cli/commands/classify');
  const { modeFromFlags, readGapModel } = await import('../lib/cli/flags/gaps');
  const { readExperimentFlags } = await import('../lib/cli/flags/experiment');
  const f = (...argv: string[]) => parseCommandLine('classify', classify, argv);
  assert.equal(modeFromFlags(f()), 'NC');
  assert.equal(modeFromFlags(f('--corrupt-train')), 'C_tr');
  assert.equal(modeFromFlags(f('--corrupt-test')), 'C_ts');
  assert.equal(modeFromFlags(f('--corrupt-train', '--corrupt-test')), 'C_all');
  assert.deepEqual(readGapModel(f('--multiple', '--gap-length', '2000')), { kind: 'multiple', gapSamples: 2000 });
  assert.deepEqual(readGapModel(f('--gap-model', 'packet-loss', '--loss-rate', '0.2', '--burst', '4')), { kind: 'packet-loss', lossRate: 0.2, meanBurstPackets: 4 });
  assert.throws(() => readGapModel(f('--gap-model', 'holes')), /--gap-model must be/);
  const e = readExperimentFlags(f('--folds', '1,2', '--epochs', '3', '--size', 'tiny'));
  assert.deepEqual(e.folds, [1, 2]);
  assert.equal(e.training.epochs, 3);
  assert.deepEqual({ ...e.training, epochs: CNN_TRAINING_DEFAULTS.epochs }, CNN_TRAINING_DEFAULTS);
  assert.ok(e.training.validation?.restoreBest, 'the default keeps the best validation epoch');
  assert.equal(e.training.schedule?.kind, 'warmup-cosine');
  assert.deepEqual(readExperimentFlags(f('--preset', 'reference')).training, REFERENCE_CNN_TRAINING);
  assert.deepEqual(readExperimentFlags(f('--early-stopping')).training.validation, REFERENCE_CNN_VALIDATION);
  assert.deepEqual(readExperimentFlags(f('--pretrained', '--preset', 'reference', '--batch-size', '64')).training,
    { ...REFERENCE_YAMNET_HEAD_TRAINING, batchSize: 64 });
  assert.throws(() => readExperimentFlags(f('--preset', 'keras')), /--preset must be one of default, reference/);
  assert.throws(() => readExperimentFlags(f('--epochs', '0')), /--epochs must be an integer >= 1/);
  assert.throws(() => readExperimentFlags(f('--dataset', 'nope')), /--dataset must be one of/);
});

test('plot builders: confusion, folds and corruption figures carry the data', async () => {
  const { confusionFigure, foldAccuracyFigure, corruptionFigure } = await import('../lib/plots/results');
  const root = tmpRoot();
  const [s] = await runCrossValidation(options(root, { runs: [RUNS[0]], epochs: 2 }));
  const cm = confusionFigure(s);
  assert.deepEqual(cm.data[0].z, s.confusionMean);
  assert.deepEqual(cm.data[0].x, ['c0', 'c1', 'c2']);
  const bars = foldAccuracyFigure(s);
  assert.deepEqual(bars.data[0].y, s.perFold.map((p) => p.accuracy));
  const clip = new Float32Array(32000).map((_, i) => Math.sin(i / 10));
  const { corruptClip } = await import('../lib/corrupt');
  const c = corruptClip(clip, 8000, { kind: 'multiple', gapSamples: 4000 }, new Rng(1));
  const fig = corruptionFigure(clip, c.samples, c.gaps, 8000, 't', 2000);
  assert.equal((fig.layout?.shapes as unknown[]).length, 4);
  assert.ok((fig.data[0].x as number[]).length <= 2000);
});

test('the reference CNN path runs end to end on short clips (real buildCnn, real training)', async () => {
  const { cnnExperiment } = await import('../lib/experiments/cnn');
  const rng = new Rng(4);
  const n = 16;
  const len = 1024;
  const waveforms = new Float32Array(n * len);
  for (let i = 0; i < n; i++) for (let t = 0; t < len; t++) waveforms[i * len + t] = Math.sin(t * (i % 2 ? 0.3 : 0.05)) + 0.3 * rng.normal();
  const ds: CachedDataset = {
    sampleRate: 8000, clipSamples: len, waveforms, classNames: ['low', 'high'], cacheDir: '/mem', fingerprint: 'cnn-toy',
    clips: Array.from({ length: n }, (_, i) => ({ id: `s${i}`, classIndex: i % 2, className: i % 2 ? 'high' : 'low', fold: 1 + (Math.floor(i / 2) % 2) })),
  };
  const root = tmpRoot();
  const e = cnnExperiment(ds, { convFilters: [8, 8, 8], denseUnits: [8, 8] });
  const summaries = await runCrossValidation({
    ...e, runs: [{ mode: 'NC' }, { mode: 'C_all', gapModel: { kind: 'single', gapSamples: 256 } }],
    epochs: 1, batchSize: 8, seed: 1, root, quiet: true,
  });
  assert.deepEqual(summaries.map((s) => s.folds), [[1, 2], [1, 2]]);
  const config = JSON.parse(fs.readFileSync(path.join(summaries[0].dir, 'config.json'), 'utf8'));
  assert.equal(config.modelConfig.architecture, 'reference_cnn');
  assert.deepEqual(config.modelConfig.convFilters, [8, 8, 8]);
  assert.equal(config.dataset.fingerprint, 'cnn-toy');
  const fold = JSON.parse(fs.readFileSync(path.join(summaries[1].dir, 'fold-01.json'), 'utf8'));
  assert.equal(fold.training.trainKey, '256-single');
  assert.equal(fold.predictions.length, 8);
});

test('a YAMNet-style run: the linear probe beside the dummy in every fold, summary, CSV, table and chart; inputs standardised', async () => {
  const { foldAccuracyFigure } = await import('../lib/plots/results');
  const root = tmpRoot();
  const base = options(root, { runs: [RUNS[0], RUNS[1]], epochs: 3, linearProbe: LINEAR_PROBE, inputScaling: 'standardize' as const });
  const summaries = await runCrossValidation(base);
  for (const s of summaries) {
    for (const f of s.folds) {
      const fold = JSON.parse(fs.readFileSync(path.join(s.dir, `fold-0${f}.json`), 'utf8'));
      assert.ok(fold.probeAccuracy >= 0.8, `probe on fold ${f}: ${fold.probeAccuracy}`);
      assert.ok(LINEAR_PROBE.penalties.includes(fold.probe.penalty));
    }
    assert.ok(Math.abs(s.probeMeanAccuracy! - s.perFold.reduce((a, p) => a + p.probeAccuracy!, 0) / s.folds.length) < 1e-12);
    assert.match(fs.readFileSync(path.join(s.dir, 'folds.csv'), 'utf8').split('\n')[0], /dummy_accuracy,probe_accuracy/);
    assert.ok(foldAccuracyFigure(s).data.some((t) => String(t.name).startsWith('linear probe')));
  }
  assert.ok(summaryRows(summaries).every((r) => typeof r.probe === 'number'));
  assert.ok(overviewFigure(summaries).data.some((t) => String(t.name).startsWith('linear probe')));
  const config = JSON.parse(fs.readFileSync(path.join(summaries[0].dir, 'config.json'), 'utf8'));
  assert.equal(config.training.inputScaling, 'standardize');
  assert.deepEqual(config.linearProbe, { ...LINEAR_PROBE });
  // A CNN run has no probe: no column, no key.
  const [plain] = await runCrossValidation(options(tmpRoot(), { runs: [RUNS[0]], epochs: 1 }));
  assert.equal(plain.probeMeanAccuracy, undefined);
  assert.doesNotMatch(fs.readFileSync(path.join(plain.dir, 'folds.csv'), 'utf8'), /probe/);
});

test('runs saved before schedules were recorded count as another configuration', async () => {
  const root = tmpRoot();
  const runs = [RUNS[0]];
  await runCrossValidation(options(root, { runs, folds: [1], epochs: 1 }));
  const file = path.join(root, 'cnn', 'NC', 'clean', 'config.json');
  const saved = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.deepEqual(saved.training.schedule, { kind: 'constant' });
  delete saved.training.schedule;
  fs.writeFileSync(file, JSON.stringify(saved));
  await assert.rejects(runCrossValidation(options(root, { runs, folds: [1], epochs: 1 })), /training\.schedule/);
  await assert.rejects(
    runCrossValidation(options(root, { runs, folds: [1], epochs: 1, overwrite: true, schedule: { kind: 'warmup-cosine', peak: 0.01, warmupEpochs: 1, finalFraction: 0 } }))
      .then(() => runCrossValidation(options(root, { runs, folds: [1], epochs: 1 }))),
    /training\.schedule/);
});

test('every YAMNet run (real embeddings, default and reference presets) reports the linear probe per fold', async () => {
  const { yamnetPath } = await import('./support/yamnet');
  const { yamnetExperiment, YAMNET_HEAD_TRAINING } = await import('../lib/experiments/yamnet-features');
  const modelPath = yamnetPath();
  assert.ok(modelPath, 'YAMNet model not found: set LACUNA_YAMNET');
  const len = 16000;
  const n = 12;
  const rng = new Rng(8);
  const waveforms = new Float32Array(n * len);
  for (let i = 0; i < n; i++) for (let t = 0; t < len; t++) waveforms[i * len + t] = 0.5 * Math.sin(2 * Math.PI * [300, 1200, 4000][i % 3] * t / 16000) + 0.05 * rng.normal();
  const ds = {
    name: 'yamnet-toy', sampleRate: 16000, clipSamples: len, waveforms, classNames: ['low', 'mid', 'high'], cacheDir: tmpRoot(), fingerprint: 'yamnet-toy',
    clips: Array.from({ length: n }, (_, i) => ({ id: `y${i}`, classIndex: i % 3, className: ['low', 'mid', 'high'][i % 3], fold: 1 + (Math.floor(i / 3) % 2) })),
  } as CachedDataset;
  for (const preset of ['default', 'reference'] as const) {
    const e = await yamnetExperiment(ds, { modelPath, preset, workers: 1, quiet: true });
    try {
      assert.equal(e.inputScaling, preset === 'default' ? 'standardize' : undefined);
      const [s] = await runCrossValidation({ ...e, ...YAMNET_HEAD_TRAINING, epochs: 2, runs: [{ mode: 'NC' }], seed: 1, root: tmpRoot(), quiet: true });
      assert.deepEqual(s.folds, [1, 2]);
      for (const p of s.perFold) assert.ok(p.probeAccuracy !== undefined && p.probeAccuracy >= 0 && p.probeAccuracy <= 1);
      assert.ok(s.probeMeanAccuracy! > 0.5, `tones are linearly separable in YAMNet's embeddings: ${s.probeMeanAccuracy}`);
    } finally {
      e.provider.dispose();
    }
  }
});
