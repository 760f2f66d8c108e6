/**
 * The dataset flags on the command line. Their declaration and reader live in lib/data/flags (the
 * notebooks read a `datasetFlags` string with them too); here is what only commands need.
 */
import * as path from 'path';
import { DATASET_FLAG_NAMES, readDatasetFlags } from '../../data/flags';
import { datasetName } from '../../data/name';
import type { Options } from '../../util/options';
import type { CachedDataset } from '../../types';
import { shownPath } from '../shown-path';

export { DATASET_FLAG_NAMES, DATASET_GROUP, DATASET_OPTIONS, DatasetFlags, readDatasetFlags } from '../../data/flags';

/** One line naming the dataset a command works on. */
export function datasetLine(ds: CachedDataset): string {
  const folds = [...new Set(ds.clips.map((c) => c.fold))].sort((a, b) => a - b);
  return `dataset ${ds.name}: ${ds.clips.length} clips, ${ds.classNames.length} classes, folds ${folds.join(',')} ` +
    `(cache ${shownPath(ds.cacheDir)})`;
}

/** Dataset flags given on the command line. */
export function givenDatasetFlags(flags: Options): string[] {
  return flags.given(DATASET_FLAG_NAMES);
}

/**
 * The dataset flags given on the command line, as one flags string for a notebook's
 * `datasetFlags` parameter (checked first as readDatasetFlags and datasetName check them; paths
 * made absolute, since a notebook runs in notebooks/). '' when none was given.
 */
export function datasetFlagsText(flags: Options): string {
  datasetName(readDatasetFlags(flags)); // a missing --root is an error now, not in every notebook

  const quote = (v: string): string => (/[\s"']/.test(v) ? (v.includes("'") ? `"${v}"` : `'${v}'`) : v);
  return givenDatasetFlags(flags).map((n) => {
    if (n === 'esc10') return '--esc10';
    const v = flags.text(n) ?? '';
    return `--${n} ${quote(n === 'root' || n === 'cache-root' ? path.resolve(v) : v)}`;
  }).join(' ');
}
