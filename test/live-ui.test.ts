/**
 * The notebooks in the live Jupyter web UI: a real classic Notebook server with the tslab kernel
 * (tiny dataset, results in a temporary folder), driven in Debian's Chromium through the menus,
 * the keyboard and the cell editor. Checks what a user sees: every cell finishes without an error,
 * figures draw, audio players show, the progress line updates in place; and that running cells
 * again, interrupting a training cell and restarting the kernel all behave.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './support/browser';
import { JupyterServer, jupyterNotebookMissing, startJupyterServer } from './support/jupyter-server';
import {
  CellState, cellSource, cellStates, editAndRun, menu, openNotebook, plotlyBundleOutputs, restartAndRunAll, runAll, waitForCells, waitForFigures,
} from './support/notebook-ui';

const skip = jupyterNotebookMissing();
const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lacuna-live-out-'));
const results = path.join(outDir, 'results', 'synthetic-urban-tiny', 'cnn');
/** Where the README's screenshot is written when LACUNA_UPDATE_SCREENSHOT=1 (else only to the temp folder). */
const SCREENSHOT = path.join(__dirname, '..', 'docs', 'images', 'notebook-ui.png');
const PROGRESS = /cnn cross-validation \(rows\)/;
const REDECLARED = /already been declared|Cannot redeclare|Duplicate identifier/;

let server: JupyterServer | undefined;
let browser: Browser | undefined;
let page02: Page | undefined;

before(async () => {
  if (skip) return;
  // The dataset is chosen as the README tells web-UI users to: $LACUNA_DATASET in Jupyter's environment.
  server = await startJupyterServer({ LACUNA_NOTEBOOK_SIZE: 'tiny', LACUNA_OUTPUT_DIR: outDir, LACUNA_DATASET: '--dataset synthetic-urban --size tiny' });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  fs.rmSync(outDir, { recursive: true, force: true });
});

/** Runs a test body; a failure carries the end of the server's and kernels' log. */
function live(body: () => Promise<void>): () => Promise<void> {
  return async () => {
    try {
      await body();
    } catch (err) {
      if (err instanceof Error && server) err.message += `\n--- jupyter-notebook log, last lines ---\n${server.log().split('\n').slice(-40).join('\n')}`;
      throw err;
    }
  };
}

/** Every code cell ran (a number in its prompt) and shows no stderr or error output. */
function assertCellsOk(cells: CellState[], what: string): void {
  for (const c of cells) {
    assert.match(c.prompt, /^\d+$/, `${what}: code cell ${c.index + 1} did not run (prompt [${c.prompt}])`);
    assert.deepEqual(c.errors, [], `${what}: code cell ${c.index + 1} shows an error`);
    assert.ok(!c.outputs.some((o) => REDECLARED.test(o)), `${what}: code cell ${c.index + 1} redeclares`);
  }
}

function assertFiguresDrew(cell: CellState, count: number, what: string): void {
  assert.equal(cell.figures.length, count, `${what}: figures in code cell ${cell.index + 1}`);
  for (const f of cell.figures) assert.ok(f.drawn, `${what}: figure "${f.title}" did not draw (${f.width}x${f.height})`);
}

function progressLines(cell: CellState): string[] {
  return cell.outputs.filter((o) => PROGRESS.test(o));
}

