/**
 * Every method on the same clips and gaps: per gap length, each clip gets one gap in the reference
 * setting (drawContextGap, seeded by clip id and length), every method repairs the same corrupted
 * clip, and the scores of metrics.ts are averaged over clips; with an embedder, the repaired clips
 * of each method and length are compared with the same clean clips by the Fréchet distance of
 * their embeddings (frechet.ts; FAD with YAMNet, literature.ts). Methods that are trained must have
 * been trained on other clips than `clipIndices` (the caller's promise; the CLI's fold scheme keeps it).
 */
import type { CachedDataset } from '../types';
import { clipRng, gapMask, zeroGaps } from '../corrupt/apply';
import { check } from '../util/errors';
import { createProgress } from '../util/progress';
import { drawContextGap, frameMask, gapFrameCount, repairRanges } from './geometry';
import { melPowerOf } from './mel';
import { frechetDistance } from './frechet';
import { finiteMean, melGapScores, stftLogSpectralDistance, waveformGapSnr } from './metrics';
import type { MelPower, Reconstructor } from './types';

/**
 * Embeds clips for the Fréchet distance: waveforms [clips, clipSamples] in, `vectors` [rows, dim]
 * out (any number of rows per clip, e.g. YAMNet's 8 patches). literature.ts has YAMNet's.
 */
export type ClipEmbedder = (waveforms: Float32Array, clips: number) => Promise<{ vectors: Float32Array; dim: number }>;

export interface EvaluationOptions {
  dataset: CachedDataset;
  /** Rows of the dataset to repair (held-out clips); a clip whose gap falls in digital silence is skipped. */
  clipIndices: readonly number[];
  methods: readonly Reconstructor[];
  /** Gap lengths in samples. */
  gapLengths: readonly number[];
  /** Seed of the gap positions. */
  seed: number;
  /** When given, each method's repaired clips and the same clean clips are embedded and compared (`fad`). */
  embed?: ClipEmbedder;
  quiet?: boolean;
}

/** One line of the table: a method at a gap length, averaged over clips (a type, so tables take it as a record). */
export type EvaluationRow = {
  method: string;
  gap_samples: number;
  gap_ms: number;
  gap_frames: number;
  /** Clips scored (gaps in digital silence left out). */
  clips: number;
  mel_snr_db: number;
  lsd_db: number;
  /** NaN where the method gave no waveform. */
  wave_snr_db: number;
  /** STFT log-spectral distance (log10 power) over the frames the gap touches, and over the whole clip (metrics.ts); NaN without a waveform. */
  stft_lsd: number;
  clip_lsd: number;
  /** Fréchet distance of the embeddings of the repaired and the clean clips (NaN without `embed` or a waveform), and the rows it compared per set. */
  fad: number;
  fad_embeddings: number;
  ms_per_repair: number;
};

interface Scores { mel: number[]; lsd: number[]; wave: number[]; stft: number[]; clipLsd: number[]; ms: number[]; repaired: Float32Array[] }
const emptyScores = (): Scores => ({ mel: [], lsd: [], wave: [], stft: [], clipLsd: [], ms: [], repaired: [] });

