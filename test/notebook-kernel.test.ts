/**
 * Long cells and failing cells in a real tslab kernel, executed the way `lacuna notebooks` and the
 * demo execute them: every output of a chatty cell arrives, and an error thrown in a cell (in the
 * main thread or in a worker thread) reaches the rendered page and the runner's message with its
 * name, message and lacuna's stack frames.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { executeNotebook, findJupyter, NotebookFailure, notebookErrors } from '../lib/notebook/runner';
import { outcomeSummary } from '../lib/cli/notebook-runs';

const jupyter = findJupyter();
const skip = !jupyter ? 'Jupyter is not installed (see README: .ci/run installs it)'
  : !jupyter.tslabRegistered ? 'the tslab kernel is not registered (npx tslab install --python=python3)' : false;
const dist = path.resolve(__dirname, '..', 'dist');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lacuna-kernel-'));

/** A notebook of code cells, written to the temporary folder. */
function notebook(name: string, cells: string[]): string {
  const file = path.join(dir, `${name}.ipynb`);
  const nb = {
    cells: cells.map((source, i) => ({ cell_type: 'code', id: `c${i}`, metadata: {}, execution_count: null, outputs: [], source })),
    metadata: { kernelspec: { display_name: 'TypeScript', language: 'typescript', name: 'tslab' } },
    nbformat: 4, nbformat_minor: 5,
  };
  fs.writeFileSync(file, JSON.stringify(nb));
  return file;
}

function outputsOf(executed: string): { output_type: string; name?: string; text?: string | string[]; data?: Record<string, unknown> }[][] {
  const nb = JSON.parse(fs.readFileSync(executed, 'utf8')) as { cells: { outputs?: never[] }[] };
  return nb.cells.map((c) => c.outputs ?? []);
}

const text = (t: string | string[] | undefined): string => (Array.isArray(t) ? t.join('') : t ?? '');

/**
 * One kernel serves the first two tests (a kernel's start costs seconds): the chatty cells, then a cell
 * where lacuna throws. Run once; its notebook and what executing it threw.
 */
let chattyThenError: { nb: string; failure: unknown } | undefined;
function runChattyThenError(): { nb: string; failure: unknown } {
  chattyThenError ??= (() => {
    const nb = notebook('chatty-then-error', [
      `import { initEngine } from ${JSON.stringify(dist + '/engine')};\nawait initEngine({ quiet: true });`,
      [
        "import * as tslab from 'tslab';",
        'const live = tslab.newDisplay();',
        "for (let i = 0; i < 1500; i++) live.text('state ' + i);",
        "for (let i = 0; i < 1500; i++) console.log('line ' + i);",
      ].join('\n'),
      "console.log('after');",
      `import { loadCachedDataset } from ${JSON.stringify(dist + '/data')};`,
      "const ds = loadCachedDataset('/nonexistent/lacuna-cache', 8000);",
      "console.log('never');",
    ]);
    try {
      executeNotebook(nb, { outDir: dir });
      return { nb, failure: undefined };
    } catch (failure) {
      return { nb, failure };
    }
  })();
  return chattyThenError;
}

test('a cell that sends thousands of outputs loses none and does not fail', { skip, timeout: 5 * 60 * 1000 }, () => {
  // zeromq hands every 513th send to the event loop; tslab's unqueued sends then met EBUSY,
  // which killed the cell (display) or silently dropped the rest of its output (console).
  const { failure } = runChattyThenError();
  assert.ok(failure instanceof NotebookFailure, String(failure));
  const executed = failure.html.replace(/\.html$/, '.ipynb');
  assert.deepEqual(notebookErrors(executed).map((e) => e.split(':')[0]), ['cell 4'], 'no error before the failing cell');
  const [, chatty, after] = outputsOf(executed);
  const lines = chatty.filter((o) => o.output_type === 'stream').map((o) => text(o.text)).join('').trim().split('\n');
  assert.equal(lines.length, 1500, 'every console line arrives');
  assert.equal(lines[1499], 'line 1499', 'in order');
  const displays = chatty.filter((o) => o.output_type === 'display_data');
  assert.equal(displays.length, 1, 'one live display');
  assert.match(JSON.stringify(displays[0].data), /state 1499/, 'showing its last state');
  assert.match(text(after[0]?.text), /after/);
});

