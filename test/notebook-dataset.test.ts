/**
 * The notebooks' one dataset choice (lib/notebook/dataset.ts): its order (parameters cell, then
 * $LACUNA_DATASET, then the built-in set), its errors, the folds it runs, what the command line
 * injects, and the as-it-came-in inventory of notebook 01 on a user's dataset in real formats.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { datasetHeader, notebookDataset, splitFlags, testFolds } from '../lib/notebook/dataset';
import { exampleRows } from '../lib/notebook/examples';
import { costNote, estimateSeconds, MEASURED_COSTS } from '../lib/notebook/cost';
import { injectedParametersSource } from '../lib/notebook/runner';
import { notebookParametersFromFlags } from '../lib/cli/notebook-runs';
import { parseCommandLine } from '../lib/cli/command';
import { command as notebooksCommand } from '../lib/cli/commands/notebooks';
import { createDataset, loadCachedDataset } from '../lib/data/cache';
import { openDataset } from '../lib/data/adapters';
import { durationCounts, formatCounts, sourceInventory } from '../lib/data/inventory';
import { ParameterError } from '../lib/util/errors';
import { writeUserDataset } from './support/user-dataset';
import { spawnSync } from 'child_process';
import { findJupyter } from '../lib/notebook/runner';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lacuna-nbds-'));

test('the built-in set is the default, sized by $LACUNA_NOTEBOOK_SIZE, which is also the quick pass', () => {
  const plain = notebookDataset({}, {});
  assert.equal(plain.chosenBy, 'built-in default');
  assert.equal(plain.options.kind, 'synthetic-urban');
  assert.equal(plain.builtIn, true);
  assert.equal(plain.quick, false);
  const tiny = notebookDataset({ datasetFlags: '', foldsToRun: '' }, { LACUNA_NOTEBOOK_SIZE: 'tiny' });
  assert.equal(tiny.options.size, 'tiny');
  assert.equal(tiny.name, 'synthetic-urban-tiny');
  assert.equal(tiny.quick, true);
  assert.throws(() => notebookDataset({}, { LACUNA_NOTEBOOK_SIZE: 'huge' }), /LACUNA_NOTEBOOK_SIZE must be tiny or default/);
});

test('parameters cell beats $LACUNA_DATASET, which beats the default; paths become absolute', () => {
  const env = { LACUNA_DATASET: '--dataset urbansound8k --root /data/UrbanSound8K', LACUNA_NOTEBOOK_SIZE: 'tiny' };
  const fromEnv = notebookDataset({ datasetFlags: '' }, env);
  assert.equal(fromEnv.chosenBy, '$LACUNA_DATASET');
  assert.equal(fromEnv.options.kind, 'urbansound8k');
  assert.equal(fromEnv.name, 'UrbanSound8K');
  assert.equal(fromEnv.options.size, undefined, 'the notebook size sets no --size on a user dataset');
  assert.equal(fromEnv.quick, true, 'but it still asks for the quick pass');
  const fromCell = notebookDataset({ datasetFlags: "--dataset esc50 --root 'my data/ESC-50' --name mine" }, env);
  assert.equal(fromCell.chosenBy, 'parameters cell');
  assert.equal(fromCell.options.kind, 'esc50');
  assert.equal(fromCell.options.root, path.resolve('my data/ESC-50'));
  assert.equal(fromCell.name, 'mine');
  const injected = notebookDataset({ datasetFlags: '--dataset esc50 --root /x' }, { ...env, LACUNA_INJECTED_DATASET_FLAGS: '--dataset esc50 --root /x' });
  assert.equal(injected.chosenBy, 'command line', 'values the runner injected are named as the command line\'s');
  assert.deepEqual(splitFlags(`--root "a b" --name 'c d' --x`), ['--root', 'a b', '--name', 'c d', '--x']);
});

test('bad choices are errors naming where they came from', () => {
  assert.throws(() => notebookDataset({ datasetFlags: '--dataset esc50 --root x --epochs 3' }, {}), (e: Error) =>
    e instanceof ParameterError && /datasetFlags in the parameters cell: --epochs is not a dataset flag/.test(e.message));
  assert.throws(() => notebookDataset({}, { LACUNA_DATASET: '--dataset nope' }), /--dataset must be one of/);
  assert.throws(() => notebookDataset({}, { LACUNA_DATASET: '--dataset esc50' }), /--root is required/);
  assert.throws(() => notebookDataset({ foldsToRun: '1,x' }, {}), /foldsToRun must be fold numbers/);
});

test('test folds: those asked for, else two in the quick pass, else all; a fold not in the data is an error', () => {
  const clips = [1, 2, 3, 5].map((fold) => ({ fold }));
  const data = { clips } as unknown as Parameters<typeof testFolds>[1];
  assert.deepEqual(testFolds(notebookDataset({}, {}), data), [1, 2, 3, 5]);
  assert.deepEqual(testFolds(notebookDataset({}, { LACUNA_NOTEBOOK_SIZE: 'tiny' }), data), [1, 2]);
  assert.deepEqual(testFolds(notebookDataset({ foldsToRun: '5, 3' }, {}), data), [3, 5]);
  assert.throws(() => testFolds(notebookDataset({ foldsToRun: '4' }, {}), data), /fold 4 is not in dataset/);
});

test('the command line becomes an injected-parameters cell; unknown or misplaced flags are refused', () => {
  const flagsOf = (argv: string[]) => parseCommandLine('notebooks', notebooksCommand, argv);
  const parameters = notebookParametersFromFlags(flagsOf(['02', '--dataset', 'esc50', '--root', 'rel/ESC', '--folds', '1, 2']));
  assert.deepEqual(parameters, { datasetFlags: `--dataset esc50 --root ${path.resolve('rel/ESC')}`, foldsToRun: '1,2' });
  assert.deepEqual(notebookParametersFromFlags(flagsOf(['--quick'])), {});
  const source = injectedParametersSource(parameters, 'lacuna notebooks --dataset esc50');
  assert.match(source, /^\/\/ injected-parameters: set by lacuna notebooks/);
  assert.match(source, new RegExp(`const datasetFlags = "--dataset esc50 --root ${path.resolve('rel/ESC').replace(/\//g, '\\/')}";`));
  assert.match(source, /const foldsToRun = "1,2";/);
  assert.equal(injectedParametersSource({}, 'x'), '');
  assert.throws(() => notebookParametersFromFlags(flagsOf(['--dataset', 'esc50', '--root', 'x', '--size', 'tiny'])), /--size applies to --dataset synthetic-urban only/);
  assert.throws(() => notebookParametersFromFlags(flagsOf(['--folds', 'all'])), /--folds: "all" is not a list of fold numbers/);
  assert.throws(() => notebookParametersFromFlags(flagsOf(['--dataset', 'esc50'])), /--root is required for dataset kind "esc50"/);
});

test('a user dataset in real formats: inventory before resampling, bad file reported, header names it, one example per class', () => {
  const written = writeUserDataset(path.join(tmp, 'city-sounds'), 'urbansound8k');
  const choice = notebookDataset({ datasetFlags: `--dataset urbansound8k --root ${written.root} --cache-root ${path.join(tmp, 'cache')}` }, {});
  assert.equal(choice.name, 'urbansound8k-city-sounds');
  const listed = openDataset({ ...choice.options, quiet: true });
  assert.equal(listed.clips.length, written.listed);
  const inventory = sourceInventory(listed, { quiet: true });
  assert.deepEqual(inventory.unreadable.map((u) => u.path), [written.badFile]);
  assert.match(inventory.unreadable[0].problem, /truncated WAV/);
  const formats = formatCounts(inventory.clips).map((f) => `${f.sample_rate_hz}/${f.channels}/${f.format}`).sort();
  assert.deepEqual(formats, ['16000/1/pcm16', '22050/1/pcm24', '44100/2/pcm16', '48000/2/float32']);
  assert.deepEqual([...new Set(inventory.clips.map((c) => c.durationSec))].sort(), [1, 4, 5]);
  assert.deepEqual(durationCounts(inventory.clips, 4).map((d) => d.then), ['zero-padded', 'kept whole', 'cut to the first 4 s']);
  const { cacheDirs, report } = createDataset({ ...choice.options, quiet: true });
  assert.equal(report.cached, written.listed - 1);
  assert.deepEqual(report.skipped.map((s) => s.path), [written.badFile]);
  const data = loadCachedDataset(cacheDirs[16000], 16000);
  assert.deepEqual(data.classNames, written.classNames, 'the dataset\'s own classes, sparse ids indexed 0..K-1');
  const header = datasetHeader(choice, data);
  assert.match(header, /Dataset `urbansound8k-city-sounds`\*\*: 23 clips, 4 classes, 3 folds/);
  assert.match(header, new RegExp(`urbansound8k layout read from \`${written.root}\``));
  assert.doesNotMatch(header, /synthetic/);
  const examples = exampleRows(data);
  assert.deepEqual(examples.map((i) => data.clips[i].className), written.classNames);
  assert.deepEqual(exampleRows(data, (i) => data.clips[i].fold === 1).map((i) => data.clips[i].fold), [1, 1, 1, 1]);
});

const ROOT = path.resolve(__dirname, '..');
const jupyter = findJupyter();
const notebookSkip = !fs.existsSync(path.join(ROOT, 'dist/cli/main.js')) ? 'dist/ not built'
  : !jupyter?.tslabRegistered ? 'Jupyter with the tslab kernel is not installed' : false;

test('an ESC-50-layout folder: the esc50 adapter reads it, and `lacuna notebooks 01 --dataset esc50` renders a page naming it', { skip: notebookSkip, timeout: 10 * 60 * 1000 }, () => {
  // The real ESC-50 is not used (nor fetched): a folder in its layout, written from WAVs in real formats.
  const written = writeUserDataset(path.join(tmp, 'ESC-50-field'), 'esc50');
  const listed = openDataset({ kind: 'esc50', root: written.root, quiet: true });
  assert.equal(listed.clips.length, written.listed);
  assert.deepEqual(listed.classNames, written.classNames, 'targets 1, 4, 6, 9 indexed 0..3 in target order');
  const out = path.join(tmp, 'esc50-out');
  const run = spawnSync(process.execPath, [path.join(ROOT, 'dist/cli/main.js'), 'notebooks', '01', '--dataset', 'esc50', '--root', written.root, '--quick'], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, LACUNA_OUTPUT_DIR: out, LACUNA_DATA_DIR: path.join(out, 'data') },
  });
  assert.equal(run.status, 0, run.stderr);
  const executed = JSON.parse(fs.readFileSync(path.join(out, 'notebooks', '01_data_creation.ipynb'), 'utf8')) as { cells: { outputs?: { text?: string[]; data?: Record<string, string[]> }[] }[] };
  const text = executed.cells.flatMap((c) => (c.outputs ?? []).map((o) => (o.text ?? []).join('')
    + ['text/markdown', 'text/plain', 'text/html'].map((mime) => (o.data?.[mime] ?? []).join('').replace(/<script[\s\S]*?<\/script>/g, '')).join(''))).join('\n');
  assert.match(text, new RegExp(`Dataset \`esc50-ESC-50-field\`\\*\\*: 23 clips, 4 classes, 3 folds .*esc50 layout read from \`${written.root}\`; chosen by the command line`));
  assert.match(text, /3-broken-A-9\.wav/, 'the truncated file is reported');
  assert.doesNotMatch(text, /synthetic-urban/, 'no output comes from the built-in data');
  assert.match(fs.readFileSync(path.join(out, 'notebooks', '01_data_creation.html'), 'utf8'), /esc50-ESC-50-field/, 'the rendered page names it');
});

test('cost notes scale the measured rates by clips and folds', () => {
  assert.equal(estimateSeconds(MEASURED_COSTS.cnnModel, 1003, 10), 440);
  assert.ok(Math.abs(estimateSeconds(MEASURED_COSTS.cnnModel, 8732, 10) - 440 * 8732 / 1003) < 1e-6);
  const note = costNote('Training', MEASURED_COSTS.cnnModel, 8732, { folds: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], times: 2 });
  assert.match(note, /10 folds × ~13 min ≈ \*\*2 h 8 min\*\*/);
  assert.match(note, /bench:cv/);
});
