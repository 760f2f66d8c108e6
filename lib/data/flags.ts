/**
 * The dataset flags: one declaration for every command that takes a dataset (data, classify,
 * grid, embed, reconstruct, tune, study, notebooks, demo) and for a notebook's `datasetFlags`
 * and $LACUNA_DATASET, so the same flags name the same dataset everywhere and a cache made by
 * `lacuna data` is the one `lacuna classify` and the notebooks use. Seeds and fold lists that
 * belong to an experiment keep their own names (`--seed`, `--folds 1,2`); the dataset's are
 * `--data-seed` and `--fold-count`.
 */
import * as path from 'path';
import { ParameterError } from '../util/errors';
import type { Options, OptionGroup, OptionSpec, RenamedFlag } from '../util/options';
import { Normalization, NORMALIZATIONS } from '../audio/preprocess';
import { DATASET_KINDS, DatasetKind } from './adapters';
import type { CreateDatasetOptions } from './cache';
import { checkDatasetName } from './name';

export const DATASET_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'dataset', type: 'string', value: 'KIND', choices: DATASET_KINDS, default: 'synthetic-urban',
    help: `the layout: ${DATASET_KINDS.join('|')}`,
  },
  {
    name: 'root', type: 'string', value: 'PATH',
    help: 'the dataset\'s folder (manifest: the CSV, or a folder holding manifest.csv);\n' +
      'synthetic-urban: where it is generated (default data/synthetic-urban-<size>)',
  },
  {
    name: 'name', type: 'string', value: 'NAME',
    help: 'the dataset\'s name, which keys its cache (data/cache/<name>/) and results\n' +
      '(outputs/results/<name>/); default from the source: the folder\'s name,\n' +
      'a manifest\'s folder (+ file stem), synthetic-urban-<size>',
  },
  { name: 'size', type: 'string', choices: ['tiny', 'default'], defaultText: 'default', help: 'synthetic-urban: 100 or ~1000 clips' },
  {
    name: 'data-seed', type: 'number', integer: true, min: 0, default: 0,
    help: 'seed of synthetic-urban\'s audio and of folds assigned where the layout has none',
  },
  { name: 'fold-count', type: 'number', integer: true, min: 2, default: 10, help: 'folds to assign where the layout has none' },
  { name: 'esc10', type: 'boolean', help: 'esc50: only the ESC-10 subset' },
  {
    name: 'clips-per-class', type: 'number', integer: true, min: 1,
    help: 'at most N clips of each class, drawn from --data-seed and spread over\n' +
      'the dataset\'s folds (which are kept); its name gets -N-per-class',
  },
  { name: 'normalize', type: 'string', choices: NORMALIZATIONS, default: 'zscore', help: 'per-clip normalisation' },
  { name: 'duration', type: 'number', value: 'SEC', unit: 'seconds', above: 0, default: 4, help: 'clip length after padding or cutting' },
  { name: 'cache-root', type: 'string', value: 'DIR', defaultText: 'data/cache; $LACUNA_DATA_DIR moves data/', help: 'where caches go' },
];

export const DATASET_GROUP: OptionGroup = { title: 'The dataset', options: DATASET_OPTIONS };

/** The dataset flags' names (without --). */
export const DATASET_FLAG_NAMES: readonly string[] = DATASET_OPTIONS.map((o) => o.name);

/** Flags that mean something else in other commands, and the dataset flag meant where a command has it. */
export const DATASET_RENAMED: readonly RenamedFlag[] = [
  { from: 'seed', to: 'data-seed', hint: 'the dataset\'s seed is --data-seed' },
  { from: 'folds', to: 'fold-count', hint: 'the number of folds to assign is --fold-count' },
];

/** The dataset as the flags name it: what createDataset and loadCachedDataset take. */
export type DatasetFlags = Omit<CreateDatasetOptions, 'rates' | 'force' | 'memoryBudgetBytes' | 'quiet'>;

/** The dataset the flags name, checked: flags that do not apply to the chosen kind are errors. */
export function readDatasetFlags(flags: Options): DatasetFlags {
  // The declared choices (DATASET_OPTIONS) checked --dataset, --size and --normalize when the flags were parsed.
  const kind = flags.string('dataset', 'synthetic-urban');
  const size = flags.string('size') as 'tiny' | 'default' | undefined;
  if (size !== undefined && kind !== 'synthetic-urban') {
    throw new ParameterError(`--size applies to --dataset synthetic-urban only, not ${kind}`);
  }
  const esc10 = flags.bool('esc10');
  if (esc10 && kind !== 'esc50') throw new ParameterError(`--esc10 applies to --dataset esc50 only, not ${kind}`);
  const normalize = flags.string('normalize', 'zscore');
  const name = flags.string('name');
  const clipsPerClass = flags.number('clips-per-class');
  const cacheRoot = flags.string('cache-root');
  return {
    kind: kind as DatasetKind,
    root: flags.string('root'),
    ...(name !== undefined ? { name: checkDatasetName(name) } : {}),
    ...(size !== undefined ? { size } : {}),
    seed: flags.number('data-seed', 0),
    folds: flags.number('fold-count', 10),
    esc10,
    ...(clipsPerClass !== undefined ? { clipsPerClass } : {}),
    normalize: normalize as Normalization,
    durationSec: flags.number('duration', 4),
    ...(cacheRoot !== undefined ? { cacheRoot: path.resolve(cacheRoot) } : {}),
  };
}
