/**
 * YAMNet throughput on 4 s clips at 16 kHz (8 patches each): the front end and the network
 * separately, then end to end, each against a baseline in the same run (a direct-DFT front end;
 * one patch per network call; end to end in one thread). End to end uses the worker pool
 * (lib/models/yamnet/pool), started once before timing, as a session reuses it; its start-up
 * time is reported apart. Then the command line as a user runs it: the compiled `lacuna yamnet
 * DIR` (dist/, so `npm run build` first) over a folder of --cli-clips WAV files made like the
 * clips above, timed as a whole process (engine, model, threads and all), and again over a fifth of
 * them, so the difference gives its steady rate beside the in-process clips_per_s.
 * The spectrogram path (embedMelSpectrograms: mel power spectrograms of the same clips → the body,
 * on the same pool) is timed beside it as spectrogram_clips_per_s.
 * Ends with one JSON line. The machine is shared: compare figures within a run, not across runs.
 *   npx tsx bench/yamnet.ts [--clips 48] [--cli-clips 100] [--workers N] [--batch-clips 8] [--yamnet PATH] [--engine wasm]
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Flags, parseArgs } from '../lib/cli/args';
import { defaultWorkerCount, initEngine } from '../lib/engine';
import { hannWindow, melFilterbank } from '../lib/audio/filters';
import { melSpectrogram, padForPatches } from '../lib/audio/spectral';
import { loadYamnet } from '../lib/models/yamnet/model';
import { waveformToPatches } from '../lib/models/yamnet/frontend';
import { embedWaveforms, scaleClip } from '../lib/models/yamnet/embeddings';
import { embedMelSpectrograms } from '../lib/models/yamnet/mel-embeddings';
import { closeWorkerPool, workerPoolFor } from '../lib/models/yamnet/pool';
import { writeWav } from '../lib/audio/io';
import { Rng } from '../lib/util/rng';

const CLIP = 64000;

function clips(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(n * CLIP);
  for (let c = 0; c < n; c++) {
    const f = rng.range(100, 4000);
    for (let i = 0; i < CLIP; i++) out[c * CLIP + i] = 0.5 * Math.sin((2 * Math.PI * f * i) / 16000) + 0.1 * rng.normal();
  }
  return out;
}

/** Baseline front end: the same features with a direct O(N²) DFT instead of an FFT. */
function naiveLogMel(samples: Float32Array): Float32Array {
  const x = padForPatches(samples);
  const w = hannWindow(400);
  const bank = melFilterbank();
  const frames = 1 + Math.floor((x.length - 400) / 160);
  const cos = new Float64Array(257 * 400);
  const sin = new Float64Array(257 * 400);
  for (let k = 0; k < 257; k++) for (let n = 0; n < 400; n++) { cos[k * 400 + n] = Math.cos((2 * Math.PI * k * n) / 512); sin[k * 400 + n] = Math.sin((2 * Math.PI * k * n) / 512); }
  const out = new Float32Array(frames * 64);
  const mag = new Float64Array(257);
  const v = new Float64Array(400);
  for (let f = 0; f < frames; f++) {
    for (let n = 0; n < 400; n++) v[n] = x[f * 160 + n] * w[n];
    for (let k = 0; k < 257; k++) {
      let re = 0; let im = 0;
      for (let n = 0; n < 400; n++) { re += v[n] * cos[k * 400 + n]; im += v[n] * sin[k * 400 + n]; }
      mag[k] = Math.hypot(re, im);
    }
    for (let m = 0; m < 64; m++) {
      let acc = 0;
      for (let b = bank.start[m]; b < bank.end[m]; b++) acc += mag[b] * bank.data[b * 64 + m];
      out[f * 64 + m] = Math.log(acc + 0.001);
    }
  }
  return out;
}

/** Writes `n` of the bench's clips as 16-bit WAV files into a new temporary folder. */
function clipFolder(n: number, seed: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lacuna-bench-yamnet-'));
  const data = clips(n, seed);
  for (let i = 0; i < n; i++) writeWav(path.join(dir, `clip-${String(i).padStart(4, '0')}.wav`), { samples: data.subarray(i * CLIP, (i + 1) * CLIP), sampleRate: 16000 });
  return dir;
}

