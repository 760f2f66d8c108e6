/**
 * Executes notebooks headless with Jupyter (nbconvert + the tslab kernel) and renders them to
 * self-contained HTML for sharing. Everything a notebook computes comes from lib/, so the runner
 * only orchestrates: execute, check for errors, render.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { LacunaError } from '../util/errors';
import { writeFileAtomic } from '../util/atomic';
import { outputDir, repoRoot } from '../data/paths';
import type { NotebookParameters } from './dataset';

export const JUPYTER_INSTALL_HELP = [
  'Jupyter was not found. lacuna runs its notebooks with Jupyter (nbconvert) and the tslab kernel.',
  'Install them with one of:',
  '  Debian/Ubuntu: sudo apt-get install -y jupyter-nbconvert jupyter-client python3-ipykernel',
  '  pip:           python3 -m pip install nbconvert jupyter_client ipykernel',
  'then register the TypeScript kernel:  npx tslab install --python=python3',
].join('\n');

export interface JupyterInfo {
  jupyter: string;
  nbconvertVersion: string;
  /** The Python interpreter Jupyter runs on (for registering tslab). */
  python: string;
  tslabRegistered: boolean;
}


/** PATH with the project's node_modules/.bin first, so the tslab kernel command resolves. */
export function notebookEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const bin = path.join(repoRoot(), 'node_modules', '.bin');
  return { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`, ...extra };
}

function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.join(dir, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch { /* keep looking */ }
  }
  return undefined;
}

/** Finds Jupyter and reports whether tslab is registered; undefined when Jupyter is missing. */
export function findJupyter(): JupyterInfo | undefined {
  const jupyter = which('jupyter');
  if (!jupyter) return undefined;
  const version = spawnSync(jupyter, ['nbconvert', '--version'], { encoding: 'utf8' });
  if (version.status !== 0) return undefined;
  const shebang = fs.readFileSync(jupyter, 'utf8').split('\n')[0];
  const python = shebang.startsWith('#!') ? shebang.slice(2).trim().split(/\s+/)[0] : 'python3';
  const specs = spawnSync(jupyter, ['kernelspec', 'list', '--json'], { encoding: 'utf8' });
  let tslabRegistered = false;
  try {
    tslabRegistered = Boolean(JSON.parse(specs.stdout).kernelspecs?.tslab);
  } catch { /* no JSON: treat as not registered */ }
  return { jupyter, nbconvertVersion: version.stdout.trim(), python, tslabRegistered };
}

/** Registers the tslab kernel for Jupyter's own Python. */
export function registerTslab(info: JupyterInfo): void {
  const tslab = path.join(repoRoot(), 'node_modules', '.bin', 'tslab');
  execFileSync(tslab, ['install', `--python=${info.python}`], { stdio: 'inherit' });
}

/** Notebooks of the project in story order (file names start with their number). */
export function listNotebooks(dir = path.join(repoRoot(), 'notebooks')): string[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.ipynb')).sort().map((f) => path.join(dir, f));
}

export interface NotebookRun {
  notebook: string;
  executed: string;
  html: string;
  seconds: number;
}

/** Scripts nbconvert links from the machine (require.js, MathJax) would break a shared page offline. */
export function stripExternalScripts(html: string): string {
  return html.replace(/<script[^>]*\ssrc="(?:file|https?):\/\/[^"]*"[^>]*>\s*<\/script>/g, '');
}

function lastErrorLines(text: string): string {
  const lines = text.trim().split('\n');
  return lines.slice(-25).join('\n');
}

/** The failing cell's error as scripts/execute-notebook.py printed it, lacuna's own frames kept. */
export function cellErrorReport(stderr: string): string | undefined {
  const m = /^ERROR-BEGIN\n([\s\S]*?)\nERROR-END$/m.exec(stderr);
  if (!m) return undefined;
  const [where, headline, ...stack] = m[1].split('\n');
  // Frames inside node_modules and Node itself say little to a user; lacuna's (dist/, lib/) and the cell's do.
  let frames = 0;
  let other = 0;
  const kept = stack.filter((l) => {
    if (/^\s+at /.test(l)) return !/node_modules|node:internal|\(node:/.test(l) && frames++ < 12;
    return l.trim() !== '' && l.trim() !== '}' && other++ < 8;
  });
  return [`${where}: ${headline}`, ...kept].join('\n');
}

let foundPython: string | undefined;

/**
 * Jupyter's Python, which runs scripts/execute-notebook.py (it needs nbclient and nbformat).
 * Looked up once per process: finding it starts two Jupyter commands.
 */
function jupyterPython(): string {
  if (foundPython) return foundPython;
  const info = findJupyter();
  if (!info) throw new LacunaError(JUPYTER_INSTALL_HELP);
  return (foundPython = info.python);
}

/**
 * The code of the `injected-parameters` cell: it redeclares the `parameters` cell's names with
 * the values a run was given (tslab lets a later cell redeclare a const), and says who set them.
 */
export function injectedParametersSource(parameters: NotebookParameters, setBy: string): string {
  const lines = Object.entries(parameters)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `const ${k} = ${JSON.stringify(v)};`);
  return lines.length ? [`// injected-parameters: set by ${setBy}`, ...lines].join('\n') : '';
}

