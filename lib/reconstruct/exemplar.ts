/**
 * Exemplar inpainting: each gap is filled with a stretch of the clip's own known audio, the one
 * whose surroundings sound most like the gap's (the self-similarity idea of Perraudin et al.'s
 * similarity-graph inpainting, reduced to one clip). Environmental sounds are textures and
 * repeated events, so the clip usually holds a plausible continuation; unlike AR or a smooth
 * spectral interpolation it keeps the texture's fine structure, which is what classifiers key on.
 *
 * Per gap: a forward fill continues the audio before the gap, a backward fill (the same search on
 * the time-reversed clip) leads into the audio after it, and the two meet in the gap's middle with
 * a short raised-cosine crossfade. A fill is chosen `chunkSamples` at a time: the candidate source
 * whose preceding `contextSamples` match (log band energies of 400-sample frames) the audio just
 * before the fill point, aligned to the sample by waveform correlation. Sources are original known
 * samples only; context may include gaps repaired before. Everything is deterministic.
 */
import { melFilterbank } from '../audio/filters';
import { applyMel, stftMagnitude } from '../audio/spectral';
import { gapMask } from '../corrupt/apply';
import { check } from '../util/errors';
import { HOP_LENGTH, WINDOW_LENGTH, checkRepairInput, melPowerWithRows } from './mel';
import type { MelPower, Reconstructor, RepairInput, RepairOutput } from './types';

export interface ExemplarOptions {
  /** Audio matched before a fill point, in samples (a multiple of 400; shortened near clip edges). Default 1600 (0.1 s). */
  contextSamples?: number;
  /** Longest stretch copied from one source, in samples. Default 4000 (0.25 s). */
  chunkSamples?: number;
  /** Crossfade where the forward and backward fills meet, in samples. Default 320 (20 ms). */
  crossfadeSamples?: number;
}

export const EXEMPLAR_DEFAULTS: Required<ExemplarOptions> = { contextSamples: 1600, chunkSamples: 4000, crossfadeSamples: 320 };

const FRAME = 400;
const HOP = 80;
const BANDS = 32;
const LOG_FLOOR = 1e-4;
const ALIGN = 800;

/** Log band energies of frames of `x` starting every `hopLength` samples: [frames, BANDS], and the STFT magnitude they came from. */
export function bandFrames(x: Float32Array, hopLength: number): { data: Float32Array; frames: number; magnitude: Float32Array } {
  const bank = melFilterbank({ sampleRate: 16000, fftLength: 512, nMels: BANDS, fMin: 125, fMax: 7500 });
  const mag = stftMagnitude(x, { windowLength: FRAME, hopLength, fftLength: 512 });
  const m = applyMel(mag.data, mag.frames, mag.bins, bank, true);
  for (let i = 0; i < m.data.length; i++) m.data[i] = Math.log(m.data[i] + LOG_FLOOR);
  return { data: m.data, frames: m.frames, magnitude: mag.data };
}

/**
 * The repaired clip's mel power (melPowerOf(x)), where `own` is the corrupted clip's track: a frame
 * (window 400, hop 160) the gaps do not reach holds the corrupted clip's samples, so its STFT row is
 * the track's row of twice its index (same window and FFT at hop 80); only the others are computed.
 */
function repairedMelPower(x: Float32Array, own: Track): MelPower {
  const magnitude = own.magnitude!;
  const bins = magnitude.length / own.bands.frames;
  const ratio = HOP_LENGTH / HOP;
  return melPowerWithRows(x, (f) => {
    const start = f * HOP_LENGTH;
    if (start + WINDOW_LENGTH > x.length || !allKnown(own, start, start + WINDOW_LENGTH)) return undefined;
    return magnitude.subarray(ratio * f * bins, (ratio * f + 1) * bins);
  });
}

/** One direction of a clip: its samples, which are original (usable as sources), which are usable as context. */
export interface Track {
  x: Float32Array;
  /** 1 = original known sample. */
  known: Uint8Array;
  /** Prefix count of unknown samples: unknown in [a, b) = holes[b] - holes[a]. */
  holes: Int32Array;
  /** Band frames of the corrupted clip at HOP (valid where the frame is all known). */
  bands: { data: Float32Array; frames: number };
  /** Their STFT magnitude [frames, 257], kept for the clip's own forward track only (repairedMelPower). */
  magnitude?: Float32Array;
}

