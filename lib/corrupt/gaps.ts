import { Rng } from '../util/rng';
import { ParameterError, check } from '../util/errors';

/**
 * Gap models: where samples go missing in a clip. Each model draws half-open intervals
 * [start, start + length) from a seeded Rng; writing zeros there (lib/corrupt/apply.ts) is the
 * reference study's notion of a missing sample.
 */

/** One gap model, with its parameters. */
export type GapModel =
  | {
    /** One gap of `gapSamples` samples (reference "single fragment"). */
    kind: 'single';
    gapSamples: number;
  }
  | {
    /** Four gaps of gapSamples/4 each, one per zone of the clip (reference "multiple fragments"). */
    kind: 'multiple';
    gapSamples: number;
  }
  | {
    /**
     * Two-state Gilbert–Elliott channel over packets of `packetMs` (default 20 ms): every packet
     * of the "bad" state is lost, none of the "good" state, so the stationary loss rate is
     * `lossRate` and loss bursts last `meanBurstPackets` packets on average (geometric).
     */
    kind: 'packet-loss';
    /** Long-run fraction of lost packets, in (0, 1). */
    lossRate: number;
    /** Mean burst length in packets, >= 1. Needs lossRate / (1 - lossRate) <= meanBurstPackets. */
    meanBurstPackets: number;
    /** Packet duration in milliseconds. Default 20. */
    packetMs?: number;
  };

/** A half-open interval of missing samples. */
export interface Gap {
  start: number;
  length: number;
}

/** A packet of packet loss, in milliseconds: a VoIP frame (G.711, Opus), and what labels leave unsaid. */
export const DEFAULT_PACKET_MS = 20;

/** Short, path-safe label of a gap model: `4000-single`, `2000-multiple`, `p0.1-b4-packet-loss`. */
export function gapModelLabel(model: GapModel): string {
  if (model.kind === 'packet-loss') {
    const packet = model.packetMs !== undefined && model.packetMs !== DEFAULT_PACKET_MS ? `-${model.packetMs}ms` : '';
    return `p${model.lossRate}-b${model.meanBurstPackets}${packet}-packet-loss`;
  }
  return `${model.gapSamples}-${model.kind}`;
}

/** Checks a gap model's parameters, naming the bad one. */
export function validateGapModel(model: GapModel): void {
  if (model.kind === 'single' || model.kind === 'multiple') {
    check(Number.isInteger(model.gapSamples) && model.gapSamples >= 1,
      `gapSamples must be an integer >= 1, got ${model.gapSamples}`);
    if (model.kind === 'multiple') check(model.gapSamples >= 4, `multiple gaps need gapSamples >= 4, got ${model.gapSamples}`);
    return;
  }
  if (model.kind === 'packet-loss') {
    const { lossRate, meanBurstPackets } = model;
    const packetMs = model.packetMs ?? DEFAULT_PACKET_MS;
    check(lossRate > 0 && lossRate < 1, `lossRate must be in (0, 1), got ${lossRate}`);
    check(meanBurstPackets >= 1, `meanBurstPackets must be >= 1, got ${meanBurstPackets}`);
    check(lossRate / (1 - lossRate) <= meanBurstPackets,
      `a loss rate of ${lossRate} needs meanBurstPackets >= ${(lossRate / (1 - lossRate)).toFixed(3)}, got ${meanBurstPackets}`);
    check(packetMs > 0, `packetMs must be > 0, got ${packetMs}`);
    return;
  }
  throw new ParameterError(`unknown gap model ${JSON.stringify(model)}: expected kind single, multiple or packet-loss`);
}

/** True when every sample from `start` to the end is zero (the clip was padded there). */
function silentFrom(samples: Float32Array, start: number): boolean {
  for (let i = start; i < samples.length; i++) if (samples[i] !== 0) return false;
  return true;
}

/**
 * The reference's single gap: start uniform in [0, len/1.3]; if everything after the start is
 * zero padding, drawn again in [0, len/6]. Unlike the reference's array slice, which silently
 * shortened a gap running past the end, starts are kept <= len - gapSamples so the gap always
 * removes exactly gapSamples samples.
 */
