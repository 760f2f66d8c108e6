/**
 * The dataset every notebook runs on, chosen once, with the CLI's dataset flags. The one place a
 * notebook's dataset is decided; notebooks name no dataset kind themselves. First that is set:
 *
 *   1. `datasetFlags` of the notebook's `parameters` cell, edited by hand, or as redeclared by
 *      the `injected-parameters` cell that `lacuna notebooks --dataset …` / `npm run demo -- …`
 *      insert after it (papermill's convention, so the rendered page shows what was used; the
 *      command line thus wins over a hand-edited cell);
 *   2. $LACUNA_DATASET, the same flags, for the Jupyter web UI
 *      (`LACUNA_DATASET="--dataset urbansound8k --root /data/UrbanSound8K" jupyter notebook`);
 *   3. the built-in synthetic-urban set, its size from $LACUNA_NOTEBOOK_SIZE.
 *
 * $LACUNA_NOTEBOOK_SIZE=tiny also asks every notebook for its quick pass (fewer gap lengths, two
 * test folds, short training), on whatever dataset was chosen.
 */
import * as path from 'path';
import { optionMap, parseOptions } from '../util/options';
import { DATASET_OPTIONS, DATASET_RENAMED, DatasetFlags, readDatasetFlags } from '../data/flags';
import { datasetName } from '../data/name';
import { resultsRoot } from '../data/paths';
import { ParameterError } from '../util/errors';
import type { CachedDataset } from '../types';

/** What a notebook's `parameters` cell holds. */
export interface NotebookParameters {
  /** Dataset flags as on the command line, e.g. `--dataset esc50 --root /data/ESC-50`; '' = choose elsewhere. */
  datasetFlags?: string;
  /** Test folds to run, e.g. `1,2`; '' = every fold (or two in the quick pass). */
  foldsToRun?: string;
}

export interface NotebookDataset {
  /** What createDataset and loadCachedDataset take. */
  options: DatasetFlags;
  /** The dataset's name: its cache and results folder. */
  name: string;
  /** The flags as chosen ('' for the built-in default). */
  flags: string;
  /** Where the choice came from ('command line' for values the runner injected). */
  chosenBy: 'parameters cell' | 'command line' | '$LACUNA_DATASET' | 'built-in default';
  /** The built-in synthetic set (whose synthesis notebook 01 explains). */
  builtIn: boolean;
  /** The quick pass ($LACUNA_NOTEBOOK_SIZE=tiny). */
  quick: boolean;
  /** Test folds asked for by `foldsToRun`; undefined: decided by testFolds(). */
  foldsAsked?: number[];
}

/** Splits a flags string into words, keeping quoted words ('a b' or "a b") whole. */
export function splitFlags(text: string): string[] {
  const words: string[] = [];
  for (const m of text.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) words.push(m[1] ?? m[2] ?? m[3]);
  return words;
}

const DATASET_OPTION_MAP = optionMap([{ title: 'The dataset', options: DATASET_OPTIONS }]);

/** Reads dataset flags from text, with the CLI's grammar; anything but dataset flags is an error naming where the text came from. */
export function parseDatasetFlags(text: string, where: string, env: NodeJS.ProcessEnv = process.env): DatasetFlags {
  const words = splitFlags(text);
  const expected = `expected ${DATASET_OPTIONS.map((o) => `--${o.name}`).join(', ')} (got "${text}")`;
  const notDatasetFlags = (bad: string[], hints: string[] = []) =>
    `${where}: ${bad.join(', ')} is not a dataset flag${hints.length ? ` (${hints.join('; ')})` : ''}; ${expected}`;
  const flags = parseOptions(words, DATASET_OPTION_MAP, { command: where, positionals: true, renamed: DATASET_RENAMED, unknownMessage: notDatasetFlags });
  if (flags.positional.length) throw new ParameterError(notDatasetFlags(flags.positional));
  const size = env.LACUNA_NOTEBOOK_SIZE;
  // The built-in set takes its size from $LACUNA_NOTEBOOK_SIZE unless the flags give one.
  const builtInSize = flags.string('dataset') === 'synthetic-urban' && !flags.has('size') && size;
  const options = readDatasetFlags(builtInSize ? parseOptions([...words, '--size', size], DATASET_OPTION_MAP, { command: where }) : flags);
  // A notebook's working folder is notebooks/: relative paths mean the folder the flags were written in.
  return {
    ...options,
    ...(options.root ? { root: path.resolve(options.root) } : {}),
  };
}