/** Finished folds and cached weights on disk, with their modification times. */
function savedWork(): Map<string, number> {
  const found = new Map<string, number>();
  const walk = (dir: string): void => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/^fold-\d+\.json$|\.weights\.bin$/.test(e.name)) found.set(path.relative(results, p), fs.statSync(p).mtimeMs);
    }
  };
  walk(results);
  return found;
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    assert.ok(Date.now() < deadline, `timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function kernelOf(name: string): Promise<string> {
  const sessions = await server!.api<{ path: string; kernel: { id: string } }[]>('api/sessions');
  const s = sessions.find((x) => x.path === name);
  assert.ok(s, `no session for ${name}`);
  return s.kernel.id;
}

test('00_engine: Run All in the UI draws the loss curve; Run All again in the same kernel works', { skip, timeout: 4 * 60 * 1000 }, live(async () => {
  const page = await openNotebook(browser!, server!, '00_engine.ipynb');
  try {
    for (const round of ['first', 'second']) {
      await runAll(page);
      const cells = await waitForCells(page, 3 * 60 * 1000);
      await waitForFigures(page);
      const shown = await cellStates(page);
      assertCellsOk(cells, `00_engine, ${round} Run All`);
      // Code cell 0 is the parameters cell, left empty: the choice comes from Jupyter's environment.
      assert.match(shown[1].outputs.join('\n'), /Dataset synthetic-urban-tiny: \d+ clips listed, \d+ classes.*chosen by the \$LACUNA_DATASET/, 'the page names the dataset $LACUNA_DATASET chose');
      assert.match(shown[1].outputs.join('\n'), /Conv2DBackpropFilter|engine/, 'the engine table');
      assertFiguresDrew(shown[2], 1, `00_engine, ${round} Run All`);
      assert.match(shown[2].outputs.join('\n'), /accuracy after 40 steps/);
      // plotly.js goes into the notebook once per kernel, never once per figure or per run.
      const bundles = await plotlyBundleOutputs(page);
      if (round === 'first') assert.equal(bundles, 1, 'plotly.js embedded once');
      else assert.ok(bundles <= 1, `plotly.js embedded ${bundles} times`);
    }
    // The second run did not embed plotly.js again (the page had it), so the notebook saved now has
    // none: reopened, its figure says so and how to redraw, instead of staying blank.
    await menu(page, 'filelink', 'save_checkpoint');
    const saved = path.join(server!.notebookDir, '00_engine.ipynb');
    await waitFor(() => /accuracy after 40 steps/.test(fs.readFileSync(saved, 'utf8')), 30000, 'the notebook was saved');
    await page.reload();
    await page.waitForFunction(() => /plotly\.js is not on this page/.test(document.querySelector('.lacuna-figure')?.textContent ?? ''), undefined, { timeout: 30000 });
  } finally {
    await page.close();
    await server!.deleteKernel(await kernelOf('00_engine.ipynb'));
  }
}));

test('02_classification: Kernel → Interrupt stops the training cell within seconds and the kernel lives on', { skip, timeout: 4 * 60 * 1000 }, live(async () => {
  const page = page02 = await openNotebook(browser!, server!, '02_classification.ipynb');
  const kernel = await kernelOf('02_classification.ipynb');
  await runAll(page);
  // Interrupt once fold 1 is saved and the next training has begun.
  const firstFold = path.join(results, 'NC', 'clean', 'fold-01.json');
  const deadline = Date.now() + 3 * 60 * 1000;
  for (;;) {
    const cells = await cellStates(page);
    const line = progressLines(cells[3])[0] ?? '';
    if (fs.existsSync(firstFold) && /training/.test(line)) break;
    assert.ok(Date.now() < deadline, `training did not get past fold 1: ${line}`);
    assert.ok(cells.every((c) => c.errors.length === 0), `a cell failed before the interrupt: ${cells.flatMap((c) => c.errors)}`);
    await page.waitForTimeout(200);
  }
  const clicked = Date.now();
  await menu(page, 'kernellink', 'int_kernel');
  // lacuna's training loop notices the interrupt between two steps and says so on its live line.
  await page.waitForFunction((label) => Array.from(document.querySelectorAll('.output_subarea'))
    .some((o) => (o.textContent ?? '').includes(label) && /interrupted/.test(o.textContent ?? '')), 'cnn cross-validation (rows)', { timeout: 30000 });
  const stoppedSec = (Date.now() - clicked) / 1000;
  console.log(`# training stopped ${stoppedSec.toFixed(1)} s after Kernel → Interrupt`);
  assert.ok(stoppedSec < 10, `training took ${stoppedSec.toFixed(1)} s to stop`);
  const cells = await waitForCells(page, 30000);
  assert.match(cells[3].errors.join('\n'), /Interrupted/, 'the cell says it was interrupted');
  assert.deepEqual(progressLines(cells[3]).length, 1, 'one progress line');
  assert.deepEqual(cells.slice(4).map((c) => c.prompt), cells.slice(4).map(() => ''), 'the cells after it did not run');
  const saved = savedWork();
  await page.waitForTimeout(2000);
  assert.deepEqual(savedWork(), saved, 'nothing is written after training stopped');

  // The same kernel runs the setup cell again (engine and dataset loaded a second time).
  assert.equal(await kernelOf('02_classification.ipynb'), kernel, 'the kernel was not replaced');
  await page.locator('#notebook-container .cell.code_cell').nth(1).locator('.CodeMirror').click();
  await page.keyboard.press('Control+Enter');
  const again = await waitForCells(page, 60000);
  assert.match(again[1].prompt, /^\d+$/);
  assert.deepEqual(again[1].errors, [], 'the setup cell runs again after the interrupt');
}));

