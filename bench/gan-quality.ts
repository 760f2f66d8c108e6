/**
 * Default vs reference GAN preset: same data, same training budget in seconds, metrics on
 * held-out clips. Cross-fit half A (folds 1–5) trains; clips of folds 6–10 are corrupted with
 * one gap of `gapFrames` frames (context on both sides) and repaired. Metrics inside the gap,
 * against the clean clip's mel: MAE of log(mel + 0.001), log-spectral distance (dB) and SNR of
 * the mel power (dB; mean over clips not silent in the gap). Linear interpolation in log-mel across the gap is printed beside them.
 *
 *   npx tsx bench/gan-quality.ts [options]   (--help lists them)
 *
 * Last line: one JSON object with the figures.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { initEngine, defaultWorkerCount } from '../lib/engine';
import { outputOption, seedOption, workersOption } from '../lib/cli/flags/common';
import { GAN_PRESETS } from '../lib/reconstruct/types';
import { benchOptions, countOption } from './options';
import { loadCachedDataset } from '../lib/data';
import { melSpectrogram, padForPatches } from '../lib/audio/spectral';
import { Rng } from '../lib/util/rng';
import { repairPlan, trainingClips } from '../lib/reconstruct/folds';
import { ganReconstructor, trainGan, generatorMacs, ganPreset } from '../lib/reconstruct/gan';
import type { MelPower } from '../lib/reconstruct/types';
import { runBench } from './timing';

const LOG_OFFSET = 0.001;

function mel(samples: Float32Array): MelPower {
  const m = melSpectrogram(padForPatches(samples), { power: true });
  return { data: m.data, frames: m.frames, nMels: m.nMels };
}

interface Case { clean: MelPower; corrupted: Float32Array; corruptedMel: MelPower; gap: { start: number; length: number }; startFrame: number }

interface Scores { mae: number; lsd: number; snr: number }

/** Mean over clips of each metric inside the gap frames. */
function score(cases: readonly Case[], repaired: readonly MelPower[], frames: number): Scores {
  let mae = 0, lsd = 0, snr = 0, voiced = 0;
  cases.forEach((c, i) => {
    const n = c.clean.nMels;
    let abs = 0, lsdSum = 0, sig = 0, err = 0;
    for (let f = c.startFrame; f < c.startFrame + frames; f++) {
      let sq = 0;
      for (let m = 0; m < n; m++) {
        const p = c.clean.data[f * n + m];
        const q = repaired[i].data[f * n + m];
        const d = Math.log(p + LOG_OFFSET) - Math.log(q + LOG_OFFSET);
        abs += Math.abs(d);
        const db = 10 * Math.log10((p + 1e-10) / (q + 1e-10));
        sq += db * db;
        sig += p * p;
        err += (p - q) * (p - q);
      }
      lsdSum += Math.sqrt(sq / n);
    }
    mae += abs / (frames * n);
    lsd += lsdSum / frames;
    // Clips silent inside the gap have no SNR; they count in MAE and LSD only.
    if (sig > 0) { snr += 10 * Math.log10(sig / Math.max(err, 1e-20)); voiced++; }
  });
  const k = cases.length;
  return { mae: mae / k, lsd: lsd / k, snr: snr / Math.max(1, voiced) };
}

function linearRepair(c: Case, frames: number): MelPower {
  const n = c.corruptedMel.nMels;
  const out = Float32Array.from(c.corruptedMel.data);
  const a = c.startFrame - 1, b = c.startFrame + frames;
  for (let f = c.startFrame; f < b; f++) {
    const t = (f - a) / (b - a);
    for (let m = 0; m < n; m++) {
      const la = Math.log(c.corruptedMel.data[a * n + m] + LOG_OFFSET), lb = Math.log(c.corruptedMel.data[b * n + m] + LOG_OFFSET);
      out[f * n + m] = Math.max(0, Math.exp((1 - t) * la + t * lb) - LOG_OFFSET);
    }
  }
  return { data: out, frames: c.corruptedMel.frames, nMels: n };
}

