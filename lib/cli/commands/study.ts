import * as os from 'os';
import * as path from 'path';
import { Command } from '../main';
import { Flags } from '../args';
import { ENGINE_NAMES, initEngine, isEngineName } from '../../engine';
import { outputDir } from '../../data';
import { ParameterError } from '../../util/errors';
import { DATASET_FLAGS_HELP, readDatasetFlags } from '../dataset-flags';
import { getMethod, methodNames } from '../../reconstruct';
import { readGanFlags } from '../gan-flags';
import { FULL_STUDY, QUICK_STUDY, StudyModel, runStudy } from '../../experiments/study';
import { headlineRows } from '../../experiments/headline';
import type { RepairMode } from '../../experiments/repaired';
import { planForStudy } from '../../experiments/study';
import { formatPlan, formatRates } from '../../experiments/study-plan';
import type { StudyOptions } from '../../experiments/study';
import { checkQueueUrl } from '../../queue';

/** `--plan`: measures this machine's rates on the dataset, prints the table; runs nothing. */
async function printPlan(options: StudyOptions, flags: Flags): Promise<number> {
  const clips = flags.number('plan-clips', 0);
  if (flags.has('plan-clips') && !(Number.isInteger(clips) && clips >= 2)) throw new ParameterError(`--plan-clips must be an integer >= 2, got ${flags.string('plan-clips')}`);
  const folds = flags.number('plan-folds', 10);
  if (flags.has('plan-folds') && !flags.has('plan-clips')) throw new ParameterError('--plan-folds applies with --plan-clips');
  if (!(Number.isInteger(folds) && folds >= 2 && (!clips || folds <= clips))) throw new ParameterError(`--plan-folds must be an integer from 2 to the clip count, got ${flags.string('plan-folds')}`);
  const plan = await planForStudy(options, clips ? { clips, folds } : undefined);
  const { shape } = plan;
  console.log(`study plan: ${plan.datasetName}${clips ? ` at ${clips} clips, ${folds} folds (--plan-clips)` : ''} — ${shape.clips} clips of ${shape.clipSeconds} s, ${shape.folds} folds (${shape.testFolds} computed), ` +
    `models ${shape.models.join(',')}, methods ${shape.methods.join(',')}, ${shape.gapModels.length} gap model(s), ${shape.repairModes.join(',')}${shape.tuneCalls ? `, tuning ${shape.tuneCalls} points per model` : ''}`);
  console.log(`measured here in ${plan.rates.seconds.toFixed(0)} s (${os.cpus().length} cores; one worker = one process, one training thread): ${formatRates(plan.rates)}`);
  console.log('');
  for (const line of formatPlan(plan.steps, [1, 4, 16])) console.log(line);
  console.log('\nTraining times are upper bounds (early stopping ends most trainings sooner). Stages run one after another: tuning; grid and reconstruction; classification after repair.');
  return 0;
}

function list(flags: Flags, name: string, allowed: readonly string[] | undefined, fallback: readonly string[]): string[] {
  const given = flags.string(name);
  if (given === undefined) return [...fallback];
  const values = given.split(',').map((v) => v.trim()).filter(Boolean);
  for (const v of values) if (allowed && !allowed.includes(v)) throw new ParameterError(`--${name} takes ${allowed.join(', ')}; got "${v}"`);
  if (!values.length) throw new ParameterError(`--${name} needs at least one value`);
  return values;
}