test('02_classification: Kernel → Restart & Run All resumes from the saved folds and shows every output', { skip, timeout: 5 * 60 * 1000 }, live(async () => {
  const page = page02!;
  assert.ok(page, 'the interrupt test opened the notebook');
  const before = savedWork();
  assert.ok(before.size > 0, 'folds were saved before the interrupt');
  await restartAndRunAll(page);
  const states = new Set<string>();
  const cells = await waitForCells(page, 4 * 60 * 1000, (now) => { if (now[3]) for (const l of progressLines(now[3])) states.add(l); });
  await waitForFigures(page);
  const shown = await cellStates(page);
  assertCellsOk(cells, '02 after restart');
  for (const [file, mtime] of before) assert.equal(savedWork().get(file), mtime, `${file} was computed again`);
  assert.ok(savedWork().size > before.size, 'the remaining folds were computed');
  // The live line: one display, updated in place while training, left at 100 %.
  assert.ok(states.size > 1, `the progress line changed ${states.size} time(s): ${[...states].join(' | ')}`);
  const lines = progressLines(shown[3]);
  assert.equal(lines.length, 1, `one progress line at the end: ${lines.join(' | ')}`);
  assert.match(lines[0], /\(100%\)/);
  assertFiguresDrew(shown[2], 3, '02 gap models');
  assert.equal(shown[2].audioPlayers, 2, 'audio players for the clean and the corrupted clip');
  assertFiguresDrew(shown[5], 3, '02 results');
  assert.match(shown[4].outputs.join('\n'), /C_all/, 'the results table');
  assert.equal(await plotlyBundleOutputs(page), 1, 'plotly.js embedded once');
}));

test('02_classification: Run All again in the same kernel, then a changed gap length redraws its figure', { skip, timeout: 4 * 60 * 1000 }, live(async () => {
  const page = page02!;
  assert.ok(page, 'the interrupt test opened the notebook');
  const before = savedWork();
  await runAll(page);
  const cells = await waitForCells(page, 3 * 60 * 1000);
  await waitForFigures(page);
  assertCellsOk(cells, '02, Run All again');
  assert.deepEqual(savedWork(), before, 'nothing trained again');
  assert.ok((await plotlyBundleOutputs(page)) <= 1, 'plotly.js not embedded again');
  assertFiguresDrew((await cellStates(page))[5], 3, '02 results, Run All again');

  // The user changes the single gap's length and runs the cell, twice.
  const source = await cellSource(page, 2);
  const edited = source.replace("{ kind: 'single', gapSamples: 4000 }", "{ kind: 'single', gapSamples: 2000 }");
  assert.notEqual(edited, source, 'the gap models cell sets a single gap of 4000 samples');
  for (let i = 0; i < 2; i++) {
    await editAndRun(page, 2, edited);
    await waitForCells(page, 60000);
    await waitForFigures(page);
    const cell = (await cellStates(page))[2];
    assertCellsOk([cell], `edited gap cell, run ${i + 1}`);
    assertFiguresDrew(cell, 3, 'edited gap cell');
    assert.match(cell.figures[0].title, /single, 2000 samples missing/, 'the new gap length is drawn');
    assert.equal(cell.audioPlayers, 2);
  }
  const file = path.join(server!.root, 'notebook-ui.png');
  // The edited cell and its first figure fill the window.
  await page.evaluate(() => document.querySelectorAll('#notebook-container .cell.code_cell')[2].scrollIntoView({ block: 'start' }));
  await page.screenshot({ path: file });
  assert.ok(fs.statSync(file).size > 10000, 'a screenshot was taken');
  if (process.env.LACUNA_UPDATE_SCREENSHOT === '1') {
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    fs.copyFileSync(file, SCREENSHOT);
  }
}));