export async function evaluateReconstruction(options: EvaluationOptions): Promise<EvaluationRow[]> {
  const { dataset, clipIndices, methods, gapLengths, seed } = options;
  check(dataset.sampleRate === 16000, `reconstruction is evaluated at 16000 Hz, the dataset is at ${dataset.sampleRate}`);
  check(clipIndices.length > 0 && methods.length > 0 && gapLengths.length > 0, 'need clips, methods and gap lengths');
  for (const row of clipIndices) check(Number.isInteger(row) && row >= 0 && row < dataset.clips.length, `clip index ${row} is outside the dataset's ${dataset.clips.length} clips`);
  const len = dataset.clipSamples;
  const progress = createProgress({ total: clipIndices.length * gapLengths.length, label: 'reconstruction metrics', quiet: options.quiet });
  const cleanMels = new Map<number, MelPower>();
  const rows: EvaluationRow[] = [];
  // Length by length, so that only one length's repaired clips are held for the embeddings.
  for (const gapSamples of gapLengths) {
    const scores = new Map(methods.map((m) => [m.name, emptyScores()]));
    const scored: number[] = [];
    for (const row of clipIndices) {
      const clean = dataset.waveforms.subarray(row * len, (row + 1) * len);
      const gap = drawContextGap(len, gapSamples, clipRng(seed, `${dataset.clips[row].id}:${gapSamples}`));
      // A gap in digital silence (padding, a pause) has nothing to restore and no SNR: skipped for every method.
      let energy = 0;
      for (let i = gap.start; i < gap.start + gap.length; i++) energy += clean[i] * clean[i];
      if (energy === 0) { progress.tick(); continue; }
      scored.push(row);
      if (!cleanMels.has(row)) cleanMels.set(row, melPowerOf(clean));
      const cleanMel = cleanMels.get(row)!;
      const corrupted = zeroGaps(clean.slice(), [gap]);
      const melPower = melPowerOf(corrupted);
      const frames = frameMask(repairRanges([gap], cleanMel.frames), cleanMel.frames);
      const mask = gapMask([gap], len);
      for (const method of methods) {
        const t0 = performance.now();
        const out = await method.repair({ corrupted, sampleRate: dataset.sampleRate, gaps: [gap], melPower });
        const entry = scores.get(method.name)!;
        entry.ms.push(performance.now() - t0);
        const s = melGapScores(cleanMel, out.mel, frames);
        entry.mel.push(s.melSnrDb);
        entry.lsd.push(s.lsdDb);
        entry.wave.push(out.waveform ? waveformGapSnr(clean, out.waveform, mask) : NaN);
        const lsd = out.waveform ? stftLogSpectralDistance(clean, out.waveform, [gap]) : { gap: NaN, clip: NaN };
        entry.stft.push(lsd.gap);
        entry.clipLsd.push(lsd.clip);
        if (options.embed && out.waveform) entry.repaired.push(out.waveform);
      }
      progress.tick();
    }
    const fads = options.embed && scored.length >= 2 ? await frechetByMethod(options.embed, dataset, scored, scores) : new Map<string, { fad: number; rows: number }>();
    for (const method of methods) {
      const e = scores.get(method.name)!;
      rows.push({
        method: method.name,
        gap_samples: gapSamples,
        gap_ms: (gapSamples / dataset.sampleRate) * 1000,
        gap_frames: gapFrameCount(gapSamples),
        clips: e.mel.length,
        mel_snr_db: finiteMean(e.mel),
        lsd_db: finiteMean(e.lsd),
        wave_snr_db: finiteMean(e.wave),
        stft_lsd: finiteMean(e.stft),
        clip_lsd: finiteMean(e.clipLsd),
        fad: fads.get(method.name)?.fad ?? NaN,
        fad_embeddings: fads.get(method.name)?.rows ?? 0,
        ms_per_repair: finiteMean(e.ms),
      });
    }
  }
  progress.done();
  return rows;
}

/** Per method with a repaired waveform for every scored clip: the Fréchet distance of its embeddings to the clean clips'. */
async function frechetByMethod(embed: ClipEmbedder, dataset: CachedDataset, scored: number[], scores: Map<string, Scores>): Promise<Map<string, { fad: number; rows: number }>> {
  const len = dataset.clipSamples;
  const stack = (clips: Float32Array[]) => {
    const out = new Float32Array(clips.length * len);
    clips.forEach((c, i) => out.set(c, i * len));
    return out;
  };
  const clean = await embed(stack(scored.map((r) => dataset.waveforms.subarray(r * len, (r + 1) * len))), scored.length);
  const out = new Map<string, { fad: number; rows: number }>();
  for (const [name, e] of scores) {
    if (e.repaired.length !== scored.length) continue;
    const repaired = await embed(stack(e.repaired), scored.length);
    out.set(name, { fad: frechetDistance(clean.vectors, repaired.vectors, clean.dim), rows: clean.vectors.length / clean.dim });
    e.repaired = [];
  }
  return out;
}
