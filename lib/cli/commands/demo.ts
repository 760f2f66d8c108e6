import type { Command } from '../command';
import {
  NOTEBOOK_RUN_GROUP, notebookEnvFromFlags, notebookParametersFromFlags, outcomeSummary, requireJupyter, runNotebooks,
} from '../notebook-runs';
import { DATASET_GROUP } from '../flags/dataset';
import { engineOption, readEngine } from '../flags/common';
import { splitFlags } from '../../notebook/dataset';
import { JUPYTER_INSTALL_HELP, findJupyter } from '../../notebook/runner';
import { initEngine } from '../../engine';
import { trainTinyModel } from '../../models/tiny';
import { locateYamnet } from '../../models/yamnet/locate';

/** The notebooks that make up the demo, in story order; 03 needs the YAMNet model (04 skips its YAMNet part without it). */
function demoNotebooks(): string[] {
  try {
    locateYamnet();
    return ['00', '01', '02', '03', '04', '05', '06'];
  } catch (err) {
    console.error(`lacuna demo: skipping 03_yamnet: ${(err as Error).message}`);
    return ['00', '01', '02', '04', '05'];
  }
}

/** What the demo notebooks do, as CLI steps, for machines without Jupyter. */
async function runWithoutJupyter(datasetArgs: string[], foldsToRun: string | undefined): Promise<void> {
  // The folds asked for limit every experiment step, as they limit the notebooks' experiments.
  const folds = foldsToRun ? ['--folds', foldsToRun] : [];
  const { main } = await import('../main');
  const t = await trainTinyModel({ steps: 20 });
  const [firstLoss, lastLoss] = [t.losses[0], t.losses[t.losses.length - 1]];
  console.log(`00 engine: trained a tiny conv net for 20 steps on ${t.backend}: ` +
    `loss ${firstLoss.toFixed(3)} → ${lastLoss.toFixed(3)}, accuracy ${t.accuracy.toFixed(2)}`);
  const steps: [string, string[]][] = [
    ['01 data creation', ['data', ...datasetArgs]],
    ['02 classification', ['classify', ...folds, ...datasetArgs]],
    ['02 classification, gaps at test time',
      ['classify', '--corrupt-test', '--multiple', '--gap-length', '8000', ...folds, ...datasetArgs]],
  ];
  if (demoNotebooks().includes('03')) steps.push(['03 YAMNet', ['classify', '--pretrained', ...folds, ...datasetArgs]]);
  steps.push(['05 reconstruction', ['reconstruct', '--method', 'ar', '--gap-length', '480', ...folds, ...datasetArgs]]);
  if (demoNotebooks().includes('06')) {
    steps.push(['06 classification after reconstruction', ['study', '--quick', '--models', 'yamnet', ...folds, ...datasetArgs]]);
  }
  for (const [step, args] of steps) {
    console.log(`${step}: lacuna ${args.join(' ')}`);
    const code = await main([...args]);
    if (code !== 0) throw new Error(`${step} failed (exit ${code})`);
  }
}

export const command: Command = {
  summary: 'run the main job (default: on the built-in dataset): the demo notebooks, or the same steps via the CLI without Jupyter',
  usage: 'lacuna demo [dataset flags] [--folds 1,2] [--quick] [--engine NAME] [--no-notebooks]',
  options: [
    {
      ...NOTEBOOK_RUN_GROUP,
      options: [
        ...NOTEBOOK_RUN_GROUP.options,
        engineOption(),
        { name: 'no-notebooks', type: 'boolean', help: 'run the same steps through the CLI, without Jupyter' },
      ],
    },
    DATASET_GROUP,
  ],
  async run(flags) {
    const parameters = notebookParametersFromFlags(flags);
    const datasetArgs = parameters.datasetFlags ? splitFlags(parameters.datasetFlags) : [];
    const engine = readEngine(flags);
    const info = await initEngine({ engine });
    console.log(`engine: ${info.name} (${info.reason}); inference: ${info.inference === 'onnx' ? 'onnx' : info.name}`);
    if (flags.bool('no-notebooks') || !findJupyter()) {
      if (!flags.bool('no-notebooks')) console.error(`${JUPYTER_INSTALL_HELP}\n\nRunning the same steps through the CLI instead.\n`);
      await runWithoutJupyter(datasetArgs, parameters.foldsToRun);
      return 0;
    }
    requireJupyter();
    const env = notebookEnvFromFlags(flags);
    if (engine) env.LACUNA_ENGINE = engine;
    const rerun = `npm run demo${process.argv.length > 3 ? ` -- ${process.argv.slice(3).join(' ')}` : ''}`;
    const outcome = runNotebooks(demoNotebooks(), env, parameters, rerun);
    const summary = outcomeSummary(outcome, rerun);
    if (outcome.failed) { console.error(`\nlacuna demo: ${summary}`); return 1; }
    console.log(`\nlacuna demo: ${summary}`);
    return 0;
  },
};
