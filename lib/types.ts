/**
 * Plain data passed between lacuna's stages. Tensors live only inside models; everything that
 * crosses a module boundary is one of these.
 */

/** One clip of a dataset, whatever layout it came from. */
export interface ClipInfo {
  /** Stable identifier, unique in the dataset (file name without extension for UrbanSound8K). */
  id: string;
  /** Absolute path of the audio file. */
  path: string;
  /** 0-based class index into the dataset's class list. */
  classIndex: number;
  className: string;
  /** The class's id in the source metadata (UrbanSound8K classID, ESC-50 target); absent where classes are only named. */
  sourceClassId?: number;
  /** 1-based fold number. */
  fold: number;
}

/** A dataset as its adapter reads it. */
export interface DatasetIndex {
  /** Short name (`synthetic-urban`, `urbansound8k`, `esc50`, `manifest`, `folders`). */
  kind: string;
  root: string;
  classNames: string[];
  folds: number[];
  clips: ClipInfo[];
}

/** Mono audio with its rate: what every audio function takes and returns. */
export interface AudioData {
  samples: Float32Array;
  sampleRate: number;
}

/**
 * A cached dataset at one sample rate: N clips of equal length in one row-major Float32Array
 * (row i is clip i), and the labels beside it.
 */
export interface CachedDataset {
  sampleRate: number;
  /** Samples per clip (32000 at 8 kHz, 64000 at 16 kHz for 4 s). */
  clipSamples: number;
  /** [N * clipSamples] */
  waveforms: Float32Array;
  clips: Omit<ClipInfo, 'path'>[];
  classNames: string[];
  /** The dataset's name, which keys its cache and results folders (see lib/data/name.ts). */
  name: string;
  /** Where the cache lives and what made it (the manifest's fingerprint). */
  cacheDir: string;
  fingerprint: string;
}
