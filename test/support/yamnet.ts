import * as fs from 'fs';
import * as path from 'path';

const root = path.resolve(__dirname, '..', '..');

/**
 * $LACUNA_YAMNET when set (strict: a set path that does not exist fails the tests, never skips
 * them), else the usual places; undefined only when no model is configured anywhere.
 */
export function yamnetPath(): string | undefined {
  if (process.env.LACUNA_YAMNET) return process.env.LACUNA_YAMNET;
  return [path.join(root, 'data/models/yamnet.tflite'), path.join(root, '../shared/models/yamnet/yamnet.tflite'), '/work/shared/models/yamnet/yamnet.tflite']
    .find((p) => fs.existsSync(p));
}

/** The folder of real example clips (meow_16k, dog/baby/jingle_975ms), when present. */
export function exampleClipsDir(): string | undefined {
  return [path.join(root, '../shared/audio/yamnet-examples'), '/work/shared/audio/yamnet-examples'].find((p) => fs.existsSync(p));
}
