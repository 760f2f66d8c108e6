/**
 * A folder owned by one configuration: results, tuning studies, reconstruction runs and GAN
 * checkpoints each live in a folder whose config.json (or checkpoint) says what made them, so that
 * work of another configuration is never mixed in or silently overwritten. The data cache is not
 * one: it is derived data, rebuilt when its fingerprint changes (lib/data/cache.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { readJsonIfExists, writeJsonAtomic } from './atomic';
import { ConfigMismatchError } from './errors';
import { hashString } from './rng';

/** Dotted paths whose values differ between two JSON-like values. */
export function diffKeys(a: unknown, b: unknown, prefix = ''): string[] {
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObj(a) && isObj(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => diffKeys(a[k], b[k], prefix ? `${prefix}.${k}` : k));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [prefix || '(root)'];
}

/** Short stable hash of a JSON-able value (8 hex digits): names folders of one configuration. */
export function configHash(value: unknown): string {
  return hashString(JSON.stringify(value)).toString(16).padStart(8, '0');
}

/** The refusal a run folder gives by default: the folder, the keys, the two ways out. */
function runRefusal(dir: string, differing: string[]): string {
  return `${dir} holds a run with a different configuration (differs in: ${differing.join(', ')}). ` +
    'Use another --output folder, or --overwrite to replace it.';
}

export interface ClaimOptions {
  /** Delete the files of a run of another configuration instead of refusing. Default false. */
  overwrite?: boolean;
  /** The error message for a folder of another configuration (default: a run's, naming --output and --overwrite). */
  refusal?: (dir: string, differing: string[]) => string;
}

/**
 * Makes sure `dir` holds work of exactly `config`: writes config.json into a new folder, accepts
 * an identical one, and otherwise throws ConfigMismatchError naming the folder and the keys —
 * unless `overwrite`, which deletes the old run's files first.
 */
export function claimRunDir(dir: string, config: Record<string, unknown>, options: ClaimOptions = {}): void {
  const file = path.join(dir, 'config.json');
  const saved = readJsonIfExists<Record<string, unknown>>(file);
  if (saved !== undefined) {
    const differing = diffKeys(saved, JSON.parse(JSON.stringify(config)));
    if (differing.length === 0) return;
    if (!options.overwrite) throw new ConfigMismatchError((options.refusal ?? runRefusal)(dir, differing));
    for (const entry of fs.readdirSync(dir)) fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
  }
  writeJsonAtomic(file, config);
}
