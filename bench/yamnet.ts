/**
 * YAMNet throughput on 4 s clips at 16 kHz (8 patches each), on both inference engines and against
 * the PyTorch peer in the same run: the front end (against a direct-DFT baseline), the network
 * alone per engine, then end to end (waveform → embeddings) on the worker pool with WASM, with
 * onnx (one onnxruntime thread per worker), and with onnx in this thread (onnxruntime's own
 * threads), alternating for --rounds rounds with the peer's YAMNet-shaped MobileNet
 * (../shared/peers, network only, 2 threads) between them, because the machine is shared.
 * Figures are medians over rounds; ratio_* keys compare figures of this run only. Then the
 * spectrogram path (mel power → body) and the compiled `lacuna yamnet DIR` (dist/, so
 * `npm run build` first) with the default engine choice, over --cli-clips WAV files and a fifth
 * of them, so the difference gives its steady rate. Then classification after repair's embeddings
 * (R_ts): --rts-clips clips of the built-in default dataset repaired by zero, exemplar (waveform)
 * and linear (mel) at the study's ten gap models, embedded whole and, in the same run, only in the
 * patches the gaps reach (the clean clips' embeddings, the grid's cache in a study, made untimed
 * beforehand); `--only-rts` runs that part alone. Ends with one JSON line (CPU model and load included).
 *   npx tsx bench/yamnet.ts [options]   (--help lists them)
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { YAMNET_OPTION } from '../lib/cli/flags/common';
import {
  defaultWorkerCount, initEngine, probeOnnxRuntime, hannWindow, melFilterbank, melSpectrogram, padForPatches,
  loadYamnet, waveformToPatches, embedWaveforms, scaleClip, embedMelSpectrograms, closeWorkerPool, workerPoolFor,
  writeWav, Rng,
} from '../lib';
import type { Yamnet } from '../lib/models/yamnet/model';
import { corruptDataset, clipRng, drawGaps } from '../lib/corrupt';
import type { GapModel } from '../lib/corrupt';
import { gapModelLabel } from '../lib/corrupt/gaps';
import { loadCachedDataset } from '../lib/data';
import { createMethod } from '../lib/reconstruct';
import { reembeddedShare } from '../lib/models/yamnet/patch-reuse';
import { RepairedAudio, repairedYamnetInput } from '../lib/experiments/repaired';
import { FULL_STUDY } from '../lib/experiments/study';
import { cpuModel, cpuVectorWidth, machineFigures, peerUnavailable, runPeer } from './peer';
import { median } from './timing';
import { NO_PEER_OPTION, benchOptions, countOption, roundsOption, switchOption } from './options';

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

/** Median of `rounds` figures. */
function med(xs: number[]): number {
  return median(xs);
}

const load = () => +os.loadavg()[0].toFixed(2);

/**
 * R_ts's YAMNet embeddings, whole clips against only the patches the gaps reach, on `clips` clips of
 * the built-in default dataset (spread over its rows) repaired by zero, exemplar and linear at the
 * study's gap models (seed 0, as the study draws them). Each cell is timed both ways, the order
 * alternating between cells; both include building the rows (and, partial, finding the changed
 * patches). The clean clips' embeddings are computed once beforehand, untimed: a study has them
 * cached from its grid.
 */
