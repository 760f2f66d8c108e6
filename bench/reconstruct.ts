/**
 * Reconstruction benchmark: trains the context-encoder GAN (both presets) on random normalised
 * mel batches and prints training samples/s and repairs/s.
 *
 *   npx tsx bench/reconstruct.ts [options]   (--help lists them)
 *
 * Per preset and gap: lacuna's kernels in this thread and on the data-parallel trainer (worker
 * threads; lacuna's default), alternating for --rounds rounds because the CPU is shared; the
 * baselines in the same run: stock tfjs wasm (no lacuna kernels; it cannot train a conv net,
 * it lacks Conv2DBackpropFilter, so only its repairs/s are measured) and the tfjs cpu backend
 * (all kernels; trains the default preset on --cpu-batch rows for one step). --peer also runs
 * the PyTorch peer (shared/peers/peer_gan_torch.py) at 26 frames. Step times are medians.
 * Repairs/s of every baseline method (bench/repair-methods.ts) at a 4000-sample gap (26 frames) on
 * --repair-clips clips of the built-in data, beside the GAN's: `repairs_per_s_<method>` includes the
 * mel front end and, for mel methods, Griffin–Lim; `gan_<preset>_repairs_per_s_clips` is the GAN on
 * the same clips through the same harness (front end + generator, mel only).
 * Last line: one JSON object with the figures.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import { initEngine, defaultWorkerCount } from '../lib/engine';
import { workersOption } from '../lib/cli/flags/common';
import { Rng } from '../lib/util/rng';
import { GanPreset, REFERENCE_GAN, DEFAULT_GAN, generatorMacs, trainingMacsPerSample, ganReconstructor } from '../lib/reconstruct/gan';
import { buildDiscriminator, buildGenerator } from '../lib/reconstruct/gan/model';
import { GanBatch, makeOptimizers } from '../lib/reconstruct/gan/step';
import { peersDir } from './peer';
import { benchOptions, countOption, roundsOption, switchOption } from './options';
import { disposeNets, snapshotNets } from '../lib/reconstruct/gan/snapshot';
import { createGanTrainer } from '../lib/reconstruct/gan/trainer';
import type { GanConfig } from '../lib/reconstruct/gan';
import type { Reconstructor } from '../lib/reconstruct';
import { baselineRepairsPerSecond, benchClips, perSecond, viaMethod } from './repair-methods';
import { median, runBench, timeSteps } from './timing';

const N_MELS = 64;


function randomBatch(rows: number, frames: number, seed: number): GanBatch {
  const rng = new Rng(seed);
  const make = () => Float32Array.from({ length: rows * frames * N_MELS }, () => rng.normal());
  return { before: make(), gap: make(), after: make(), rows };
}

async function freshSnapshot(preset: GanPreset, frames: number) {
  const rng = new Rng(1);
  const shape = { gapFrames: frames, nMels: N_MELS };
  const nets = { generator: buildGenerator(preset, shape, rng), discriminator: buildDiscriminator(preset, shape, rng), ...makeOptimizers() };
  const snap = await snapshotNets(nets);
  disposeNets(nets);
  return snap;
}


/** Training samples/s in this thread and on `workers` workers, alternating rounds. */
async function trainSps(preset: GanPreset, frames: number, batchRows: number, steps: number, rounds: number, workers: number): Promise<{ single: number; parallel: number; replicas: number }> {
  const snap = await freshSnapshot(preset, frames);
  const batch = randomBatch(batchRows, frames, 2);
  const single = await createGanTrainer(snap, 1);
  const parallel = await createGanTrainer(snap, workers);
  const s: number[] = [];
  const p: number[] = [];
  try {
    await single.step(batch);
    await parallel.step(batch);
    for (let r = 0; r < rounds; r++) {
      const oneMs = await timeSteps(steps, () => single.step(batch));
      const parMs = await timeSteps(steps, () => parallel.step(batch));
      s.push((batchRows * 1000) / oneMs);
      p.push((batchRows * 1000) / parMs);
      console.log(`${preset.name} ${frames} frames, batch ${batchRows}, round ${r + 1}: one thread ${oneMs.toFixed(0)} ms/step = ${s[r].toFixed(2)} samples/s; ` +
        `${parallel.mode} (${parallel.replicas}) ${parMs.toFixed(0)} ms/step = ${p[r].toFixed(2)} samples/s`);
    }
  } finally {
    await single.dispose();
    await parallel.dispose();
  }
  return { single: median(s), parallel: median(p), replicas: parallel.replicas };
}