export const command: Command = {
  summary: 'the whole study: data → grid (NC, C_ts) → reconstruction → classification after reconstruction → headline (resumable)',
  usage: `lacuna study [--quick] [--output DIR] [--methods zero,linear,ar] [--lengths 1000,4000] [--gap-models single,multiple]
             [--packet-loss R,R] [--burst B] [--models yamnet,cnn] [--repair R_ts,R_all] [--tune CALLS] [--train-seconds N] [--preset default|reference]
             [--folds 1,2] [--seed N] [--engine ${ENGINE_NAMES.join('|')}]
             [--yamnet PATH] [--queue redis://HOST:PORT[/DB] [--tune-batch N]] [dataset flags]
       lacuna study --plan [--plan-clips N] [--plan-folds F] [same flags as the study]

  Runs every step that is not done yet, each resuming on its own; one progress line with the time left.
  --quick          lengths 1000,4000 single, folds 1,2, methods zero,linear,ar,exemplar, R_ts (minutes on --size tiny)
  --output DIR     writes DIR/results/<dataset>/ and DIR/reconstruct/<dataset>/ (default $LACUNA_OUTPUT_DIR or outputs)
  --methods LIST   reconstruction methods (${methodNames().join(', ')}); zero, the no-repair baseline, always runs
                   (default ${FULL_STUDY.methods.join(',')})
  --lengths LIST   missing samples per clip at 16 kHz (default ${FULL_STUDY.lengths.join(',')})
  --gap-models L   single and/or multiple (default ${FULL_STUDY.gapKinds.join(',')})
  --packet-loss R  also packet-loss channels with these loss rates (e.g. 0.05,0.1; 20 ms packets), bursts of
                   --burst B packets on average (default 3); the GAN, trained for one gap length, skips them
  --models LIST    yamnet (head on embeddings) and/or cnn (8 kHz waveform) (default yamnet,cnn)
  --repair LIST    R_ts: repaired test audio on the clean-trained model; R_all: trained and tested on repaired audio
                   (untrained methods only) (default R_ts)
  --tune CALLS     tune each model first (SMBO, validation objective: 20 % of the training folds scores a point, the
                   test fold never does) with CALLS points, then run every step with the best point; results go to
                   <model>-tuned-<hash>/, the study to <output>/tuning/<dataset>/<model>-validation/ (default: no tuning)
  --train-seconds N  gan: training budget per model in seconds (default 600); --preset: its architecture (default)
  --folds 1,2      test folds to compute (default all)
  --seed N         seeds training, gaps and reconstruction (default 0)
  --engine NAME    compute engine
  --yamnet PATH    YAMNet .tflite (default $LACUNA_YAMNET, then data/models/yamnet.tflite)

  --queue URL      run the tuning points, grid units, reconstruction folds, GAN trainings and classification
                   after repair on \`lacuna worker\` processes through Redis (README "Running on many machines");
                   the same result files. The GAN's repairs (from its trained checkpoints) run on this machine.
  --tune-batch N   with --queue and --tune: N tuning points at a time (the number of workers), proposed by
                   constant liar (scikit-optimize's cl_min); 1 (default) proposes the points of a local study
  --plan           run nothing: print each step's jobs (the units a queue hands out) and their cost on this
                   machine, from rates measured in seconds on a few clips of the dataset (embeddings, training
                   and prediction steps, repairs per method and gap model), with the wall time on 1, 4 and 16
                   workers like this one (one process, one training thread each)
  --plan-clips N   plan for a dataset of N clips of the same length instead (e.g. 8732: UrbanSound8K's size)
  --plan-folds F   with --plan-clips: its folds (default 10)

  Results: <output>/results/<dataset>/<model>/{NC/clean,C_ts/<len>-<gap model>,R_ts-<method>/<len>-<gap model>}/,
  the headline per model in <model>/headline-R_ts.{html,csv,json}.

  The dataset:${DATASET_FLAGS_HELP}`,
  async run(flags: Flags) {
    const base = flags.bool('quick') ? QUICK_STUDY : FULL_STUDY;
    const engine = flags.string('engine');
    if (engine !== undefined && !isEngineName(engine)) throw new ParameterError(`--engine must be one of ${ENGINE_NAMES.join(', ')}; got "${engine}"`);
    const lengths = flags.numbers('lengths') ?? base.lengths;
    const seed = flags.number('seed', 0);
    if (!Number.isInteger(seed)) throw new ParameterError(`--seed must be an integer, got ${seed}`);
    const output = flags.string('output');
    const tuneCalls = flags.number('tune', 0);
    if (!(Number.isInteger(tuneCalls) && tuneCalls >= 0)) throw new ParameterError(`--tune must be an integer >= 0 (tuning points per model), got ${flags.string('tune')}`);
    const burst = flags.number('burst', 3);
    if (!(burst >= 1)) throw new ParameterError(`--burst must be >= 1 (mean lost packets per burst), got ${burst}`);
    const packetLoss = (flags.numbers('packet-loss') ?? []).map((lossRate) => {
      if (!(lossRate > 0 && lossRate < 1)) throw new ParameterError(`--packet-loss takes loss rates in (0, 1), got ${lossRate}`);
      return { lossRate, meanBurstPackets: burst };
    });
    if (flags.has('burst') && packetLoss.length === 0) throw new ParameterError('--burst applies to --packet-loss only');
    const methods = list(flags, 'methods', methodNames(), base.methods);
    const queueUrl = flags.string('queue');
    if (queueUrl !== undefined) checkQueueUrl(queueUrl);
    const tuneBatch = flags.number('tune-batch', 1);
    if (!(Number.isInteger(tuneBatch) && tuneBatch >= 1)) throw new ParameterError(`--tune-batch must be an integer >= 1, got ${flags.string('tune-batch')}`);
    if (flags.has('tune-batch') && (queueUrl === undefined || !flags.has('tune'))) throw new ParameterError('--tune-batch applies with --queue and --tune only');
    const options = {
      dataset: readDatasetFlags(flags),
      output: output !== undefined ? path.resolve(output) : outputDir(),
      models: list(flags, 'models', ['yamnet', 'cnn'], base.models) as StudyModel[],
      methods,
      lengths,
      gapKinds: list(flags, 'gap-models', ['single', 'multiple'], base.gapKinds) as ('single' | 'multiple')[],
      packetLoss,
      repairModes: list(flags, 'repair', ['R_ts', 'R_all'], base.repairModes) as RepairMode[],
      folds: flags.numbers('folds') ?? ('folds' in base ? (base as typeof QUICK_STUDY).folds : undefined),
      seed,
      tuneCalls,
      methodOptions: readGanFlags(flags, methods.some((m) => getMethod(m).train) ? undefined : `--methods ${methods.join(',')}`),
      yamnetPath: flags.string('yamnet'),
      ...(queueUrl !== undefined ? { queue: { url: queueUrl, ...(engine ? { engine } : {}), tuneBatch } } : {}),
    };
    await initEngine({ engine: engine as (typeof ENGINE_NAMES)[number] | undefined });
    if (flags.bool('plan')) return printPlan(options, flags);
    for (const f of ['plan-clips', 'plan-folds']) if (flags.has(f)) throw new ParameterError(`--${f} applies to --plan only`);
    const r = await runStudy(options);
    for (const h of r.headlines) {
      console.log(`\n${h.model} (${h.mode}):`);
      for (const row of headlineRows(h)) console.log(`  ${String(row.length).padEnd(14)} ${String(row.setting).padEnd(26)} ${Number(row.accuracy).toFixed(3)} ± ${Number(row.std).toFixed(3)}  recovered ${row.recovered}`);
    }
    for (const f of r.files.filter((f) => f.endsWith('.html'))) console.log(`→ ${path.relative(process.cwd(), f) || f}`);
    console.log(`study finished in ${r.seconds.toFixed(0)} s`);
    return 0;
  },
};
