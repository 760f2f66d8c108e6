/**
 * The dataset cache: per sample rate, one float32 `.npy` of N × clipSamples rows, `labels.csv`
 * (id, classIndex, className, sourceClassId, fold) and `manifest.json`, under
 *
 *   <cacheRoot>/<dataset name>/<normalize>-<durationSec>s/sr<rate>/
 *
 * with `report.json` (the clips left out, and why) one level up. cacheRoot defaults to
 * `<repo>/data/cache` (or $LACUNA_DATA_DIR/cache). The dataset name is given or derived from the
 * source (name.ts), e.g. `data/cache/synthetic-urban-tiny/zscore-4s/sr8000/waveforms.npy`. A name
 * whose cache holds another source (another root or kind) is refused unless `force` is set, so one
 * dataset never silently replaces another's cache.
 *
 * Reuse: the manifest holds a fingerprint (SHA-256) of everything that decides the rows — the
 * cache format, rate, normalisation, duration, resampler settings, and every input clip's id,
 * label, fold, file size and modification time (size+mtime: cheap, catches replaced files; a file
 * rewritten with identical size and mtime would be missed). Same fingerprint and outputs of the
 * recorded sizes → reused; anything else → rebuilt. Outputs are written to temporary files and
 * renamed, the manifest last (and the old one removed first), so an interrupted build is redone.
 * The manifest also records SHA-256 content hashes of the outputs (of labels.csv whole, of
 * waveforms.npy's row data after its header), computed while writing.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { CachedDataset } from '../types';
import { DatasetError, LacunaError } from '../util/errors';
import { readJsonIfExists, writeFileAtomic, writeJsonAtomic } from '../util/atomic';
import { NpyWriter, readNpyHeader, readNpyRows } from '../util/npy';
import { parseCsvRecords, toCsv } from '../util/csv';
import { createProgress } from '../util/progress';
import { clipSamples, Normalization, NORMALIZATIONS } from '../audio/preprocess';
import { DatasetProblem, openDataset, OpenDatasetOptions, OpenedDataset } from './adapters';
import { ClassIndex, keepClassesWithClips } from './classes';
import { datasetName } from './name';
import { defaultCacheRoot, repoRoot } from './paths';
import { processClip } from './process';

/**
 * Bump when the processing changes in a way the fingerprint cannot see.
 * 2: class indices 0..K-1 over the classes that have clips, sourceClassId in labels.csv, name in the manifest.
 */
export const CACHE_FORMAT = 2;

export interface CreateDatasetOptions extends OpenDatasetOptions {
  /** Rates to cache, in Hz; default [8000, 16000]. */
  rates?: number[];
  /** Per-clip normalisation; default 'zscore' (the reference). */
  normalize?: Normalization;
  /** Clip duration after pad/cut, in seconds; default 4. */
  durationSec?: number;
  /** Default `<repo>/data/cache`. */
  cacheRoot?: string;
  /** The dataset's name (its cache folder); default derived from the source (see name.ts). */
  name?: string;
  /** Rebuild even when the cache is fresh, and replace a cache of another source under the same name. */
  force?: boolean;
  /** Rows held in memory before spilling to a temporary file (all rates together); default 1 GiB. */
  memoryBudgetBytes?: number;
}

export interface DatasetReport {
  dataset: string;
  kind: string;
  root: string;
  /** Clips listed by the dataset (including those skipped). */
  listed: number;
  /** Clips in the cache. */
  cached: number;
  skipped: DatasetProblem[];
  /** Rates reused from an earlier run, and rates built now. */
  reused: number[];
  built: number[];
  seconds: number;
  reportFile: string;
}

export interface CreateDatasetResult {
  /** rate → cache folder (sr<rate>). */
  cacheDirs: Record<number, string>;
  report: DatasetReport;
}

interface CacheManifest {
  /** The dataset's name (see name.ts). */
  name: string;
  fingerprint: string;
  format: number;
  lacunaVersion: string;
  created: string;
  source: { kind: string; root: string; seed: number; folds: number[]; foldSource: string; size?: string; clipsPerClass?: number };
  parameters: { sampleRate: number; normalize: Normalization; durationSec: number; clipSamples: number };
  inputChecksums: { method: 'size+mtime'; sha256: string; files: number };
  outputs: Record<string, { bytes: number; sha256: string; hashes: string }>;
  clips: number;
  classNames: string[];
  /** Source id of each class index, where the layout has numeric ids (see classes.ts). */
  sourceClassIds?: number[];
  skipped: DatasetProblem[];
}

/** The version in package.json: recorded in caches, and checked by queue workers against the job's. */
export function lacunaVersion(): string {
  try { return (JSON.parse(fs.readFileSync(path.join(repoRoot(), 'package.json'), 'utf8')) as { version: string }).version; } catch { return 'unknown'; }
}

