/**
 * Reconstruction scored as the audio-inpainting literature scores it, beside the figures it
 * published. Per method and gap length (the literature's lengths: 64 ms, the context encoder's;
 * 150 and 300 ms, the diffusion inpainters'; 1000 ms, the reference study's): SNR inside the gap,
 * STFT log-spectral distance (inside the gap and over the clip), and the Fréchet distance of YAMNet
 * embeddings of repaired and clean clips (FAD-style; every 0.48 s patch of each 4 s clip is one
 * embedding, so a set is 8 x clips rows). Not re-exported by lib/reconstruct's index: it loads YAMNet
 * (tfjs). Figures in PUBLISHED_INPAINTING_SCORES come from ../shared/docs/inpainting-anchors.md;
 * those marked secondary were read from a digest of the paper's tables, not the paper.
 */
import type { CachedDataset } from '../types';
import { embedWaveforms } from '../models/yamnet/embeddings';
import type { Yamnet } from '../models/yamnet/model';
import { ClipEmbedder, evaluateReconstruction } from './evaluate';
import type { Reconstructor } from './types';

const YAMNET_EMBEDDING_SIZE = 1024;

/** The gap lengths the literature reports, in ms. */
export const LITERATURE_GAP_MS = [64, 150, 300, 1000] as const;

/** YAMNet's 1024-value patch embeddings of whole clips (peak-scaled, as the classifiers see them), for the Fréchet distance. */
export function yamnetEmbedder(model: Yamnet, clipSamples: number): ClipEmbedder {
  return async (waveforms, clips) => {
    const vectors = await embedWaveforms(model, waveforms, clipSamples, { quiet: true });
    return { vectors, dim: YAMNET_EMBEDDING_SIZE };
  };
}

export interface LiteratureScoreOptions {
  dataset: CachedDataset;
  /** Held-out clips (none a trained method trained on). */
  clipIndices: readonly number[];
  methods: readonly Reconstructor[];
  /** Gap lengths in ms (at 16 kHz, rounded to samples). Default LITERATURE_GAP_MS. */
  gapMs?: readonly number[];
  seed: number;
  /** YAMNet for the FAD column; without it `fad_yamnet` is NaN. */
  yamnet?: Yamnet;
  quiet?: boolean;
}

/** One line of the literature's table: a method at a gap length. */
export type LiteratureRow = {
  method: string;
  gap_ms: number;
  gap_samples: number;
  /** Clips scored (a gap in digital silence is left out), and the embeddings per set of the FAD. */
  clips: number;
  snr_db: number;
  lsd_gap: number;
  lsd_clip: number;
  fad_yamnet: number;
  fad_embeddings: number;
};

/** The literature's scores of `methods` on `clipIndices`, one gap per clip (the reference setting), a row per method and length. */
export async function literatureScores(options: LiteratureScoreOptions): Promise<LiteratureRow[]> {
  const gapLengths = (options.gapMs ?? LITERATURE_GAP_MS).map((ms) => Math.round((ms * options.dataset.sampleRate) / 1000));
  const rows = await evaluateReconstruction({
    dataset: options.dataset, clipIndices: options.clipIndices, methods: options.methods, gapLengths, seed: options.seed,
    embed: options.yamnet ? yamnetEmbedder(options.yamnet, options.dataset.clipSamples) : undefined, quiet: options.quiet,
  });
  return rows.map((r) => ({
    method: r.method, gap_ms: r.gap_ms, gap_samples: r.gap_samples, clips: r.clips, snr_db: r.wave_snr_db,
    lsd_gap: r.stft_lsd, lsd_clip: r.clip_lsd, fad_yamnet: r.fad, fad_embeddings: r.fad_embeddings,
  }));
}

/** A published figure, with what differs from lacuna's setting. */
export type PublishedScore = {
  source: string;
  method: string;
  data: string;
  gap_ms: number;
  metric: 'FAD' | 'LSD' | 'ODG' | 'SNR' | 'SDR';
  value: number;
  /** true: read from a secondary digest of the paper's tables (check at the source before citing). */
  secondary: boolean;
  differs: string;
};

const MOLINER = 'Moliner & Välimäki, CQT-Diff+ (JAES 2024), and AIDD (2026)';
const MOLINER_DIFFERS = 'music (MusicNet), not environmental sound; FAD on another embedding (not YAMNet) and another clip count; LSD over the excerpt with their own STFT and floor (compare with lsd_clip, not lsd_gap)';
const diffusionTable: Array<[string, number, number, number, number]> = [
  ['zero fill', 150, 16.0, 0.555, -3.87], ['zero fill', 300, 33.3, 1.162, -3.90],
  ['LPC', 150, 3.17, 0.184, -3.35], ['LPC', 300, 11.9, 0.415, -3.55],
  ['CQT-Diff+', 150, 1.53, 0.164, -3.56], ['CQT-Diff+', 300, 4.65, 0.324, -3.71],
  ['AIDD', 150, 1.87, 0.162, -3.22], ['AIDD', 300, 3.55, 0.297, -3.28],
];

/** The figures lacuna's scores are set against (../shared/docs/inpainting-anchors.md). */
export const PUBLISHED_INPAINTING_SCORES: readonly PublishedScore[] = [
  ...diffusionTable.flatMap(([method, gap_ms, fad, lsd, odg]) => ([['FAD', fad], ['LSD', lsd], ['ODG', odg]] as const)
    .map(([metric, value]) => ({ source: MOLINER, method, data: 'MusicNet', gap_ms, metric, value, secondary: true, differs: MOLINER_DIFFERS }))),
  ...([[375, -3.23], [750, -3.32]] as const).map(([gap_ms, value]) => ({
    source: 'Marafioti et al. 2020, GACELA', method: 'GACELA (GAN)', data: 'MAESTRO (piano)', gap_ms, metric: 'ODG' as const, value, secondary: true,
    differs: 'piano music at 22.05 kHz; PEAQ ODG, which lacuna does not compute (needs 48 kHz and saturates on long gaps)',
  })),
];
