import { Rng } from '../../util/rng';
import { check } from '../../util/errors';
import type { GanBatch } from './step';

/** A training clip as the GAN sees it: normalised log-mel [frames, nMels]. */
export interface GanClip {
  data: Float32Array;
  frames: number;
}

/** Clips long enough for a gap of `gapFrames` with as many frames of context on each side. */
export function usableClips(clips: readonly GanClip[], gapFrames: number): GanClip[] {
  return clips.filter((c) => c.frames >= 3 * gapFrames);
}

/**
 * `rows` random (clip, gap start) draws, the reference's way: the start leaves `gapFrames`
 * frames of context before and after the gap.
 */
export function drawBatch(clips: readonly GanClip[], gapFrames: number, nMels: number, rows: number, rng: Rng): GanBatch {
  check(clips.length > 0, `no training clip has the ${3 * gapFrames} frames a ${gapFrames}-frame gap needs with its context`);
  const size = gapFrames * nMels;
  const batch: GanBatch = { before: new Float32Array(rows * size), gap: new Float32Array(rows * size), after: new Float32Array(rows * size), rows };
  for (let r = 0; r < rows; r++) {
    const clip = rng.pick(clips);
    const start = rng.int(gapFrames, clip.frames - 2 * gapFrames);
    const at = (frame: number) => clip.data.subarray(frame * nMels, frame * nMels + size);
    batch.before.set(at(start - gapFrames), r * size);
    batch.gap.set(at(start), r * size);
    batch.after.set(at(start + gapFrames), r * size);
  }
  return batch;
}
