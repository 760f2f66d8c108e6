import * as path from 'path';
import { Command } from '../main';
import { Flags } from '../args';
import { JUPYTER_INSTALL_HELP, executeNotebook, findJupyter, listNotebooks, registerTslab } from '../../notebook/runner';
import { LacunaError } from '../../util/errors';

/** Finds Jupyter, registering tslab on first use; throws with install instructions when absent. */
export function requireJupyter(): void {
  const info = findJupyter();
  if (!info) throw new LacunaError(JUPYTER_INSTALL_HELP);
  if (!info.tslabRegistered) {
    console.error(`Registering the tslab kernel for ${info.python} …`);
    registerTslab(info);
  }
}

/** Runs notebooks whose file names start with one of `only` (all when empty), in order. */
export function runNotebooks(only: string[], env: Record<string, string> = {}): void {
  const all = listNotebooks();
  const chosen = only.length ? all.filter((nb) => only.some((o) => path.basename(nb).startsWith(o))) : all;
  if (!chosen.length) throw new LacunaError(`no notebook matches ${only.join(', ')} in notebooks/`);
  for (const nb of chosen) {
    process.stderr.write(`▶ executing ${path.relative(process.cwd(), nb)} …\n`);
    const run = executeNotebook(nb, { env });
    console.log(`✔ ${path.basename(nb)} in ${run.seconds.toFixed(0)} s → ${path.relative(process.cwd(), run.html)}`);
  }
}

export const command: Command = {
  summary: 'execute the notebooks headless (Jupyter + tslab) and render them to outputs/notebooks/*.html',
  usage: 'lacuna notebooks [PREFIX ...] [--size tiny|default]   e.g. `lacuna notebooks 00 01`',
  async run(flags: Flags) {
    const size = flags.string('size');
    requireJupyter();
    runNotebooks(flags.positional, size ? { LACUNA_NOTEBOOK_SIZE: size } : {});
  },
};
