import * as fs from 'fs';
import * as path from 'path';
import type { Command } from '../command';
import { tuneBatchOnQueue } from '../../queue';
import { initEngine } from '../../engine';
import { loadCachedDataset } from '../../data/cache';
import { ParameterError } from '../../util/errors';
import { DATASET_GROUP, datasetLine, readDatasetFlags } from '../flags/dataset';
import { YAMNET_OPTION, engineOption, foldsOption, outputOption, readEngine, seedOption } from '../flags/common';
import { queueOption, readQueueUrl, tuneBatchOption } from '../flags/queue';
import { waveformProvider } from '../../experiments/features';
import { yamnetFeatureProvider } from '../../experiments/yamnet-features';
import type { FeatureProvider } from '../../experiments/types';
import { shownPath } from '../shown-path';
import {
  ACQUISITIONS, AcquisitionName, MODEL_TUNING, OBJECTIVE_KINDS, ObjectiveKind, TUNED_MODELS, TunedModel,
  REFERENCE_KAPPA, checkModelSpace, defaultStudyDir, parseSpace, tune,
} from '../../tuning';

export const command: Command = {
  summary: 'tune the CNN or the YAMNet head: random-forest SMBO on mean validation accuracy, resumable; writes best-params.json',
  usage: 'lacuna tune --model cnn|yamnet --calls N [--initial N] [--kappa K] [--acquisition lcb|ei] [--objective validation|test] ' +
    '[--random] [options] [dataset flags]',
  description: `Each finished point is saved at once (trials/trial-NNNN.json): interrupt at any time and run the
same command to resume. <study>/best-params.json is the best point: lacuna classify and
lacuna grid train with it when given it as their params file (see their help).`,
  options: [
    {
      title: 'The study',
      options: [
        {
          name: 'model', type: 'string', choices: TUNED_MODELS,
          help: 'the CNN on 8 kHz waveforms, or the head on YAMNet embeddings (16 kHz) (required)',
        },
        {
          name: 'calls', type: 'number', integer: true, min: 1,
          help: 'points in the study in total; a later call with a larger N extends it (required)',
        },
        {
          name: 'initial', type: 'number', integer: true, min: 2, defaultText: '10, scikit-optimize\'s',
          help: 'Latin-hypercube points before the surrogate (a study of fewer calls is all initial points)',
        },
        {
          name: 'kappa', type: 'number', value: 'K', min: 0, defaultText: '3 for the CNN, 4 for YAMNet, as the reference',
          help: 'lower-confidence-bound weight',
        },
        {
          name: 'acquisition', type: 'string', choices: ACQUISITIONS, default: 'lcb',
          help: 'lower confidence bound or expected improvement',
        },
        {
          name: 'objective', type: 'string', choices: OBJECTIVE_KINDS, default: 'validation',
          help: 'validation: mean accuracy on a stratified 20 % of the training folds;\n' +
            'test: the reference\'s objective, test-fold accuracy — OPTIMISTIC, for comparison only',
        },
        { name: 'random', type: 'boolean', help: 'random search (the baseline) instead of SMBO, same budget and seed' },
        {
          name: 'space', type: 'string', value: 'FILE', defaultText: 'the reference\'s',
          help: 'search space JSON ({"dimensions": [...]}, names as the defaults\')',
        },
        foldsOption('test folds scored per point (fewer make a study affordable)'),
        {
          name: 'epochs', type: 'number', integer: true, min: 1, defaultText: 'CNN 10 as lacuna\'s training, YAMNet 30 as the reference\'s',
          help: 'maximum epochs per fold; early stopping as the reference (CNN patience 10, min delta 0.01,\n' +
            'baseline 0.3; YAMNet patience 20, baseline 0.5), best epoch kept. The CNN trains as\n' +
            'lacuna\'s default (batch 32, warm-up + cosine with the point\'s learning rate as peak);\n' +
            'the YAMNet head at batch 128, constant rate. SMBO evaluates the defaults first',
        },
        seedOption('seeds the optimiser, weights, shuffles and validation split'),
        outputOption('the study folder', 'outputs/tuning/<dataset>/<model>-<objective>[-random]'),
        engineOption(),
        YAMNET_OPTION,
        queueOption('score the points on `lacuna worker` processes through Redis (README "Running on many machines")'),
        tuneBatchOption('with --queue'),
      ],
    },
    DATASET_GROUP,
  ],
  async run(flags) {
    const model = flags.string('model');
    if (model === undefined) throw new ParameterError('--model is required: cnn or yamnet');
    const m = model as TunedModel;
    const calls = flags.number('calls');
    if (calls === undefined) throw new ParameterError('--calls is required: the number of points in the study');
    const initial = flags.number('initial');
    const kappa = flags.number('kappa', REFERENCE_KAPPA[m]);
    const acquisition = flags.string('acquisition', 'lcb') as AcquisitionName;
    const objective = flags.string('objective', 'validation') as ObjectiveKind;
    const seed = flags.number('seed', 0);
    const spaceFile = flags.string('space');
    if (spaceFile !== undefined && !fs.existsSync(spaceFile)) throw new ParameterError(`--space: ${spaceFile} does not exist`);
    const space = spaceFile ? checkModelSpace(m, parseSpace(fs.readFileSync(spaceFile, 'utf8'), spaceFile), spaceFile) : undefined;
    const epochs = flags.number('epochs');
    const engine = readEngine(flags);
    const method = flags.bool('random') ? 'random' : 'smbo';
    const folds = flags.numbers('folds');
    const output = flags.string('output');
    const datasetFlags = readDatasetFlags(flags);
    const yamnet = flags.string('yamnet');
    const queueUrl = readQueueUrl(flags);
    const batch = flags.number('tune-batch', 1);
    if (flags.has('tune-batch') && queueUrl === undefined) throw new ParameterError('--tune-batch applies with --queue only');

    await initEngine({ engine });
    const dataset = loadCachedDataset({ ...datasetFlags, quiet: false }, m === 'cnn' ? 8000 : 16000);
    console.log(datasetLine(dataset));
    const provider: FeatureProvider & { dispose?: () => void } = m === 'cnn'
      ? waveformProvider(dataset)
      : yamnetFeatureProvider(dataset, { modelPath: yamnet });
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
      const optimistic = b.optimistic ? ' (OPTIMISTIC: chosen on test folds)' : '';
      console.log(`best: call ${b.index + 1} of ${r.trials.length}, ${objective} score ${b.score.toFixed(4)}${optimistic}; ` +
        `its test accuracy ${b.test.mean.toFixed(4)} over folds ${b.folds.join(',')}`);
      console.log(`  ${JSON.stringify(b.params)}`);
      console.log(`  → ${shownPath(r.paramsFile)}`);
    } finally {
      provider.dispose?.();
    }
    return 0;
  },
};