function sha256(data: string | Buffer): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

/** `<cacheRoot>/<name>/<normalize>-<durationSec>s`: the folder holding sr<rate>/ and report.json. */
export function cacheBaseDir(options: CreateDatasetOptions): string {
  return path.join(options.cacheRoot ?? defaultCacheRoot(), datasetName(options), `${options.normalize ?? 'zscore'}-${options.durationSec ?? 4}s`);
}

/** Refuses to replace a cache built from another source that happens to have the same name. */
function checkSameSource(dir: string, name: string, ds: OpenedDataset, clipsPerClass?: number): void {
  const m = readJsonIfExists<CacheManifest>(path.join(dir, 'manifest.json'));
  if (!m || (m.source.root === ds.root && m.source.kind === ds.kind && m.source.clipsPerClass === clipsPerClass)) return;
  const subset = (n?: number) => (n === undefined ? '' : ` (${n} clips per class)`);
  throw new DatasetError(
    `${dir} holds the cache of another dataset named "${name}" (${m.source.kind} from ${m.source.root}${subset(m.source.clipsPerClass)}), not of ${ds.kind} from ${ds.root}${subset(clipsPerClass)}. ` +
    'Give this dataset its own name with --name NAME, or replace the other cache with `lacuna data … --force`.',
  );
}

function inputChecksums(ds: OpenedDataset): { sha256: string; files: number } {
  const lines = ds.clips.map((c) => {
    let stamp = 'missing';
    try { const st = fs.statSync(c.path); stamp = `${st.size}:${Math.round(st.mtimeMs)}`; } catch { /* reported when read */ }
    return `${c.id}\t${path.relative(ds.root, c.path)}\t${c.classIndex}\t${c.className}\t${c.fold}\t${stamp}`;
  });
  return { sha256: sha256(lines.join('\n')), files: lines.length };
}

function isFresh(dir: string, fingerprint: string): CacheManifest | undefined {
  const m = readJsonIfExists<CacheManifest>(path.join(dir, 'manifest.json'));
  if (!m || m.fingerprint !== fingerprint) return undefined;
  for (const [name, out] of Object.entries(m.outputs)) {
    const f = path.join(dir, name);
    if (!fs.existsSync(f) || fs.statSync(f).size !== out.bytes) return undefined;
  }
  return m;
}

/**
 * The single entry point for data creation (CLI and notebooks): opens the dataset (generating
 * synthetic-urban if needed), reads every clip once, and writes one cache per rate — or reuses
 * fresh caches. Bad clips are skipped and listed in the report (returned, and written to
 * report.json beside the caches); the rest of the dataset is still cached.
 */
export function createDataset(options: CreateDatasetOptions): CreateDatasetResult {
  const start = Date.now();
  const rates = [...new Set(options.rates ?? [8000, 16000])];
  const normalize = options.normalize ?? 'zscore';
  const durationSec = options.durationSec ?? 4;
  if (!NORMALIZATIONS.includes(normalize)) throw new DatasetError(`normalize must be one of ${NORMALIZATIONS.join(', ')}, got "${normalize}"`);
  for (const r of rates) if (!(Number.isInteger(r) && r > 0)) throw new DatasetError(`rates must be positive integers in Hz, got ${r}`);
  if (!(durationSec > 0)) throw new DatasetError(`durationSec must be > 0, got ${durationSec}`);
  const name = datasetName(options);
  const ds = openDataset(options);
  const base = cacheBaseDir(options);
  const inputs = inputChecksums(ds);
  const seed = options.seed ?? 0;
  const fingerprintOf = (rate: number): string => sha256(JSON.stringify({
    format: CACHE_FORMAT, kind: ds.kind, seed, foldSource: ds.foldSource, rate, normalize, durationSec, inputs: inputs.sha256, problems: ds.problems,
  }));
  const dirOf = (rate: number): string => path.join(base, `sr${rate}`);
  const reused = options.force ? [] : rates.filter((r) => isFresh(dirOf(r), fingerprintOf(r)));
  const todo = rates.filter((r) => !reused.includes(r));
  let skipped: DatasetProblem[] = [...ds.problems];
  let cached = 0;

  if (todo.length > 0) {
    if (!options.force) for (const r of todo) checkSameSource(dirOf(r), name, ds, options.clipsPerClass);
    for (const r of todo) { try { fs.unlinkSync(path.join(dirOf(r), 'manifest.json')); } catch { /* none */ } }
    const built = buildCaches(ds, todo, { normalize, durationSec, dirOf, quiet: options.quiet, memoryBudgetBytes: options.memoryBudgetBytes ?? 2 ** 30 });
    skipped = [...ds.problems, ...built.skipped];
    cached = built.kept.length;
    for (const r of todo) {
      const dir = dirOf(r);
      const outputs = built.outputs.get(r)!;
      const manifest: CacheManifest = {
        name, fingerprint: fingerprintOf(r), format: CACHE_FORMAT, lacunaVersion: lacunaVersion(), created: new Date().toISOString(),
        source: { kind: ds.kind, root: ds.root, seed, folds: ds.folds, foldSource: ds.foldSource, ...(options.size ? { size: options.size } : {}),
          ...(options.clipsPerClass !== undefined ? { clipsPerClass: options.clipsPerClass } : {}) },
        parameters: { sampleRate: r, normalize, durationSec, clipSamples: clipSamples(r, durationSec) },
        inputChecksums: { method: 'size+mtime', ...inputs }, outputs, clips: cached,
        classNames: built.classes.classNames, sourceClassIds: built.classes.sourceClassIds, skipped,
      };
      writeJsonAtomic(path.join(dir, 'manifest.json'), manifest);
    }
  } else {
    const m = isFresh(dirOf(rates[0]), fingerprintOf(rates[0]))!;
    skipped = m.skipped;
    cached = m.clips;
  }
  const reportFile = path.join(base, 'report.json');
  const report: DatasetReport = {
    dataset: name, kind: ds.kind, root: ds.root, listed: ds.clips.length + ds.problems.length,
    cached, skipped, reused, built: todo, seconds: (Date.now() - start) / 1000, reportFile,
  };
  writeJsonAtomic(reportFile, report);
  return { cacheDirs: Object.fromEntries(rates.map((r) => [r, dirOf(r)])), report };
}

