import type { Gap } from '../corrupt/gaps';
import type { CachedDataset } from '../types';
import type { GapModel } from '../corrupt/gaps';

/**
 * One vocabulary for every reconstruction method (zero, linear, repeat, ar, gan, …): a corrupted
 * 16 kHz clip and the gaps that made it go in; the repaired clip comes out in the method's
 * domain. Methods repair exactly the samples of `gaps` (from lib/corrupt), nothing else.
 */

/** Where a method works: on the mel power spectrogram, on the waveform, or both. */
export type RepairDomain = 'mel' | 'waveform';

/** A mel power spectrogram, frames × mels, row-major (frame-major). */
export interface MelPower {
  data: Float32Array;
  frames: number;
  nMels: number;
}

/** A waveform gap and the spectrogram frames it touches; they travel together. */
export interface GapSpan {
  /** First missing sample and how many (the lib/corrupt gap). */
  gap: Gap;
  /** First spectrogram frame touched by the gap. */
  startFrame: number;
  /** Frames touched: floor(length / hopLength) + 1 at the reference geometry. */
  frameCount: number;
}

export interface RepairInput {
  /** Corrupted waveform (zeros inside the gaps), at `sampleRate`. */
  corrupted: Float32Array;
  sampleRate: number;
  /** The gaps, as drawn by lib/corrupt; sorted, non-overlapping. */
  gaps: readonly Gap[];
  /** Mel power spectrogram of `corrupted`, when the caller has it (else the method computes it). */
  melPower?: MelPower;
}

export interface RepairOutput {
  /** The domain the method repaired in; the other representation, when present, is derived. */
  domain: RepairDomain;
  /** Repaired mel power spectrogram (always present: the classifiers' common input). */
  mel: MelPower;
  /** Repaired waveform, for waveform methods (and spectrogram methods after Griffin–Lim, if asked). */
  waveform?: Float32Array;
  /** What the method did instead where its context was missing (gap at an edge), one line each. */
  notes: string[];
}

export interface Reconstructor {
  /** Short name used by the CLI and in result paths: 'zero', 'linear', 'repeat', 'ar', 'gan', … */
  readonly name: string;
  readonly domain: RepairDomain;
  repair(input: RepairInput): RepairOutput | Promise<RepairOutput>;
  /** How to build this very reconstructor in another thread (registered untrained methods); absent: it repairs only where it is. */
  readonly recipe?: RepairRecipe;
}

/** A registered method's name and options: all a worker thread needs to build the same reconstructor. */
export interface RepairRecipe {
  method: string;
  options: MethodOptions;
  /** A corpus method's clips (corpus.ts), [clips, clipSamples], copied to each thread; `id` names them (the model id). */
  corpus?: { id: string; waveforms: Float32Array; clipSamples: number };
  /** A trained GAN's checkpoint folder (gan-masked), loaded by each thread; it names the model too. */
  checkpoint?: string;
}

/** The GAN's architecture presets (lib/reconstruct/gan). */
export const GAN_PRESETS = ['default', 'reference'] as const;
export type GanPresetOption = (typeof GAN_PRESETS)[number];

export interface MethodOptions {
  /** Griffin–Lim iterations for mel methods' audio; 0 = no waveform. Default 32. */
  griffinLimIterations?: number;
  /** GAN: architecture preset. Default 'default' (the light generator). */
  preset?: GanPresetOption;
  /** GAN: training budget per model, in seconds of training steps (over resumed sessions). */
  trainSeconds?: number;
  /** No progress lines while training. */
  quiet?: boolean;
}

/** What a trained method gets to learn from. */
export interface TrainContext {
  dataset: CachedDataset;
  /** Folds whose clips it may train on (never the test fold it will repair). */
  trainFolds: number[];
  gapModel: GapModel;
  seed: number;
  /** A folder of its own for checkpoints (resumable training). */
  workDir: string;
  /**
   * A folder shared by every gap model's run of this method with this fold-scheme model and seed
   * (for a method whose one model serves every gap length: the masked GAN). Runs set it; without it
   * (a caller training one model by hand, as notebook 05 does) such a method trains in `workDir`.
   */
  sharedDir?: string;
}

export interface TrainedMethod {
  reconstructor: Reconstructor;
  /** Model description for the manifest (architecture, checkpoint, epochs …). */
  model: Record<string, unknown>;
  /** Ids of the clips it actually trained on (checked against the folds it repairs); default: those of trainFolds. */
  trainedOn?: string[];
}