async function rtsSection(model: Yamnet, clips: number, workers: number, batchClips: number): Promise<Record<string, unknown>> {
  const full = loadCachedDataset({ kind: 'synthetic-urban', size: 'default', quiet: true }, 16000);
  const step = Math.max(1, Math.floor(full.clips.length / clips));
  const rows = Array.from({ length: Math.min(clips, full.clips.length) }, (_, k) => k * step);
  const waveforms = new Float32Array(rows.length * CLIP);
  rows.forEach((r, k) => waveforms.set(full.waveforms.subarray(r * CLIP, (r + 1) * CLIP), k * CLIP));
  const dataset = { ...full, clips: rows.map((r) => full.clips[r]), waveforms };
  const gapModels: GapModel[] = FULL_STUDY.gapKinds.flatMap((kind) => FULL_STUDY.lengths.map((gapSamples) => ({ kind, gapSamples } as GapModel)));
  const methods = [['zero', 'waveform'], ['exemplar', 'waveform'], ['linear', 'mel']] as const;
  const embed = { quiet: true, workers, batchClips };
  const clean = await embedWaveforms(model, waveforms, CLIP, embed);
  await embedWaveforms(model, waveforms.subarray(0, 2 * batchClips * CLIP), CLIP, embed); // the pool's threads started and warm
  const seconds = { full: 0, partial: 0 };
  const byDomain: Record<string, { clips: number; full: number; partial: number }> = { waveform: { clips: 0, full: 0, partial: 0 }, mel: { clips: 0, full: 0, partial: 0 } };
  let patches = 0;
  let reembedded = 0;
  let maxDiff = 0;
  const shareByGapModel: Record<string, number> = {};
  let cell = 0;
  console.log(`R_ts embeddings: ${rows.length} clips of ${dataset.name}, methods ${methods.map(([m]) => m).join(', ')}, ${gapModels.length} gap models, ${model.network.engine}, ${workers} workers (load ${load()})`);
  for (const gapModel of gapModels) {
    const corrupted = corruptDataset(dataset, gapModel, 0).dataset.waveforms;
    for (const [method, domain] of methods) {
      const audio: RepairedAudio = { runDir: `${method}/${gapModelLabel(gapModel)}`, config: { method, domain, trained: false }, mel: [], waveforms: [], corrupted };
      const reconstructor = createMethod(method);
      for (let k = 0; k < rows.length; k++) {
        const gaps = drawGaps(waveforms.subarray(k * CLIP, (k + 1) * CLIP), 16000, gapModel, clipRng(0, dataset.clips[k].id));
        const out = await reconstructor.repair({ corrupted: corrupted.slice(k * CLIP, (k + 1) * CLIP), sampleRate: 16000, gaps });
        audio.mel.push(out.mel);
        audio.waveforms.push(out.waveform);
      }
      const embedOnce = async (reuse: boolean) => {
        const input = repairedYamnetInput(dataset, audio, async () => clean);
        const options = { ...embed, ...(reuse ? { reuse: input.reuse } : {}) };
        const data = input.domain === 'waveform'
          ? await embedWaveforms(model, input.waveforms, CLIP, options)
          : await embedMelSpectrograms(model, input.mels, { ...options, scale: 'magnitude' });
        return { data, share: reembeddedShare(input.reuse, 8) };
      };
      const order = cell++ % 2 ? [true, false] : [false, true];
      const got: Record<string, Float32Array> = {};
      for (const reuse of order) {
        const t = await measured(async () => {
          const r = await embedOnce(reuse);
          got[String(reuse)] = r.data;
          if (reuse) { reembedded += r.share * rows.length * 8; patches += rows.length * 8; shareByGapModel[gapModelLabel(gapModel)] = (shareByGapModel[gapModelLabel(gapModel)] ?? 0) + r.share / methods.length; }
        });
        seconds[reuse ? 'partial' : 'full'] += t.wallSec;
        byDomain[domain][reuse ? 'partial' : 'full'] += t.wallSec;
      }
      byDomain[domain].clips += rows.length;
      for (let i = 0; i < got.true.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got.true[i] - got.false[i]));
    }
    console.log(`  ${gapModelLabel(gapModel)}: ${(100 * shareByGapModel[gapModelLabel(gapModel)]).toFixed(0)} % of patches embedded again (load ${load()})`);
  }
  const total = rows.length * gapModels.length * methods.length;
  const full_ = total / seconds.full;
  const partial = total / seconds.partial;
  console.log(`R_ts embeddings: whole clips ${full_.toFixed(1)} clips/s, changed patches only ${partial.toFixed(1)} clips/s (${(partial / full_).toFixed(2)}x), ${(100 * reembedded / patches).toFixed(1)} % of patches embedded again, max |Δ| ${maxDiff}`);
  return {
    rts_clips: rows.length, rts_gap_models: gapModels.length, rts_methods: methods.map(([m]) => m),
    rts_yamnet_clips_per_s_full: +full_.toFixed(2), rts_yamnet_clips_per_s_partial: +partial.toFixed(2),
    ratio_rts_partial_vs_full: +(partial / full_).toFixed(2), patches_reembedded_share: +(reembedded / patches).toFixed(3),
    patches_reembedded_share_by_gap_model: Object.fromEntries(Object.entries(shareByGapModel).map(([k, v]) => [k, +v.toFixed(3)])),
    max_abs_diff_partial_vs_full: maxDiff,
    // Waveform methods (zero, exemplar) and the mel method (linear: its magnitude mels are built in this thread, two STFTs a clip).
    ...Object.fromEntries(Object.entries(byDomain).flatMap(([d, v]) => [
      [`rts_yamnet_clips_per_s_full_${d}`, +(v.clips / v.full).toFixed(2)], [`rts_yamnet_clips_per_s_partial_${d}`, +(v.clips / v.partial).toFixed(2)]])),
  };
}

