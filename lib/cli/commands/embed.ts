import { Command } from '../main';
import { Flags } from '../args';
import { ENGINE_NAMES, defaultWorkerCount, initEngine, isEngineName } from '../../engine';
import { loadCachedDataset } from '../../data/cache';
import { ParameterError } from '../../util/errors';
import { DATASET_FLAGS_HELP, datasetLine, givenDatasetFlags, readDatasetFlags } from '../dataset-flags';
import { yamnetFeatureProvider } from '../../experiments/yamnet-features';
import { readGapModel } from './classify';

export const command: Command = {
  summary: 'compute (or reuse) YAMNet embeddings of a 16 kHz dataset cache, clean or with gaps',
  usage: `lacuna embed [--cache DIR | dataset flags] [--corrupt]
             [--gap-model single|multiple|packet-loss] [--corruption-size N] [--multiple] [--loss-rate R] [--burst B] [--seed N]
             [--scaling peak|minmax --train-folds 1,2,...] [--yamnet PATH] [--engine ${ENGINE_NAMES.join('|')}] [--workers N]

  Writes <cache>/yamnet-embeddings/<hash>/embeddings.npy ([clips, 8, 1024] for 4 s clips) and
  manifest.json; an unchanged input is reused, an interrupted run resumes.
  --cache DIR     an existing dataset cache (its sr16000 folder or the folder above it)
  --corrupt       write gaps into the audio first (flags as for lacuna classify; seed default 0)
  --scaling       peak (default, per clip) or minmax (fitted on --train-folds, as the reference)
  --workers N     threads embedding at once (1 = main thread only); default $LACUNA_WORKERS,
                  else the cores (at most 2). The embeddings are the same either way.

  The dataset (unless --cache):${DATASET_FLAGS_HELP}`,
  async run(flags: Flags) {
    const engine = flags.string('engine');
    if (engine !== undefined && !isEngineName(engine)) throw new ParameterError(`--engine must be one of ${ENGINE_NAMES.join(', ')}; got "${engine}"`);
    const scaling = flags.string('scaling', 'peak');
    if (scaling !== 'peak' && scaling !== 'minmax') throw new ParameterError(`--scaling must be peak or minmax; got "${scaling}"`);
    const trainFolds = flags.numbers('train-folds');
    if (scaling === 'minmax' && !trainFolds?.length) throw new ParameterError('--scaling minmax needs --train-folds (the folds the scaler is fitted on)');
    const workers = flags.number('workers', defaultWorkerCount());
    if (!Number.isInteger(workers) || workers < 1) throw new ParameterError(`--workers must be an integer >= 1 (1 = main thread only); got ${workers}`);
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
