/**
 * Repetition of the neighbouring context: the frames a gap touches are replaced by as many frames
 * of the clip just before them (tiled when the context is shorter than the gap), as packet-loss
 * concealment repeats the last good packet. At the clip's start the frames just after are used.
 */
import { MelMethodOptions, melMethod } from './mel';
import type { Reconstructor } from './types';

export function repeatContext(options: MelMethodOptions = {}): Reconstructor {
  return melMethod('repeat', options, (mel, r, clipFrames, notes) => {
    const n = mel.nMels;
    const count = r.last - r.first + 1;
    let from: number;
    let available: number;
    if (r.first > 0) {
      available = Math.min(count, r.first);
      from = r.first - available;
    } else if (r.last + 1 < clipFrames) {
      available = Math.min(count, clipFrames - 1 - r.last);
      from = r.last + 1;
      notes.push(`frames ${r.first}-${r.last}: gap at the clip's start; repeated the ${available} frames after it`);
    } else {
      notes.push(`frames ${r.first}-${r.last}: the gap covers the whole spectrogram; left at zero fill`);
      return;
    }
    if (available < count) notes.push(`frames ${r.first}-${r.last}: only ${available} context frames; tiled them`);
    for (let f = 0; f < count; f++) {
      const src = from + (f % available);
      mel.data.copyWithin((r.first + f) * n, src * n, (src + 1) * n);
    }
  });
}
