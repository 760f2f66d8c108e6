import * as os from 'os';
import * as path from 'path';
import type { Command } from '../command';
import type { Options } from '../../util/options';
import { initEngine } from '../../engine';
import { outputDir } from '../../data';
import { ParameterError } from '../../util/errors';
import { DATASET_GROUP, readDatasetFlags } from '../flags/dataset';
import { YAMNET_OPTION, engineOption, foldsOption, outputOption, readEngine, seedOption } from '../flags/common';
import { gapLengthsOption, lossRatesOptions, readPacketLoss } from '../flags/gaps';
import { GAN_GROUP, readGanFlags } from '../flags/gan';
import { queueOption, readQueueUrl, tuneBatchOption } from '../flags/queue';
import { getMethod, methodNames } from '../../reconstruct';
import { FULL_STUDY, QUICK_STUDY, StudyModel, runStudy } from '../../experiments/study';
import { headlineRows } from '../../experiments/headline';
import type { RepairMode } from '../../experiments/types';
import { planForStudy } from '../../experiments/study';
import { formatPlan, formatRates } from '../../experiments/study-plan';
import type { StudyOptions } from '../../experiments/study';
import { shownPath } from '../shown-path';

/** `--plan`: measures this machine's rates on the dataset, prints the table; runs nothing. */
async function printPlan(options: StudyOptions, flags: Options): Promise<number> {
  const clips = flags.number('plan-clips', 0);
  const folds = flags.number('plan-folds', 10);
  if (flags.has('plan-folds') && !flags.has('plan-clips')) throw new ParameterError('--plan-folds applies with --plan-clips');
  if (clips && folds > clips) throw new ParameterError(`--plan-folds must be an integer from 2 to the clip count, got ${folds}`);
  const plan = await planForStudy(options, clips ? { clips, folds } : undefined);
  const { shape } = plan;
  const planned = clips ? ` at ${clips} clips, ${folds} folds (--plan-clips)` : '';
  const tuning = shape.tuneCalls ? `, tuning ${shape.tuneCalls} points per model` : '';
  console.log(`study plan: ${plan.datasetName}${planned} — ${shape.clips} clips of ${shape.clipSeconds} s, ` +
    `${shape.folds} folds (${shape.testFolds} computed), models ${shape.models.join(',')}, methods ${shape.methods.join(',')}, ` +
    `${shape.gapModels.length} gap model(s), ${shape.repairModes.join(',')}${tuning}`);
  console.log(`measured here in ${plan.rates.seconds.toFixed(0)} s (${os.cpus().length} cores; ` +
    `one worker = one process, one training thread): ${formatRates(plan.rates)}`);
  console.log('');
  for (const line of formatPlan(plan.steps, [1, 4, 16])) console.log(line);
  console.log('\nTraining times are upper bounds (early stopping ends most trainings sooner). ' +
    'Stages run one after another: tuning; grid, reconstruction and GAN training; the GANs\' repairs; classification after repair.');
  return 0;
}

