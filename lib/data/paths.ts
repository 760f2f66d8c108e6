/**
 * Where lacuna keeps data and writes results: `<repo>/data` and `<repo>/outputs` by default, or
 * the folders in the LACUNA_DATA_DIR and LACUNA_OUTPUT_DIR environment variables (the tests point
 * them at temporary folders so they never touch a user's own caches and results). Both lib/ (via
 * tsx) and dist/ sit one level below the repo root.
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

/** The outputs folder (results, rendered notebooks): $LACUNA_OUTPUT_DIR or `<repo>/outputs`. */
export function outputDir(): string {
  return process.env.LACUNA_OUTPUT_DIR ? path.resolve(process.env.LACUNA_OUTPUT_DIR) : path.join(repoRoot(), 'outputs');
}

/**
 * Results root of one dataset, `<outputs>/results/<dataset name>`: the one place the CLI and the
 * notebooks look, so runs on different datasets never share a folder.
 */
export function resultsRoot(datasetName: string): string {
  return path.join(outputDir(), 'results', datasetName);
}
