/**
 * Dataset adapters: each reads one on-disk layout into a DatasetIndex (clip id, absolute path,
 * class index 0..K-1 (see classes.ts) and name, 1-based fold). Rows that cannot be used (unknown
 * fold, empty label) are returned as problems instead of stopping the whole dataset; a missing
 * metadata file is fatal.
 * Files are not opened here: a row pointing to a missing file is reported when the clip is read.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ClipInfo, DatasetIndex } from '../types';
import { DatasetError, ParameterError } from '../util/errors';
import { parseCsvRecords } from '../util/csv';
import { assignStratifiedFolds } from './folds';
import { ClassIndex, indexBySourceId } from './classes';
import { generateSyntheticUrban, SyntheticSize } from './synthetic';
import { selectClipsPerClass } from './subset';

/** A clip (or metadata row) that was left out, and why. */
export interface DatasetProblem {
  id?: string;
  path: string;
  problem: string;
}

/** What an adapter returns: the index plus the rows it had to leave out. */
export interface OpenedDataset extends DatasetIndex {
  /** Source id of each class index (UrbanSound8K classID, ESC-50 target); absent where classes are named. */
  sourceClassIds?: number[];
  problems: DatasetProblem[];
  /** How folds were obtained: from the metadata, or assigned from a seed. */
  foldSource: 'metadata' | 'assigned';
}

export type DatasetKind = 'synthetic-urban' | 'urbansound8k' | 'esc50' | 'manifest' | 'folders';
export const DATASET_KINDS: readonly DatasetKind[] = ['synthetic-urban', 'urbansound8k', 'esc50', 'manifest', 'folders'];

export interface OpenDatasetOptions {
  kind: DatasetKind;
  /** Dataset folder (manifest: the CSV file, or a folder holding manifest.csv). Optional for synthetic-urban. */
  root?: string;
  /** synthetic-urban: 'tiny' | 'default' (default 'default'). */
  size?: SyntheticSize;
  /** Seed for generated data and assigned folds; default 0. */
  seed?: number;
  /** Folds to assign where the layout has none; default 10 (fewer for tiny classes). */
  folds?: number;
  /** esc50: keep only the ESC-10 subset (esc10 column), re-indexed 0..9. */
  esc10?: boolean;
  /** Keep at most this many clips per class, chosen from `seed` and spread over the folds (subset.ts). */
  clipsPerClass?: number;
  quiet?: boolean;
}

function readMetadata(file: string, required: string[]): Record<string, string>[] {
  if (!fs.existsSync(file)) throw new DatasetError(`metadata file not found: ${file}`);
  const records = parseCsvRecords(fs.readFileSync(file, 'utf8'));
  if (records.length === 0) throw new DatasetError(`${file}: no rows`);
  const missing = required.filter((k) => !(k in records[0]));
  if (missing.length) throw new DatasetError(`${file}: missing column(s) ${missing.join(', ')}; found ${Object.keys(records[0]).join(', ')}`);
  return records;
}

function finish(kind: string, root: string, classes: ClassIndex, clips: ClipInfo[], problems: DatasetProblem[], foldSource: OpenedDataset['foldSource']): OpenedDataset {
  if (clips.length === 0) throw new DatasetError(`${root}: no usable clips (${problems.length} problem(s)${problems[0] ? `, first: ${problems[0].path}: ${problems[0].problem}` : ''})`);
  const folds = [...new Set(clips.map((c) => c.fold))].sort((a, b) => a - b);
  return { kind, root, ...classes, folds, clips, problems, foldSource };
}

/** A usable metadata row of a layout with numeric class ids, before classes are indexed. */
type SourceRow = Omit<ClipInfo, 'classIndex'> & { sourceClassId: number };

/** Indexes the classes of the rows that have clips (see classes.ts) and gives each clip its index. */
function withClassIndex(rows: SourceRow[], file: string): { classes: ClassIndex; clips: ClipInfo[] } {
  const pairs = new Map<number, string>();
  for (const r of rows) {
    const known = pairs.get(r.sourceClassId);
    if (known !== undefined && known !== r.className) throw new DatasetError(`${file}: class id ${r.sourceClassId} is "${r.className}" for ${r.id} but "${known}" earlier`);
    pairs.set(r.sourceClassId, r.className);
  }
  const { indexOf, ...classes } = indexBySourceId(pairs, file);
  return { classes, clips: rows.map((r) => ({ ...r, classIndex: indexOf.get(r.sourceClassId)! })) };
}

