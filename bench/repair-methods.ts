/**
 * Repairs per second of each untrained reconstruction method on 4 s, 16 kHz clips.
 *
 *   npx tsx bench/repair-methods.ts [--clips 20] [--gap 4000] [--threads N] [--methods ar,linear]   (--help lists the options)
 *
 * Clips come from the default built-in dataset's 16 kHz cache when it exists (else tones + noise).
 * Each repair gets one gap of --gap samples (drawContextGap, seed 0; `--gap-kind multiple`: the
 * study's four fragments of --gap/4, drawMultipleGaps) and includes everything the
 * method does: its mel spectrogram and, for mel methods, Griffin–Lim audio (32 iterations) — the
 * `_mel_only` figures skip the audio. Baseline in the same run: the mel front end alone
 * (`mel_frontend_per_s`), the floor of any repair. AR is also timed at 10/20/30 ms gaps, and with
 * the banded Cholesky solver it used before Schur's (`repairs_per_s_ar_cholesky`, same samples).
 * --methods keeps a run short: only those methods are timed (gan-masked only when listed).
 * --baseline DIR times another checkout's methods (e.g. `git archive <commit> | tar -x -C DIR`, with
 * node_modules linked) on the same clips, alternating with ours on one thread, so before and after
 * meet the same load: `repairs_per_s_1_thread_baseline` and `speedup_vs_baseline` per method.
 * Every core: each method also repairs the same clips on a pool of worker threads
 * (lib/reconstruct/pool, as `lacuna reconstruct` does; --threads, default $LACUNA_WORKERS else the
 * cores up to 2), against its one-thread figure in the same run: `repairs_per_s_1_thread` and
 * `repairs_per_s_all_threads` per method, and the speed-up; the trained gan-masked too, after 1 s of
 * training (its threads load the checkpoint).
 * The last line is one JSON object; timings on a shared machine are noisy (load average included).
 * bench/reconstruct.ts reuses `benchClips` and `baselineRepairsPerSecond`.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { CachedDataset } from '../lib/types';
import { loadCachedDataset } from '../lib/data';
import { clipRng, drawMultipleGaps } from '../lib/corrupt';
import type { Gap } from '../lib/corrupt';
import { createMethod, drawContextGap, getMethod, melPowerOf } from '../lib/reconstruct';
import { AR_DEFAULTS, arInpainting } from '../lib/reconstruct/ar';
import { RepairPool, inOrder } from '../lib/reconstruct/pool';
import { defaultWorkerCount } from '../lib/engine/parallel';
import type { Reconstructor } from '../lib/reconstruct';
import { Rng } from '../lib/util/rng';
import { check } from '../lib/util/errors';
import { workersOption } from '../lib/cli/flags/common';
import { benchOptions, countOption } from './options';

const LENGTH = 64000;
const UNTRAINED = ['zero', 'linear', 'repeat', 'ar', 'exemplar'];

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

/** One gap of that many samples with context each side (a number), or the study's four fragments of gapSamples/4. */
export type BenchGaps = number | { kind: 'multiple'; gapSamples: number };

function benchInputs(data: Float32Array[], spec: BenchGaps) {
  return data.map((x, i) => {
    const rng = clipRng(0, `bench-${i}`);
    const gaps = typeof spec === 'number' ? [drawContextGap(x.length, spec, rng)] : drawMultipleGaps(x, spec.gapSamples, rng);
    const corrupted = x.slice();
    for (const g of gaps) corrupted.fill(0, g.start, g.start + g.length);
    return { corrupted, gaps };
  });
}

export async function perSecond(data: Float32Array[], spec: BenchGaps, repair: (x: Float32Array, gaps: Gap[]) => unknown): Promise<number> {
  const inputs = benchInputs(data, spec);
  await repair(inputs[0].corrupted, inputs[0].gaps); // warm-up (JIT, memoised filterbanks)
  const t0 = performance.now();
  for (const { corrupted, gaps } of inputs) await repair(corrupted, gaps);
  return inputs.length / ((performance.now() - t0) / 1000);
}

export const viaMethod = (m: Reconstructor) => (corrupted: Float32Array, gaps: Gap[]) => m.repair({ corrupted, sampleRate: 16000, gaps });

