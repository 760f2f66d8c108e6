import * as path from 'path';
import type { Command } from '../command';
import { initEngine } from '../../engine';
import { GRID_LENGTHS, gridRuns, runCrossValidation, writeOverview } from '../../experiments';
import { runCrossValidationOnQueue } from '../../queue';
import { DATASET_GROUP } from '../flags/dataset';
import { TRAINING_GROUP } from '../flags/training';
import { EXPERIMENT_GROUP, readExperimentFlags } from '../flags/experiment';
import { gapLengthsOption, lossRatesOptions, readPacketLoss } from '../flags/gaps';
import { queueOption, readQueueUrl } from '../flags/queue';
import { crossValOptions, prepareExperiment, printSummary, recipeOf } from '../experiment';
import { shownPath } from '../shown-path';

const MODES = ['C_tr', 'C_ts', 'C_all'] as const;

export const command: Command = {
  summary: 'the whole matrix: NC, C_tr/C_ts/C_all x gap lengths x single/multiple, plus packet loss; then the overview (resumable)',
  usage: 'lacuna grid [--gap-lengths A,B] [--modes C_tr,C_ts,C_all] [--loss-rates R,R|none] [--burst B] [--queue URL] ' +
    '[experiment flags] [dataset flags]',
  description: `Each (training data, fold) is trained once and its weights cached, so NC and C_ts share the clean
model and C_tr and C_all the corrupted one. Interrupt at any time; run the same command to resume.`,
  options: [
    {
      title: 'The matrix',
      options: [
        gapLengthsOption(GRID_LENGTHS.join(','), 'missing samples per clip, each run single and multiple'),
        { name: 'modes', type: 'list', items: 'string', choices: MODES, default: [...MODES], help: 'where the gaps are (NC always runs)' },
        ...lossRatesOptions([0.05, 0.1, 0.2], 'packet-loss channels: long-run fractions of lost 20 ms packets; none: no packet loss'),
        queueOption('run the units (one per training data and fold) on `lacuna worker` processes\n' +
          'on any machine sharing this Redis; this process plans, shows progress and\n' +
          'writes every result here. Stopping and rerunning it resumes without duplicates.'),
      ],
    },
    EXPERIMENT_GROUP, TRAINING_GROUP, DATASET_GROUP,
  ],
  async run(flags) {
    const f = readExperimentFlags(flags);
    const queueUrl = readQueueUrl(flags);
    const lengths = flags.numbers('gap-lengths') ?? [...GRID_LENGTHS];
    const modes = flags.strings('modes') as (typeof MODES)[number][];
    const packetLoss = readPacketLoss(flags);
    await initEngine({ engine: f.engine });
    const e = await prepareExperiment(f);
    const runs = gridRuns({ lengths, modes, packetLoss });
    console.log(`${e.provider.name} grid: ${runs.length} runs on ${e.dataset.clips.length} clips → ${shownPath(e.root)}`);
    const summaries = queueUrl === undefined
      ? await runCrossValidation({ ...crossValOptions(f, e), runs })
      : await runCrossValidationOnQueue({ ...crossValOptions(f, e), runs }, {
        url: queueUrl, dataset: e.dataset, recipe: recipeOf(f), engine: f.engine,
      });
    for (const s of summaries) printSummary(s);
    const { files } = writeOverview(e.root, e.modelName ?? e.provider.name, { clipSamples: e.dataset.clipSamples });
    for (const file of files) console.log(`overview → ${path.relative(process.cwd(), file)}`);
    return 0;
  },
};
