import * as path from 'path';
import { Command } from '../main';
import { Flags } from '../args';
import { JUPYTER_INSTALL_HELP, NotebookFailure, NotebookRun, executeNotebook, findJupyter, listNotebooks, registerTslab } from '../../notebook/runner';
import type { NotebookParameters } from '../../notebook/dataset';
import { LacunaError, ParameterError } from '../../util/errors';
import { DATASET_FLAGS_HELP, datasetFlagsText } from '../dataset-flags';

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
export function notebookParametersFromFlags(flags: Flags): NotebookParameters {
  const folds = flags.string('folds');
  if (folds !== undefined && !/^\s*\d+(\s*,\s*\d+)*\s*$/.test(folds)) throw new ParameterError(`--folds must be fold numbers like 1,2; got "${folds}"`);
  const datasetFlags = datasetFlagsText(flags);
  return { ...(datasetFlags ? { datasetFlags } : {}), ...(folds ? { foldsToRun: folds.replace(/\s/g, '') } : {}) };
}

/** $LACUNA_NOTEBOOK_SIZE for the kernels: the built-in set's --size, or tiny for --quick. */
export function notebookEnvFromFlags(flags: Flags): Record<string, string> {
  const size = flags.bool('quick') ? 'tiny' : flags.string('size');
  return size ? { LACUNA_NOTEBOOK_SIZE: size } : {};
}

/** Runs notebooks whose file names start with one of `only` (all when empty), in order, up to the first failure. */
export function runNotebooks(only: string[], env: Record<string, string> = {}, parameters: NotebookParameters = {}, setBy = 'lacuna notebooks'): NotebooksOutcome {
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
  return seconds < 60 ? `${seconds.toFixed(0)} s` : `${Math.floor(seconds / 60)} min ${String(Math.round(seconds % 60)).padStart(2, '0')} s`;
}

/** The closing summary: each notebook, its time and page; on a failure, what failed, where to look, how to go on. */
export function outcomeSummary(outcome: NotebooksOutcome, rerun: string): string {
  const rel = (p: string) => path.relative(process.cwd(), p);
  const total = outcome.ran.reduce((s, r) => s + r.seconds, 0) + (outcome.failed?.seconds ?? 0);
  const lines = [`${outcome.failed ? 'Stopped' : 'Done'} after ${duration(total)}:`];
  for (const r of outcome.ran) lines.push(`  ✔ ${path.basename(r.notebook, '.ipynb').padEnd(20)} ${duration(r.seconds).padStart(12)}  ${rel(r.html)}`);
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

export const command: Command = {
  summary: 'execute the notebooks headless (Jupyter + tslab) and render them to outputs/notebooks/*.html',
  usage: `lacuna notebooks [PREFIX ...] [dataset flags] [--folds 1,2] [--quick]   e.g. \`lacuna notebooks 00 01\`,
  \`lacuna notebooks --dataset urbansound8k --root /data/UrbanSound8K\`
  Every notebook runs on the dataset the flags name (default: the built-in set).
  --folds 1,2         test folds the notebooks' experiments run (default all; quick pass: two)
  --quick             the quick pass on any dataset (fewer gap lengths, two test folds, short
                      training; as --size tiny does for the built-in set)
  The dataset:${DATASET_FLAGS_HELP}`,
  async run(flags: Flags) {
    const parameters = notebookParametersFromFlags(flags);
    requireJupyter();
    const rerun = `npx lacuna notebooks ${process.argv.slice(3).join(' ')}`.trim();
    const outcome = runNotebooks(flags.positional, notebookEnvFromFlags(flags), parameters, rerun);
    const summary = outcomeSummary(outcome, rerun);
    if (outcome.failed) { console.error(`\n${summary}`); return 1; }
    console.log(`\n${summary}`);
    return 0;
  },
};