function parseFolds(text: string): number[] {
  const folds = text.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const bad = folds.find((f) => !(Number.isInteger(f) && f >= 1));
  if (bad !== undefined || folds.length === 0) throw new ParameterError(`foldsToRun must be fold numbers like "1,2", got "${text}"`);
  return [...new Set(folds)].sort((a, b) => a - b);
}

/** Resolves the notebooks' dataset choice (see the module comment for the order). */
export function notebookDataset(parameters: NotebookParameters = {}, env: NodeJS.ProcessEnv = process.env): NotebookDataset {
  const size = env.LACUNA_NOTEBOOK_SIZE;
  if (size !== undefined && size !== 'tiny' && size !== 'default') throw new ParameterError(`$LACUNA_NOTEBOOK_SIZE must be tiny or default, got "${size}"`);
  const fromCell = parameters.datasetFlags?.trim() ?? '';
  const fromEnv = env.LACUNA_DATASET?.trim() ?? '';
  // The runner tells the kernel what it injected, so the page can say the command line chose.
  const injected = fromCell !== '' && fromCell === env.LACUNA_INJECTED_DATASET_FLAGS?.trim();
  const chosenBy = injected ? 'command line' : fromCell ? 'parameters cell' : fromEnv ? '$LACUNA_DATASET' : 'built-in default';
  const flags = fromCell || fromEnv;
  const options = parseDatasetFlags(flags, fromCell ? 'datasetFlags in the parameters cell' : chosenBy, env);
  const foldsText = parameters.foldsToRun?.trim() ?? '';
  return {
    options, name: datasetName(options), flags, chosenBy,
    builtIn: options.kind === 'synthetic-urban',
    quick: size === 'tiny',
    ...(foldsText ? { foldsAsked: parseFolds(foldsText) } : {}),
  };
}

/** The dataset's folds, ascending. */
export function foldsOf(dataset: Pick<CachedDataset, 'clips'>): number[] {
  return [...new Set(dataset.clips.map((c) => c.fold))].sort((a, b) => a - b);
}

/**
 * The test folds a notebook's experiments run: those `foldsToRun` asked for (each must be in the
 * dataset), else the first two in the quick pass, else every fold.
 */
export function testFolds(choice: NotebookDataset, dataset: Pick<CachedDataset, 'clips'>): number[] {
  const all = foldsOf(dataset);
  if (choice.foldsAsked) {
    const missing = choice.foldsAsked.filter((f) => !all.includes(f));
    if (missing.length) throw new ParameterError(`foldsToRun: fold ${missing.join(', ')} is not in dataset ${choice.name} (folds ${all.join(', ')})`);
    return choice.foldsAsked;
  }
  return choice.quick ? all.slice(0, 2) : all;
}

/** Where the data came from, in words. */
export function datasetSource(choice: NotebookDataset): string {
  const o = choice.options;
  if (choice.builtIn) return `lacuna's built-in synthetic-urban set (size ${o.size ?? 'default'}, seed ${o.seed ?? 0}), generated from a seed${o.root ? ` in \`${o.root}\`` : ''}`;
  return `${o.kind}${o.esc10 ? ' (ESC-10 subset)' : ''} layout read from \`${o.root}\``;
}

/**
 * The line every notebook page starts with: the dataset's name, clips, classes, folds, where it
 * came from, what chose it, where results go. `listed`: the clips are the metadata's rows, not yet read.
 */
export function datasetHeader(choice: NotebookDataset, dataset: Pick<CachedDataset, 'clips' | 'classNames' | 'name'>, options: { listed?: boolean } = {}): string {
  const folds = foldsOf(dataset);
  // In code spans: the classic Notebook reads text between two $ signs as MathJax.
  const chosenBy = choice.chosenBy.startsWith('$') ? `\`${choice.chosenBy}\`` : choice.chosenBy;
  // Listed: as the metadata lists them, before unreadable files are skipped (notebook 00 reads no audio).
  return `**Dataset \`${dataset.name}\`**: ${dataset.clips.length} clips${options.listed ? ' listed' : ''}, ${dataset.classNames.length} classes, ${folds.length} folds (${folds.join(', ')}); ` +
    `${datasetSource(choice)}; chosen by the ${chosenBy}${choice.flags ? ` (\`${choice.flags}\`)` : ''}. ` +
    `Results go to \`${resultsRoot(dataset.name)}\`.${choice.quick ? ' Quick pass (`$LACUNA_NOTEBOOK_SIZE=tiny`).' : ''}`;
}