/**
 * Rows of one rate, held in memory up to a budget and spilled to a temporary raw file past it,
 * because the .npy header needs the final row count (bad clips are only found while reading).
 */
class RowSink {
  private rows: Float32Array[] = [];
  private held = 0;
  private fd: number | undefined;
  private readonly raw: string;
  constructor(dir: string, private readonly budgetBytes: number) {
    this.raw = path.join(dir, `.rows.raw.tmp-${process.pid}`);
  }
  push(row: Float32Array): void {
    if (this.fd === undefined && this.held + row.byteLength > this.budgetBytes) {
      this.fd = fs.openSync(this.raw, 'w');
      for (const r of this.rows) fs.writeSync(this.fd, new Uint8Array(r.buffer, r.byteOffset, r.byteLength));
      this.rows = [];
    }
    if (this.fd !== undefined) fs.writeSync(this.fd, new Uint8Array(row.buffer, row.byteOffset, row.byteLength));
    else { this.rows.push(row); this.held += row.byteLength; }
  }
  /** Writes the .npy and returns the SHA-256 of its row data (the bytes after the header). */
  writeNpy(file: string, count: number, rowLength: number): string {
    const writer = new NpyWriter(file, [count, rowLength], 'float32');
    const hash = crypto.createHash('sha256');
    const put = (values: Float32Array): void => { writer.write(values); hash.update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength)); };
    try {
      if (this.fd === undefined) for (const r of this.rows) put(r);
      else {
        fs.closeSync(this.fd);
        this.fd = undefined;
        const chunk = new Float32Array(rowLength * 64);
        const bytes = new Uint8Array(chunk.buffer);
        const inFd = fs.openSync(this.raw, 'r');
        try {
          let got: number;
          while ((got = fs.readSync(inFd, bytes, 0, bytes.length, null)) > 0) put(chunk.subarray(0, got / 4));
        } finally { fs.closeSync(inFd); }
      }
      writer.close();
    } catch (err) { writer.abort(); throw err; }
    return hash.digest('hex');
  }
  dispose(): void {
    this.rows = [];
    if (this.fd !== undefined) { try { fs.closeSync(this.fd); } catch { /* closed */ } }
    try { fs.unlinkSync(this.raw); } catch { /* never spilled */ }
  }
}

interface BuildSettings { normalize: Normalization; durationSec: number; dirOf(rate: number): string; quiet?: boolean; memoryBudgetBytes: number }