function trackOf(x: Float32Array, known: Uint8Array, keepMagnitude = false): Track {
  const holes = new Int32Array(x.length + 1);
  for (let i = 0; i < x.length; i++) holes[i + 1] = holes[i] + (known[i] ? 0 : 1);
  const { data, frames, magnitude } = bandFrames(x, HOP);
  return { x, known, holes, bands: { data, frames }, ...(keepMagnitude ? { magnitude } : {}) };
}

const allKnown = (t: Track, a: number, b: number) => a >= 0 && b <= t.x.length && t.holes[b] - t.holes[a] === 0;

function correlation(x: Float32Array, a: number, y: Float32Array, b: number, n: number): number {
  let xy = 0; let xx = 0; let yy = 0;
  for (let i = 0; i < n; i++) { const u = x[a + i]; const v = y[b + i]; xy += u * v; xx += u * u; yy += v * v; }
  return xx > 0 && yy > 0 ? xy / Math.sqrt(xx * yy) : 0;
}

/** Where a fill is copied from: x[p…] of `track`. */
interface Source { track: Track; p: number }

/**
 * The source (x[p…] of one of `tracks` is copied to `at`) for `length` samples, given `context`
 * samples of usable audio before `at` in `filled` (the clip with earlier fills). Tracks are
 * searched in order and a later one wins only with a strictly lower cost, so the clip's own
 * track (first) keeps its matches. Undefined when no source fits.
 */
function bestSource(tracks: readonly Track[], filled: Float32Array, at: number, context: number, length: number): Source | undefined {
  const query = bandFrames(filled.subarray(at - context, at), FRAME);
  const k = query.frames;
  let best = Infinity;
  let bestP = -1;
  let bestT: Track | undefined;
  for (const t of tracks) {
    for (let p = context; p + length <= t.x.length; p += HOP) {
      if (!allKnown(t, p - context, p + length)) continue;
      // Frames of the candidate's context start at p - context + j·FRAME, i.e. band frame (p - context)/HOP + j·FRAME/HOP.
      const f0 = (p - context) / HOP;
      let cost = 0;
      for (let j = 0; j < k && cost < best; j++) {
        const a = (f0 + (j * FRAME) / HOP) * BANDS;
        for (let b = 0; b < BANDS; b++) { const d = t.bands.data[a + b] - query.data[j * BANDS + b]; cost += d * d; }
      }
      if (cost < best) { best = cost; bestP = p; bestT = t; }
    }
  }
  if (!bestT) return undefined;
  const t = bestT;
  // Sample alignment: the shift whose last frame of context best matches the waveform. It looks
  // ±ALIGN samples around the spectral match, so a period up to 2·ALIGN (a 10 Hz hum) lines up.
  let bestCorr = -Infinity;
  let aligned = bestP;
  for (let d = -ALIGN; d <= ALIGN; d++) {
    const p = bestP + d;
    if (p - FRAME < 0 || !allKnown(t, p - FRAME, p + length)) continue;
    const c = correlation(filled, at - FRAME, t.x, p - FRAME, FRAME);
    if (c > bestCorr) { bestCorr = c; aligned = p; }
  }
  return { track: t, p: aligned };
}

/**
 * Fills filled[at, at + length) forwards, chunk by chunk, from `tracks` (the clip's own first);
 * `usable` marks samples usable as context (updated as it fills). Returns false when there was no
 * context or no source.
 */
function fillForward(tracks: readonly Track[], filled: Float32Array, usable: Uint8Array, at: number, length: number, o: Required<ExemplarOptions>): boolean {
  let pos = at;
  const end = at + length;
  while (pos < end) {
    let context = 0;
    while (context < o.contextSamples && pos - context - 1 >= 0 && usable[pos - context - 1]) context++;
    context -= context % FRAME;
    if (context < FRAME) return false;
    // No source for a whole chunk: try halves, down to one hop.
    let chunk = Math.min(o.chunkSamples, end - pos);
    let src = bestSource(tracks, filled, pos, context, chunk);
    while (src === undefined && chunk > HOP && Math.floor(chunk / 2) >= HOP) {
      chunk = Math.floor(chunk / 2);
      src = bestSource(tracks, filled, pos, context, chunk);
    }
    if (src === undefined) return false;
    filled.set(src.track.x.subarray(src.p, src.p + chunk), pos);
    usable.fill(1, pos, pos + chunk);
    pos += chunk;
  }
  return true;
}

