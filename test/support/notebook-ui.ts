/**
 * Driving the classic Notebook web UI the way a user does (menus, keyboard, the cell editor) and
 * reading back what the page shows: each code cell's prompt, outputs, errors, drawn figures and
 * audio players.
 */
import type { Browser, Page } from 'playwright-core';
import type { JupyterServer } from './jupyter-server';
import { plotlyLoaderScript } from '../../lib/plots/html';

export interface FigureState {
  title: string;
  /** An SVG with at least one drawn trace, of non-zero size. */
  drawn: boolean;
  width: number;
  height: number;
}

export interface CellState {
  /** Position among the code cells, from 0. */
  index: number;
  /** The prompt's number, '*' while queued or running, '' when never run (or aborted). */
  prompt: string;
  /** Text of each output, in order (HTML outputs as their text). */
  outputs: string[];
  /** stderr and error outputs: tslab reports a failing cell on stderr. */
  errors: string[];
  figures: FigureState[];
  audioPlayers: number;
}

/** Opens a notebook in a new tab and waits until its kernel is idle. */
export async function openNotebook(browser: Browser, server: JupyterServer, name: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 860 } });
  await page.goto(`${server.url}/notebooks/${name}?token=${server.token}`);
  await waitForKernelIdle(page, 120000);
  return page;
}

export async function waitForKernelIdle(page: Page, timeoutMs: number): Promise<void> {
  await page.waitForSelector('#kernel_indicator_icon.kernel_idle_icon', { timeout: timeoutMs });
}

/** Clicks a menu in the menu bar, then one of its items (ids as in the classic notebook's page). */
export async function menu(page: Page, menuId: string, itemId: string): Promise<void> {
  await page.click(`#${menuId}`);
  await page.click(`#${itemId} > a`);
}

export async function runAll(page: Page): Promise<void> {
  await menu(page, 'celllink', 'run_all_cells');
}

/** Kernel → Restart & Run All, confirmed; returns once the new kernel has taken the cells. */
export async function restartAndRunAll(page: Page, timeoutMs = 120000): Promise<void> {
  await menu(page, 'kernellink', 'restart_run_all');
  await page.click('.modal-dialog button:has-text("Restart and Run All Cells")');
  await page.waitForFunction(() => Array.from(document.querySelectorAll('#notebook-container .code_cell .input_prompt'))
    .some((p) => /\[\*\]/.test(p.textContent ?? '')), undefined, { timeout: timeoutMs });
}

/** Reads every code cell as the page shows it. */
export function cellStates(page: Page): Promise<CellState[]> {
  return page.evaluate(() => {
    const cells = Array.from(document.querySelectorAll('#notebook-container .cell.code_cell'));
    return cells.map((cell, index) => {
      const prompt = (cell.querySelector('.input_prompt')?.textContent ?? '').replace(/\s/g, '');
      const m = /\[(.*)\]/.exec(prompt);
      const areas = Array.from(cell.querySelectorAll('.output_area .output_subarea'));
      const figures = Array.from(cell.querySelectorAll('.lacuna-figure')).map((f) => {
        const svg = f.querySelector('svg.main-svg');
        const box = svg?.getBoundingClientRect();
        const traces = f.querySelectorAll('g.trace, g.hm, .heatmaplayer image, .imagelayer image').length;
        return {
          title: f.querySelector('.gtitle')?.textContent ?? '',
          drawn: Boolean(svg && box && box.width > 0 && box.height > 0 && traces > 0),
          width: box?.width ?? 0, height: box?.height ?? 0,
        };
      });
      return {
        index,
        prompt: m ? m[1].trim() : '',
        outputs: areas.map((a) => (a.textContent ?? '').trim()),
        errors: areas.filter((a) => a.matches('.output_stderr, .output_error')).map((a) => (a.textContent ?? '').trim().slice(0, 500)),
        figures,
        audioPlayers: cell.querySelectorAll('audio[src^="data:audio/wav"]').length,
      };
    });
  });
}

/**
 * Every message the page sent the kernel has both its reply (shell) and its closing idle status
 * (iopub). The prompt's number comes with the reply, but outputs come on iopub, which lags behind
 * when an output is large (the first figure carries plotly.js): a numbered prompt alone does not
 * mean the cell's outputs are on the page.
 */
function allMessagesDone(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    type Callbacks = { shell_done: boolean; iopub_done: boolean };
    const kernel = (window as unknown as { Jupyter: { notebook: { kernel?: { _msg_callbacks: Record<string, Callbacks> } } } }).Jupyter.notebook.kernel;
    return Boolean(kernel) && Object.values(kernel!._msg_callbacks).every((c) => c.shell_done && c.iopub_done);
  });
}

/**
 * Waits until no code cell is queued or running, the kernel is idle and every output has arrived,
 * calling `sample` with the page's cells every `everyMs` meanwhile (to watch live outputs change).
 */
export async function waitForCells(
  page: Page, timeoutMs: number, sample?: (cells: CellState[]) => void, everyMs = 250,
): Promise<CellState[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const cells = await cellStates(page);
    sample?.(cells);
    const idle = await page.$('#kernel_indicator_icon.kernel_idle_icon');
    if (idle && cells.every((c) => c.prompt !== '*') && await allMessagesDone(page)) return cellStates(page);
    if (Date.now() > deadline) throw new Error(`cells still running after ${timeoutMs / 1000} s: ${cells.map((c) => `[${c.prompt}]`).join(' ')}`);
    await page.waitForTimeout(everyMs);
  }
}

/** Waits until every Plotly figure on the page has an SVG (plotly.js may still be loading). */
export async function waitForFigures(page: Page, timeoutMs = 30000): Promise<void> {
  await page.waitForFunction(() => Array.from(document.querySelectorAll('.lacuna-figure')).every((f) => f.querySelector('svg.main-svg')),
    undefined, { timeout: timeoutMs });
}

/** Replaces a code cell's source by typing into its editor, then runs it in place (Ctrl+Enter). */
export async function editAndRun(page: Page, index: number, source: string): Promise<void> {
  const editor = page.locator('#notebook-container .cell.code_cell').nth(index).locator('.CodeMirror');
  await editor.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(source);
  await page.keyboard.press('Control+Home'); // the editor scrolls back to the first column
  await page.keyboard.press('Control+Enter');
}

/** The source of a code cell as its editor holds it. */
export function cellSource(page: Page, index: number): Promise<string> {
  return page.locator('#notebook-container .cell.code_cell').nth(index).locator('.CodeMirror')
    .evaluate((el) => (el as unknown as { CodeMirror: { getValue(): string } }).CodeMirror.getValue());
}

/**
 * Outputs in the notebook's saved form that carry the plotly.js bundle (lib/plots/html's loader):
 * more than one would mean the bundle was duplicated into the file.
 */
export function plotlyBundleOutputs(page: Page): Promise<number> {
  const marker = plotlyLoaderScript().split('\n')[0];
  return page.evaluate((marker) => {
    const nb = (window as unknown as { Jupyter: { notebook: { toJSON(): { cells: { outputs?: { data?: Record<string, unknown> }[] }[] } } } }).Jupyter.notebook.toJSON();
    let n = 0;
    for (const cell of nb.cells) {
      for (const out of cell.outputs ?? []) {
        const html = out.data?.['text/html'];
        const text = Array.isArray(html) ? html.join('') : String(html ?? '');
        if (text.includes(marker)) n++;
      }
    }
    return n;
  }, marker);
}