/** Wall seconds of one `lacuna yamnet` process over `args`; fails unless it prints `rows` rows and exits 0. */
async function timedCli(args: string[], rows: number): Promise<number> {
  const cli = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
  if (!fs.existsSync(cli)) throw new Error(`${cli} not found: run \`npm run build\` first (the bench times the compiled command)`);
  const t0 = process.hrtime.bigint();
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'yamnet', ...args], { env: { ...process.env, LACUNA_QUIET: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (c) => resolve({ code: c, stdout, stderr }));
  });
  const wallSec = Number(process.hrtime.bigint() - t0) / 1e9;
  const got = stdout.split('\n').filter((l) => l.length > 0).length;
  if (code !== 0 || got !== rows) throw new Error(`lacuna yamnet ${args.join(' ')}: exit ${code}, ${got} rows (expected ${rows})\n${stderr.slice(-2000)}`);
  return wallSec;
}

async function timed(fn: () => unknown | Promise<unknown>): Promise<number> {
  return (await measured(fn)).wallSec;
}

/** Wall time and the CPU time of the whole process (all threads, workers included). */
async function measured(fn: () => unknown | Promise<unknown>): Promise<{ wallSec: number; cpuSec: number }> {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await fn();
  const c = process.cpuUsage(c0);
  return { wallSec: Number(process.hrtime.bigint() - t0) / 1e9, cpuSec: (c.user + c.system) / 1e6 };
}

