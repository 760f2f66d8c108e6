/**
 * The dataset flags, one definition for every command that takes a dataset (data, classify,
 * grid, embed): the same flags name the same dataset everywhere, so a cache made by `lacuna data`
 * is the one `lacuna classify` uses. Seeds and fold lists that belong to an experiment keep their
 * own names (`--seed`, `--folds 1,2`); the dataset's are `--data-seed` and `--fold-count`.
 */
import * as path from 'path';
import { Flags, flagsInUsage } from './args';
import { ParameterError } from '../util/errors';
import { Normalization, NORMALIZATIONS } from '../audio/preprocess';
import { DATASET_KINDS, DatasetKind } from '../data/adapters';
import type { CreateDatasetOptions } from '../data/cache';
import { checkDatasetName, datasetName } from '../data/name';
import type { CachedDataset } from '../types';

export const DATASET_FLAGS_HELP = `
  --dataset KIND      ${DATASET_KINDS.join('|')} (default synthetic-urban)
  --root PATH         the dataset's folder (manifest: the CSV, or a folder holding manifest.csv);
                      synthetic-urban: where it is generated (default data/synthetic-urban-<size>)
  --name NAME         the dataset's name, which keys its cache (data/cache/<name>/) and results
                      (outputs/results/<name>/); default from the source: the folder's name,
                      a manifest's folder (+ file stem), synthetic-urban-<size>
  --size tiny|default synthetic-urban: 100 or ~1000 clips (default default)
  --data-seed N       seed of synthetic-urban's audio and of folds assigned where the layout has
                      none (default 0)
  --fold-count N      folds to assign where the layout has none (default 10)
  --esc10             esc50: only the ESC-10 subset
  --clips-per-class N at most N clips of each class, drawn from --data-seed and spread over
                      the dataset's folds (which are kept); its name gets -N-per-class
  --normalize zscore|peak|none   per-clip normalisation (default zscore)
  --duration SEC      clip length after padding or cutting (default 4)
  --cache-root DIR    where caches go (default data/cache; $LACUNA_DATA_DIR moves data/)`;

/** The dataset flags' names (without --), from their help. */
export const DATASET_FLAG_NAMES: readonly string[] = [...flagsInUsage(DATASET_FLAGS_HELP)].filter((n) => n !== 'help');

/** Dataset flags given on the command line. */
export function givenDatasetFlags(flags: Flags): string[] {
  return DATASET_FLAG_NAMES.filter((n) => flags.has(n));
}

/** The dataset as the flags name it: what createDataset and loadCachedDataset take. */
export type DatasetFlags = Omit<CreateDatasetOptions, 'rates' | 'force' | 'memoryBudgetBytes' | 'quiet'>;

function integer(flags: Flags, name: string, fallback: number, min: number): number {
  const v = flags.number(name, fallback);
  if (!(Number.isInteger(v) && v >= min)) throw new ParameterError(`--${name} must be an integer >= ${min}, got ${v}`);
  return v;
}

export function readDatasetFlags(flags: Flags): DatasetFlags {
  const kind = flags.string('dataset', 'synthetic-urban');
  if (!DATASET_KINDS.includes(kind as DatasetKind)) throw new ParameterError(`--dataset must be one of ${DATASET_KINDS.join(', ')}; got "${kind}"`);
  const size = flags.string('size');
  if (size !== undefined && size !== 'tiny' && size !== 'default') throw new ParameterError(`--size must be tiny or default; got "${size}"`);
  if (size !== undefined && kind !== 'synthetic-urban') throw new ParameterError(`--size applies to --dataset synthetic-urban only, not ${kind}`);
  const esc10 = flags.bool('esc10');
  if (esc10 && kind !== 'esc50') throw new ParameterError(`--esc10 applies to --dataset esc50 only, not ${kind}`);
  const normalize = flags.string('normalize', 'zscore');
  if (!NORMALIZATIONS.includes(normalize as Normalization)) throw new ParameterError(`--normalize must be one of ${NORMALIZATIONS.join(', ')}; got "${normalize}"`);
  const durationSec = flags.number('duration', 4);
  if (!(durationSec > 0)) throw new ParameterError(`--duration must be > 0 seconds, got ${durationSec}`);
  const name = flags.string('name');
  const clipsPerClass = flags.has('clips-per-class') ? integer(flags, 'clips-per-class', 0, 1) : undefined;
  const cacheRoot = flags.string('cache-root');
  return {
    kind: kind as DatasetKind,
    root: flags.string('root'),
    ...(name !== undefined ? { name: checkDatasetName(name) } : {}),
    ...(size !== undefined ? { size } : {}),
    seed: integer(flags, 'data-seed', 0, 0),
    folds: integer(flags, 'fold-count', 10, 2),
    esc10,
    ...(clipsPerClass !== undefined ? { clipsPerClass } : {}),
    normalize: normalize as Normalization,
    durationSec,
    ...(cacheRoot !== undefined ? { cacheRoot: path.resolve(cacheRoot) } : {}),
  };
}

/** Flags that mean something else in other commands, and the dataset flag meant here. */
const RENAMED: Record<string, { to: string; what: string }> = {
  seed: { to: 'data-seed', what: 'the dataset\'s seed' },
  folds: { to: 'fold-count', what: 'the number of folds to assign' },
};

/** A hint for an unknown flag that users may carry over from another command, if this one has the flag meant. */
export function renamedFlagHint(flag: string, accepted: ReadonlySet<string>): string | undefined {
  const r = RENAMED[flag];
  return r && accepted.has(r.to) ? `${r.what} is --${r.to}` : undefined;
}

/** One line naming the dataset a command works on. */
export function datasetLine(ds: CachedDataset): string {
  const folds = [...new Set(ds.clips.map((c) => c.fold))].sort((a, b) => a - b);
  return `dataset ${ds.name}: ${ds.clips.length} clips, ${ds.classNames.length} classes, folds ${folds.join(',')} (cache ${path.relative(process.cwd(), ds.cacheDir) || ds.cacheDir})`;
}

/**
 * The dataset flags given on the command line, as one flags string for a notebook's
 * `datasetFlags` parameter (checked first as readDatasetFlags and datasetName check them; paths
 * made absolute, since a notebook runs in notebooks/). '' when none was given.
 */
export function datasetFlagsText(flags: Flags): string {
  datasetName(readDatasetFlags(flags)); // a missing --root is an error now, not in every notebook

  const quote = (v: string): string => (/[\s"']/.test(v) ? (v.includes("'") ? `"${v}"` : `'${v}'`) : v);
  return givenDatasetFlags(flags).map((n) => {
    if (n === 'esc10') return flags.bool(n) ? '--esc10' : '';
    const v = flags.string(n) ?? '';
    return `--${n} ${quote(n === 'root' || n === 'cache-root' ? path.resolve(v) : v)}`;
  }).filter(Boolean).join(' ');
}
