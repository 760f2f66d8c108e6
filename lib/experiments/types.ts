import type * as tf from '@tensorflow/tfjs';
import type { ClipInfo } from '../types';
import type { GapModel } from '../corrupt/gaps';

export type { GapModel } from '../corrupt/gaps';

/** How corruption enters a cross-validation run (the reference's four modes). */
export type CorruptionMode = 'NC' | 'C_tr' | 'C_ts' | 'C_all';

export const CORRUPTION_MODES: readonly CorruptionMode[] = ['NC', 'C_tr', 'C_ts', 'C_all'];

/** Gap models of lib/corrupt. */
export type GapModelName = GapModel['kind'];

/**
 * A corruption as an experiment asks for it: which gaps, and the seed from which each clip's
 * own generator is forked (by clip id, so a clip's gaps never depend on dataset order).
 */
export interface CorruptionSpec {
  gapModel: GapModel;
  seed: number;
}

/** Rows of equal-shaped features: row i belongs to clip i of the dataset. */
export interface FeatureMatrix {
  /** [rows * prod(rowShape)] */
  data: Float32Array;
  rows: number;
  /** Shape of one row as the model takes it, e.g. [32000, 1] for the CNN, [8192] for the YAMNet head. */
  rowShape: number[];
}

/** What a provider is asked for. */
export interface FeatureRequest {
  /** Gaps to write into the audio before computing features; undefined for clean audio. */
  corruption?: CorruptionSpec;
  /**
   * Training folds of the current split, for providers that fit something on them (YAMNet's
   * min-max scaler). Only passed when `dependsOnSplit` is true.
   */
  trainFolds?: number[];
}

/**
 * Gives a model's inputs for every clip of one dataset, clean or corrupted. The CNN's provider
 * returns waveforms; YAMNet's returns embeddings of the (possibly corrupted) audio. Providers
 * may cache what they compute. Row i of every matrix belongs to `clips[i]`.
 */
export interface FeatureProvider {
  /** Short name used in result paths (`cnn`, `yamnet`). */
  readonly name: string;
  /** The clips, in row order (labels and folds come from here). */
  readonly clips: readonly Omit<ClipInfo, 'path'>[];
  readonly classNames: readonly string[];
  /** Fingerprint of the underlying data (the cache's), recorded with every run. */
  readonly fingerprint: string;
  /** The dataset's name (the cache's), recorded with every run. */
  readonly datasetName: string;
  /** Sample rate of the audio the gaps are written into (gap lengths count samples at this rate). */
  readonly sampleRate: number;
  /** Whether features() depends on the split (it uses trainFolds). */
  readonly dependsOnSplit: boolean;
  /** What the features depend on, recorded in each run's config (rate, scaling, model hash…). */
  describe(): Record<string, unknown>;
  features(request: FeatureRequest): Promise<FeatureMatrix>;
}

/** Builds a fresh, compiled model for one fold. */
export type ModelFactory = (args: { inputShape: number[]; numClasses: number; seed: number }) => tf.LayersModel;

/*
 * The contracts the figures draw (lib/plots imports only these from experiments; the check-layers
 * script places this module below lib/plots): a run's summary and the study's headline.
 */

/** Classification after reconstruction: repaired test audio on the clean model (R_ts), or repaired audio throughout (R_all). */
export type RepairMode = 'R_ts' | 'R_all';

/** A run's aggregate (summary.json). */
export interface RunSummary {
  model: string;
  mode: CorruptionMode;
  /** Reconstruction method whose repairs stood in for the corrupted audio (R_ts / R_all runs); absent otherwise. */
  repair?: string;
  /** `clean`, `4000-single`, `p0.1-b4-packet-loss`… */
  label: string;
  gapModel: GapModel | null;
  classNames: string[];
  folds: number[];
  /** Dataset folds without a result yet (a partial run, e.g. `--folds 1,2`). */
  foldsMissing: number[];
  meanAccuracy: number;
  stdAccuracy: number;
  dummyMeanAccuracy: number;
  /** Mean accuracy of the linear probe, when the run fitted one (YAMNet); absent otherwise. */
  probeMeanAccuracy?: number;
  /** Mean accuracy of the head or probe chosen per fold by validation, when every fold chose; absent otherwise. */
  selectedMeanAccuracy?: number;
  selectedStdAccuracy?: number;
  perFold: {
    fold: number; accuracy: number; dummyAccuracy: number; probeAccuracy?: number; selected?: 'head' | 'probe'; selectedAccuracy?: number;
    epochsRun: number; trainSeconds: number; reused: boolean;
  }[];
  /** Sum over folds of the row-normalised confusion matrices (the reference's figure). */
  confusionSum: number[][];
  /** confusionSum / folds: rows sum to 1 for classes present. */
  confusionMean: number[][];
  engines: string[];
  trainSeconds: number;
  testSeconds: number;
  dir: string;
}