/** UrbanSound8K: `metadata/UrbanSound8K.csv` (slice_file_name, fold, classID, class) and `audio/foldN/*.wav`. */
export function openUrbanSound8K(root: string, kind = 'urbansound8k'): OpenedDataset {
  const file = path.join(root, 'metadata', 'UrbanSound8K.csv');
  const records = readMetadata(file, ['slice_file_name', 'fold', 'classID', 'class']);
  const rows: SourceRow[] = [];
  const problems: DatasetProblem[] = [];
  records.forEach((r, row) => {
    const fold = Number(r.fold);
    const classId = Number(r.classID);
    const where = `${file} row ${row + 2}`;
    if (!r.slice_file_name) return problems.push({ path: where, problem: 'empty slice_file_name' });
    const clipPath = path.join(root, 'audio', `fold${r.fold}`, r.slice_file_name);
    if (!(Number.isInteger(fold) && fold >= 1)) return problems.push({ path: clipPath, problem: `bad fold "${r.fold}" in ${where}` });
    if (!(r.classID !== '' && Number.isInteger(classId) && classId >= 0) || !r.class) return problems.push({ path: clipPath, problem: `bad classID/class "${r.classID}"/"${r.class}" in ${where}` });
    rows.push({ id: r.slice_file_name.replace(/\.wav$/i, ''), path: clipPath, sourceClassId: classId, className: r.class, fold });
  });
  const { classes, clips } = withClassIndex(rows, file);
  return finish(kind, root, classes, clips, problems, 'metadata');
}

/** ESC-50: `meta/esc50.csv` (filename, fold, target, category[, esc10]) and `audio/*.wav`. */
export function openEsc50(root: string, esc10 = false): OpenedDataset {
  const file = path.join(root, 'meta', 'esc50.csv');
  const records = readMetadata(file, ['filename', 'fold', 'target', 'category', ...(esc10 ? ['esc10'] : [])]);
  const used = esc10 ? records.filter((r) => /^(true|1)$/i.test(r.esc10)) : records;
  if (used.length === 0) throw new DatasetError(`${file}: no rows with esc10 = True`);
  const rows: SourceRow[] = [];
  const problems: DatasetProblem[] = [];
  used.forEach((r, row) => {
    const clipPath = path.join(root, 'audio', r.filename);
    const fold = Number(r.fold);
    const target = Number(r.target);
    if (!r.filename) return problems.push({ path: `${file} row ${row + 2}`, problem: 'empty filename' });
    if (!(Number.isInteger(fold) && fold >= 1)) return problems.push({ path: clipPath, problem: `bad fold "${r.fold}" in ${file} row ${row + 2}` });
    if (!(r.target !== '' && Number.isInteger(target) && target >= 0) || !r.category) return problems.push({ path: clipPath, problem: `bad target/category "${r.target}"/"${r.category}" in ${file} row ${row + 2}` });
    rows.push({ id: r.filename.replace(/\.wav$/i, ''), path: clipPath, sourceClassId: target, className: r.category, fold });
  });
  const { classes, clips } = withClassIndex(rows, file);
  return finish(esc10 ? 'esc10' : 'esc50', root, classes, clips, problems, 'metadata');
}

function assign(kind: string, root: string, labelled: { id: string; path: string; className: string; fold?: number }[], problems: DatasetProblem[], seed: number, folds: number): OpenedDataset {
  const classNames = [...new Set(labelled.map((l) => l.className))].sort();
  const index = new Map(classNames.map((c, i) => [c, i]));
  const clips: ClipInfo[] = labelled.map((l) => ({ id: l.id, path: l.path, classIndex: index.get(l.className)!, className: l.className, fold: l.fold ?? 0 }));
  const haveFolds = labelled.length > 0 && labelled.every((l) => l.fold !== undefined);
  if (!haveFolds) {
    const { folds: foldOf } = assignStratifiedFolds(clips, { folds, seed });
    for (const c of clips) c.fold = foldOf.get(c.id)!;
  }
  return finish(kind, root, { classNames }, clips, problems, haveFolds ? 'metadata' : 'assigned');
}