/** An untrained GAN reconstructor of `preset` (speed does not depend on the weights). */
function untrainedGan(preset: GanPreset, frames: number): { repairer: Reconstructor; dispose: () => void } {
  const generator = buildGenerator(preset, { gapFrames: frames, nMels: N_MELS }, new Rng(3));
  const config: GanConfig = {
    preset: preset.name, architecture: '', gapFrames: frames, nMels: N_MELS, seed: 3, batchSize: 1,
    normalisation: { logOffset: 0.001, mean: -4, std: 3 }, clips: 0, dataFingerprint: '',
  };
  return { repairer: ganReconstructor({ generator, config, step: 0, dir: '', replicas: 0 }), dispose: () => generator.dispose() };
}

/** Repairs/s of the GAN reconstructor: one gap per clip of 400 frames, mel given. */
async function repairsPerSecond(preset: GanPreset, frames: number, clips: number): Promise<number> {
  const { repairer, dispose } = untrainedGan(preset, frames);
  const rng = new Rng(4);
  const mel = { data: Float32Array.from({ length: 400 * N_MELS }, () => rng.uniform()), frames: 400, nMels: N_MELS };
  const gaps = [{ start: 160 * 150, length: (frames - 1) * 160 }];
  const input = { corrupted: new Float32Array(64000), sampleRate: 16000, gaps, melPower: mel };
  await repairer.repair(input);
  const t0 = performance.now();
  for (let i = 0; i < clips; i++) await repairer.repair(input);
  dispose();
  return (clips * 1000) / (performance.now() - t0);
}

function peer(frames: number, batchRows: number): Record<string, number> | undefined {
  const script = path.join(peersDir(), 'peer_gan_torch.py');
  const r = spawnSync('/usr/bin/python3', [script, '--threads', '2', '--frames', String(frames), '--batch', String(batchRows), '--steps', '2'], {
    env: { ...process.env, GLIBC_TUNABLES: 'glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=4294967296' }, encoding: 'utf8', timeout: 1_800_000,
  });
  const line = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line);
  } catch {
    console.log(`peer not measured: ${(r.stderr ?? '').trim().split('\n').pop() ?? r.error?.message}`);
    return undefined;
  }
}