/** A run's mode as its results folder names it: `C_ts`, or `R_ts-linear` for a repaired run. */
export function runModeName(s: Pick<RunSummary, 'mode' | 'repair'>): string {
  return s.repair ? `${s.mode === 'C_ts' ? 'R_ts' : 'R_all'}-${s.repair}` : s.mode;
}

export interface HeadlineEntry {
  accuracy: number;
  std: number;
  folds: number;
}

export interface HeadlineLength {
  /** Gap label, e.g. `4000-single`, `p0.1-b3-packet-loss`. */
  label: string;
  /** Missing samples per clip (0 for packet loss, whose count varies by clip). */
  gapSamples: number;
  corrupted?: HeadlineEntry & { source: string };
  /**
   * Per method: its repaired run, the fraction of the lost accuracy it recovers and, fold by fold
   * against the corrupted run, the folds it scored above, equal to and below it.
   */
  repaired: Record<string, HeadlineEntry & { recovered: number; vsCorrupted?: { wins: number; ties: number; losses: number } }>;
}

export interface Headline {
  model: string;
  mode: RepairMode;
  dummy?: HeadlineEntry;
  clean?: HeadlineEntry;
  methods: string[];
  lengths: HeadlineLength[];
  /** Trained methods' training budget per model, seconds (as their runs recorded it). */
  trainSecondsPerModel?: Record<string, number>;
}

/** Lost clips (right on clean audio, wrong with the gaps) in one group, and how many each repair won back. */
export interface RecoverabilityGroup {
  /** `energy in gap < 25 %`, `≥ 50 %`, `all`… */
  name: string;
  /** Lost clips in the group. */
  lost: number;
  /** Per method: the group's lost clips its run scored, those it got right again, and their share (NaN when none). */
  byMethod: Record<string, { lost: number; recovered: number; share: number }>;
}

/** One gap model's lost clips by the share of the clean clip's energy the gap removed. */
export interface RecoverabilityLength {
  /** Gap label, e.g. `4000-single`. */
  label: string;
  /** Missing samples per clip at 16 kHz (0 for packet loss). */
  gapSamples: number;
  /** Test clips scored clean and corrupted, and of them those whose gap held half or more of the clip's energy. */
  clips: number;
  clipsHalfEnergy: number;
  lost: number;
  /** The lost clips by energy share (ENERGY_BINS): the groups partition them. */
  bins: RecoverabilityGroup[];
  /** The lost clips whose gap held half or more of the clip's energy, the others, and all of them. */
  halfEnergy: RecoverabilityGroup;
  lessThanHalf: RecoverabilityGroup;
  all: RecoverabilityGroup;
  /**
   * Per method, the other changes its net gain is made of: `broken`, right corrupted and wrong
   * repaired; `alsoFixed`, wrong clean and corrupted but right repaired. Correct after repair minus
   * correct corrupted = recovered + alsoFixed − broken.
   */
  changes: Record<string, { broken: number; alsoFixed: number; net: number }>;
  /** Each lost clip: its energy share and the methods that recovered it. */
  lostClips: { clipId: string; fold: number; energyShare: number; recoveredBy: string[] }[];
}

/** How much of what the gaps cost a repair could win back, per gap model (lib/experiments/recoverable.ts). */
export interface Recoverability {
  model: string;
  mode: RepairMode;
  /** Seed of the gaps (clipRng(seed, clip id)). */
  seed: number;
  methods: string[];
  /** The corrupted run lost clips are counted against: `<mode>-zero`. */
  corruptedRun: string;
  /** Lower edges of the energy-share bins after 0 (0.25, 0.5, 0.75: < 25 %, 25–50 %, 50–75 %, ≥ 75 %). */
  binEdges: number[];
  lengths: RecoverabilityLength[];
}
