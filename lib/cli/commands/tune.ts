import * as fs from 'fs';
import * as path from 'path';
import { Command } from '../main';
import { checkQueueUrl, tuneBatchOnQueue } from '../../queue';
import { Flags } from '../args';
import { ENGINE_NAMES, initEngine, isEngineName } from '../../engine';
import { loadCachedDataset } from '../../data/cache';
import { ParameterError } from '../../util/errors';
import { DATASET_FLAGS_HELP, datasetLine, readDatasetFlags } from '../dataset-flags';
import { waveformProvider } from '../../experiments/features';
import { yamnetFeatureProvider } from '../../experiments/yamnet-features';
import type { FeatureProvider } from '../../experiments/types';
import {
  ACQUISITIONS, AcquisitionName, MODEL_TUNING, OBJECTIVE_KINDS, ObjectiveKind, REFERENCE_KAPPA, TUNED_MODELS, TunedModel,
  checkModelSpace, defaultStudyDir, parseSpace, tune,
} from '../../tuning';

function positiveInt(flags: Flags, name: string): number | undefined {
  const v = flags.number(name);
  if (v !== undefined && !(Number.isInteger(v) && v >= 1)) throw new ParameterError(`--${name} must be an integer >= 1, got ${v}`);
  return v;
}

function oneOf<T extends string>(flags: Flags, name: string, values: readonly T[], fallback: T): T {
  const v = flags.string(name, fallback);
  if (!values.includes(v as T)) throw new ParameterError(`--${name} must be one of ${values.join(', ')}; got "${v}"`);
  return v as T;
}

