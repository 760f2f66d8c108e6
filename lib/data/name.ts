/**
 * A dataset's name keys its cache (`<cacheRoot>/<name>/`) and its results (`resultsRoot(name)`),
 * so two datasets must not share one. It is the name given (`--name`), else derived from the
 * source:
 *
 *   synthetic-urban         `synthetic-urban-<size>` (`-seed<N>` for other seeds), or the --root folder's name
 *   urbansound8k, folders   the folder's name
 *   esc50                   the folder's name (`esc10-…` for the ESC-10 subset, a different dataset)
 *   manifest                the CSV's folder name, plus the file's stem unless it is `manifest.csv`,
 *                           so `a/manifest.csv`, `b/manifest.csv` and `a/train.csv` differ
 *
 * prefixed with the kind unless the name already contains it (`folders-birds`, `UrbanSound8K`), and
 * suffixed `-<N>-per-class` for a subset of N clips per class (`synthetic-urban-default-40-per-class`).
 * Two sources whose derived names still coincide (same folder name in two places) are told
 * apart when the cache is written: see createDataset, which refuses to replace another source's
 * cache.
 */
import * as path from 'path';
import { ParameterError } from '../util/errors';
import { manifestFile, OpenDatasetOptions, requiredRoot } from './adapters';
import { defaultSyntheticRoot } from './synthetic';

/** What a name must look like: one folder name, portable. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** Returns `name` when it can be a dataset name, else throws naming the problem. */
export function checkDatasetName(name: string): string {
  if (!NAME.test(name)) {
    throw new ParameterError(`--name "${name}" is not a usable dataset name: up to 100 letters, digits, ".", "_" or "-", starting with a letter or digit`);
  }
  return name;
}

/** The name as given, or derived from the source (see module comment). */
export function datasetName(options: OpenDatasetOptions & { name?: string }): string {
  if (options.name !== undefined) return checkDatasetName(options.name);
  const label = options.kind === 'esc50' && options.esc10 ? 'esc10' : options.kind;
  const base = sourceBaseName(options);
  const named = (base.toLowerCase().includes(label) ? base : `${label}-${base}`) + (options.clipsPerClass !== undefined ? `-${options.clipsPerClass}-per-class` : '');
  return named.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^[._-]+/, '').slice(0, 100);
}

function sourceBaseName(options: OpenDatasetOptions): string {
  if (options.kind === 'synthetic-urban') {
    return path.basename(path.resolve(options.root ?? defaultSyntheticRoot(options.size ?? 'default', options.seed ?? 0)));
  }
  const root = requiredRoot(options);
  if (options.kind !== 'manifest') return path.basename(root);
  const file = manifestFile(root);
  const folder = path.basename(path.dirname(file));
  const stem = path.basename(file).replace(/\.csv$/i, '');
  return stem.toLowerCase() === 'manifest' ? folder : `${folder}-${stem}`;
}