/** Reads every clip once, keeps the rows per rate, writes .npy + labels.csv; returns kept/skipped and output checksums. */
function buildCaches(ds: OpenedDataset, rates: number[], o: BuildSettings): {
  kept: OpenedDataset['clips']; classes: ClassIndex; skipped: DatasetProblem[]; outputs: Map<number, CacheManifest['outputs']>;
} {
  const sinks = new Map(rates.map((r) => {
    fs.mkdirSync(o.dirOf(r), { recursive: true });
    return [r, new RowSink(o.dirOf(r), o.memoryBudgetBytes / rates.length)];
  }));
  let kept: OpenedDataset['clips'] = [];
  let classes: ClassIndex = ds;
  const skipped: DatasetProblem[] = [];
  const outputs = new Map<number, CacheManifest['outputs']>();
  const progress = createProgress({ total: ds.clips.length, label: `caching ${path.basename(ds.root)} @ ${rates.join(', ')} Hz`, quiet: o.quiet });
  try {
    for (const clip of ds.clips) {
      try {
        const rows = processClip(clip.path, { rates, normalize: o.normalize, durationSec: o.durationSec });
        for (const r of rates) sinks.get(r)!.push(rows.get(r)!);
        kept.push(clip);
      } catch (err) {
        if (!(err instanceof LacunaError)) throw err;
        skipped.push({ id: clip.id, path: clip.path, problem: err.message.startsWith(clip.path) ? err.message.slice(clip.path.length + 2) : err.message });
      }
      progress.tick(1, skipped.length ? `${skipped.length} skipped` : undefined);
    }
    progress.done(skipped.length ? `${skipped.length} skipped` : undefined);
    if (kept.length === 0) throw new DatasetError(`${ds.root}: every clip was unusable; first: ${skipped[0]?.path}: ${skipped[0]?.problem}`);
    const compact = keepClassesWithClips(kept, ds);
    kept = compact.clips;
    classes = { classNames: compact.classNames, sourceClassIds: compact.sourceClassIds };
    for (const r of rates) {
      const npy = path.join(o.dirOf(r), 'waveforms.npy');
      const dataHash = sinks.get(r)!.writeNpy(npy, kept.length, clipSamples(r, o.durationSec));
      const labels = toCsv(['id', 'classIndex', 'className', 'sourceClassId', 'fold'], kept.map((c) => [c.id, c.classIndex, c.className, c.sourceClassId, c.fold]));
      writeFileAtomic(path.join(o.dirOf(r), 'labels.csv'), labels);
      outputs.set(r, {
        'waveforms.npy': { bytes: fs.statSync(npy).size, sha256: dataHash, hashes: 'row data after the .npy header' },
        'labels.csv': { bytes: Buffer.byteLength(labels), sha256: sha256(labels), hashes: 'whole file' },
      });
    }
  } finally {
    for (const sink of sinks.values()) sink.dispose();
  }
  return { kept, classes, skipped, outputs };
}

/**
 * Loads one rate of a cache: from its folder (`.../sr8000`, or the folder above it holding sr<rate>/),
 * or from dataset options (the cache is created or reused first, as createDataset does).
 */
export function loadCachedDataset(source: string | CreateDatasetOptions, sampleRate: number): CachedDataset {
  let dir: string;
  if (typeof source === 'string') {
    dir = fs.existsSync(path.join(source, 'manifest.json')) ? source : path.join(source, `sr${sampleRate}`);
  } else {
    dir = createDataset({ ...source, rates: [...new Set([...(source.rates ?? [8000, 16000]), sampleRate])] }).cacheDirs[sampleRate];
  }
  const manifestFile = path.join(dir, 'manifest.json');
  const m = readJsonIfExists<CacheManifest>(manifestFile);
  if (!m) throw new DatasetError(`no dataset cache at ${dir} (manifest.json missing); create it with \`lacuna data\` or createDataset()`);
  if (m.format !== CACHE_FORMAT) throw new DatasetError(`${manifestFile}: cache format ${m.format}, this lacuna reads format ${CACHE_FORMAT}; rebuild it with \`lacuna data\``);
  if (m.parameters.sampleRate !== sampleRate) throw new DatasetError(`${manifestFile}: cache is at ${m.parameters.sampleRate} Hz, asked for ${sampleRate} Hz`);
  const npy = path.join(dir, 'waveforms.npy');
  const header = readNpyHeader(npy);
  const labels = parseCsvRecords(fs.readFileSync(path.join(dir, 'labels.csv'), 'utf8'));
  if (header.dtype !== 'float32' || header.shape[0] !== labels.length || header.shape[1] !== m.parameters.clipSamples) {
    throw new DatasetError(`${npy}: shape [${header.shape}] ${header.dtype} does not match ${labels.length} labels × ${m.parameters.clipSamples} samples`);
  }
  return {
    sampleRate,
    clipSamples: m.parameters.clipSamples,
    waveforms: readNpyRows(npy).data as Float32Array,
    clips: labels.map((l) => ({
      id: l.id, classIndex: Number(l.classIndex), className: l.className, fold: Number(l.fold),
      ...(l.sourceClassId ? { sourceClassId: Number(l.sourceClassId) } : {}),
    })),
    classNames: m.classNames,
    name: m.name,
    cacheDir: dir,
    fingerprint: m.fingerprint,
  };
}
