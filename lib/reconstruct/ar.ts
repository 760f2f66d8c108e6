/**
 * Time-domain autoregressive inpainting (Janssen-style LSAR), gap by gap from the clip's start:
 * an AR model of order min(3·gap, maxOrder) is fitted by least squares on up to `contextSamples`
 * samples each side of the gap (never reaching into a neighbouring gap), the gap is filled by
 * lsarFill, and `iterations` > 1 refits on context + filled gap and fills again (Janssen's
 * iteration). Earlier gaps are already repaired when a later one uses them as context.
 */
import { check } from '../util/errors';
import { fitAr, lsarFill, SampleRange } from './lsar';
import { checkRepairInput, melPowerOf } from './mel';
import type { Reconstructor, RepairInput, RepairOutput } from './types';

export interface ArOptions {
  /** Highest AR order. Default 200. */
  maxOrder?: number;
  /** Order per missing sample (order = min(ceil(orderPerSample · gap), maxOrder), at least 2). Default 3. */
  orderPerSample?: number;
  /** Samples of context fitted each side: max(contextPerOrder · order, minContext). Defaults 8 and 1000. */
  contextPerOrder?: number;
  minContext?: number;
  /** LSAR passes (fit, fill; refit on the filled stretch, fill again …). Default 1. */
  iterations?: number;
}

export function arOrder(gapSamples: number, options: ArOptions = {}): number {
  return Math.max(2, Math.min(options.maxOrder ?? 200, Math.ceil((options.orderPerSample ?? 3) * gapSamples)));
}

/** Fills one gap of `x` in place; returns a note when it had to do something else than two-sided LSAR. */
export function arFillGap(x: Float32Array, gap: SampleRange, bounds: SampleRange, options: ArOptions = {}): string | undefined {
  const length = gap.end - gap.start;
  let order = arOrder(length, options);
  const context = Math.max((options.contextPerOrder ?? 8) * order, options.minContext ?? 1000);
  const left = { start: Math.max(bounds.start, gap.start - context), end: gap.start };
  const right = { start: gap.end, end: Math.min(bounds.end, gap.end + context) };
  const longest = Math.max(left.end - left.start, right.end - right.start);
  let note: string | undefined;
  if (longest < 3) return `samples ${gap.start}-${gap.end - 1}: no context either side; left at zero`;
  if (longest < 2 * order + 1) {
    order = Math.max(1, Math.floor((longest - 1) / 2));
    note = `samples ${gap.start}-${gap.end - 1}: only ${longest} context samples; AR order lowered to ${order}`;
  }
  const sides = (left.end - left.start > order ? 1 : 0) + (right.end - right.start > order ? 1 : 0);
  if (sides < 2) {
    const which = left.end - left.start > order ? 'before' : 'after';
    note = [note, `samples ${gap.start}-${gap.end - 1}: context only ${which} the gap (clip edge or neighbouring gap); AR fitted there and the gap ${which === 'before' ? 'extrapolated forwards' : 'extrapolated backwards'}`]
      .filter(Boolean).join('; ');
  }
  const iterations = options.iterations ?? 1;
  check(Number.isInteger(iterations) && iterations >= 1, `iterations must be an integer >= 1, got ${iterations}`);
  for (let it = 0; it < iterations; it++) {
    const segments = it === 0 ? [left, right] : [{ start: left.start, end: right.end }];
    const a = fitAr(x, segments, order);
    if (!a) return `samples ${gap.start}-${gap.end - 1}: too little context for an AR fit; left at zero`;
    // Equations past the neighbouring gaps would read their zeros: fill inside the bounds only.
    const view = x.subarray(bounds.start, bounds.end);
    lsarFill(view, { start: gap.start - bounds.start, end: gap.end - bounds.start }, a);
  }
  return note;
}

export function arInpainting(options: ArOptions = {}): Reconstructor {
  return {
    name: 'ar',
    domain: 'waveform',
    repair(input: RepairInput): RepairOutput {
      checkRepairInput(input);
      const x = input.corrupted.slice();
      const notes: string[] = [];
      const gaps = input.gaps;
      for (let i = 0; i < gaps.length; i++) {
        const g = gaps[i];
        // Context may use repaired gaps before this one, never the zeros of the next one.
        const bounds = { start: 0, end: i + 1 < gaps.length ? gaps[i + 1].start : x.length };
        const note = arFillGap(x, { start: g.start, end: g.start + g.length }, bounds, options);
        if (note) notes.push(note);
      }
      return { domain: 'waveform', mel: melPowerOf(x), waveform: x, notes };
    },
  };
}