async function main(): Promise<void> {
  const flags = benchOptions({
    name: 'bench/reconstruct.ts',
    summary: 'context-encoder GAN training samples/s and repairs/s (both presets) against stock tfjs, cpu and the baseline methods',
    options: [
      switchOption('quick', 'fewer steps, gaps and clips (see the defaults)'),
      countOption('steps', 'timed training steps per configuration', '2; 1 with --quick'),
      {
        name: 'frames', type: 'list', value: '26,51', integer: true, min: 1, itemsName: 'gap lengths in frames',
        defaultText: '26,51; 26 with --quick', help: 'gap lengths to train on',
      },
      countOption('batch', 'training rows per step', 32),
      workersOption('replicas of the data-parallel trainer'),
      roundsOption(1),
      countOption('cpu-batch', 'rows of the tfjs cpu backend\'s one training step', 2),
      switchOption('no-cpu', 'skip the tfjs cpu backend'),
      switchOption('peer', 'also run the PyTorch peer at 26 frames'),
      countOption('repair-clips', 'clips of the built-in data repaired by every method', '10; 4 with --quick'),
    ],
  });
  const quick = flags.bool('quick');
  const steps = flags.number('steps', quick ? 1 : 2);
  const [rounds, batchRows, cpuBatch] = ['rounds', 'batch', 'cpu-batch'].map((n) => flags.number(n)!);
  const frameList = flags.numbers('frames') ?? (quick ? [26] : [26, 51]);
  const workers = flags.number('workers', defaultWorkerCount());
  const noCpu = flags.bool('no-cpu');
  const withPeer = flags.bool('peer');
  const repairClips = flags.number('repair-clips', quick ? 4 : 10);
  const out: Record<string, number | string | null> = { bench: 'reconstruct', load_average_1m: +os.loadavg()[0].toFixed(2) };
  console.log(`load average at start: ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`);

  // The baselines need no tfjs: every method on the same clips, 4000-sample gaps (26 frames).
  const clips = benchClips(repairClips);
  for (const [k, v] of Object.entries(await baselineRepairsPerSecond(clips, 4000))) out[k] = +v.toFixed(2);
  console.log(`baselines, ${clips.length} clips, 4000-sample gap: ${['zero', 'linear', 'repeat', 'ar'].map((m) => `${m} ${out[`repairs_per_s_${m}`]}/s`).join(', ')}`);

  // Stock tfjs wasm first: no lacuna kernels registered yet.
  require('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend('wasm');
  await tf.ready();
  const stockTrain = !!tf.getKernel('Conv2DBackpropFilter', 'wasm');
  console.log(`stock wasm: Conv2DBackpropFilter ${stockTrain ? 'present' : 'missing, so it cannot train the GAN'}`);
  out.gan_stock_wasm_can_train = stockTrain ? 'yes' : 'no (no Conv2DBackpropFilter)';
  for (const preset of [DEFAULT_GAN, REFERENCE_GAN]) {
    out[`gan_${preset.name}_repairs_per_s_stock`] = +(await repairsPerSecond(preset, 26, preset === REFERENCE_GAN ? 4 : 40)).toFixed(2);
  }

  await initEngine({ engine: 'wasm', quiet: true });
  for (const preset of [DEFAULT_GAN, REFERENCE_GAN]) {
    out[`gan_${preset.name}_repairs_per_s`] = +(await repairsPerSecond(preset, 26, preset === REFERENCE_GAN ? 4 : 40)).toFixed(2);
    const gan = untrainedGan(preset, 26);
    out[`gan_${preset.name}_repairs_per_s_clips`] = +(await perSecond(preset === REFERENCE_GAN ? clips.slice(0, 3) : clips, 4000, viaMethod(gan.repairer))).toFixed(2);
    gan.dispose();
    for (const frames of frameList) {
      const r = await trainSps(preset, frames, batchRows, steps, rounds, workers);
      const suffix = frames === 26 ? '' : `_${frames}`;
      out[`gan_${preset.name}_train_sps${suffix}`] = +r.parallel.toFixed(3);
      out[`gan_${preset.name}_train_sps_one_thread${suffix}`] = +r.single.toFixed(3);
      out.workers = r.replicas;
      out[`gan_${preset.name}_train_gmacs_per_sample${suffix}`] = +(trainingMacsPerSample(preset, frames) / 1e9).toFixed(3);
    }
  }
  out.gan_default_cost_ratio = +(generatorMacs(REFERENCE_GAN, 26) / generatorMacs(DEFAULT_GAN, 26)).toFixed(1);
  out.gan_reference_gmacs_per_clip_51 = +(generatorMacs(REFERENCE_GAN, 51) / 1e9).toFixed(2);

  if (!noCpu) {
    await initEngine({ engine: 'cpu', quiet: true });
    const snap = await freshSnapshot(DEFAULT_GAN, 26);
    const trainer = await createGanTrainer(snap, 1);
    const batch = randomBatch(cpuBatch, 26, 2);
    const ms = await timeSteps(1, () => trainer.step(batch));
    await trainer.dispose();
    out.gan_default_train_sps_tfjs_cpu = +((cpuBatch * 1000) / ms).toFixed(3);
    console.log(`tfjs cpu backend, default preset, 26 frames, batch ${cpuBatch}: ${ms.toFixed(0)} ms/step`);
  }
  if (withPeer) {
    const p = peer(26, batchRows);
    if (p) {
      out.peer_torch_reference_train_sps = p.train_samples_per_s;
      out.peer_torch_reference_infer_sps = p.gen_infer_samples_per_s;
    }
  }
  out.batch = batchRows;
  out.steps = steps;
  out.rounds = rounds;
  out.load_average_1m_end = +os.loadavg()[0].toFixed(2);
  console.log('');
  console.log(JSON.stringify(out));
}

runBench(main);
