/**
 * The magnitude mel [frames, 64] YAMNet's front end would see for a repaired clip (why:
 * lib/experiments/repaired.ts): the peak-scaled corrupted clip's own magnitude mel, with the frames
 * the method changed replaced by the mel of the STFT magnitude its repaired power implies. Two
 * STFTs per clip, so a dataset's worth runs on worker threads (yamnet-mel-worker.ts), each clip's
 * mel the same bits wherever it is computed (the same deterministic code).
 */
import { applyMel, melSpectrogram, padForPatches } from '../audio/spectral';
import { melPowerToMagnitude } from '../audio/griffin-lim';
import { melFilterbank } from '../audio/filters';
import { peakNormalize } from '../audio/preprocess';
import { WorkerPool } from '../engine/worker-pool';
import { check } from '../util/errors';
import { melPowerOf } from './mel';
import type { MelPower } from './types';

/** A repaired clip's YAMNet mel and the frames it took from the repair (the rest are the corrupted clip's own). */
export interface YamnetMel { mel: Float32Array; repairedFrames: number[] }

/** The YAMNet mel of `corrupted` repaired as `repaired` (undefined: not repaired, its own mel power). */
export function yamnetMelOf(corrupted: Float32Array, repairedOrOwn?: MelPower): YamnetMel {
  let peak = 0;
  for (let i = 0; i < corrupted.length; i++) peak = Math.max(peak, Math.abs(corrupted[i]));
  const exact = melSpectrogram(padForPatches(peakNormalize(corrupted)));
  const own = melPowerOf(corrupted);
  // An unrepaired clip is its own mel power: computed once, not once as the default and again here.
  const repaired = repairedOrOwn ?? own;
  check(own.frames === repaired.frames && own.nMels === repaired.nMels,
    `repaired mel is ${repaired.frames} x ${repaired.nMels}, the clip's is ${own.frames} x ${own.nMels}`);
  const out = exact.data.slice();
  const repairedFrames: number[] = [];
  if (peak === 0) return { mel: out, repairedFrames };
  const bank = melFilterbank();
  const nMels = repaired.nMels;
  for (let f = 0; f < repaired.frames; f++) {
    let changed = false;
    for (let m = 0; m < nMels && !changed; m++) changed = own.data[f * nMels + m] !== repaired.data[f * nMels + m];
    if (!changed) continue;
    const magnitude = melPowerToMagnitude({ data: repaired.data.subarray(f * nMels, (f + 1) * nMels), frames: 1, nMels });
    const mel = applyMel(magnitude, 1, magnitude.length, bank, false).data;
    for (let m = 0; m < nMels; m++) out[f * nMels + m] = mel[m] / peak;
    repairedFrames.push(f);
  }
  return { mel: out, repairedFrames };
}

/** What the threads get: clips of one length, [clips, clipSamples], and their repairs, [clips, frames, nMels] (undefined rows: none). */
export interface YamnetMelRequest {
  corrupted: Float32Array; clipSamples: number;
  repaired: Float32Array; frames: number; nMels: number; hasRepair: boolean[];
}
/** The threads' answer: the clips' mels one after another, and each clip's repaired frames. */
export interface YamnetMelDone { mels: Float32Array; repairedFrames: number[][] }

/** yamnetMelOf over a request's clips (a thread's job, or this thread's). */
export function yamnetMelsOf(r: YamnetMelRequest): YamnetMelDone {
  const clips = r.hasRepair.length;
  const values = r.frames * r.nMels;
  const out: YamnetMelDone = { mels: new Float32Array(0), repairedFrames: [] };
  const parts: Float32Array[] = [];
  for (let c = 0; c < clips; c++) {
    const repaired = r.hasRepair[c]
      ? { data: r.repaired.subarray(c * values, (c + 1) * values), frames: r.frames, nMels: r.nMels } : undefined;
    const m = yamnetMelOf(r.corrupted.subarray(c * r.clipSamples, (c + 1) * r.clipSamples), repaired);
    parts.push(m.mel);
    out.repairedFrames.push(m.repairedFrames);
  }
  out.mels = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.mels.set(p, at); at += p.length; }
  return out;
}

type MelPool = WorkerPool<{ lacunaYamnetMelWorker: true }, object, YamnetMelDone, YamnetMelDone>;
let kept: { workers: number; pool: Promise<MelPool | undefined> } | undefined;

function poolOf(workers: number, warn: (message: string) => void): Promise<MelPool | undefined> {
  if (kept?.workers === workers) return kept.pool;
  if (kept) void kept.pool.then((p) => p?.close());
  const pool = WorkerPool.start({
    entry: { dir: __dirname, name: 'yamnet-mel-worker' }, init: { lacunaYamnetMelWorker: true as const }, execArgv: [],
    thread: 'YAMNet mel worker thread', job: 'YAMNet mel worker', pool: 'YAMNet mel worker pool', result: (d: YamnetMelDone) => d,
  }, workers, 60000).then(async ({ pool: p, failures }) => {
    if (!failures.length) return p;
    await p.close();
    warn(`lacuna: note: a YAMNet mel worker thread did not start (${failures[0]}); computing the mels in this thread instead`);
    return undefined;
  });
  kept = { workers, pool };
  return pool;
}

/** Clips per job: enough to make a message's cost small, few enough that every thread gets work. */
const CLIPS_PER_JOB = 16;

/**
 * yamnetMelOf of every clip of `corrupted` ([clips, clipSamples]) with its repair `repaired[c]`
 * (undefined: none), on `workers` threads (1: this thread); the same mels either way.
 */
export async function yamnetMels(
  corrupted: Float32Array, clipSamples: number, repaired: readonly (MelPower | undefined)[], workers: number,
  warn: (message: string) => void = (m) => console.error(m),
): Promise<YamnetMel[]> {
  const clips = repaired.length;
  check(corrupted.length === clips * clipSamples, `${corrupted.length} samples are not ${clips} clips of ${clipSamples}`);
  const shape = repaired.find((m) => m) ?? melPowerOf(corrupted.subarray(0, clipSamples));
  const request = (c0: number, c1: number): YamnetMelRequest => {
    const values = shape.frames * shape.nMels;
    const packed = new Float32Array((c1 - c0) * values);
    repaired.slice(c0, c1).forEach((m, k) => {
      if (!m) return;
      check(m.data.length === values, `repaired mel ${c0 + k} holds ${m.data.length} values, the first ${values}`);
      packed.set(m.data, k * values);
    });
    return {
      corrupted: corrupted.slice(c0 * clipSamples, c1 * clipSamples), clipSamples,
      repaired: packed, frames: shape.frames, nMels: shape.nMels, hasRepair: repaired.slice(c0, c1).map(Boolean),
    };
  };
  const unpack = (d: YamnetMelDone): YamnetMel[] => {
    const values = d.mels.length / d.repairedFrames.length;
    return d.repairedFrames.map((repairedFrames, k) => ({ mel: d.mels.subarray(k * values, (k + 1) * values), repairedFrames }));
  };
  const pool = workers > 1 && clips > CLIPS_PER_JOB ? await poolOf(workers, warn) : undefined;
  if (!pool) return unpack(yamnetMelsOf(request(0, clips)));
  const jobs: Promise<YamnetMelDone>[] = [];
  for (let c0 = 0; c0 < clips; c0 += CLIPS_PER_JOB) {
    const r = request(c0, Math.min(clips, c0 + CLIPS_PER_JOB));
    jobs.push(pool.run(r, [r.corrupted.buffer as ArrayBuffer, r.repaired.buffer as ArrayBuffer]));
  }
  return (await Promise.all(jobs)).flatMap(unpack);
}
