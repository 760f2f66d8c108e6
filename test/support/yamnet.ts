import * as fs from 'fs';
import * as path from 'path';
import { readWav } from '../../lib/audio/io';
import { resample } from '../../lib/audio/resample';

const root = path.resolve(__dirname, '..', '..');

/** The shared folder of model and clips: $LACUNA_SHARED, else `../shared` beside the checkout. */
export function sharedDir(): string {
  return process.env.LACUNA_SHARED ?? path.join(root, '..', 'shared');
}

/**
 * $LACUNA_YAMNET when set (strict: a set path that does not exist fails the tests, never skips
 * them), else the project's data/models or the shared folder; undefined only when no model is
 * configured anywhere.
 */
export function yamnetPath(): string | undefined {
  if (process.env.LACUNA_YAMNET) return process.env.LACUNA_YAMNET;
  return [path.join(root, 'data/models/yamnet.tflite'), path.join(sharedDir(), 'models/yamnet/yamnet.tflite')]
    .find((p) => fs.existsSync(p));
}

/** The folder of real example clips (meow_16k, dog/baby/jingle_975ms), when present. */
export function exampleClipsDir(): string | undefined {
  const dir = path.join(sharedDir(), 'audio/yamnet-examples');
  return fs.existsSync(dir) ? dir : undefined;
}

/** Example clip `name` (a file in exampleClipsDir()) as its mono samples at 16 kHz, YAMNet's rate. */
export function exampleClip16k(name: string): Float32Array {
  const dir = exampleClipsDir();
  if (!dir) throw new Error(`no example clips folder (${path.join(sharedDir(), 'audio/yamnet-examples')}) for ${name}`);
  const audio = readWav(path.join(dir, name));
  return resample(audio.samples, audio.sampleRate, 16000);
}
