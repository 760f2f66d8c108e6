import type { Gap } from '../../corrupt/gaps';
import type { GapSpan } from '../types';

/**
 * Minimal gap geometry for the GAN (lib/reconstruct/geometry.ts supersedes it): at hop 160 a
 * gap of L samples covers floor(L/160) + 1 frames from the frame its first sample falls in.
 */
export const HOP_LENGTH = 160;

export function gapFrameCount(gapSamples: number, hopLength = HOP_LENGTH): number {
  return Math.floor(gapSamples / hopLength) + 1;
}

export function gapFrameSpan(gap: Gap, hopLength = HOP_LENGTH): GapSpan {
  return { gap, startFrame: Math.floor(gap.start / hopLength), frameCount: gapFrameCount(gap.length, hopLength) };
}