/** The mel front end (the floor of any repair) and every untrained method, repairs/s at one gap length. */
export async function baselineRepairsPerSecond(data: Float32Array[], gapSamples: BenchGaps, methods: readonly string[] = UNTRAINED): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  out.mel_frontend_per_s = await perSecond(data, gapSamples, (x) => melPowerOf(x));
  for (const name of UNTRAINED.filter((m) => methods.includes(m))) {
    out[`repairs_per_s_${name}`] = await perSecond(data, gapSamples, viaMethod(createMethod(name)));
    if (name === 'linear' || name === 'repeat') out[`repairs_per_s_${name}_mel_only`] = await perSecond(data, gapSamples, viaMethod(createMethod(name, { griffinLimIterations: 0 })));
  }
  return out;
}

/** Repairs/s of `name` on a pool of `threads` worker threads (two clips in flight per thread, as repairFold keeps them); start-up and one warm-up repair per thread excluded. */
async function poolPerSecond(data: Float32Array[], gapSamples: BenchGaps, name: string, threads: number, m: Reconstructor = createMethod(name)): Promise<number> {
  const pool = await RepairPool.start(m.recipe!, m.domain, threads);
  try {
    const inputs = benchInputs(data, gapSamples).map(({ corrupted, gaps }) => ({ corrupted, sampleRate: 16000, gaps }));
    await Promise.all(Array.from({ length: threads }, () => pool.repair(inputs[0])));
    const t0 = performance.now();
    await inOrder(inputs.length, 2 * threads, (i) => pool.repair(inputs[i]), () => undefined);
    return inputs.length / ((performance.now() - t0) / 1000);
  } finally {
    await pool.close();
  }
}