export const command: Command = {
  summary: 'tune the CNN or the YAMNet head: random-forest SMBO on mean validation accuracy, resumable; writes best-params.json',
  usage: `lacuna tune --model cnn|yamnet --calls N [--initial N] [--kappa K] [--acquisition lcb|ei]
            [--objective validation|test] [--random] [--space FILE] [--folds 1,2] [--epochs N] [--seed N]
            [--output DIR] [--engine ${ENGINE_NAMES.join('|')}] [--yamnet PATH] [--queue redis://HOST:PORT[/DB] [--batch N]] [dataset flags]

  --model cnn|yamnet   the CNN on 8 kHz waveforms, or the head on YAMNet embeddings (16 kHz)
  --calls N            points in the study in total; a later call with a larger N extends it
  --initial N          Latin-hypercube points before the surrogate (default 10, scikit-optimize's;
                       a study of fewer calls is all initial points)
  --kappa K            lower-confidence-bound weight (default 3 for the CNN, 4 for YAMNet, as the reference)
  --acquisition lcb|ei lower confidence bound (default) or expected improvement
  --objective validation|test
                       validation (default): mean accuracy on a stratified 20 % of the training folds;
                       test: the reference's objective, test-fold accuracy — OPTIMISTIC, for comparison only
  --random             random search (the baseline) instead of SMBO, same budget and seed
  --space FILE         search space JSON ({"dimensions": [...]}, names as the defaults'); default the reference's
  --folds 1,2          test folds scored per point (default all; fewer make a study affordable)
  --epochs N           maximum epochs per fold (default CNN 10 as lacuna's training, YAMNet 30 as the
                       reference's); early stopping as the reference (CNN patience 10, min delta 0.01,
                       baseline 0.3; YAMNet patience 20, baseline 0.5), best epoch kept. The CNN trains as
                       lacuna's default (batch 32, warm-up + cosine with the point's learning rate as peak);
                       the YAMNet head at batch 128, constant rate. SMBO evaluates the defaults first
  --seed N             seeds the optimiser, weights, shuffles and validation split (default 0)
  --output DIR         the study folder (default outputs/tuning/<dataset>/<model>-<objective>[-random])
  --queue URL          score the points on \`lacuna worker\` processes through Redis (README "Running on many machines")
  --batch N            with --queue: N points at a time (set it to the number of workers), proposed by constant
                       liar (scikit-optimize's Optimizer.ask(N, strategy='cl_min')); 1 (default) proposes exactly
                       the points of a study on one machine. Batches cost calls: see bench/queue.ts

  Each finished point is saved at once (trials/trial-NNNN.json): interrupt at any time and run the
  same command to resume. <study>/best-params.json is the best point: lacuna classify and
  lacuna grid train with it when given it as their params file (see their help).

  The dataset:${DATASET_FLAGS_HELP}`,
  async run(flags: Flags) {
    const model = flags.string('model');
    if (model === undefined) throw new ParameterError('--model is required: cnn or yamnet');
    if (!TUNED_MODELS.includes(model as TunedModel)) throw new ParameterError(`--model must be cnn or yamnet; got "${model}"`);
    const m = model as TunedModel;
    const calls = positiveInt(flags, 'calls');
    if (calls === undefined) throw new ParameterError('--calls is required: the number of points in the study');
    const initial = positiveInt(flags, 'initial');
    if (initial !== undefined && initial < 2) throw new ParameterError(`--initial must be >= 2 (the surrogate needs two points), got ${initial}`);
    const kappa = flags.number('kappa', REFERENCE_KAPPA[m]);
    if (!(kappa >= 0)) throw new ParameterError(`--kappa must be >= 0, got ${kappa}`);
    const acquisition = oneOf<AcquisitionName>(flags, 'acquisition', ACQUISITIONS, 'lcb');
    const objective = oneOf<ObjectiveKind>(flags, 'objective', OBJECTIVE_KINDS, 'validation');
    const seed = flags.number('seed', 0);
    if (!Number.isInteger(seed)) throw new ParameterError(`--seed must be an integer, got ${seed}`);
    const spaceFile = flags.string('space');
    if (spaceFile !== undefined && !fs.existsSync(spaceFile)) throw new ParameterError(`--space: ${spaceFile} does not exist`);
    const space = spaceFile ? checkModelSpace(m, parseSpace(fs.readFileSync(spaceFile, 'utf8'), spaceFile), spaceFile) : undefined;
    const epochs = positiveInt(flags, 'epochs');
    const engine = flags.string('engine');
    if (engine !== undefined && !isEngineName(engine)) throw new ParameterError(`--engine must be one of ${ENGINE_NAMES.join(', ')}; got "${engine}"`);
    const method = flags.bool('random') ? 'random' : 'smbo';
    const folds = flags.numbers('folds');
    const output = flags.string('output');
    const datasetFlags = readDatasetFlags(flags);
    const yamnet = flags.string('yamnet');
    const queueUrl = flags.string('queue');
    if (queueUrl !== undefined) checkQueueUrl(queueUrl);
    const batch = positiveInt(flags, 'batch') ?? 1;
    if (flags.has('batch') && queueUrl === undefined) throw new ParameterError('--batch applies with --queue only');

    await initEngine({ engine });
    const dataset = loadCachedDataset({ ...datasetFlags, quiet: false }, m === 'cnn' ? 8000 : 16000);
    console.log(datasetLine(dataset));
    const provider: FeatureProvider & { dispose?: () => void } = m === 'cnn' ? waveformProvider(dataset) : yamnetFeatureProvider(dataset, { modelPath: yamnet });
    const dir = output ? path.resolve(output) : defaultStudyDir(dataset.name, m, objective, method);
    const training = { ...MODEL_TUNING[m].training, ...(epochs ? { epochs } : {}) };
    if (objective === 'test') console.log('objective: TEST accuracy (the reference\'s) — scores and the chosen point are optimistic');
    const tty = Boolean(process.stderr.isTTY);
    try {
      const r = await tune({
        model: m, provider, dir, calls, objective, method, initialPoints: initial, acquisition, kappa, space, training, folds, seed,
        quiet: !tty, log: (line) => (tty ? process.stderr.write(`\r\x1b[2K${line}\n`) : console.log(line)),
        ...(queueUrl !== undefined ? {
          batch: tuneBatchOnQueue(provider, {
            url: queueUrl, dataset, recipe: { pretrained: m === 'yamnet', preset: 'default' }, engine, batchSize: batch, dir, quiet: !tty,
          }),
        } : {}),
      });
      const b = r.best;
      console.log(`best: call ${b.index + 1} of ${r.trials.length}, ${objective} score ${b.score.toFixed(4)}${b.optimistic ? ' (OPTIMISTIC: chosen on test folds)' : ''}; ` +
        `its test accuracy ${b.test.mean.toFixed(4)} over folds ${b.folds.join(',')}`);
      console.log(`  ${JSON.stringify(b.params)}`);
      console.log(`  → ${path.relative(process.cwd(), r.paramsFile) || r.paramsFile}`);
    } finally {
      provider.dispose?.();
    }
    return 0;
  },
};
