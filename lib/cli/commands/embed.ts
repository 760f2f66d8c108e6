import type { Command } from '../command';
import { defaultWorkerCount, initEngine } from '../../engine';
import { loadCachedDataset } from '../../data/cache';
import { ParameterError } from '../../util/errors';
import { DATASET_GROUP, datasetLine, givenDatasetFlags, readDatasetFlags } from '../flags/dataset';
import { YAMNET_OPTION, engineOption, readEngine, seedOption, workersOption } from '../flags/common';
import { GAP_MODEL_GROUP, readGapModel } from '../flags/gaps';
import { yamnetFeatureProvider } from '../../experiments/yamnet-features';

export const command: Command = {
  summary: 'compute (or reuse) YAMNet embeddings of a 16 kHz dataset cache, clean or with gaps',
  usage: 'lacuna embed [--cache DIR | dataset flags] [--corrupt [gap flags] [--seed N]] ' +
    '[--scaling peak|minmax --train-folds 1,2,...] [options]',
  description: `Writes <cache>/yamnet-embeddings/<hash>/embeddings.npy ([clips, 8, 1024] for 4 s clips) and
manifest.json; an unchanged input is reused, an interrupted run resumes.`,
  options: [
    {
      title: 'Options',
      options: [
        {
          name: 'cache', type: 'string', value: 'DIR',
          help: 'an existing dataset cache (its sr16000 folder or the folder above it) instead of dataset flags',
        },
        { name: 'corrupt', type: 'boolean', help: 'write gaps into the audio first (the gap flags below, as for lacuna classify)' },
        seedOption('seed of the gaps'),
        {
          name: 'scaling', type: 'string', choices: ['peak', 'minmax'], default: 'peak',
          help: 'peak (per clip) or minmax (fitted on --train-folds, as the reference)',
        },
        {
          name: 'train-folds', type: 'list', value: '1,2', itemsName: 'fold numbers', integer: true, min: 1,
          help: 'the folds the minmax scaler is fitted on',
        },
        YAMNET_OPTION,
        engineOption(),
        workersOption('threads embedding at once; the embeddings are the same either way'),
      ],
    },
    GAP_MODEL_GROUP,
    { ...DATASET_GROUP, title: 'The dataset (unless --cache)' },
  ],
  async run(flags) {
    const engine = readEngine(flags);
    const scaling = flags.string('scaling', 'peak') as 'peak' | 'minmax';
    const trainFolds = flags.numbers('train-folds');
    if (scaling === 'minmax' && !trainFolds?.length) {
      throw new ParameterError('--scaling minmax needs --train-folds (the folds the scaler is fitted on)');
    }
    const workers = flags.number('workers', defaultWorkerCount());
    const cache = flags.string('cache');
    const datasetFlags = readDatasetFlags(flags);
    const given = givenDatasetFlags(flags);
    if (cache && given.length) throw new ParameterError(`--cache names the dataset already; drop ${given.map((n) => '--' + n).join(', ')}`);
    const corrupt = flags.bool('corrupt');
    const corruption = corrupt ? { gapModel: readGapModel(flags), seed: flags.number('seed', 0) } : undefined;
    const dataset = cache ? loadCachedDataset(cache, 16000) : loadCachedDataset({ ...datasetFlags, quiet: false }, 16000);
    console.log(datasetLine(dataset));
    const info = await initEngine({ engine, quiet: true });
    console.error(`engine: ${info.name}; ${dataset.clips.length} clips of ${dataset.clipSamples} samples`);
    const provider = yamnetFeatureProvider(dataset, { modelPath: flags.string('yamnet'), scaling, workers });
    try {
      const m = await provider.features({ corruption, trainFolds: scaling === 'minmax' ? trainFolds : undefined });
      console.log(`embeddings: ${m.rows} x [${m.rowShape}] (${JSON.stringify(provider.describe())})`);
    } finally {
      provider.dispose();
    }
    return 0;
  },
};