test('an error thrown by lacuna in a cell reaches the page and the runner with its name, message and frames', { skip, timeout: 5 * 60 * 1000 }, () => {
  const { nb, failure: err } = runChattyThenError();
  assert.ok(err instanceof NotebookFailure, String(err));
  assert.match(err.message, /code cell 5/);
  assert.match(err.message, /DatasetError: no dataset cache at \/nonexistent\/lacuna-cache/);
  assert.match(err.message, /dist[\\/]data[\\/]cache\.js/, 'the lacuna frame');
  assert.match(fs.readFileSync(err.log, 'utf8'), /DatasetError: no dataset cache/);
  const executed = err.html.replace(/\.html$/, '.ipynb');
  const errors = notebookErrors(executed);
  assert.equal(errors.length, 1, 'one error output, in the failing cell');
  assert.match(errors[0], /^cell 4: DatasetError: no dataset cache at \/nonexistent\/lacuna-cache/);
  assert.match(fs.readFileSync(err.html, 'utf8'), /DatasetError/, 'the rendered page shows the error');
  // What the demo prints at the end when a notebook failed.
  const summary = outcomeSummary({ ran: [], failed: { notebook: nb, seconds: 12, error: err }, notRun: ['/x/04_next.ipynb'] }, 'npm run demo');
  assert.match(summary, /✘ chatty-then-error .* FAILED/);
  assert.match(summary, /DatasetError: no dataset cache/);
  assert.match(summary, /log: .*chatty-then-error\.log/);
  assert.match(summary, /04_next .*not run/);
  assert.match(summary, /Re-running `npm run demo` resumes where it stopped/);
});

test('an error thrown in a worker thread reaches the cell with its message and the worker frames', { skip, timeout: 5 * 60 * 1000 }, () => {
  // A custom layer that works here but throws inside the training replicas' threads.
  const layer = path.join(dir, 'exploding-layer.js');
  fs.writeFileSync(layer, [
    `const tf = require(${JSON.stringify(require.resolve('@tensorflow/tfjs'))});`,
    "const { isMainThread } = require('worker_threads');",
    'class Exploding extends tf.layers.Layer {',
    "  static get className() { return 'Exploding'; }",
    "  call(inputs) { if (!isMainThread) throw new RangeError('exploded in a worker thread'); return Array.isArray(inputs) ? inputs[0] : inputs; }",
    '}',
    'tf.serialization.registerClass(Exploding);',
    'module.exports = { Exploding };',
  ].join('\n'));
  const nb = notebook('worker-error', [
    [
      `import { initEngine, createParallelTrainer } from ${JSON.stringify(dist + '/engine')};`,
      `const tf: any = require(${JSON.stringify(require.resolve('@tensorflow/tfjs'))});`,
      `const { Exploding } = require(${JSON.stringify(layer)});`,
      "await initEngine({ engine: 'wasm', quiet: true });",
      'const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3 }), new Exploding({})] });',
      "model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });",
      `const trainer = await createParallelTrainer(model, { workers: 2, modules: [${JSON.stringify(layer)}], quiet: true });`,
      'await trainer.trainOnBatch(new Float32Array(8), new Float32Array([0, 1]), 2);',
    ].join('\n'),
  ]);
  assert.throws(() => executeNotebook(nb, { outDir: dir }), (err: unknown) => {
    assert.ok(err instanceof NotebookFailure, String(err));
    assert.match(err.message, /ModelError: worker \d: RangeError: exploded in a worker thread/);
    assert.match(err.message, /exploding-layer\.js/, 'the frame where it was thrown, in the worker');
    assert.match(err.message, /dist[\\/]engine[\\/]parallel-step\.js/, "lacuna's frame in the worker");
    return true;
  });
});
