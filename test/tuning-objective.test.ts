/**
 * Tuning on real code paths: the score never depends on the test fold (relabelling it leaves every
 * validation score unchanged), and `lacuna tune` runs, resumes, extends, labels the optimistic
 * objective, and hands its best point to `lacuna classify --params`, which retrains the same model.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../lib/util/rng';
import type { CachedDataset } from '../lib/types';
import { waveformProvider } from '../lib/experiments';
import { evaluateFolds, loadTrials } from '../lib/tuning';
import { runLacuna } from './support/cli';

const outputs = fs.mkdtempSync(path.join(os.tmpdir(), 'lacuna-tune-out-'));

function lacuna(args: string[]) {
  return runLacuna(args, { env: { LACUNA_OUTPUT_DIR: outputs }, timeout: 10 * 60 * 1000 });
}

/** Three classes told apart by where a bump sits; 3 folds of 30 clips; `relabel` scrambles fold 3's labels. */
function toyDataset(relabel: boolean): CachedDataset {
  const rng = new Rng(1);
  const clip = 48;
  const n = 90;
  const waveforms = new Float32Array(n * clip);
  const clips = [];
  for (let i = 0; i < n; i++) {
    const cls = i % 3;
    for (let t = 0; t < clip; t++) waveforms[i * clip + t] = (Math.floor(t / 16) === cls ? 1.5 : 0) + 0.5 * rng.normal();
    const fold = 1 + (Math.floor(i / 3) % 3);
    const label = relabel && fold === 3 ? (cls + 1) % 3 : cls;
    clips.push({ id: `toy-${i}`, classIndex: label, className: `c${label}`, fold });
  }
  return { sampleRate: 8000, clipSamples: clip, waveforms, clips, classNames: ['c0', 'c1', 'c2'], cacheDir: '/mem', fingerprint: 'toy' };
}

before(async () => { await tf.setBackend('cpu'); });

test('a point\'s validation score never sees the test fold: relabelling fold 3 changes only its test accuracy', async () => {
  const factory = ({ inputShape, numClasses, seed }: { inputShape: number[]; numClasses: number; seed: number }) => {
    const m = tf.sequential({ layers: [
      tf.layers.flatten({ inputShape }),
      tf.layers.dense({ units: 8, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
      tf.layers.dense({ units: numClasses, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
    ] });
    m.compile({ optimizer: tf.train.adam(0.01), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    return m;
  };
  const training = { epochs: 6, batchSize: 16, validation: { fraction: 0.2, patience: 10, minDelta: 0.01, baseline: 0 } };
  const run = (relabel: boolean) => evaluateFolds({ provider: waveformProvider(toyDataset(relabel)), modelFactory: factory, training, folds: [3], seed: 4 });
  const clean = await run(false);
  const relabelled = await run(true);
  assert.ok(clean.testAccuracy[0] > 0.8, `the toy task is learnable: test ${clean.testAccuracy[0]}`);
  assert.equal(relabelled.validationAccuracy[0], clean.validationAccuracy[0], 'validation score is independent of the test fold');
  assert.ok(relabelled.testAccuracy[0] < 0.3, `the test fold itself did change: ${relabelled.testAccuracy[0]}`);
});

test('lacuna tune: resumable study, extension, optimistic label, best point reused by classify --params', { timeout: 10 * 60 * 1000 }, () => {
  const study = path.join(outputs, 'study-cnn');
  const base = ['tune', '--model', 'cnn', '--initial', '2', '--folds', '1', '--epochs', '1', '--size', 'tiny', '--output', study];
  const first = lacuna([...base, '--calls', '3']);
  assert.equal(first.status, 0, first.stderr.slice(-2000));
  assert.match(first.stdout, /call 3\/3: validation score 0\.\d{4} · best 0\.\d{4} \(call \d\) · \d+s · \d+s left/);
  const trials = loadTrials(study);
  assert.equal(trials.length, 3);
  for (const t of trials) {
    assert.deepEqual(t.folds, [1]);
    assert.equal(t.score, t.validation.mean);
    assert.equal(t.test.perFold.length, 1);
    assert.ok(t.epochsRun[0] === 1 && t.seconds > 0 && t.engine.length > 0 && !t.optimistic);
  }
  const more = lacuna([...base, '--calls', '4']);
  assert.equal(more.status, 0, more.stderr.slice(-2000));
  assert.doesNotMatch(more.stdout, /call [123]\/4/, 'finished points are not run again');
  assert.deepEqual(loadTrials(study).slice(0, 3), trials);

  const clash = lacuna([...base, '--calls', '5', '--kappa', '1']);
  assert.equal(clash.status, 1);
  assert.match(clash.stderr, /another configuration \(differs in: optimizer\.kappa\)/);

  const optimistic = lacuna([...base, '--calls', '2', '--objective', 'test', '--output', path.join(outputs, 'study-test')]);
  assert.equal(optimistic.status, 0, optimistic.stderr.slice(-2000));
  assert.match(optimistic.stdout, /test score 0\.\d+ \(optimistic\)/);
  assert.match(optimistic.stdout, /OPTIMISTIC/);

  const paramsFile = path.join(study, 'best-params.json');
  const params = JSON.parse(fs.readFileSync(paramsFile, 'utf8'));
  const best = loadTrials(study)[params.source.trial];
  const classify = lacuna(['classify', '--params', paramsFile, '--folds', '1', '--size', 'tiny', '--output', path.join(outputs, 'results')]);
  assert.equal(classify.status, 0, classify.stderr.slice(-2000));
  const [runName] = fs.readdirSync(path.join(outputs, 'results')).filter((d) => d.startsWith('cnn-tuned-'));
  const run = path.join(outputs, 'results', runName, 'NC', 'clean');
  const fold = JSON.parse(fs.readFileSync(path.join(run, 'fold-01.json'), 'utf8'));
  assert.equal(fold.accuracy, best.test.perFold[0], 'classify --params retrains the chosen point\'s model');
  const config = JSON.parse(fs.readFileSync(path.join(run, 'config.json'), 'utf8'));
  assert.equal(config.modelConfig.params.source.trial, best.index);
  assert.deepEqual(config.training.epochs, 1);
});

test('lacuna tune: bad input is one line naming the flag or file', () => {
  const bad = path.join(outputs, 'space.json');
  fs.writeFileSync(bad, JSON.stringify({ dimensions: [{ name: 'momentum', kind: 'real', low: 0, high: 1 }] }));
  const cases: [string[], RegExp][] = [
    [['tune', '--calls', '2'], /--model is required/],
    [['tune', '--model', 'rnn', '--calls', '2'], /--model must be one of cnn, yamnet; got "rnn"/],
    [['tune', '--model', 'cnn', '--calls', '2', '--space', bad], /space\.json: cnn has no hyperparameter momentum/],
    [['tune', '--model', 'cnn', '--calls', '2', '--objective', 'train'], /--objective must be one of validation, test/],
    [['tune', '--model', 'cnn', '--calls', '2', '--fold', '1'], /unknown option --fold/],
    [['classify', '--params', bad], /is not a lacuna parameters file/],
  ];
  for (const [args, message] of cases) {
    const r = lacuna(args);
    assert.equal(r.status, 1, args.join(' '));
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
});