export function drawSingleGap(samples: Float32Array, gapSamples: number, rng: Rng): Gap[] {
  const len = samples.length;
  check(gapSamples <= len, `gapSamples (${gapSamples}) exceeds the clip length (${len})`);
  const last = len - gapSamples;
  let start = rng.int(0, Math.min(Math.floor(len / 1.3), last));
  if (silentFrom(samples, start)) start = rng.int(0, Math.min(Math.floor(len / 6), last));
  return [{ start, length: gapSamples }];
}

/** Start zones of the four fragments, as fractions of the clip length (reference). */
export const MULTIPLE_ZONES: readonly (readonly [number, number])[] = [
  [0, 1 / 12], [1 / 6.5, 1 / 4.5], [1 / 3.5, 1 / 2.5], [1 / 2, 1 / 1.1],
];

/**
 * The reference's four fragments of gapSamples/4, starts uniform in four zones. When
 * gapSamples is not a multiple of 4 the first fragments take one sample more, so the total is
 * exact. Fragments never overlap while gapSamples <= ~0.25 len (8000 of 32000 is fine); beyond
 * that neighbouring fragments may overlap and the mask covers fewer samples.
 */
export function drawMultipleGaps(samples: Float32Array, gapSamples: number, rng: Rng): Gap[] {
  const len = samples.length;
  const base = Math.floor(gapSamples / 4);
  check(base + 1 <= len, `gapSamples (${gapSamples}) too long for a clip of ${len}`);
  return MULTIPLE_ZONES.map(([lo, hi], i) => {
    const length = base + (i < gapSamples % 4 ? 1 : 0);
    const last = len - length;
    const low = Math.min(Math.floor(len * lo), last);
    const start = rng.int(low, Math.max(low, Math.min(Math.floor(len * hi), last)));
    return { start, length };
  });
}

/** Samples per packet at a rate (at least 1). */
export function packetSamples(sampleRate: number, packetMs = DEFAULT_PACKET_MS): number {
  return Math.max(1, Math.round((sampleRate * packetMs) / 1000));
}

/**
 * Gilbert–Elliott packet loss. With r = 1/meanBurstPackets (bad → good) and
 * p = r·lossRate/(1−lossRate) (good → bad) the stationary bad-state probability is lossRate.
 * The first packet's state is drawn from the stationary distribution; consecutive lost packets
 * are merged into one gap; the last packet may be partial.
 */
export function drawPacketLoss(
  samples: Float32Array, sampleRate: number, model: Extract<GapModel, { kind: 'packet-loss' }>, rng: Rng,
): Gap[] {
  const size = packetSamples(sampleRate, model.packetMs ?? DEFAULT_PACKET_MS);
  const packets = Math.ceil(samples.length / size);
  const r = 1 / model.meanBurstPackets;
  const p = (r * model.lossRate) / (1 - model.lossRate);
  const gaps: Gap[] = [];
  let bad = rng.bernoulli(model.lossRate);
  for (let k = 0; k < packets; k++) {
    if (k > 0) bad = bad ? !rng.bernoulli(r) : rng.bernoulli(p);
    if (!bad) continue;
    const start = k * size;
    const length = Math.min(size, samples.length - start);
    const prev = gaps[gaps.length - 1];
    if (prev && prev.start + prev.length === start) prev.length += length;
    else gaps.push({ start, length });
  }
  return gaps;
}

/** The gaps of one clip under a model. `sampleRate` matters only for packet loss. */
export function drawGaps(samples: Float32Array, sampleRate: number, model: GapModel, rng: Rng): Gap[] {
  validateGapModel(model);
  switch (model.kind) {
    case 'single': return drawSingleGap(samples, model.gapSamples, rng);
    case 'multiple': return drawMultipleGaps(samples, model.gapSamples, rng);
    case 'packet-loss': return drawPacketLoss(samples, sampleRate, model, rng);
  }
}
