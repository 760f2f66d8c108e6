/**
 * Where lacuna finds YAMNet's TFLite file, and how it checks it. Search order: an explicit path
 * (`--yamnet PATH`), then $LACUNA_YAMNET, then data/models/yamnet.tflite under the project root.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { ModelError } from '../../util/errors';

/** sha256 of the official lite-model_yamnet_classification_tflite_1 (4126810 bytes). */
export const YAMNET_SHA256 = '10c95ea3eb9a7bb4cb8bddf6feb023250381008177ac162ce169694d05c317de';
export const YAMNET_URL =
  'https://storage.googleapis.com/download.tensorflow.org/models/tflite/task_library/audio_classification/rpi/lite-model_yamnet_classification_tflite_1.tflite';

/** The project root: the nearest folder above this module holding package.json. */
export function projectRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
}

export const DEFAULT_YAMNET_PATH = path.join('data', 'models', 'yamnet.tflite');

export const YAMNET_HELP =
  `Get the official file with \`npm run fetch:yamnet\` (downloads it to ${DEFAULT_YAMNET_PATH} and checks its sha256), ` +
  `or point lacuna at a copy with --yamnet PATH or the LACUNA_YAMNET environment variable.`;

/** Candidate paths in search order, each with where it came from. */
export function yamnetCandidates(explicit?: string): { path: string; source: string }[] {
  const out: { path: string; source: string }[] = [];
  if (explicit) out.push({ path: path.resolve(explicit), source: '--yamnet' });
  if (process.env.LACUNA_YAMNET) out.push({ path: path.resolve(process.env.LACUNA_YAMNET), source: 'LACUNA_YAMNET' });
  out.push({ path: path.join(projectRoot(), DEFAULT_YAMNET_PATH), source: 'default location' });
  return out;
}

/**
 * The first existing candidate. An explicit path or $LACUNA_YAMNET that does not exist is an
 * error (a typo should not silently fall through to another file).
 */
export function locateYamnet(explicit?: string): string {
  for (const c of yamnetCandidates(explicit)) {
    if (fs.existsSync(c.path) && fs.statSync(c.path).isFile()) return c.path;
    if (c.source !== 'default location') throw new ModelError(`YAMNet model not found at ${c.path} (from ${c.source}). ${YAMNET_HELP}`);
  }
  throw new ModelError(`YAMNet model not found (looked in ${yamnetCandidates(explicit).map((c) => c.path).join(', ')}). ${YAMNET_HELP}`);
}

export function sha256Of(bytes: Uint8Array): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}
