/**
 * A small dataset that is not lacuna's built-in one, written as a user's would be: the
 * UrbanSound8K layout (metadata/UrbanSound8K.csv, audio/foldN/*.wav) or the ESC-50 layout
 * (meta/esc50.csv, audio/*.wav), WAV files written by the `wavefile` package (not lacuna's own
 * writer) in the formats real collections hold: 44.1 kHz stereo 16-bit, 22.05 kHz mono 24-bit,
 * 48 kHz stereo 32-bit float, 16 kHz mono 16-bit; clips of 1 s, 4 s and 5 s; sparse class ids
 * (a user's subset of classes); one class with a single clip in a fold; and one truncated file
 * that the dataset must report and skip. Every draw is seeded.
 */
import * as fs from 'fs';
import * as path from 'path';
import { WaveFile } from 'wavefile';
import { Rng } from '../../lib/util/rng';

/** Sparse source ids, as a user's subset of UrbanSound8K-like classes would have. */
export const USER_CLASSES: readonly { id: number; name: string }[] = [
  { id: 1, name: 'hum' }, { id: 4, name: 'chirp' }, { id: 6, name: 'knock' }, { id: 9, name: 'hiss' },
];

const FORMATS = [
  { sampleRate: 44100, channels: 2, bitDepth: '16' },
  { sampleRate: 22050, channels: 1, bitDepth: '24' },
  { sampleRate: 48000, channels: 2, bitDepth: '32f' },
  { sampleRate: 16000, channels: 1, bitDepth: '16' },
] as const;
const DURATIONS_SEC = [1, 4, 5];

/** One clip of a class: a mechanism per class, varied by the seed. Values in [-0.9, 0.9]. */
function synthesize(className: string, sampleRate: number, durationSec: number, rng: Rng): Float32Array {
  const n = Math.round(sampleRate * durationSec);
  const x = new Float32Array(n);
  const f0 = rng.range(0.8, 1.25);
  let smooth = 0;
  for (let i = 0; i < n; i++) {
    const t = i / sampleRate;
    const noise = rng.range(-1, 1);
    if (className === 'hum') x[i] = 0.5 * Math.sin(2 * Math.PI * 120 * f0 * t) + 0.25 * Math.sin(2 * Math.PI * 240 * f0 * t) + 0.02 * noise;
    else if (className === 'chirp') { const p = (t * 2) % 1; x[i] = 0.6 * Math.sin(2 * Math.PI * (600 * f0 + 1200 * p) * p) + 0.02 * noise; }
    else if (className === 'knock') { const p = (t * f0 * 3) % 1; x[i] = 0.8 * Math.exp(-p * 40) * Math.sin(2 * Math.PI * 300 * t) + 0.01 * noise; }
    else { smooth = 0.7 * smooth + 0.3 * noise; x[i] = 0.5 * smooth; }
  }
  return x;
}

function wavBytes(samples: Float32Array, format: (typeof FORMATS)[number]): Uint8Array {
  const channel = (gain: number): number[] | Float64Array => {
    if (format.bitDepth === '32f') return Float64Array.from(samples, (v) => v * gain);
    const full = format.bitDepth === '16' ? 32767 : 8388607;
    return Array.from(samples, (v) => Math.round(v * gain * full));
  };
  const wav = new WaveFile();
  const data = format.channels === 2 ? [channel(1), channel(0.8)] : channel(1);
  wav.fromScratch(format.channels, format.sampleRate, format.bitDepth, data as number[]);
  return wav.toBuffer();
}

export interface WrittenDataset {
  root: string;
  /** Clips listed in the metadata (the truncated one included). */
  listed: number;
  /** The one file written truncated, which must be skipped. */
  badFile: string;
  classNames: string[];
  folds: number[];
}

/**
 * Writes the dataset under `root` (created): `folds` folds, 2 clips per class and fold except
 * one class with a single clip in the first fold, plus one truncated file.
 */
export function writeUserDataset(root: string, layout: 'urbansound8k' | 'esc50', options: { folds?: number; seed?: number } = {}): WrittenDataset {
  const folds = options.folds ?? 3;
  const rng = new Rng(options.seed ?? 7);
  const rows: { file: string; fold: number; classId: number; className: string }[] = [];
  let k = 0;
  for (let fold = 1; fold <= folds; fold++) {
    for (const c of USER_CLASSES) {
      const count = fold === 1 && c.name === 'knock' ? 1 : 2;
      for (let j = 0; j < count; j++, k++) {
        const format = FORMATS[k % FORMATS.length];
        const durationSec = DURATIONS_SEC[k % DURATIONS_SEC.length];
        const file = layout === 'esc50' ? `${fold}-${1000 + k}-A-${c.id}.wav` : `${1000 + k}-${c.id}-0-${j}.wav`;
        const dir = layout === 'esc50' ? path.join(root, 'audio') : path.join(root, 'audio', `fold${fold}`);
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(path.join(dir, file), wavBytes(synthesize(c.name, format.sampleRate, durationSec, rng), format));
        rows.push({ file, fold, classId: c.id, className: c.name });
      }
    }
  }
  // A file cut short in transfer: its header promises more data than it holds.
  const bad = rows[rows.length - 1];
  const badPath = layout === 'esc50' ? path.join(root, 'audio', `${folds}-broken-A-${bad.classId}.wav`) : path.join(root, 'audio', `fold${bad.fold}`, `9999-${bad.classId}-0-0.wav`);
  const whole = fs.readFileSync(path.join(path.dirname(badPath), bad.file));
  fs.writeFileSync(badPath, whole.subarray(0, 2000));
  rows.push({ ...bad, file: path.basename(badPath) });
  if (layout === 'esc50') {
    fs.mkdirSync(path.join(root, 'meta'), { recursive: true });
    fs.writeFileSync(path.join(root, 'meta', 'esc50.csv'), ['filename,fold,target,category,esc10,src_file,take',
      ...rows.map((r) => `${r.file},${r.fold},${r.classId},${r.className},False,${r.file.split('-')[1]},A`)].join('\n') + '\n');
  } else {
    fs.mkdirSync(path.join(root, 'metadata'), { recursive: true });
    fs.writeFileSync(path.join(root, 'metadata', 'UrbanSound8K.csv'), ['slice_file_name,fsID,start,end,salience,fold,classID,class',
      ...rows.map((r, i) => `${r.file},${1000 + i},0,4,1,${r.fold},${r.classId},${r.className}`)].join('\n') + '\n');
  }
  return { root, listed: rows.length, badFile: badPath, classNames: USER_CLASSES.map((c) => c.name), folds: Array.from({ length: folds }, (_, i) => i + 1) };
}
