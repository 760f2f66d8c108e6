/**
 * Time-domain autoregressive inpainting (Janssen-style LSAR), gap by gap from the clip's start:
 * an AR model of order min(3·gap, maxOrder) is fitted by least squares on up to `contextSamples`
 * samples each side of the gap (never reaching into a neighbouring gap), the gap is filled by
 * lsarFill, and `iterations` > 1 refits on context + filled gap and fills again (Janssen's
 * iteration). Earlier gaps are already repaired when a later one uses them as context.
 */
import { check } from '../util/errors';
import { fitAr, lsarFill, LsarSolver, SampleRange } from './lsar';
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

/** The settings AR runs with unless told otherwise (tuned on fold 1 of the built-in dataset). */
export const AR_DEFAULTS: Required<ArOptions> = { maxOrder: 200, orderPerSample: 3, contextPerOrder: 8, minContext: 1000, iterations: 1 };

export function arOrder(gapSamples: number, options: ArOptions = {}): number {
  return Math.max(2, Math.min(options.maxOrder ?? AR_DEFAULTS.maxOrder, Math.ceil((options.orderPerSample ?? AR_DEFAULTS.orderPerSample) * gapSamples)));
}

/**
 * Fills one gap of `x` in place, using context inside `bounds` only; returns a note when it had to
 * do something else than two-sided LSAR. With too little context before the gap (the clip's
 * start) the stretch is time-reversed, so the gap is extrapolated backwards by forward prediction
 * (a stationary AR process predicts the same both ways).
 */
export function arFillGap(
  x: Float32Array, gap: SampleRange, bounds: SampleRange, options: ArOptions = {}, solver: LsarSolver = 'schur',
): string | undefined {
  const iterations = options.iterations ?? AR_DEFAULTS.iterations;
  check(Number.isInteger(iterations) && iterations >= 1, `iterations must be an integer >= 1, got ${iterations}`);
  const length = gap.end - gap.start;
  let order = arOrder(length, options);
  const context = Math.max((options.contextPerOrder ?? AR_DEFAULTS.contextPerOrder) * order, options.minContext ?? AR_DEFAULTS.minContext);
  const before = gap.start - bounds.start;
  const after = bounds.end - gap.end;
  const longest = Math.min(context, Math.max(before, after));
  const where = `samples ${gap.start}-${gap.end - 1}`;
  if (longest < 3) return `${where}: no context either side; left at zero`;
  const notes: string[] = [];
  if (longest < 2 * order + 1) {
    order = Math.max(1, Math.floor((longest - 1) / 2));
    notes.push(`${where}: only ${longest} context samples; AR order lowered to ${order}`);
  }
  if (before <= order) {
    notes.push(`${where}: ${before ? 'too little' : 'no'} context before the gap (clip start or a neighbouring gap); AR fitted after it and the gap extrapolated backwards`);
    const reversed = x.slice(bounds.start, bounds.end).reverse();
    fillTwoSided(reversed, { start: bounds.end - gap.end, end: bounds.end - gap.start }, order, context, iterations, solver);
    reversed.reverse();
    x.set(reversed, bounds.start);
    return notes.join('; ');
  }
  if (after <= order) notes.push(`${where}: ${after ? 'too little' : 'no'} context after the gap (clip end or a neighbouring gap); AR fitted before it and the gap extrapolated forwards`);
  const view = x.subarray(bounds.start, bounds.end);
  fillTwoSided(view, { start: gap.start - bounds.start, end: gap.end - bounds.start }, order, context, iterations, solver);
  return notes.length ? notes.join('; ') : undefined;
}

/** LSAR passes on `x` (its ends are the context bounds): fit on both sides, fill; refit across, fill again. */
function fillTwoSided(x: Float32Array, gap: SampleRange, order: number, context: number, iterations: number, solver: LsarSolver): void {
  const left = { start: Math.max(0, gap.start - context), end: gap.start };
  const right = { start: gap.end, end: Math.min(x.length, gap.end + context) };
  for (let it = 0; it < iterations; it++) {
    const a = fitAr(x, it === 0 ? [left, right] : [{ start: left.start, end: right.end }], order);
    if (!a) return;
    lsarFill(x, gap, a, undefined, solver);
  }
}

/** AR inpainting; `solver` 'cholesky' is the slower reference path (bench/repair-methods.ts times both). */
export function arInpainting(options: ArOptions = {}, solver: LsarSolver = 'schur'): Reconstructor {
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
        const note = arFillGap(x, { start: g.start, end: g.start + g.length }, bounds, options, solver);
        if (note) notes.push(note);
      }
      return { domain: 'waveform', mel: melPowerOf(x), waveform: x, notes };
    },
  };
}
