/**
 * The pretrained path's features: YAMNet embeddings of every clip (clean or with gaps written
 * in), flattened to one 8192-value row per 4 s clip for the classifier head. Embeddings are cached
 * on disk (lib/models/yamnet/embeddings) and the most recent matrix is kept in memory.
 *
 *   const provider = yamnetFeatureProvider(dataset16k, { modelPath: flags.string('yamnet') });
 *   const matrix = await provider.features({ corruption: { gapModel, seed } });
 *   // matrix.rowShape = [8192]; pair with buildYamnetHead (lib/models/head).
 *   provider.dispose();
 */
import * as fs from 'fs';
import * as path from 'path';
import type { CachedDataset } from '../types';
import { ParameterError } from '../util/errors';
import { corruptDataset } from '../corrupt/apply';
import { loadYamnet, Yamnet } from '../models/yamnet/model';
import { locateYamnet, sha256Of } from '../models/yamnet/locate';
import { cachedEmbeddings, fitMinMax, WaveformScaling } from '../models/yamnet/embeddings';
import { patchCount, YAMNET_SAMPLE_RATE } from '../models/yamnet/frontend';
import { corruptionKey } from './features';
import type { FeatureMatrix, FeatureProvider, FeatureRequest, ModelFactory } from './types';
import { buildYamnetHead, REFERENCE_YAMNET_HEAD, YAMNET_HEAD, YamnetHeadHyperparameters } from '../models/head';
import type { TrainingSettings } from './train';
import { CONSTANT_LEARNING_RATE } from './schedule';
import { LINEAR_PROBE, LinearProbeOptions } from './probe';

export interface YamnetFeatureOptions {
  /** Model file; default $LACUNA_YAMNET, then data/models/yamnet.tflite. */
  modelPath?: string;
  /** Waveform scaling before YAMNet; default 'peak' (see WaveformScaling for why). */
  scaling?: WaveformScaling;
  /** Where embeddings are cached; default <dataset.cacheDir>/yamnet-embeddings. */
  cacheDir?: string;
  /** Clips per network call (and per worker hand-off). Default 8. */
  batchClips?: number;
  /** Threads embedding at once (1 = this thread only). Default: lib/engine's defaultWorkerCount(). */
  workers?: number;
  quiet?: boolean;
  /** An already loaded model (shared between providers); not disposed by this provider. */
  model?: Yamnet;
}

export interface YamnetFeatureProvider extends FeatureProvider {
  /** Frees the network's tensors (unless the model was passed in). */
  dispose(): void;
}

/** `reference`: the study's head and training; `default`: lacuna's (see YAMNET_HEAD_TRAINING). */
export type YamnetPreset = 'default' | 'reference';

/**
 * The reference's head training: up to 30 epochs, a stratified 20 % validation split, Keras early
 * stopping (patience 20, min delta 0.01, baseline 0.5) keeping the last epoch's weights; batch
 * 128 as its CNN used (the 8192-wide first layer makes small batches slow on wasm).
 */
export const REFERENCE_YAMNET_HEAD_TRAINING: Readonly<TrainingSettings> = Object.freeze({
  epochs: 30, batchSize: 128, schedule: CONSTANT_LEARNING_RATE,
  validation: Object.freeze({ fraction: 0.2, patience: 20, minDelta: 0.01, baseline: 0.5 }),
});

/**
 * lacuna's head training (with YAMNET_HEAD on standardised embeddings): the head starts as the
 * linear probe fitted on the rows it trains on (`warmStart`, LP-FT: warm-start.ts), the reference's
 * split, a warm-up + cosine rate, the best validation epoch chosen (epoch 0: the probe); then the
 * head is trained again on every training row (the validation fifth too) for that many epochs
 * (`refit`), from the probe refitted on those rows. The warm start is what holds on the built-in
 * tiny set (72 training rows a fold): a random start stayed 0.14 below the probe there, the warm
 * start ends 0.02 above it (README, "Training"). On the built-in default
 * dataset validation accuracy peaks after 10-14 epochs and then stays flat, so 20 epochs with
 * patience 10 lose nothing against the reference's 30. The refit is what holds on small sets: with
 * 320 training clips, the fifth held out cost the head 3-4 points against the probe (which fits on
 * every row), more than extra steps gained (README, "Training").
 */
export const YAMNET_HEAD_TRAINING: Readonly<TrainingSettings> = Object.freeze({
  epochs: 20, batchSize: 128, schedule: Object.freeze({ kind: 'warmup-cosine', peak: 1e-3, warmupEpochs: 1, finalFraction: 0.05 }),
  warmStart: 'linear-probe' as const,
  validation: Object.freeze({ fraction: 0.2, patience: 10, minDelta: 0, baseline: 0, restoreBest: true, refit: true }),
});

