/**
 * Every method on the same clips and gaps: per gap length, each clip gets one gap in the reference
 * setting (drawContextGap, seeded by clip id and length), every method repairs the same corrupted
 * clip, and the scores of metrics.ts are averaged over clips. Methods that are trained must have
 * been trained on other clips than `clipIndices` (the caller's promise; the CLI's fold scheme keeps it).
 */
import type { CachedDataset } from '../types';
import { clipRng, gapMask } from '../corrupt/apply';
import { check } from '../util/errors';
import { createProgress } from '../util/progress';
import { drawContextGap, frameMask, gapFrameCount, repairRanges } from './geometry';
import { melPowerOf } from './mel';
import { finiteMean, melGapScores, waveformGapSnr } from './metrics';
import type { Reconstructor } from './types';

export interface EvaluationOptions {
  dataset: CachedDataset;
  /** Rows of the dataset to repair (held-out clips); a clip whose gap falls in digital silence is skipped. */
  clipIndices: readonly number[];
  methods: readonly Reconstructor[];
  /** Gap lengths in samples. */
  gapLengths: readonly number[];
  /** Seed of the gap positions. */
  seed: number;
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
  ms_per_repair: number;
};

export async function evaluateReconstruction(options: EvaluationOptions): Promise<EvaluationRow[]> {
  const { dataset, clipIndices, methods, gapLengths, seed } = options;
  check(dataset.sampleRate === 16000, `reconstruction is evaluated at 16000 Hz, the dataset is at ${dataset.sampleRate}`);
  check(clipIndices.length > 0 && methods.length > 0 && gapLengths.length > 0, 'need clips, methods and gap lengths');
  const len = dataset.clipSamples;
  const scores = new Map<string, { mel: number[]; lsd: number[]; wave: number[]; ms: number[] }>();
  const key = (m: string, l: number) => `${m}\u0000${l}`;
  const progress = createProgress({ total: clipIndices.length * gapLengths.length, label: 'reconstruction metrics', quiet: options.quiet });
  for (const row of clipIndices) {
    check(Number.isInteger(row) && row >= 0 && row < dataset.clips.length, `clip index ${row} is outside the dataset's ${dataset.clips.length} clips`);
    const clean = dataset.waveforms.subarray(row * len, (row + 1) * len);
    const cleanMel = melPowerOf(clean);
    for (const gapSamples of gapLengths) {
      const gap = drawContextGap(len, gapSamples, clipRng(seed, `${dataset.clips[row].id}:${gapSamples}`));
      // A gap in digital silence (padding, a pause) has nothing to restore and no SNR: skipped for every method.
      let energy = 0;
      for (let i = gap.start; i < gap.start + gap.length; i++) energy += clean[i] * clean[i];
      if (energy === 0) { progress.tick(); continue; }
      const corrupted = clean.slice();
      corrupted.fill(0, gap.start, gap.start + gap.length);
      const melPower = melPowerOf(corrupted);
      const frames = frameMask(repairRanges([gap], cleanMel.frames), cleanMel.frames);
      const mask = gapMask([gap], len);
      for (const method of methods) {
        const t0 = performance.now();
        const out = await method.repair({ corrupted, sampleRate: dataset.sampleRate, gaps: [gap], melPower });
        const ms = performance.now() - t0;
        const s = melGapScores(cleanMel, out.mel, frames);
        const entry = scores.get(key(method.name, gapSamples)) ?? { mel: [], lsd: [], wave: [], ms: [] };
        entry.mel.push(s.melSnrDb);
        entry.lsd.push(s.lsdDb);
        entry.wave.push(out.waveform ? waveformGapSnr(clean, out.waveform, mask) : NaN);
        entry.ms.push(ms);
        scores.set(key(method.name, gapSamples), entry);
      }
      progress.tick();
    }
  }
  progress.done();
  const rows: EvaluationRow[] = [];
  for (const method of methods) {
    for (const gapSamples of gapLengths) {
      const e = scores.get(key(method.name, gapSamples)) ?? { mel: [], lsd: [], wave: [], ms: [] };
      rows.push({
        method: method.name,
        gap_samples: gapSamples,
        gap_ms: (gapSamples / dataset.sampleRate) * 1000,
        gap_frames: gapFrameCount(gapSamples),
        clips: e.mel.length,
        mel_snr_db: finiteMean(e.mel),
        lsd_db: finiteMean(e.lsd),
        wave_snr_db: finiteMean(e.wave),
        ms_per_repair: finiteMean(e.ms),
      });
    }
  }
  return rows;
}