const reversed = <T extends Float32Array | Uint8Array>(a: T): T => a.slice().reverse() as T;

/**
 * Other clips' audio a fill may also come from (corpus.ts): given the corrupted clip and which of
 * its samples are known, the extra tracks forwards and their time-reversed twins, same order.
 */
export interface ExtraSources {
  readonly name: string;
  tracksFor(corrupted: Float32Array, known: Uint8Array): { forward: Track[]; backward: Track[] };
}

/** A track of a clip whose samples are all known (a corpus clip), forwards and reversed. */
export function cleanTracks(x: Float32Array): { forward: Track; backward: Track } {
  const known = new Uint8Array(x.length).fill(1);
  return { forward: trackOf(x, known), backward: trackOf(reversed(x), known) };
}

export function exemplarInpainting(options: ExemplarOptions = {}, extra?: ExtraSources): Reconstructor {
  const o = { ...EXEMPLAR_DEFAULTS, ...options };
  check(Number.isInteger(o.contextSamples) && o.contextSamples >= FRAME && o.contextSamples % FRAME === 0, `contextSamples must be a multiple of ${FRAME}, got ${o.contextSamples}`);
  check(Number.isInteger(o.chunkSamples) && o.chunkSamples >= HOP, `chunkSamples must be an integer >= ${HOP}, got ${o.chunkSamples}`);
  check(Number.isInteger(o.crossfadeSamples) && o.crossfadeSamples >= 0, `crossfadeSamples must be an integer >= 0, got ${o.crossfadeSamples}`);
  return {
    name: extra?.name ?? 'exemplar',
    domain: 'waveform',
    repair(input: RepairInput): RepairOutput {
      checkRepairInput(input);
      const n = input.corrupted.length;
      const x = input.corrupted.slice();
      const known = gapMask(input.gaps, n).map((m) => 1 - m);
      const more = extra?.tracksFor(input.corrupted, known) ?? { forward: [], backward: [] };
      const own = trackOf(input.corrupted, known, true);
      const forward = [own, ...more.forward];
      const backward = [trackOf(reversed(input.corrupted), reversed(known)), ...more.backward];
      const usable = known.slice();
      const notes: string[] = [];
      for (const g of input.gaps) {
        const s = g.start;
        const e = g.start + g.length;
        const half = Math.min(Math.floor(o.crossfadeSamples / 2), Math.floor(g.length / 4));
        const mid = s + Math.floor(g.length / 2);
        // Forward fill over [s, mid + half), backward over [mid - half, e); either alone covers the gap.
        const fwd = x.slice();
        const fwdUsable = usable.slice();
        const bwd = reversed(x);
        const bwdUsable = reversed(usable);
        const okF = fillForward(forward, fwd, fwdUsable, s, mid + half - s, o);
        const okB = fillForward(backward, bwd, bwdUsable, n - e, e - (mid - half), o);
        const where = `samples ${s}-${e - 1}`;
        if (okF && okB) {
          bwd.reverse();
          x.set(fwd.subarray(s, mid - half), s);
          x.set(bwd.subarray(mid + half, e), mid + half);
          for (let i = mid - half; i < mid + half; i++) {
            const w = 0.5 - 0.5 * Math.cos((Math.PI * (i - (mid - half) + 0.5)) / (2 * half));
            x[i] = (1 - w) * fwd[i] + w * bwd[i];
          }
        } else if (okF || okB) {
          const one = okF ? fwd : bwd;
          const oneUsable = okF ? fwdUsable : bwdUsable;
          const ok = okF ? fillForward(forward, one, oneUsable, mid + half, e - (mid + half), o)
            : fillForward(backward, one, oneUsable, n - (mid - half), mid - half - s, o);
          const filled = okF ? one : reversed(one);
          if (!ok) { notes.push(`${where}: no source long enough; left at zero`); continue; }
          x.set(filled.subarray(s, e), s);
          notes.push(`${where}: no usable context ${okF ? 'after' : 'before'} the gap (clip edge or a neighbouring gap); filled from one side`);
        } else {
          notes.push(`${where}: no usable context or source either side; left at zero`);
          continue;
        }
        usable.fill(1, s, e);
      }
      return { domain: 'waveform', mel: repairedMelPower(x, own), waveform: x, notes };
    },
  };
}