/** gan-masked trained for 1 s on the bench clips (its repair speed does not depend on what it learnt), as the study trains it. */
async function maskedGanForBench(data: Float32Array[]): Promise<{ reconstructor: Reconstructor; cleanUp: () => void }> {
  const clipSamples = data[0].length;
  const waveforms = new Float32Array(data.length * clipSamples);
  data.forEach((x, i) => waveforms.set(x, i * clipSamples));
  const dataset: CachedDataset = {
    sampleRate: 16000, clipSamples, waveforms, classNames: ['bench'], name: 'bench', cacheDir: os.tmpdir(), fingerprint: 'bench',
    clips: data.map((_, i) => ({ id: `bench-${i}`, classIndex: 0, className: 'bench', fold: 1 + (i % 2) })),
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lacuna-bench-gan-'));
  const gapModel = { kind: 'single', gapSamples: 4000 } as const;
  const trained = await getMethod('gan-masked').train!({ dataset, trainFolds: [1], gapModel, seed: 0, workDir: dir, sharedDir: dir }, { trainSeconds: 1, quiet: true });
  return { reconstructor: trained.reconstructor, cleanUp: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Repairs/s of each method here and in the checkout `dir` (its lib/reconstruct), one thread, timed
 * in turn twice each (ours, theirs, ours, theirs) so slow spells of a shared machine hit both.
 */
async function alternatelyTimed(data: Float32Array[], gapSamples: BenchGaps, names: readonly string[], dir: string) {
  const theirs = require(path.resolve(dir, 'lib', 'reconstruct')) as { createMethod: typeof createMethod };
  const ours: Record<string, number> = {};
  const baseline: Record<string, number> = {};
  const speedup: Record<string, number> = {};
  for (const name of names) {
    let oursSeconds = 0, theirSeconds = 0;
    for (let round = 0; round < 2; round++) {
      oursSeconds += data.length / (await perSecond(data, gapSamples, viaMethod(createMethod(name))));
      theirSeconds += data.length / (await perSecond(data, gapSamples, viaMethod(theirs.createMethod(name))));
    }
    ours[name] = (2 * data.length) / oursSeconds;
    baseline[name] = (2 * data.length) / theirSeconds;
    speedup[name] = theirSeconds / oursSeconds;
    console.log(`${name.padEnd(10)} 1 thread ${ours[name].toFixed(2)}/s, baseline ${baseline[name].toFixed(2)}/s (x${speedup[name].toFixed(2)})`);
  }
  return { ours, baseline, speedup };
}

async function main(): Promise<void> {
  const flags = benchOptions({
    name: 'bench/repair-methods.ts',
    summary: 'repairs per second of each untrained reconstruction method on 4 s, 16 kHz clips, against the mel front end alone',
    options: [
      countOption('clips', 'clips repaired by every method', 20),
      { ...countOption('gap', 'the gap\'s length (with --gap-kind multiple: the four fragments\' total)', 4000), unit: 'samples' },
      { name: 'gap-kind', type: 'string', choices: ['single', 'multiple'], default: 'single', help: 'one gap with context each side, or the study\'s four fragments' },
      { ...workersOption('threads of the repair pool'), name: 'threads' },
      { name: 'baseline', type: 'string', value: 'DIR', help: 'another lacuna checkout whose untrained methods are timed alternately with ours' },
      { name: 'methods', type: 'list', items: 'string', choices: [...UNTRAINED, 'gan-masked'], defaultText: `${UNTRAINED.join(',')},gan-masked`, help: 'methods timed' },
    ],
  });
  const gapSamples = flags.number('gap')!;
  const gapKind = flags.string('gap-kind', 'single');
  const gap: BenchGaps = gapKind === 'multiple' ? { kind: 'multiple', gapSamples } : gapSamples;
  const baselineDir = flags.string('baseline');
  if (baselineDir) {
    check(fs.existsSync(path.join(baselineDir, 'lib', 'reconstruct', 'index.ts')), `--baseline ${baselineDir}: no lib/reconstruct/index.ts there (expected a lacuna checkout)`);
  }
  const data = benchClips(flags.number('clips')!);
  console.log(`${data.length} clips of ${data[0].length} samples, ${gapKind} gap(s) of ${gapSamples} samples in all; load average ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`);
  const methods = flags.strings('methods') ?? [...UNTRAINED, 'gan-masked'];
  const out = await baselineRepairsPerSecond(data, gap, methods);
  if (methods.includes('ar')) {
    out.repairs_per_s_ar_cholesky = await perSecond(data, gap, viaMethod(arInpainting(AR_DEFAULTS, 'cholesky')));
    for (const g of [160, 320, 480]) out[`repairs_per_s_ar_${g}`] = await perSecond(data, g, viaMethod(createMethod('ar')));
  }
  for (const [k, v] of Object.entries(out)) console.log(`${k.padEnd(34)} ${v.toFixed(2)}/s  (${(v / out.mel_frontend_per_s).toFixed(3)} x front end)`);
  const threads = flags.number('threads', defaultWorkerCount());
  const oneThread: Record<string, number> = {};
  const allThreads: Record<string, number> = {};
  for (const name of UNTRAINED.filter((m) => methods.includes(m))) {
    // Timed again right before the pool, so the two figures meet the same load on a shared machine.
    oneThread[name] = await perSecond(data, gap, viaMethod(createMethod(name)));
    allThreads[name] = await poolPerSecond(data, gap, name, threads);
    console.log(`${name.padEnd(10)} 1 thread ${oneThread[name].toFixed(2)}/s, ${threads} threads ${allThreads[name].toFixed(2)}/s (x${(allThreads[name] / oneThread[name]).toFixed(2)})`);
  }
  // The masked GAN (trained): timed after a 1 s training, since its repair costs the same whatever
  // it learnt; its threads load the checkpoint its recipe names.
  if (methods.includes('gan-masked')) {
    const gan = await maskedGanForBench(data);
    oneThread['gan-masked'] = await perSecond(data, gap, viaMethod(gan.reconstructor));
    allThreads['gan-masked'] = await poolPerSecond(data, gap, 'gan-masked', threads, gan.reconstructor);
    gan.cleanUp();
    console.log(`gan-masked 1 thread ${oneThread['gan-masked'].toFixed(2)}/s, ${threads} threads ${allThreads['gan-masked'].toFixed(2)}/s (x${(allThreads['gan-masked'] / oneThread['gan-masked']).toFixed(2)})`);
  }
  const before = baselineDir ? await alternatelyTimed(data, gap, UNTRAINED.filter((m) => methods.includes(m)), baselineDir) : undefined;
  const r2 = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, +v.toFixed(2)]));
  const speedup = Object.fromEntries(Object.keys(allThreads).map((k) => [k, +(allThreads[k] / oneThread[k]).toFixed(2)]));
  console.log(JSON.stringify({
    ...r2(out), threads, repairs_per_s_1_thread: r2(oneThread), repairs_per_s_all_threads: r2(allThreads), all_threads_speedup: speedup,
    ...(before ? { baseline: baselineDir, repairs_per_s_1_thread_baseline: r2(before.baseline), repairs_per_s_1_thread_vs_baseline: r2(before.ours), speedup_vs_baseline: r2(before.speedup) } : {}),
    gap_samples: gapSamples, gap_kind: gapKind, clips: data.length, load_avg_1m: +os.loadavg()[0].toFixed(2),
  }));
}

if (require.main === module) main();
