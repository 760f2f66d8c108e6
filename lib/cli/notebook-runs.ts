/**
 * Running notebooks from the command line (lacuna notebooks, lacuna demo): their shared flags,
 * the parameters and environment the flags give every notebook, and the closing summary.
 */
import * as path from 'path';
import {
  JUPYTER_INSTALL_HELP, NotebookFailure, NotebookRun, executeNotebook, findJupyter, listNotebooks, registerTslab,
} from '../notebook/runner';
import type { NotebookParameters } from '../notebook/dataset';
import { LacunaError } from '../util/errors';
import type { OptionGroup, Options } from '../util/options';
import { datasetFlagsText } from './flags/dataset';
import { foldsOption } from './flags/common';

/** What every notebook run takes besides the dataset flags. */
export const NOTEBOOK_RUN_GROUP: OptionGroup = {
  title: 'The notebooks',
  options: [
    foldsOption('test folds the notebooks\' experiments run', 'all; quick pass: the first two'),
    { name: 'quick', type: 'boolean', help: 'the quick pass on any dataset (fewer gap lengths, two test folds, short\n' +
      'training; as --size tiny does for the built-in set)' },
  ],
};

/** Finds Jupyter, registering tslab on first use; throws with install instructions when absent. */
export function requireJupyter(): void {
  const info = findJupyter();
  if (!info) throw new LacunaError(JUPYTER_INSTALL_HELP);
  if (!info.tslabRegistered) {
    console.error(`Registering the tslab kernel for ${info.python} …`);
    registerTslab(info);
  }
}

/** What a series of notebooks did: those that ran, and the one that failed (the series stops there). */
export interface NotebooksOutcome {
  ran: NotebookRun[];
  failed?: { notebook: string; seconds: number; error: Error };
  notRun: string[];
}

/**
 * The notebook parameters the command line sets: the dataset flags given (as `datasetFlags`) and
 * `--folds` (as `foldsToRun`); each goes into every notebook's injected-parameters cell.
 */
export function notebookParametersFromFlags(flags: Options): NotebookParameters {
  const folds = flags.numbers('folds');
  const datasetFlags = datasetFlagsText(flags);
  return { ...(datasetFlags ? { datasetFlags } : {}), ...(folds ? { foldsToRun: folds.join(',') } : {}) };
}

/** $LACUNA_NOTEBOOK_SIZE for the kernels: the built-in set's --size, or tiny for --quick. */
export function notebookEnvFromFlags(flags: Options): Record<string, string> {
  const size = flags.bool('quick') ? 'tiny' : flags.string('size');
  return size ? { LACUNA_NOTEBOOK_SIZE: size } : {};
}

/** Runs notebooks whose file names start with one of `only` (all when empty), in order, up to the first failure. */
export function runNotebooks(
  only: string[], env: Record<string, string> = {}, parameters: NotebookParameters = {}, setBy = 'lacuna notebooks',
): NotebooksOutcome {
  const all = listNotebooks();
  const chosen = only.length ? all.filter((nb) => only.some((o) => path.basename(nb).startsWith(o))) : all;
  if (!chosen.length) throw new LacunaError(`no notebook matches ${only.join(', ')} in notebooks/`);
  const outcome: NotebooksOutcome = { ran: [], notRun: [] };
  for (const nb of chosen) {
    if (outcome.failed) { outcome.notRun.push(nb); continue; }
    process.stderr.write(`▶ executing ${path.relative(process.cwd(), nb)} …\n`);
    const start = Date.now();
    try {
      const run = executeNotebook(nb, { env, parameters, parametersSetBy: setBy });
      outcome.ran.push(run);
      console.log(`✔ ${path.basename(nb)} in ${run.seconds.toFixed(0)} s → ${path.relative(process.cwd(), run.html)}`);
    } catch (err) {
      if (!(err instanceof LacunaError)) throw err;
      outcome.failed = { notebook: nb, seconds: (Date.now() - start) / 1000, error: err };
    }
  }
  return outcome;
}

function duration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(0)} s`;
  return `${Math.floor(seconds / 60)} min ${String(Math.round(seconds % 60)).padStart(2, '0')} s`;
}

/** The closing summary: each notebook, its time and page; on a failure, what failed, where to look, how to go on. */
export function outcomeSummary(outcome: NotebooksOutcome, rerun: string): string {
  const rel = (p: string) => path.relative(process.cwd(), p);
  const total = outcome.ran.reduce((s, r) => s + r.seconds, 0) + (outcome.failed?.seconds ?? 0);
  const lines = [`${outcome.failed ? 'Stopped' : 'Done'} after ${duration(total)}:`];
  for (const r of outcome.ran) {
    lines.push(`  ✔ ${path.basename(r.notebook, '.ipynb').padEnd(20)} ${duration(r.seconds).padStart(12)}  ${rel(r.html)}`);
  }
  const f = outcome.failed;
  if (f) {
    lines.push(`  ✘ ${path.basename(f.notebook, '.ipynb').padEnd(20)} ${duration(f.seconds).padStart(12)}  FAILED`);
    for (const nb of outcome.notRun) lines.push(`  · ${path.basename(nb, '.ipynb').padEnd(20)} ${'not run'.padStart(12)}`);
    const detail = f.error instanceof NotebookFailure
      ? [`${f.error.report}`, `log: ${rel(f.error.log)}`, `page up to the error: ${rel(f.error.html)}`]
      : [f.error.message];
    lines.push('', ...detail.join('\n').split('\n').map((l) => `    ${l}`));
    lines.push('', `Re-running \`${rerun}\` resumes where it stopped: datasets, embeddings, trained weights and finished folds are kept.`);
  } else {
    lines.push(`Open the pages in a browser; they are self-contained (no network needed).`);
  }
  return lines.join('\n');
}