/** A FeatureProvider of YAMNet embeddings for a cached 16 kHz dataset. The model loads lazily. */
export function yamnetFeatureProvider(dataset: CachedDataset, options: YamnetFeatureOptions = {}): YamnetFeatureProvider {
  if (dataset.sampleRate !== YAMNET_SAMPLE_RATE) {
    throw new ParameterError(`YAMNet features need a ${YAMNET_SAMPLE_RATE} Hz dataset cache, got ${dataset.sampleRate} Hz (${dataset.cacheDir})`);
  }
  const scaling = options.scaling ?? 'peak';
  if (scaling !== 'peak' && scaling !== 'minmax') throw new ParameterError(`scaling must be "peak" or "minmax", got "${String(scaling)}"`);
  const cacheDir = options.cacheDir ?? path.join(dataset.cacheDir, 'yamnet-embeddings');
  const rowShape = [patchCount(dataset.clipSamples) * 1024];
  let model = options.model;
  let last: { key: string; matrix: FeatureMatrix } | undefined;
  const getModel = () => (model ??= loadYamnet({ path: options.modelPath }));
  // The run's config is recorded before any embedding is computed, so hash the file up front
  // rather than waiting for the model to load.
  const modelSha256 = model?.file.sha256 ?? sha256Of(fs.readFileSync(locateYamnet(options.modelPath)));

  return {
    name: 'yamnet',
    clips: dataset.clips,
    classNames: dataset.classNames,
    fingerprint: dataset.fingerprint,
    datasetName: dataset.name,
    sampleRate: dataset.sampleRate,
    dependsOnSplit: scaling === 'minmax',
    describe: () => ({
      features: 'yamnet-embeddings', sampleRate: YAMNET_SAMPLE_RATE, scaling, rowShape,
      modelSha256, emulateInt8: false,
    }),
    async features(request: FeatureRequest): Promise<FeatureMatrix> {
      const folds = scaling === 'minmax' ? request.trainFolds : undefined;
      if (scaling === 'minmax' && !folds?.length) throw new ParameterError('minmax scaling needs the training folds (FeatureRequest.trainFolds)');
      const key = `${corruptionKey(request.corruption)}|${folds?.join(',') ?? ''}`;
      if (last?.key === key) return last.matrix;
      const waveforms = request.corruption
        ? corruptDataset(dataset, request.corruption.gapModel, request.corruption.seed).dataset.waveforms
        : dataset.waveforms;
      const trainRows = folds ? dataset.clips.flatMap((c, i) => (folds.includes(c.fold) ? [i] : [])) : [];
      const minMax = folds ? fitMinMax(waveforms, dataset.clipSamples, trainRows) : undefined;
      const r = await cachedEmbeddings(getModel(), waveforms, dataset.clipSamples, cacheDir, {
        scaling, minMax, batchClips: options.batchClips, workers: options.workers, quiet: options.quiet,
        clipIds: dataset.clips.map((c) => c.id), label: `yamnet ${corruptionKey(request.corruption)}`,
      });
      last = { key, matrix: { data: r.data, rows: r.rows, rowShape } };
      return last.matrix;
    },
    dispose() {
      if (model && !options.model) model.dispose();
      model = options.model;
    },
  };
}

/**
 * Everything runCrossValidation needs for the pretrained path on a 16 kHz cache: the embedding
 * provider, the YAMNet head and the linear probe beside it. `default` (lacuna's): YAMNET_HEAD on
 * embeddings standardised with each fold's training rows; `reference`: the study's head on the raw
 * embeddings. Hyperparameters given are merged over the preset's. This is what
 * `lacuna classify --pretrained` calls; pair it with the preset's training settings.
 */
export async function yamnetExperiment(
  dataset: CachedDataset,
  options: YamnetFeatureOptions & { hyperparameters?: Partial<YamnetHeadHyperparameters>; preset?: YamnetPreset } = {},
): Promise<{
  provider: YamnetFeatureProvider; modelFactory: ModelFactory; modelConfig: Record<string, unknown>;
  inputScaling?: 'standardize'; linearProbe: LinearProbeOptions;
}> {
  const provider = yamnetFeatureProvider(dataset, options);
  const reference = options.preset === 'reference';
  const hp: YamnetHeadHyperparameters = { ...(reference ? REFERENCE_YAMNET_HEAD : YAMNET_HEAD), ...options.hyperparameters };
  return {
    provider,
    modelFactory: ({ inputShape, numClasses, seed }) => buildYamnetHead({ inputSize: inputShape[0], numClasses, seed, hyperparameters: hp }),
    modelConfig: { architecture: 'yamnet_head', ...hp, scaling: options.scaling ?? 'peak' },
    ...(reference ? {} : { inputScaling: 'standardize' as const }),
    linearProbe: LINEAR_PROBE,
  };
}
