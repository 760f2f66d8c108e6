/**
 * Where lacuna keeps data: `<repo>/data` by default, or the folder in the LACUNA_DATA_DIR
 * environment variable. Both lib/ (via tsx) and dist/ sit one level below the repo root.
 */
import * as path from 'path';

/** The repository root (the folder holding package.json). */
export function repoRoot(): string {
  return path.resolve(__dirname, '..', '..');
}

/** The data folder: $LACUNA_DATA_DIR or `<repo>/data`. */
export function dataDir(): string {
  return process.env.LACUNA_DATA_DIR ? path.resolve(process.env.LACUNA_DATA_DIR) : path.join(repoRoot(), 'data');
}

/** Default cache root: `<data>/cache`. */
export function defaultCacheRoot(): string {
  return path.join(dataDir(), 'cache');
}
