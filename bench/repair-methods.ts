/**
 * Repairs per second of each untrained reconstruction method on 4 s, 16 kHz clips.
 *
 *   npx tsx bench/repair-methods.ts [--clips 20] [--gap 4000] [--threads N]   (--help lists the options)
 *
 * Clips come from the default built-in dataset's 16 kHz cache when it exists (else tones + noise).
 * Each repair gets one gap of --gap samples (drawContextGap, seed 0) and includes everything the
 * method does: its mel spectrogram and, for mel methods, Griffin–Lim audio (32 iterations) — the
 * `_mel_only` figures skip the audio. Baseline in the same run: the mel front end alone
 * (`mel_frontend_per_s`), the floor of any repair. AR is also timed at 10/20/30 ms gaps.
 * Every core: each method also repairs the same clips on a pool of worker threads
 * (lib/reconstruct/pool, as `lacuna reconstruct` does; --threads, default $LACUNA_WORKERS else the
 * cores up to 2), against its one-thread figure in the same run: `repairs_per_s_1_thread` and
 * `repairs_per_s_all_threads` per method, and the speed-up.
 * The last line is one JSON object; timings on a shared machine are noisy (load average included).
 * bench/reconstruct.ts reuses `benchClips` and `baselineRepairsPerSecond`.
 */
import * as os from 'os';
import { loadCachedDataset } from '../lib/data';
import { clipRng } from '../lib/corrupt';
import { createMethod, drawContextGap, melPowerOf } from '../lib/reconstruct';
import { RepairPool, inOrder } from '../lib/reconstruct/pool';
import { defaultWorkerCount } from '../lib/engine/parallel';
import type { Reconstructor } from '../lib/reconstruct';
import { Rng } from '../lib/util/rng';
import { workersOption } from '../lib/cli/flags/common';
import { benchOptions, countOption } from './options';

const LENGTH = 64000;

/** `count` clips of the default built-in dataset's 16 kHz cache (tones + noise when it is missing). */
export function benchClips(count: number): Float32Array[] {
  try {
    const ds = loadCachedDataset({ kind: 'synthetic-urban', size: 'default', quiet: true }, 16000);
    return Array.from({ length: Math.min(count, ds.clips.length) }, (_, i) => ds.waveforms.slice(i * ds.clipSamples, (i + 1) * ds.clipSamples));
  } catch {
    const rng = new Rng(0);
    return Array.from({ length: count }, (_, c) => Float32Array.from({ length: LENGTH }, (_, i) => Math.sin((2 * Math.PI * (200 + 50 * c) * i) / 16000) + 0.1 * rng.normal()));
  }
}

function benchInputs(data: Float32Array[], gapSamples: number) {
  return data.map((x, i) => {
    const gap = drawContextGap(x.length, gapSamples, clipRng(0, `bench-${i}`));
    const corrupted = x.slice();
    corrupted.fill(0, gap.start, gap.start + gap.length);
    return { corrupted, gap };
  });
}

export async function perSecond(data: Float32Array[], gapSamples: number, repair: (x: Float32Array, gap: { start: number; length: number }) => unknown): Promise<number> {
  const inputs = benchInputs(data, gapSamples);
  await repair(inputs[0].corrupted, inputs[0].gap); // warm-up (JIT, memoised filterbanks)
  const t0 = performance.now();
  for (const { corrupted, gap } of inputs) await repair(corrupted, gap);
  return inputs.length / ((performance.now() - t0) / 1000);
}

export const viaMethod = (m: Reconstructor) => (corrupted: Float32Array, gap: { start: number; length: number }) =>
  m.repair({ corrupted, sampleRate: 16000, gaps: [gap] });

/** The mel front end (the floor of any repair) and every untrained method, repairs/s at one gap length. */
export async function baselineRepairsPerSecond(data: Float32Array[], gapSamples: number): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  out.mel_frontend_per_s = await perSecond(data, gapSamples, (x) => melPowerOf(x));
  for (const name of ['zero', 'linear', 'repeat', 'ar', 'exemplar']) {
    out[`repairs_per_s_${name}`] = await perSecond(data, gapSamples, viaMethod(createMethod(name)));
    if (name === 'linear' || name === 'repeat') out[`repairs_per_s_${name}_mel_only`] = await perSecond(data, gapSamples, viaMethod(createMethod(name, { griffinLimIterations: 0 })));
  }
  return out;
}

/** Repairs/s of `name` on a pool of `threads` worker threads (two clips in flight per thread, as repairFold keeps them); start-up and one warm-up repair per thread excluded. */
async function poolPerSecond(data: Float32Array[], gapSamples: number, name: string, threads: number): Promise<number> {
  const m = createMethod(name);
  const pool = await RepairPool.start(m.recipe!, m.domain, threads);
  try {
    const inputs = benchInputs(data, gapSamples).map(({ corrupted, gap }) => ({ corrupted, sampleRate: 16000, gaps: [gap] }));
    await Promise.all(Array.from({ length: threads }, () => pool.repair(inputs[0])));
    const t0 = performance.now();
    await inOrder(inputs.length, 2 * threads, (i) => pool.repair(inputs[i]), () => undefined);
    return inputs.length / ((performance.now() - t0) / 1000);
  } finally {
    await pool.close();
  }
}

async function main(): Promise<void> {
  const flags = benchOptions({
    name: 'bench/repair-methods.ts',
    summary: 'repairs per second of each untrained reconstruction method on 4 s, 16 kHz clips, against the mel front end alone',
    options: [
      countOption('clips', 'clips repaired by every method', 20),
      { ...countOption('gap', 'the gap\'s length', 4000), unit: 'samples' },
      { ...workersOption('threads of the repair pool'), name: 'threads' },
    ],
  });
  const gap = flags.number('gap')!;
  const data = benchClips(flags.number('clips')!);
  console.log(`${data.length} clips of ${data[0].length} samples, gap ${gap} samples; load average ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`);
  const out = await baselineRepairsPerSecond(data, gap);
  for (const g of [160, 320, 480]) out[`repairs_per_s_ar_${g}`] = await perSecond(data, g, viaMethod(createMethod('ar')));
  for (const [k, v] of Object.entries(out)) console.log(`${k.padEnd(34)} ${v.toFixed(2)}/s  (${(v / out.mel_frontend_per_s).toFixed(3)} x front end)`);
  const threads = flags.number('threads', defaultWorkerCount());
  const oneThread: Record<string, number> = {};
  const allThreads: Record<string, number> = {};
  for (const name of ['zero', 'linear', 'repeat', 'ar', 'exemplar']) {
    // Timed again right before the pool, so the two figures meet the same load on a shared machine.
    oneThread[name] = await perSecond(data, gap, viaMethod(createMethod(name)));
    allThreads[name] = await poolPerSecond(data, gap, name, threads);
    console.log(`${name.padEnd(10)} 1 thread ${oneThread[name].toFixed(2)}/s, ${threads} threads ${allThreads[name].toFixed(2)}/s (x${(allThreads[name] / oneThread[name]).toFixed(2)})`);
  }
  const r2 = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, +v.toFixed(2)]));
  const speedup = Object.fromEntries(Object.keys(allThreads).map((k) => [k, +(allThreads[k] / oneThread[k]).toFixed(2)]));
  console.log(JSON.stringify({
    ...r2(out), threads, repairs_per_s_1_thread: r2(oneThread), repairs_per_s_all_threads: r2(allThreads), all_threads_speedup: speedup,
    gap_samples: gap, clips: data.length, load_avg_1m: +os.loadavg()[0].toFixed(2),
  }));
}

if (require.main === module) main();
