import * as path from 'path';
import { Command } from '../main';
import { Flags } from '../args';
import { initEngine } from '../../engine';
import { ParameterError } from '../../util/errors';
import { GRID_LENGTHS, gridRuns, runCrossValidation, writeOverview } from '../../experiments';
import { checkQueueUrl, runCrossValidationOnQueue } from '../../queue';
import { EXPERIMENT_FLAGS_HELP, crossValOptions, prepareExperiment, printSummary, readExperimentFlags, recipeOf } from './classify';

const MODES = ['C_tr', 'C_ts', 'C_all'] as const;

export const command: Command = {
  summary: 'the whole matrix: NC, C_tr/C_ts/C_all x gap lengths x single/multiple, plus packet loss; then the overview (resumable)',
  usage: `lacuna grid [--lengths 250,500,1000,2000,4000,8000] [--modes C_tr,C_ts,C_all] [--loss-rates 0.05,0.1,0.2]
           [--burst 3] [--no-packet-loss] [--queue redis://HOST:PORT[/DB]] [options]
${EXPERIMENT_FLAGS_HELP}

  Each (training data, fold) is trained once and its weights cached, so NC and C_ts share the clean
  model and C_tr and C_all the corrupted one. Interrupt at any time; run the same command to resume.

  --queue URL         run the units (one per training data and fold) on \`lacuna worker\` processes
                      on any machine sharing this Redis; this process plans, shows progress and
                      writes every result here. Stopping and rerunning it resumes without duplicates.`,
  async run(flags: Flags) {
    const f = readExperimentFlags(flags);
    const queueUrl = flags.string('queue');
    if (queueUrl !== undefined) checkQueueUrl(queueUrl);
    const lengths = flags.numbers('lengths') ?? [...GRID_LENGTHS];
    for (const l of lengths) if (!(Number.isInteger(l) && l >= 4)) throw new ParameterError(`--lengths must be integers >= 4, got ${l}`);
    const modes = (flags.string('modes') ?? MODES.join(',')).split(',').map((m) => m.trim());
    for (const m of modes) if (!(MODES as readonly string[]).includes(m)) throw new ParameterError(`--modes takes ${MODES.join(', ')}; got "${m}"`);
    const burst = flags.number('burst', 3);
    const packetLoss = flags.bool('no-packet-loss') ? [] : (flags.numbers('loss-rates') ?? [0.05, 0.1, 0.2]).map((lossRate) => ({ lossRate, meanBurstPackets: burst }));
    await initEngine({ engine: f.engine });
    const e = await prepareExperiment(f);
    const runs = gridRuns({ lengths, modes: modes as (typeof MODES)[number][], packetLoss });
    console.log(`${e.provider.name} grid: ${runs.length} runs on ${e.dataset.clips.length} clips → ${path.relative(process.cwd(), e.root) || e.root}`);
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
