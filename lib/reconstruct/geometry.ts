/**
 * Gap geometry: where a waveform gap lands in the mel spectrogram (hop 160, window 400 at 16 kHz,
 * frame f reading samples [f·hop, f·hop + window) of the YAMNet-padded clip, padding at the end only).
 *
 * Two spans matter. The reference's span (the GAN's target) starts at the frame of the gap's first
 * sample and is `floor(length / hop) + 1` frames long (500 → 4 … 20000 → 126). The frames the gap
 * actually *touches* (whose window overlaps a missing sample) reach about window/hop − 1 frames
 * further each way; the mel baselines and the metrics use those, so no frame with missing samples
 * is left out of a repair or a score.
 */
import type { Gap } from '../corrupt/gaps';
import { gapMask } from '../corrupt/apply';
import { check } from '../util/errors';
import { Rng } from '../util/rng';
import { frameCount } from '../audio/spectral';
import type { GapSpan } from './types';

export interface FrameGeometry {
  /** Samples between frames. Default 160. */
  hopLength?: number;
  /** Samples per frame. Default 400. */
  windowLength?: number;
}

function geometry(options: FrameGeometry): { hopLength: number; windowLength: number } {
  const hopLength = options.hopLength ?? 160;
  const windowLength = options.windowLength ?? 400;
  check(Number.isInteger(hopLength) && hopLength > 0, `hopLength must be an integer > 0, got ${hopLength}`);
  check(Number.isInteger(windowLength) && windowLength >= hopLength, `windowLength must be an integer >= hopLength (${hopLength}), got ${windowLength}`);
  return { hopLength, windowLength };
}

/** Frames the reference gives a gap of `gapSamples`: floor(gapSamples / hop) + 1. */
export function gapFrameCount(gapSamples: number, hopLength = 160): number {
  check(Number.isInteger(gapSamples) && gapSamples >= 1, `gapSamples must be an integer >= 1, got ${gapSamples}`);
  return Math.floor(gapSamples / hopLength) + 1;
}

/** The reference span of one gap: from the frame of its first sample, gapFrameCount frames. */
export function gapSpan(gap: Gap, options: FrameGeometry = {}): GapSpan {
  const { hopLength } = geometry(options);
  check(Number.isInteger(gap.start) && gap.start >= 0 && Number.isInteger(gap.length) && gap.length >= 1,
    `a gap needs an integer start >= 0 and length >= 1, got ${JSON.stringify(gap)}`);
  return { gap: { ...gap }, startFrame: Math.floor(gap.start / hopLength), frameCount: gapFrameCount(gap.length, hopLength) };
}

/** Spans of every gap of a clip (lib/corrupt's gaps), in order. */
export function gapSpans(gaps: readonly Gap[], options: FrameGeometry = {}): GapSpan[] {
  return [...gaps].sort((a, b) => a.start - b.start).map((g) => gapSpan(g, options));
}

/** A gap with its sample mask and its frame span: the three views that travel together. */
export interface GapGeometry {
  spans: GapSpan[];
  /** 1 where a sample is missing, [clipSamples]. */
  mask: Uint8Array;
}

export function gapGeometry(gaps: readonly Gap[], clipSamples: number, options: FrameGeometry = {}): GapGeometry {
  for (const g of gaps) check(g.start + g.length <= clipSamples, `gap ${JSON.stringify(g)} runs past the clip's ${clipSamples} samples`);
  return { spans: gapSpans(gaps, options), mask: gapMask(gaps, clipSamples) };
}

/** Inclusive frame range [first, last]. */
export interface FrameRange {
  first: number;
  last: number;
}

/** Frames whose (non-zero) window overlaps the gap, clipped to [0, frames); empty (last < first) for a lone sample 0. */
export function touchedFrames(gap: Gap, frames: number, options: FrameGeometry = {}): FrameRange {
  const { hopLength, windowLength } = geometry(options);
  const first = Math.max(0, Math.floor((gap.start - windowLength) / hopLength) + 1);
  // The periodic Hann window weighs a frame's first sample by 0, so a frame starting at the gap's
  // last sample does not see it.
  const last = Math.min(frames - 1, Math.floor((gap.start + gap.length - 2) / hopLength));
  return { first, last };
}

/**
 * The frame ranges a mel method repairs: per gap the union of the touched frames and the reference
 * span, clipped to the spectrogram, overlapping or adjacent ranges merged (packet loss, fragments
 * closer than a window), in order.
 */
export function repairRanges(gaps: readonly Gap[], frames: number, options: FrameGeometry = {}): FrameRange[] {
  const ranges = gapSpans(gaps, options).map((s) => {
    const t = touchedFrames(s.gap, frames, options);
    return { first: Math.min(t.first, s.startFrame), last: Math.min(frames - 1, Math.max(t.last, s.startFrame + s.frameCount - 1)) };
  });
  const merged: FrameRange[] = [];
  for (const r of ranges) {
    const prev = merged[merged.length - 1];
    if (prev && r.first <= prev.last + 1) prev.last = Math.max(prev.last, r.last);
    else merged.push({ ...r });
  }
  return merged;
}

/** 1 for every frame inside a repair range, [frames]. */
export function frameMask(ranges: readonly FrameRange[], frames: number): Uint8Array {
  const mask = new Uint8Array(frames);
  for (const r of ranges) mask.fill(1, r.first, r.last + 1);
  return mask;
}

/**
 * The reference's reconstruction setting: one gap of `gapSamples` whose reference span has
 * `contextFrames` (default: as many as the span) whole frames of the clip before and after it. The
 * clip has floor((clipSamples − window) / hop) + 1 whole frames; the start is uniform over the
 * samples that allow the context. Throws when the clip is too short for it.
 */
export function drawContextGap(clipSamples: number, gapSamples: number, rng: Rng, options: FrameGeometry & { contextFrames?: number } = {}): Gap {
  const { hopLength, windowLength } = geometry(options);
  const w = gapFrameCount(gapSamples, hopLength);
  const context = options.contextFrames ?? w;
  const clipFrames = frameCount(clipSamples, windowLength, hopLength);
  const lastStartFrame = clipFrames - context - w;
  // the span ends at startFrame + w − 1; the gap's samples must also stay in the clip
  const lo = context * hopLength;
  const hi = Math.min(lastStartFrame * hopLength + hopLength - 1, clipSamples - gapSamples);
  check(lastStartFrame >= context && hi >= lo,
    `a gap of ${gapSamples} samples (${w} frames) with ${context} frames of context each side does not fit a clip of ${clipSamples} samples (${clipFrames} frames)`);
  return { start: rng.int(lo, hi), length: gapSamples };
}
