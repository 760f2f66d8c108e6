/**
 * Linear interpolation across each gap in the log-mel domain: every band goes in a straight line
 * (in log(mel + 0.001)) from the last frame before the gap's touched frames to the first frame
 * after them. At an edge of the clip (the padding after it is no context) the one existing
 * neighbour is held constant.
 */
import { repairRanges } from './geometry';
import { LOG_OFFSET, checkRepairInput, clipFrameCount, inputMel, waveformFromMel } from './mel';
import type { MelPower, Reconstructor, RepairInput, RepairOutput } from './types';

export interface MelMethodOptions {
  /** Griffin–Lim iterations for the repaired audio; 0 = mel only (no waveform). Default 32. */
  griffinLimIterations?: number;
}

function logFrame(mel: MelPower, f: number): Float64Array {
  const out = new Float64Array(mel.nMels);
  for (let m = 0; m < mel.nMels; m++) out[m] = Math.log(mel.data[f * mel.nMels + m] + LOG_OFFSET);
  return out;
}

export function linearInterpolation(options: MelMethodOptions = {}): Reconstructor {
  const iterations = options.griffinLimIterations ?? 32;
  return {
    name: 'linear',
    domain: 'mel',
    repair(input: RepairInput): RepairOutput {
      checkRepairInput(input);
      const mel = inputMel(input);
      const ranges = repairRanges(input.gaps, mel.frames);
      const notes: string[] = [];
      const clipFrames = clipFrameCount(input.corrupted);
      for (const r of ranges) {
        const before = r.first > 0 ? logFrame(mel, r.first - 1) : undefined;
        const after = r.last + 1 < clipFrames ? logFrame(mel, r.last + 1) : undefined;
        const left = before ?? after;
        const right = after ?? before;
        if (!left || !right) {
          notes.push(`frames ${r.first}-${r.last}: the gap covers the whole spectrogram; left at zero fill`);
          continue;
        }
        if (!before) notes.push(`frames ${r.first}-${r.last}: gap at the clip's start; held the first frame after it`);
        if (!after) notes.push(`frames ${r.first}-${r.last}: gap at the clip's end; held the last frame before it`);
        const span = r.last - r.first + 2;
        for (let f = r.first; f <= r.last; f++) {
          const t = (f - r.first + 1) / span;
          for (let m = 0; m < mel.nMels; m++) mel.data[f * mel.nMels + m] = Math.max(0, Math.exp((1 - t) * left[m] + t * right[m]) - LOG_OFFSET);
        }
      }
      return { domain: 'mel', mel, waveform: iterations > 0 ? waveformFromMel(input, mel, ranges, iterations) : undefined, notes };
    },
  };
}