async function main(): Promise<void> {
  const flags = benchOptions({
    name: 'bench/yamnet.ts',
    summary: 'YAMNet throughput on 4 s clips at 16 kHz, on both inference engines and against the PyTorch peer, same run',
    options: [
      countOption('clips', 'clips per timed pass', 48),
      roundsOption(2),
      countOption('cli-clips', 'WAV files for `lacuna yamnet DIR` (a fifth of them is the short run)', 100, 20),
      countOption('workers', 'worker threads of the pool', 'the cores, at least 2'),
      countOption('batch-clips', 'clips per batch on the pool', 8),
      countOption('rts-clips', 'clips of the built-in default dataset for the R_ts part (0 skips it)', 16, 0),
      switchOption('only-rts', 'run the R_ts part only'),
      YAMNET_OPTION,
      NO_PEER_OPTION,
    ],
  });
  if (flags.bool('only-rts')) {
    await initEngine({ engine: 'wasm', quiet: true });
    const workers = flags.number('workers', Math.max(2, defaultWorkerCount()));
    // The study's inference engine: onnx when it loads (the worker threads then run onnx too, one thread each).
    const model = loadYamnet({ path: flags.string('yamnet'), inference: probeOnnxRuntime().available ? 'onnx' : 'tfjs', threads: workers });
    const loadBefore = load();
    const rts = await rtsSection(model, flags.number('rts-clips')!, workers, flags.number('batch-clips')!);
    model.dispose();
    console.log(JSON.stringify({ bench: 'yamnet', section: 'rts', engine: model.network.engine, workers, load_before: loadBefore, load_after: load(), ...rts, ...machineFigures() }));
    return;
  }
  const [n, rounds, cliN, batchClips] = ['clips', 'rounds', 'cli-clips', 'batch-clips'].map((name) => flags.number(name)!);
  const workers = flags.number('workers', Math.max(2, defaultWorkerCount()));
  const noPeer = flags.bool('no-peer');
  const modelPath = flags.string('yamnet');
  // Training engine wasm; inference on both engines, each model built for one.
  const engine = await initEngine({ engine: 'wasm', quiet: true });
  const wasmModel = loadYamnet({ path: modelPath, inference: 'tfjs' });
  const probe = probeOnnxRuntime();
  const onnxModel = probe.available ? loadYamnet({ path: modelPath, inference: 'onnx', threads: workers }) : undefined;
  const peerWhyNot = noPeer ? '--no-peer' : peerUnavailable();
  const data = clips(n, 1);
  const clip = (i: number) => data.subarray(i * CLIP, (i + 1) * CLIP);
  console.log(`${n} clips of 4 s; ${workers} workers; CPU ${cpuModel()} (${cpuVectorWidth()}); native engine: ${probe.reason}; peer: ${peerWhyNot ?? 'PyTorch, 2 threads'}`);

  const baseN = Math.min(3, n);
  const tNaive = await timed(() => { for (let i = 0; i < baseN; i++) naiveLogMel(clip(i)); });
  const patches: Float32Array[] = [];
  const tFront = await timed(() => { for (let i = 0; i < n; i++) patches.push(waveformToPatches(clip(i)).data); });
  const frontend = n / tFront;
  console.log(`front end: ${frontend.toFixed(1)} clips/s (baseline direct DFT: ${(baseN / tNaive).toFixed(2)} clips/s)`);

  const all = new Float32Array(n * 8 * 6144);
  patches.forEach((p, i) => all.set(p, i * 8 * 6144));
  const models = [{ name: 'wasm', model: wasmModel }, ...(onnxModel ? [{ name: 'onnx', model: onnxModel }] : [])];
  const network: Record<string, number> = {};
  for (const { name, model } of models) {
    await model.network.infer(all.subarray(0, 16 * 6144), 16); // warm-up: kernel setup, allocations
    network[name] = n / await timed(() => model.network.infer(all, n * 8, { batchSize: 128 }));
    console.log(`network only, ${name}${name === 'onnx' ? ` (${workers} onnxruntime threads)` : ' (1 thread)'}: ${network[name].toFixed(1)} clips/s`);
  }

  const tStart = await timed(async () => { for (const { model } of models) await workerPoolFor(model, workers, (m) => console.log(m)); });
  const pool = await workerPoolFor(wasmModel, workers, () => undefined);
  const embedded: Record<string, Float32Array> = {};
  const rates: Record<string, number[]> = { wasm: [], onnx: [], onnx_in_thread: [], peer: [] };
  const cpuMs: Record<string, number[]> = { wasm: [], onnx: [], onnx_in_thread: [] };
  const peerCpuMs: number[] = [];
  const run = async (key: string, model: typeof wasmModel, threads: number) => {
    let out = new Float32Array(0);
    const m = await measured(async () => { out = await embedWaveforms(model, data, CLIP, { quiet: true, batchClips, workers: threads }); });
    rates[key].push(n / m.wallSec);
    cpuMs[key].push((1000 * m.cpuSec) / n);
    embedded[key] = out;
  };
  for (let r = 0; r < rounds; r++) {
    await run('wasm', wasmModel, workers);
    if (onnxModel) {
      await run('onnx', onnxModel, workers);
      await run('onnx_in_thread', onnxModel, 1);
    }
    if (!peerWhyNot) {
      const p = runPeer('yamnet');
      rates.peer.push(p.yamnet_clips_per_s);
      peerCpuMs.push(p.yamnet_cpu_ms_per_clip);
    }
    console.log(`round ${r + 1}: end to end, clips/s: wasm (${workers} workers) ${rates.wasm[r].toFixed(1)}` +
      (onnxModel ? `; onnx (${workers} workers x 1 onnxruntime thread) ${rates.onnx[r].toFixed(1)}; onnx (this thread, ${workers} onnxruntime threads) ${rates.onnx_in_thread[r].toFixed(1)}` : '') +
      (rates.peer.length ? `; PyTorch peer (network only, 2 threads) ${rates.peer[r].toFixed(1)}` : '') + ` (load ${os.loadavg()[0].toFixed(2)})`);
  }
  let maxDiff = NaN;
  if (embedded.onnx) {
    maxDiff = 0;
    for (let i = 0; i < embedded.wasm.length; i++) maxDiff = Math.max(maxDiff, Math.abs(embedded.wasm[i] - embedded.onnx[i]), Math.abs(embedded.wasm[i] - embedded.onnx_in_thread[i]));
    console.log(`max |onnx - wasm| over all embeddings: ${maxDiff}`);
  }
  const best = onnxModel ?? wasmModel;
  // The spectrogram path on the same pool: what classification after reconstruction runs.
  const mels = Array.from({ length: n }, (_, i) => melSpectrogram(padForPatches(scaleClip(clip(i), 'peak')), { power: true }));
  const mMel = await measured(async () => { await embedMelSpectrograms(best, mels, { scale: 'power', quiet: true, batchClips, workers }); });
  const melRate = n / mMel.wallSec;
  console.log(`spectrogram path (mel power → body), ${best.network.engine}, ${workers} workers: ${melRate.toFixed(1)} clips/s`);
  const rtsClips = flags.number('rts-clips')!;
  const rts = rtsClips > 0 ? await rtsSection(best, rtsClips, workers, batchClips) : {};
  const poolSize = pool?.size ?? 0;
  for (const { model } of models) { model.dispose(); await closeWorkerPool(model); } // idle threads hold memory the command's own threads need

  const cliSmall = Math.max(9, Math.round(cliN / 5)); // still more than one batch, so threads start
  // The command as a user runs it: default engine choice (native inference when it loads).
  const cliArgs = ['--top', '1', '--workers', String(workers), '--yamnet', best.file.path];
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
  console.log(`command line, lacuna yamnet DIR: ${cliN} files in ${tCli.toFixed(2)} s, one process = ${cliRate.toFixed(1)} clips/s; ${cliSmall} files in ${tCliSmall.toFixed(2)} s, so ${cliSteady.toFixed(1)} clips/s once started and ${(tCli - cliN / cliSteady).toFixed(2)} s start-up`);
  const onnxRate = onnxModel ? med(rates.onnx) : NaN;
  const wasmRate = med(rates.wasm);
  const peer = rates.peer.length ? med(rates.peer) : NaN;
  const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) ? +(a / b).toFixed(2) : null);
  console.log(JSON.stringify({
    bench: 'yamnet', engine_default: best.network.engine, training_engine: engine.name, clips: n, batch_clips: batchClips, workers: poolSize, rounds,
    // End to end (waveform → front end → body), medians over rounds; the peer times its network only.
    clips_per_s: +(onnxModel ? onnxRate : wasmRate).toFixed(2), clips_per_s_wasm: +wasmRate.toFixed(2),
    clips_per_s_onnx: onnxModel ? +onnxRate.toFixed(2) : null, clips_per_s_onnx_in_thread: onnxModel ? +med(rates.onnx_in_thread).toFixed(2) : null,
    peer_clips_per_s: Number.isFinite(peer) ? +peer.toFixed(2) : null, peer_rounds: rates.peer.map((r) => +r.toFixed(2)),
    ratio_onnx_vs_peer: ratio(onnxRate, peer), ratio_wasm_vs_peer: ratio(wasmRate, peer), ratio_onnx_vs_wasm: ratio(onnxRate, wasmRate),
    network_clips_per_s_wasm: +network.wasm.toFixed(2), network_clips_per_s_onnx: onnxModel ? +network.onnx.toFixed(2) : null,
    ratio_network_onnx_vs_peer: ratio(network.onnx, peer),
    // CPU time of all threads per clip: robust to other processes' load (the peer's covers its network only).
    cpu_ms_per_clip_wasm: +med(cpuMs.wasm).toFixed(1), cpu_ms_per_clip_onnx: onnxModel ? +med(cpuMs.onnx).toFixed(1) : null,
    peer_cpu_ms_per_clip: peerCpuMs.length ? +med(peerCpuMs).toFixed(1) : null,
    ratio_cpu_efficiency_onnx_vs_peer: onnxModel && peerCpuMs.length ? +(med(peerCpuMs) / med(cpuMs.onnx)).toFixed(2) : null,
    max_abs_diff_onnx_vs_wasm: Number.isFinite(maxDiff) ? maxDiff : null,
    frontend_clips_per_s: +frontend.toFixed(2), frontend_naive_dft_clips_per_s: +(baseN / tNaive).toFixed(3),
    spectrogram_clips_per_s: +melRate.toFixed(2), worker_startup_s: +tStart.toFixed(2),
    cli_dir_clips: cliN, cli_dir_seconds: +tCli.toFixed(2), cli_dir_clips_per_s: +cliRate.toFixed(2),
    cli_dir_steady_clips_per_s: +cliSteady.toFixed(2), cli_startup_s: +(tCli - cliN / cliSteady).toFixed(2),
    onnxruntime: probe.available ? probe.version : null, peer: peerWhyNot ? `not run: ${peerWhyNot}` : 'PyTorch, 2 threads',
    ...rts, load_after: load(),
    ...machineFigures(),
  }));
}

main().catch((err) => { console.error(err); process.exit(1); });
