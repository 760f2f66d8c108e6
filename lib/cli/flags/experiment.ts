/**
 * The flags of a cross-validated experiment (classify, grid): the model path, seed, folds, engine,
 * results folder and a tuned point, on top of the training and dataset groups.
 */
import * as path from 'path';
import type { EngineName } from '../../engine/choose';
import { ParameterError } from '../../util/errors';
import type { Options, OptionGroup } from '../../util/options';
import type { TrainingSettings } from '../../experiments';
import { ParamsFile, readParams } from '../../tuning/params';
import { DatasetFlags, readDatasetFlags } from './dataset';
import { TrainingPreset, readTrainingFlags } from './training';
import { YAMNET_OPTION, engineOption, foldsOption, outputOption, overwriteOption, readEngine, seedOption } from './common';

export const EXPERIMENT_GROUP: OptionGroup = {
  title: 'The experiment',
  options: [
    { name: 'pretrained', type: 'boolean', help: 'YAMNet embeddings + dense head instead of the CNN, with a linear probe beside it' },
    seedOption('seeds weights, shuffles, gaps and the dummy classifier'),
    foldsOption('test folds to compute now; the rest can be added later'),
    engineOption(),
    outputOption('results root', 'outputs/results/<dataset name>; $LACUNA_OUTPUT_DIR moves outputs/'),
    overwriteOption('replace a saved run whose configuration differs'),
    YAMNET_OPTION,
    {
      name: 'params', type: 'string', value: 'FILE',
      help: 'hyperparameters and training from `lacuna tune` (its best-params.json) instead of\n' +
        'the preset\'s; --epochs / --batch-size / --early-stopping still apply on top.\n' +
        'Results go to <output>/<model>-tuned-<hash>/; its contents are recorded in config.json',
    },
  ],
};

/** The experiment flags, validated. */
export interface ExperimentFlags {
  pretrained: boolean;
  dataset: DatasetFlags;
  /** --preset, and the training it names with --epochs / --batch-size / --early-stopping applied. */
  preset: TrainingPreset;
  training: TrainingSettings;
  seed: number;
  folds?: number[];
  engine?: EngineName;
  /** Results root when given (--output); else resultsRoot(<dataset name>). */
  output?: string;
  overwrite: boolean;
  /** YAMNet model file (--yamnet), else $LACUNA_YAMNET, else data/models/yamnet.tflite. */
  yamnet?: string;
  /** --params: a tuned point, whose training replaces the preset's (flags still apply on top). */
  params?: ParamsFile & { file: string };
}

/** The params file's training with --epochs / --batch-size / --early-stopping applied on top. */
function paramsTraining(flags: Options, p: ParamsFile, fromFlags: TrainingSettings): TrainingSettings {
  return {
    ...p.training,
    ...(flags.has('epochs') ? { epochs: fromFlags.epochs } : {}),
    ...(flags.has('batch-size') ? { batchSize: fromFlags.batchSize } : {}),
    ...(flags.bool('early-stopping') ? { validation: fromFlags.validation } : {}),
  };
}

export function readExperimentFlags(flags: Options): ExperimentFlags {
  const dataset = readDatasetFlags(flags);
  const output = flags.string('output');
  const pretrained = flags.bool('pretrained');
  const paramsPath = flags.string('params');
  const params = paramsPath !== undefined
    ? { ...readParams(paramsPath, pretrained ? 'yamnet' : 'cnn'), file: path.resolve(paramsPath) }
    : undefined;
  const trainingFlags = readTrainingFlags(flags, pretrained);
  if (params && flags.has('preset')) throw new ParameterError('--params sets the model and its training; drop --preset');
  return {
    pretrained,
    dataset,
    ...trainingFlags,
    ...(params ? { training: paramsTraining(flags, params, trainingFlags.training), params } : {}),
    seed: flags.number('seed', 0),
    folds: flags.numbers('folds'),
    engine: readEngine(flags),
    ...(output !== undefined ? { output: path.resolve(output) } : {}),
    overwrite: flags.bool('overwrite'),
    yamnet: flags.string('yamnet'),
  };
}