/** The CSV of a manifest dataset: the file given, or `manifest.csv` in the folder given. */
export function manifestFile(fileOrDir: string): string {
  return fs.existsSync(fileOrDir) && fs.statSync(fileOrDir).isDirectory() ? path.join(fileOrDir, 'manifest.csv') : fileOrDir;
}

/**
 * A manifest CSV with columns `path,label[,fold]`; paths relative to the CSV's folder. Folds are
 * used when every row has one, otherwise assigned (stratified, from the seed). Classes sorted by name.
 */
export function openManifest(fileOrDir: string, seed = 0, folds = 10): OpenedDataset {
  const file = manifestFile(fileOrDir);
  const records = readMetadata(file, ['path', 'label']);
  const base = path.dirname(file);
  const problems: DatasetProblem[] = [];
  const labelled: { id: string; path: string; className: string; fold?: number }[] = [];
  const seen = new Set<string>();
  records.forEach((r, row) => {
    const where = `${file} row ${row + 2}`;
    if (!r.path || !r.label) return problems.push({ path: r.path || where, problem: `empty path or label in ${where}` });
    const id = r.path.replace(/\.wav$/i, '');
    if (seen.has(id)) return problems.push({ id, path: r.path, problem: `duplicate path in ${where}` });
    seen.add(id);
    const fold = r.fold ? Number(r.fold) : undefined;
    if (fold !== undefined && !(Number.isInteger(fold) && fold >= 1)) return problems.push({ id, path: r.path, problem: `bad fold "${r.fold}" in ${where}` });
    labelled.push({ id, path: path.resolve(base, r.path), className: r.label, fold });
  });
  return assign('manifest', file, labelled, problems, seed, folds);
}

function listWavs(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...listWavs(p));
    else if (/\.wav$/i.test(e.name)) out.push(p);
  }
  return out.sort();
}

/** A folder per class (`root/<class>/**.wav`); class names sorted, folds assigned from the seed. */
export function openFolders(root: string, seed = 0, folds = 10): OpenedDataset {
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new DatasetError(`dataset folder not found: ${root}`);
  const classes = fs.readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
  if (classes.length === 0) throw new DatasetError(`${root}: no class folders (expected root/<class>/*.wav)`);
  const labelled = classes.flatMap((c) => listWavs(path.join(root, c)).map((p) => ({ id: path.relative(root, p).replace(/\.wav$/i, '').split(path.sep).join('/'), path: p, className: c })));
  return assign('folders', root, labelled, [], seed, folds);
}

/** The dataset's folder (manifest: CSV or folder), resolved; every kind but synthetic-urban needs one. */
export function requiredRoot(options: Pick<OpenDatasetOptions, 'kind' | 'root'>): string {
  if (!options.root) throw new ParameterError(`--root is required for dataset kind "${options.kind}"`);
  return path.resolve(options.root);
}

/**
 * Opens any supported layout; synthetic-urban is generated first (or reused) from size and seed.
 * With `clipsPerClass`, only that many clips per class are kept (their folds unchanged).
 */
export function openDataset(options: OpenDatasetOptions): OpenedDataset {
  const opened = openLayout(options);
  if (options.clipsPerClass === undefined) return opened;
  return { ...opened, clips: selectClipsPerClass(opened.clips, options.clipsPerClass, options.seed ?? 0) };
}

function openLayout(options: OpenDatasetOptions): OpenedDataset {
  const seed = options.seed ?? 0;
  const folds = options.folds ?? 10;
  const need = (): string => requiredRoot(options);
  switch (options.kind) {
    case 'synthetic-urban': {
      const g = generateSyntheticUrban({ root: options.root, size: options.size, seed, folds, quiet: options.quiet });
      return openUrbanSound8K(g.root, 'synthetic-urban');
    }
    case 'urbansound8k': return openUrbanSound8K(need());
    case 'esc50': return openEsc50(need(), options.esc10);
    case 'manifest': return openManifest(need(), seed, folds);
    case 'folders': return openFolders(need(), seed, folds);
    default: throw new ParameterError(`dataset kind must be one of ${DATASET_KINDS.join(', ')}, got "${String(options.kind)}"`);
  }
}