export const command: Command = {
  summary: 'the whole study: data → grid (NC, C_ts) → reconstruction → classification after reconstruction → headline (resumable)',
  usage: `lacuna study [--quick] [--methods A,B] [--gap-lengths A,B] [--gap-models single,multiple] [--loss-rates R,R] [--models yamnet,cnn]
             [--repair R_ts,R_all] [--tune CALLS] [gan flags] [--folds 1,2] [--seed N] [--queue URL] [options] [dataset flags]
       lacuna study --plan [--plan-clips N] [--plan-folds F] [same flags as the study]`,
  description: 'Runs every step that is not done yet, each resuming on its own; one progress line with the time left.',
  options: [
    {
      title: 'The study',
      options: [
        {
          name: 'quick', type: 'boolean',
          help: `gap lengths ${QUICK_STUDY.lengths.join(',')} single, folds ${QUICK_STUDY.folds!.join(',')}, ` +
            `methods ${QUICK_STUDY.methods.join(',')}, ${QUICK_STUDY.repairModes.join(',')} (minutes on --size tiny)`,
        },
        outputOption('writes DIR/results/<dataset>/ and DIR/reconstruct/<dataset>/', '$LACUNA_OUTPUT_DIR or outputs'),
        {
          name: 'methods', type: 'list', items: 'string', choices: methodNames(), defaultText: FULL_STUDY.methods.join(','),
          help: 'reconstruction methods; zero, the no-repair baseline, always runs',
        },
        gapLengthsOption(
          `${FULL_STUDY.lengths.join(',')}; --quick: ${QUICK_STUDY.lengths.join(',')}`, 'missing samples per clip at 16 kHz',
        ),
        {
          name: 'gap-models', type: 'list', items: 'string', choices: ['single', 'multiple'], defaultText: FULL_STUDY.gapKinds.join(','),
          help: 'single and/or multiple',
        },
        ...lossRatesOptions([], 'also packet-loss channels with these loss rates (e.g. 0.05,0.1; 20 ms packets); the GAN,\n' +
          'trained for one gap length, skips them'),
        {
          name: 'models', type: 'list', items: 'string', choices: ['yamnet', 'cnn'], defaultText: FULL_STUDY.models.join(','),
          help: 'yamnet (head on embeddings) and/or cnn (8 kHz waveform)',
        },
        {
          name: 'repair', type: 'list', items: 'string', choices: ['R_ts', 'R_all'], defaultText: FULL_STUDY.repairModes.join(','),
          help: 'R_ts: repaired test audio on the clean-trained model; R_all: trained and tested on repaired audio\n' +
            '(untrained methods only)',
        },
        {
          name: 'tune', type: 'number', value: 'CALLS', integer: true, min: 0, default: 0,
          help: 'tune each model first (SMBO, validation objective: 20 % of the training folds scores a point, the\n' +
            'test fold never does) with CALLS points, then run every step with the best point; results go to\n' +
            '<model>-tuned-<hash>/, the study to <output>/tuning/<dataset>/<model>-validation/; 0: no tuning',
        },
        foldsOption('test folds to compute', `all; --quick: ${QUICK_STUDY.folds!.join(',')}`),
        seedOption('seeds training, gaps and reconstruction'),
        engineOption(),
        YAMNET_OPTION,
      ],
    },
    GAN_GROUP,
    {
      title: 'Many machines',
      options: [
        queueOption('run the tuning points, grid units, reconstruction folds, GAN trainings and classification\n' +
          'after repair on `lacuna worker` processes through Redis (README "Running on many machines");\n' +
          'the same result files, the GANs\' trainings and repairs included (corpus-exemplar runs on this machine).'),
        tuneBatchOption('with --queue and --tune'),
      ],
    },
    {
      title: 'The plan',
      options: [
        {
          name: 'plan', type: 'boolean',
          help: 'run nothing: print each step\'s jobs (the units a queue hands out) and their cost on this\n' +
            'machine, from rates measured in seconds on a few clips of the dataset (embeddings, training\n' +
            'and prediction steps, repairs per method and gap model), with the wall time on 1, 4 and 16\n' +
            'workers like this one (one process, one training thread each)',
        },
        {
          name: 'plan-clips', type: 'number', integer: true, min: 2,
          help: 'plan for a dataset of N clips of the same length instead (e.g. 8732: UrbanSound8K\'s size)',
        },
        { name: 'plan-folds', type: 'number', value: 'F', integer: true, min: 2, default: 10, help: 'with --plan-clips: its folds' },
      ],
    },
    DATASET_GROUP,
  ],
  notes: `Results: <output>/results/<dataset>/<model>/{NC/clean,C_ts/<len>-<gap model>,R_ts-<method>/<len>-<gap model>}/,
the headline per model in <model>/headline-R_ts.{html,csv,json}.`,
  async run(flags) {
    const base = flags.bool('quick') ? QUICK_STUDY : FULL_STUDY;
    const engine = readEngine(flags);
    const output = flags.string('output');
    const tuneCalls = flags.number('tune', 0);
    const packetLoss = readPacketLoss(flags);
    const methods = flags.strings('methods') ?? [...base.methods];
    const queueUrl = readQueueUrl(flags);
    const tuneBatch = flags.number('tune-batch', 1);
    if (flags.has('tune-batch') && (queueUrl === undefined || !flags.has('tune'))) {
      throw new ParameterError('--tune-batch applies with --queue and --tune only');
    }
    const options = {
      dataset: readDatasetFlags(flags),
      output: output !== undefined ? path.resolve(output) : outputDir(),
      models: (flags.strings('models') ?? [...base.models]) as StudyModel[],
      methods,
      lengths: flags.numbers('gap-lengths') ?? base.lengths,
      gapKinds: (flags.strings('gap-models') ?? [...base.gapKinds]) as ('single' | 'multiple')[],
      packetLoss,
      repairModes: (flags.strings('repair') ?? [...base.repairModes]) as RepairMode[],
      folds: flags.numbers('folds') ?? ('folds' in base ? (base as typeof QUICK_STUDY).folds : undefined),
      seed: flags.number('seed', 0),
      tuneCalls,
      methodOptions: readGanFlags(flags, methods.some((m) => getMethod(m).train) ? undefined : `--methods ${methods.join(',')}`),
      yamnetPath: flags.string('yamnet'),
      ...(queueUrl !== undefined ? { queue: { url: queueUrl, ...(engine ? { engine } : {}), tuneBatch } } : {}),
    };
    await initEngine({ engine });
    if (flags.bool('plan')) return printPlan(options, flags);
    for (const f of ['plan-clips', 'plan-folds']) if (flags.has(f)) throw new ParameterError(`--${f} applies to --plan only`);
    const r = await runStudy(options);
    for (const h of r.headlines) {
      console.log(`\n${h.model} (${h.mode}):`);
      for (const row of headlineRows(h)) {
        const accuracy = `${Number(row.accuracy).toFixed(3)} ± ${Number(row.std).toFixed(3)}`;
        const folds = row.won_tied_lost ? `  folds won/tied/lost ${row.won_tied_lost}` : '';
        console.log(`  ${String(row.length).padEnd(14)} ${String(row.setting).padEnd(26)} ${accuracy}  recovered ${row.recovered}${folds}`);
      }
    }
    for (const f of r.files.filter((f) => f.endsWith('.html'))) console.log(`→ ${shownPath(f)}`);
    console.log(`study finished in ${r.seconds.toFixed(0)} s`);
    return 0;
  },
};