async function main(): Promise<void> {
  const defaultDataset = path.join(process.env.LACUNA_DATA_DIR ?? 'data', 'cache', 'synthetic-urban-default', 'zscore-4s');
  const flags = benchOptions({
    name: 'bench/gan-quality.ts',
    summary: 'default vs reference GAN preset: same data, same training budget in seconds, metrics on held-out clips',
    options: [
      { name: 'seconds', type: 'number', unit: 'seconds', above: 0, default: 300, help: 'training budget per preset' },
      countOption('frames', 'gap length in mel frames', 26),
      countOption('test-clips', 'held-out clips repaired', 200),
      workersOption('replicas of the data-parallel trainer'),
      { name: 'dataset', type: 'string', value: 'DIR', default: defaultDataset, help: 'a cached dataset folder' },
      outputOption('where the trained models go', '$TMPDIR/lacuna-gan-quality'),
      { ...seedOption('seeds the weights, shuffles and gaps'), default: 1 },
      {
        name: 'gan-presets', type: 'list', items: 'string', choices: GAN_PRESETS, default: ['default', 'reference'],
        help: 'the GAN architectures compared',
      },
    ],
    renamed: [{ from: 'presets', to: 'gan-presets' }, { from: 'out', to: 'output' }],
  });
  const seconds = flags.number('seconds')!;
  const [gapFrames, testClips, seed] = ['frames', 'test-clips', 'seed'].map((n) => flags.number(n)!);
  const workers = flags.number('workers', defaultWorkerCount());
  const datasetDir = flags.string('dataset')!;
  const outDir = flags.string('output', path.join(os.tmpdir(), 'lacuna-gan-quality'));
  const presets = flags.strings('gan-presets')!.map((p) => ganPreset(p).name);
  await initEngine({ engine: 'wasm', quiet: true });
  const load0 = os.loadavg()[0];

  const ds = loadCachedDataset(datasetDir, 16000);
  const wave = (i: number) => ds.waveforms.subarray(i * ds.clipSamples, (i + 1) * ds.clipSamples);
  const indexed = ds.clips.map((c, i) => ({ ...c, index: i }));
  const [model] = repairPlan([...new Set(ds.clips.map((c) => c.fold))], 'cross-fit');
  const train = trainingClips(model, indexed).map((c) => mel(wave(c.index)));
  const rng = new Rng(seed).fork('quality-test');
  const held = rng.shuffled(indexed.filter((c) => model.repairsFolds.includes(c.fold))).slice(0, testClips);
  const gapSamples = (gapFrames - 1) * 160;
  const cases: Case[] = held.map((c) => {
    const clean = mel(wave(c.index));
    const startFrame = rng.int(gapFrames, Math.floor(ds.clipSamples / 160) - 2 * gapFrames - 3);
    const gap = { start: startFrame * 160, length: gapSamples };
    const corrupted = Float32Array.from(wave(c.index));
    corrupted.fill(0, gap.start, gap.start + gap.length);
    return { clean, corrupted, corruptedMel: mel(corrupted), gap, startFrame };
  });
  console.log(`${ds.name}: ${train.length} training clips (folds ${model.trainFolds.join(',')}), ${cases.length} held-out clips (folds ${model.repairsFolds.join(',')}), gap ${gapFrames} frames`);

  const out: Record<string, number | string> = { bench: 'gan-quality', dataset: ds.name, gap_frames: gapFrames, seconds_budget: seconds, train_clips: train.length, test_clips: cases.length, workers };
  const zero = score(cases, cases.map((c) => c.corruptedMel), gapFrames);
  const lin = score(cases, cases.map((c) => linearRepair(c, gapFrames)), gapFrames);
  for (const [name, s] of [['zero', zero], ['linear', lin]] as const) {
    console.log(`${name.padEnd(10)} MAE ${s.mae.toFixed(3)}  LSD ${s.lsd.toFixed(2)} dB  SNR ${s.snr.toFixed(2)} dB`);
    Object.assign(out, { [`${name}_mae`]: +s.mae.toFixed(4), [`${name}_lsd_db`]: +s.lsd.toFixed(3), [`${name}_snr_db`]: +s.snr.toFixed(3) });
  }
  for (const preset of presets) {
    const gan = await trainGan({
      clips: train, gapFrames, preset, seed, seconds, workers,
      checkpointDir: path.join(outDir, `${preset}-${gapFrames}-${seconds}s-seed${seed}`),
    });
    const repairer = ganReconstructor(gan);
    const t0 = performance.now();
    const repaired: MelPower[] = [];
    for (const c of cases) repaired.push((await repairer.repair({ corrupted: c.corrupted, sampleRate: 16000, gaps: [c.gap], melPower: c.corruptedMel })).mel);
    const rps = cases.length / ((performance.now() - t0) / 1000);
    const s = score(cases, repaired, gapFrames);
    console.log(`${preset.padEnd(10)} MAE ${s.mae.toFixed(3)}  LSD ${s.lsd.toFixed(2)} dB  SNR ${s.snr.toFixed(2)} dB  (${gan.step} steps of ${gan.config.batchSize}, ${rps.toFixed(1)} repairs/s)`);
    Object.assign(out, {
      [`gan_${preset}_mae`]: +s.mae.toFixed(4), [`gan_${preset}_lsd_db`]: +s.lsd.toFixed(3), [`gan_${preset}_snr_db`]: +s.snr.toFixed(3),
      [`gan_${preset}_steps`]: gan.step, [`gan_${preset}_repairs_per_s`]: +rps.toFixed(2),
      [`gan_${preset}_gmacs_per_clip`]: +(generatorMacs(ganPreset(preset), gapFrames) / 1e9).toFixed(3),
    });
    gan.generator.dispose();
  }
  out.load_average_1m_start = +load0.toFixed(2);
  out.load_average_1m_end = +os.loadavg()[0].toFixed(2);
  console.log('');
  console.log(JSON.stringify(out));
}

runBench(main);
