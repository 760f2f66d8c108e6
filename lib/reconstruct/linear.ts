/**
 * Linear interpolation across each gap in the log-mel domain: every band goes in a straight line
 * (in log(mel + 0.001)) from the last frame before the gap's touched frames to the first frame
 * after them. At an edge of the clip (the padding after it is no context) the one existing
 * neighbour is held constant.
 */
import { LOG_OFFSET, MelMethodOptions, melMethod } from './mel';
import type { MelPower, Reconstructor } from './types';

export type { MelMethodOptions } from './mel';

function logFrame(mel: MelPower, f: number): Float64Array {
  const out = new Float64Array(mel.nMels);
  for (let m = 0; m < mel.nMels; m++) out[m] = Math.log(mel.data[f * mel.nMels + m] + LOG_OFFSET);
  return out;
}

export function linearInterpolation(options: MelMethodOptions = {}): Reconstructor {
  return melMethod('linear', options, (mel, r, clipFrames, notes) => {
    const before = r.first > 0 ? logFrame(mel, r.first - 1) : undefined;
    const after = r.last + 1 < clipFrames ? logFrame(mel, r.last + 1) : undefined;
    const left = before ?? after;
    const right = after ?? before;
    if (!left || !right) {
      notes.push(`frames ${r.first}-${r.last}: the gap covers the whole spectrogram; left at zero fill`);
      return;
    }
    if (!before) notes.push(`frames ${r.first}-${r.last}: gap at the clip's start; held the first frame after it`);
    if (!after) notes.push(`frames ${r.first}-${r.last}: gap at the clip's end; held the last frame before it`);
    const span = r.last - r.first + 2;
    for (let f = r.first; f <= r.last; f++) {
      const t = (f - r.first + 1) / span;
      for (let m = 0; m < mel.nMels; m++) mel.data[f * mel.nMels + m] = Math.max(0, Math.exp((1 - t) * left[m] + t * right[m]) - LOG_OFFSET);
    }
  });
}