/**
 * Executes one notebook (cwd = its folder, so `../dist` imports resolve), writes the executed
 * .ipynb and a self-contained HTML page to outDir. When a cell fails, both are still written (the
 * page shows the error where it happened), the full log is kept beside them, and a LacunaError
 * names the notebook, the cell, the error with lacuna's stack frames, and where to look.
 * `parameters` go into an `injected-parameters` cell after the notebook's `parameters` cell.
 */
export function executeNotebook(
  notebook: string,
  options: { outDir?: string; timeoutSec?: number; env?: Record<string, string>; parameters?: NotebookParameters; parametersSetBy?: string } = {},
): NotebookRun {
  const outDir = options.outDir ?? path.join(outputDir(), 'notebooks');
  fs.mkdirSync(outDir, { recursive: true });
  const name = path.basename(notebook, '.ipynb');
  const executed = path.join(outDir, `${name}.ipynb`);
  const html = path.join(outDir, `${name}.html`);
  const log = path.join(outDir, `${name}.log`);
  // The kernel learns what was injected, so a page can tell the command line's choice from a hand edit.
  const injectedFlags = options.parameters?.datasetFlags;
  const env = notebookEnv({ ...options.env, ...(injectedFlags ? { LACUNA_INJECTED_DATASET_FLAGS: injectedFlags } : {}) });
  const start = Date.now();
  const tmpPath = path.join(outDir, `.${name}.executing.ipynb`);
  const script = path.join(repoRoot(), 'scripts', 'execute-notebook.py');
  const injected = injectedParametersSource(options.parameters ?? {}, options.parametersSetBy ?? 'the runner');
  const args = [script, notebook, tmpPath, String(options.timeoutSec ?? 1800), 'tslab', ...(injected ? [injected] : [])];
  const run = spawnSync(jupyterPython(), args, { env, encoding: 'utf8', maxBuffer: 64 << 20 });
  const cellFailed = run.status === 3 && fs.existsSync(tmpPath);
  if (run.status !== 0 && !cellFailed) {
    try { fs.unlinkSync(tmpPath); } catch { /* nothing written */ }
    writeFileAtomic(log, `${run.stdout ?? ''}\n${run.stderr ?? ''}`);
    throw new LacunaError(`notebook ${path.relative(repoRoot(), notebook)} could not run (full log: ${path.relative(process.cwd(), log)}):\n${lastErrorLines(run.stderr || run.stdout || String(run.error))}`);
  }
  fs.renameSync(tmpPath, executed);
  const render = spawnSync('jupyter', ['nbconvert', '--to', 'html', '--stdout', executed], { env, encoding: 'utf8', maxBuffer: 512 << 20 });
  if (render.status !== 0) throw new LacunaError(`rendering ${executed} to HTML failed:\n${lastErrorLines(render.stderr)}`);
  writeFileAtomic(html, stripExternalScripts(render.stdout));
  if (cellFailed) {
    writeFileAtomic(log, `${run.stdout ?? ''}\n${run.stderr ?? ''}`);
    const report = cellErrorReport(run.stderr) ?? lastErrorLines(run.stderr);
    throw new NotebookFailure(notebook, report, log, html);
  }
  try { fs.unlinkSync(log); } catch { /* no earlier failure */ }
  return { notebook, executed, html, seconds: (Date.now() - start) / 1000 };
}

/** A notebook whose cell failed: what failed, and where the log and the rendered page are. */
export class NotebookFailure extends LacunaError {
  constructor(readonly notebook: string, readonly report: string, readonly log: string, readonly html: string) {
    super(`notebook ${path.relative(repoRoot(), notebook)} failed in ${report}\n(full log: ${path.relative(process.cwd(), log)}; the page up to the error: ${path.relative(process.cwd(), html)})`);
  }
}

/** Error outputs of an executed notebook (output_type "error"), as "cell N: ename: evalue". */
export function notebookErrors(executedIpynb: string): string[] {
  const nb = JSON.parse(fs.readFileSync(executedIpynb, 'utf8')) as { cells: { outputs?: { output_type: string; ename?: string; evalue?: string }[] }[] };
  const errors: string[] = [];
  nb.cells.forEach((cell, i) => {
    for (const out of cell.outputs ?? []) {
      if (out.output_type === 'error') errors.push(`cell ${i}: ${out.ename}: ${out.evalue}`);
    }
  });
  return errors;
}
