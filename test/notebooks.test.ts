/**
 * Executes every notebook headless with Jupyter + tslab on a user's dataset, not the built-in one:
 * a small set in the UrbanSound8K layout written by the test from WAV files in real formats
 * (test/support/user-dataset.ts: sparse class ids, 1/4/5 s clips, 44.1 kHz stereo, 22.05 kHz
 * mono 24-bit, float, one truncated file), chosen the way `lacuna notebooks --dataset … --root …`
 * chooses it (an injected-parameters cell), in the quick pass. Every page must name that dataset,
 * no output may come from the built-in data, and results must go under its name. Notebook 01 also
 * runs on the tiny built-in set, where it tells how the data was synthesised. Each rendered page is
 * opened in headless Chromium: every Plotly figure must have drawn, no error output may show, and
 * the page must not reach for the network.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Browser } from 'playwright-core';
import { executeNotebook, findJupyter, listNotebooks, notebookErrors, NotebookRun } from '../lib/notebook/runner';
import { locateYamnet } from '../lib/models/yamnet/locate';
import { chromiumAvailable, checkRenderedPage, launchChromium } from './support/browser';
import { writeUserDataset } from './support/user-dataset';

const jupyter = findJupyter();
const skipReason = !jupyter
  ? 'Jupyter is not installed (see README: .ci/run installs it)'
  : !jupyter.tslabRegistered ? 'the tslab kernel is not registered (npx tslab install --python=python3)' : false;
const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lacuna-nb-'));
const userRoot = path.join(outDir, 'field-recordings');
const USER_NAME = 'urbansound8k-field-recordings';
const datasetFlags = `--dataset urbansound8k --root ${userRoot}`;
let yamnetFound = true;
try { locateYamnet(); } catch { yamnetFound = false; }
let browser: Browser | undefined;

before(async () => {
  writeUserDataset(userRoot, 'urbansound8k');
  if (chromiumAvailable()) browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

/** Text of every output of an executed notebook, and the source of its injected-parameters cell. */
function outputsOf(executed: string): { text: string; injected: string | undefined } {
  const nb = JSON.parse(fs.readFileSync(executed, 'utf8')) as { cells: { metadata?: { tags?: string[] }; source: string[] | string; outputs?: { text?: string[]; data?: Record<string, string[] | string> }[] }[] };
  const join = (v: string[] | string | undefined) => (Array.isArray(v) ? v.join('') : v ?? '');
  const text = nb.cells.flatMap((c) => (c.outputs ?? []).map((o) => join(o.text) + Object.entries(o.data ?? {})
    .filter(([mime]) => mime === 'text/markdown' || mime === 'text/plain' || mime === 'text/html').map(([, v]) => join(v).replace(/<script[\s\S]*?<\/script>/g, '')).join(''))).join('\n');
  const injected = nb.cells.find((c) => c.metadata?.tags?.includes('injected-parameters'));
  return { text, injected: injected && join(injected.source) };
}

async function checkPage(run: NotebookRun, name: string): Promise<void> {
  assert.deepEqual(notebookErrors(run.executed), [], `${name} has error outputs`);
  const html = fs.readFileSync(run.html, 'utf8');
  assert.ok(!/<script[^>]*src="(file|https?):/.test(html), 'rendered HTML links external scripts');
  assert.ok(browser, 'Debian chromium is required for the rendered-page check (.ci/run installs it)');
  const check = await checkRenderedPage(browser, run.html);
  assert.ok(check.figures > 0, `${name}: no Plotly figure on the page`);
  assert.deepEqual(check.emptyFigures, [], `${name}: figures that did not draw`);
  assert.deepEqual(check.errorOutputs, [], `${name}: error output shown`);
  assert.deepEqual(check.pageErrors, [], `${name}: page errors`);
  assert.deepEqual(check.externalRequests, [], `${name}: external requests`);
}

for (const notebook of listNotebooks()) {
  const name = path.basename(notebook);
  test(`notebook ${name} executes and renders on a user's dataset`, { skip: skipReason, timeout: 30 * 60 * 1000 }, async () => {
    // Results and caches go under outDir (LACUNA_OUTPUT_DIR, LACUNA_DATA_DIR), never into the user's.
    const run = executeNotebook(notebook, {
      outDir, parameters: { datasetFlags }, parametersSetBy: 'test/notebooks.test.ts',
      env: { LACUNA_NOTEBOOK_SIZE: 'tiny', LACUNA_OUTPUT_DIR: outDir, LACUNA_DATA_DIR: path.join(outDir, 'data') },
    });
    const { text, injected } = outputsOf(run.executed);
    assert.equal(injected, `// injected-parameters: set by test/notebooks.test.ts\nconst datasetFlags = ${JSON.stringify(datasetFlags)};`, 'the page shows the injected choice');
    // 00 reads only the metadata (24 rows); the others the 23 clips left once the truncated file is skipped.
    assert.match(text, new RegExp(`Dataset \`${USER_NAME}\`\\*\\*: (23 clips|24 clips listed), 4 classes, 3 folds .*urbansound8k layout read from \`${userRoot}\`; chosen by the command line`), `${name} names the dataset first`);
    assert.doesNotMatch(text, /synthetic-urban/, `${name}: an output mentions the built-in data`);
    if (/^0[36]_/.test(name) && !yamnetFound) assert.match(text, /YAMNet is not available/, `${name} says YAMNet is missing`);
    await checkPage(run, name);
  });
}

test('results of the notebooks go under the user dataset\'s name only', { skip: skipReason }, () => {
  const results = path.join(outDir, 'results');
  assert.deepEqual(fs.readdirSync(results), [USER_NAME]);
  assert.ok(fs.existsSync(path.join(results, USER_NAME, 'cnn', 'NC', 'clean', 'fold-01.json')), 'notebook 02 saved its folds');
  if (yamnetFound) assert.ok(fs.existsSync(path.join(results, USER_NAME, 'yamnet')), 'notebooks 03/06 saved the head\'s runs');
});

test('notebook 01 on the tiny built-in set tells how it was synthesised', { skip: skipReason, timeout: 10 * 60 * 1000 }, async () => {
  const builtInDir = path.join(outDir, 'built-in');
  const notebook = listNotebooks().find((n) => path.basename(n).startsWith('01_'))!;
  const run = executeNotebook(notebook, { outDir: builtInDir, env: { LACUNA_NOTEBOOK_SIZE: 'tiny', LACUNA_OUTPUT_DIR: builtInDir } });
  const { text, injected } = outputsOf(run.executed);
  assert.equal(injected, undefined, 'nothing injected without dataset flags');
  assert.match(text, /Dataset `synthetic-urban-tiny`\*\*: \d+ clips, 10 classes.*chosen by the built-in default/);
  assert.match(text, /synthetic-urban: class → mechanism → randomised parameters/, 'the synthesis story');
  await checkPage(run, '01 (built-in)');
});