async function main(): Promise<void> {
  const flags = new Flags(parseArgs(process.argv.slice(2)));
  const n = flags.number('clips', 48);
  const engine = await initEngine({ engine: (flags.string('engine') ?? 'wasm') as 'wasm', quiet: true });
  const model = loadYamnet({ path: flags.string('yamnet') });
  const data = clips(n, 1);
  const clip = (i: number) => data.subarray(i * CLIP, (i + 1) * CLIP);
  console.log(`engine ${engine.name}; ${n} clips of 4 s`);

  const baseN = Math.min(3, n);
  const tNaive = await timed(() => { for (let i = 0; i < baseN; i++) naiveLogMel(clip(i)); });
  const patches: Float32Array[] = [];
  const tFront = await timed(() => { for (let i = 0; i < n; i++) patches.push(waveformToPatches(clip(i)).data); });
  const frontend = n / tFront;
  console.log(`front end: ${frontend.toFixed(1)} clips/s (baseline direct DFT: ${(baseN / tNaive).toFixed(2)} clips/s)`);

  const all = new Float32Array(n * 8 * 6144);
  patches.forEach((p, i) => all.set(p, i * 8 * 6144));
  await model.network.infer(all.subarray(0, 16 * 6144), 16); // warm-up: kernel setup, allocations
  const tBatched = await timed(() => model.network.infer(all, n * 8, { batchSize: 128 }));
  const oneN = Math.min(4, n);
  const tOne = await timed(() => model.network.infer(all.subarray(0, oneN * 8 * 6144), oneN * 8, { batchSize: 1 }));
  const network = n / tBatched;
  console.log(`network: ${network.toFixed(1)} clips/s batched (baseline one patch per call: ${(oneN / tOne).toFixed(1)} clips/s)`);

  const batchClips = flags.number('batch-clips', 8);
  const workers = flags.number('workers', Math.max(2, defaultWorkerCount()));
  let single = new Float32Array(0);
  const mSingle = await measured(async () => { single = await embedWaveforms(model, data, CLIP, { quiet: true, batchClips, workers: 1 }); });
  const singleRate = n / mSingle.wallSec;
  console.log(`end to end, one thread: ${singleRate.toFixed(1)} clips/s (${((1000 * mSingle.cpuSec) / n).toFixed(1)} CPU ms per clip; got ${(mSingle.cpuSec / mSingle.wallSec).toFixed(2)} cores)`);

  const tStart = await timed(() => workerPoolFor(model, workers, (m) => console.log(m)));
  const pool = await workerPoolFor(model, workers, () => undefined);
  let pooled = new Float32Array(0);
  const mAll = await measured(async () => { pooled = await embedWaveforms(model, data, CLIP, { quiet: true, batchClips, workers }); });
  const total = n / mAll.wallSec;
  let maxDiff = 0;
  for (let i = 0; i < single.length; i++) maxDiff = Math.max(maxDiff, Math.abs(single[i] - pooled[i]));
  console.log(`end to end, ${pool?.size ?? 0} worker threads: ${total.toFixed(1)} clips/s (${((1000 * mAll.cpuSec) / n).toFixed(1)} CPU ms per clip; got ${(mAll.cpuSec / mAll.wallSec).toFixed(2)} cores; start-up ${tStart.toFixed(1)} s once; max |difference| to one thread ${maxDiff})`);
  // The spectrogram path on the same pool: what classification after reconstruction runs.
  const mels = Array.from({ length: n }, (_, i) => melSpectrogram(padForPatches(scaleClip(clip(i), 'peak')), { power: true }));
  const mMel = await measured(async () => { await embedMelSpectrograms(model, mels, { scale: 'power', quiet: true, batchClips, workers }); });
  const melRate = n / mMel.wallSec;
  console.log(`spectrogram path (mel power → body), ${pool?.size ?? 0} worker threads: ${melRate.toFixed(1)} clips/s (got ${(mMel.cpuSec / mMel.wallSec).toFixed(2)} cores)`);
  // Other processes share the cores: 'cores_used' says how much CPU this run actually got.
  const poolSize = pool?.size ?? 0;
  model.dispose();
  await closeWorkerPool(model); // its idle threads hold memory the command's own threads need

  const cliN = flags.number('cli-clips', 100);
  if (!(Number.isInteger(cliN) && cliN >= 20)) throw new Error(`--cli-clips must be an integer >= 20 (a fifth of them is the short run), got ${cliN}`);
  const cliSmall = Math.max(9, Math.round(cliN / 5)); // still more than one batch, so threads start
  const cliArgs = ['--top', '1', '--workers', String(workers), '--engine', engine.name, '--yamnet', model.file.path];
  const big = clipFolder(cliN, 2);
  const small = clipFolder(cliSmall, 3);
  let tCli = 0;
  let tCliSmall = 0;
  try {
    tCli = await timedCli([big, ...cliArgs], cliN);
    tCliSmall = await timedCli([small, ...cliArgs], cliSmall);
  } finally {
    for (const d of [big, small]) fs.rmSync(d, { recursive: true, force: true });
  }
  const cliRate = cliN / tCli;
  const cliSteady = (cliN - cliSmall) / (tCli - tCliSmall);
  console.log(`command line, lacuna yamnet DIR: ${cliN} files in ${tCli.toFixed(2)} s, one process = ${cliRate.toFixed(1)} clips/s; ${cliSmall} files in ${tCliSmall.toFixed(2)} s, so ${cliSteady.toFixed(1)} clips/s once started (in-process pool above: ${total.toFixed(1)}) and ${(tCli - cliN / cliSteady).toFixed(2)} s start-up`);
  console.log(JSON.stringify({
    bench: 'yamnet', engine: engine.name, clips: n, batch_clips: batchClips, workers: poolSize,
    frontend_clips_per_s: +frontend.toFixed(2), frontend_naive_dft_clips_per_s: +(baseN / tNaive).toFixed(3),
    network_clips_per_s: +network.toFixed(2), network_unbatched_clips_per_s: +(oneN / tOne).toFixed(2),
    clips_per_s: +total.toFixed(2), clips_per_s_one_thread: +singleRate.toFixed(2), spectrogram_clips_per_s: +melRate.toFixed(2),
    cpu_ms_per_clip_one_thread: +((1000 * mSingle.cpuSec) / n).toFixed(1), cpu_ms_per_clip: +((1000 * mAll.cpuSec) / n).toFixed(1),
    cores_used_one_thread: +(mSingle.cpuSec / mSingle.wallSec).toFixed(2), cores_used: +(mAll.cpuSec / mAll.wallSec).toFixed(2),
    worker_startup_s: +tStart.toFixed(2), max_abs_diff_workers_vs_one_thread: maxDiff,
    cli_dir_clips: cliN, cli_dir_seconds: +tCli.toFixed(2), cli_dir_clips_per_s: +cliRate.toFixed(2),
    cli_dir_steady_clips_per_s: +cliSteady.toFixed(2), cli_startup_s: +(tCli - cliN / cliSteady).toFixed(2),
    load_avg_1min: +os.loadavg()[0].toFixed(2),
  }));
}

main().catch((err) => { console.error(err); process.exit(1); });
