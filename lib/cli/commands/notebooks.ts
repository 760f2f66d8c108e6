import type { Command } from '../command';
import { DATASET_GROUP } from '../flags/dataset';
import {
  NOTEBOOK_RUN_GROUP, notebookEnvFromFlags, notebookParametersFromFlags, outcomeSummary, requireJupyter, runNotebooks,
} from '../notebook-runs';

export const command: Command = {
  summary: 'execute the notebooks headless (Jupyter + tslab) and render them to outputs/notebooks/*.html',
  usage: `lacuna notebooks [PREFIX ...] [dataset flags] [--folds 1,2] [--quick]   e.g. \`lacuna notebooks 00 01\`,
       \`lacuna notebooks --dataset urbansound8k --root /data/UrbanSound8K\``,
  description: 'Every notebook runs on the dataset the flags name (default: the built-in set).',
  positionals: true,
  options: [NOTEBOOK_RUN_GROUP, DATASET_GROUP],
  async run(flags) {
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
