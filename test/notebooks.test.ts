/**
 * Executes every notebook headless with Jupyter + tslab (on the tiny built-in dataset), then opens
 * each rendered page in headless Chromium: every Plotly figure must have drawn, no error output may
 * show, and the page must not reach for the network.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Browser } from 'playwright-core';
import { executeNotebook, findJupyter, listNotebooks, notebookErrors, NotebookRun } from '../lib/notebook/runner';
import { chromiumAvailable, checkRenderedPage, launchChromium } from './support/browser';

const jupyter = findJupyter();
const skipReason = !jupyter
  ? 'Jupyter is not installed (see README: .ci/run installs it)'
  : !jupyter.tslabRegistered ? 'the tslab kernel is not registered (npx tslab install --python=python3)' : false;
const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lacuna-nb-'));
let browser: Browser | undefined;

before(async () => {
  if (chromiumAvailable()) browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

for (const notebook of listNotebooks()) {
  const name = path.basename(notebook);
  test(`notebook ${name} executes and renders`, { skip: skipReason, timeout: 30 * 60 * 1000 }, async () => {
    // Results go under outDir too (LACUNA_OUTPUT_DIR), never into the user's outputs/results/.
    const run: NotebookRun = executeNotebook(notebook, { outDir, env: { LACUNA_NOTEBOOK_SIZE: 'tiny', LACUNA_OUTPUT_DIR: outDir } });
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
  });
}
