/**
 * YAMNet classifier head (8192 → 128 → 64 → 32 → 10, dropout 0.5, L2 1e-3, Adam) training speed,
 * as a tuning study trains it: lacuna's trainModel on embedding-sized rows, batch 128, in
 * lacuna's default configuration for embeddings (trainingWorkers(): this thread) and with the
 * data-parallel trainer on --workers threads, against plain tfjs (stock wasm kernels,
 * model.trainOnBatch in this thread) in the same run. Configurations alternate for --rounds
 * rounds because the machine is shared; each figure is the median over rounds.
 * The PyTorch peer (../shared/peers/peer_head_torch.py, Debian's python3-torch, 2 threads, the
 * glibc tunables of its README) runs between rounds when python3-torch is installed (--no-peer
 * skips it), so peer_* and ratio_* keys come from the same run. Predictions of the trained head
 * are timed on both inference engines (onnx, wasm). Ends with one JSON line (CPU model included).
 *   npx tsx bench/head.ts [options]   (--help lists them)
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { initEngine, useStockWasmKernels } from '../lib/engine';
import { REFERENCE_YAMNET_HEAD, buildYamnetHead } from '../lib/models/head';
import { trainModel, trainingWorkers } from '../lib/experiments/train';
import type { FeatureMatrix } from '../lib/experiments/types';
import { Rng } from '../lib/util/rng';
import { median } from './timing';
import { NO_PEER_OPTION, benchOptions, countOption, roundsOption, switchOption } from './options';
import { machineFigures, peersDir, peerUnavailable, PEER_TUNABLES } from './peer';
import { predictProbabilities } from '../lib/experiments/train';
import type { InferenceName } from '../lib/engine';

const INPUT = 8192;
const CLASSES = 10;


/** Gaussian rows with a class-dependent mean, so the head has something to learn. */
function embeddings(rows: number, seed: number): { matrix: FeatureMatrix; labels: number[] } {
  const rng = new Rng(seed);
  const data = new Float32Array(rows * INPUT);
  const labels = Array.from({ length: rows }, (_, r) => r % CLASSES);
  for (let r = 0; r < rows; r++) for (let i = 0; i < INPUT; i++) data[r * INPUT + i] = rng.normal() + (i % CLASSES === labels[r] ? 0.5 : 0);
  return { matrix: { data, rows, rowShape: [INPUT] }, labels };
}

/** Samples/s of one trainModel epoch over `rows` rows (a fresh head each time, as a tuning point). */
interface Rate { sps: number; cpuSps: number }

/** Rows per wall second and per CPU second of this process (all threads): the second holds under load. */
async function rate(rows: number, fn: () => Promise<unknown>): Promise<Rate> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const c = process.cpuUsage(c0);
  return { sps: (rows * 1000) / (performance.now() - t0), cpuSps: rows / ((c.user + c.system) / 1e6) };
}

async function lacunaSps(data: ReturnType<typeof embeddings>, rows: number, batchSize: number, workers: number): Promise<Rate & { loss: number; replicas: number }> {
  const model = buildYamnetHead({ numClasses: CLASSES, seed: 1, hyperparameters: REFERENCE_YAMNET_HEAD });
  try {
    const order = Array.from({ length: rows }, (_, i) => i);
    // One warm-up step's worth of rows first (kernel set-up, heap growth), then the timed epoch.
    await trainModel(model, data.matrix, data.labels, order.slice(0, batchSize), { epochs: 1, batchSize, seed: 2, workers });
    let h: Awaited<ReturnType<typeof trainModel>> | undefined;
    const r = await rate(rows, async () => { h = await trainModel(model, data.matrix, data.labels, order, { epochs: 1, batchSize, seed: 3, workers }); });
    return { ...r, loss: h!.loss[0], replicas: h!.replicas };
  } finally {
    model.dispose();
  }
}

/** Rows per second of predictProbabilities on `inference` over all rows (a fresh, untrained head: same cost). */
async function predictSps(data: ReturnType<typeof embeddings>, rows: number, inference: InferenceName): Promise<number> {
  const model = buildYamnetHead({ numClasses: CLASSES, seed: 1, hyperparameters: REFERENCE_YAMNET_HEAD });
  try {
    const order = Array.from({ length: rows }, (_, i) => i);
    await predictProbabilities(model, data.matrix, order.slice(0, 8), 128, inference);
    const t0 = performance.now();
    await predictProbabilities(model, data.matrix, order, 128, inference);
    return (rows * 1000) / (performance.now() - t0);
  } finally {
    model.dispose();
  }
}

/** Plain tfjs: stock wasm kernels, model.trainOnBatch on pre-built batches in this thread. */
async function baselineSps(data: ReturnType<typeof embeddings>, rows: number, batchSize: number): Promise<Rate> {
  useStockWasmKernels(true);
  const model = buildYamnetHead({ numClasses: CLASSES, seed: 1, hyperparameters: REFERENCE_YAMNET_HEAD });
  try {
    const step = async (b: number) => {
      const n = Math.min(batchSize, rows - b);
      const xs = tf.tensor2d(data.matrix.data.subarray(b * INPUT, (b + n) * INPUT), [n, INPUT]);
      const ys = tf.tensor1d(data.labels.slice(b, b + n));
      await model.trainOnBatch(xs, ys);
      tf.dispose([xs, ys]);
    };
    await step(0);
    return await rate(rows, async () => { for (let b = 0; b < rows; b += batchSize) await step(b); });
  } finally {
    model.dispose();
    useStockWasmKernels(false);
  }
}

/** The PyTorch peer's samples/s, or undefined (with the reason printed) when it cannot run. */
function peerSps(batchSize: number): number | undefined {
  const script = path.join(peersDir(), 'peer_head_torch.py');
  if (!fs.existsSync(script)) { console.log(`peer: ${script} not found`); return undefined; }
  const env = { ...process.env, GLIBC_TUNABLES: PEER_TUNABLES };
  const run = spawnSync('/usr/bin/python3', [script, '--threads', '2', '--batch', String(batchSize)], { env, encoding: 'utf8' });
  const last = (run.stdout ?? '').trim().split('\n').pop() ?? '';
  if (run.status !== 0 || !last.startsWith('{')) { console.log(`peer did not run: ${(run.stderr || run.error?.message || '').trim().split('\n').pop()}`); return undefined; }
  return JSON.parse(last).train_samples_per_s as number;
}

async function main(): Promise<void> {
  const flags = benchOptions({
    name: 'bench/head.ts',
    summary: 'YAMNet classifier head training speed: lacuna\'s trainer against plain tfjs and the PyTorch peer, same run',
    options: [
      countOption('rows', 'embedding rows per timed epoch', 2560),
      countOption('baseline-rows', 'rows per timed epoch of plain tfjs (the baseline)', 512),
      countOption('batch', 'rows per training step', 128),
      roundsOption(3),
      countOption('workers', 'threads of the data-parallel trainer', 2),
      switchOption('peer', 'accepted for old scripts: the peer runs by default'),
      NO_PEER_OPTION,
    ],
  });
  const [rows, baselineRows, batchSize, rounds, workers] =
    ['rows', 'baseline-rows', 'batch', 'rounds', 'workers'].map((n) => flags.number(n)!);
  const peerWhyNot = flags.bool('no-peer') ? '--no-peer' : peerUnavailable();
  const peer = !peerWhyNot;
  const engine = await initEngine({ engine: 'wasm', quiet: true });
  const data = embeddings(rows, 1);
  const defaultWorkers = trainingWorkers(INPUT);
  console.log(`YAMNet head ${INPUT}→${REFERENCE_YAMNET_HEAD.units.join('→')}→${CLASSES}, batch ${batchSize}, ${rows} rows per timed epoch (baseline ${baselineRows}); engine ${engine.name}; load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const ours: Rate[] = [], parallel: Rate[] = [], base: Rate[] = [], peers: number[] = [], onnxPredict: number[] = [], wasmPredict: number[] = [];
  let loss = NaN;
  let replicas = 0;
  for (let r = 0; r < rounds; r++) {
    base.push(await baselineSps(data, baselineRows, batchSize));
    const mine = await lacunaSps(data, rows, batchSize, defaultWorkers);
    ours.push(mine);
    loss = mine.loss;
    const par = await lacunaSps(data, rows, batchSize, workers);
    parallel.push(par);
    replicas = par.replicas;
    wasmPredict.push(await predictSps(data, rows, 'tfjs'));
    onnxPredict.push(await predictSps(data, rows, 'onnx'));
    const p = peer ? peerSps(batchSize) : undefined;
    if (p !== undefined) peers.push(p);
    console.log(`round ${r + 1}: lacuna (${defaultWorkers === 1 ? 'this thread' : `${defaultWorkers} workers`}) ${mine.sps.toFixed(0)} samples/s; ` +
      `${par.replicas} worker(s) ${par.sps.toFixed(0)}; plain tfjs ${base[r].sps.toFixed(0)}; predict onnx ${onnxPredict[r].toFixed(0)}, wasm ${wasmPredict[r].toFixed(0)}${p === undefined ? '' : `; PyTorch ${p}`} (load ${os.loadavg()[0].toFixed(2)}); ` +
      `per CPU second: lacuna ${mine.cpuSps.toFixed(0)}, ${par.replicas} worker(s) ${par.cpuSps.toFixed(0)}, plain tfjs ${base[r].cpuSps.toFixed(0)}`);
  }
  const m = (xs: Rate[], k: keyof Rate) => +median(xs.map((x) => x[k])).toFixed(1);
  const out: Record<string, number | string> = {
    bench: 'head', engine: engine.name, batch: batchSize, rows, rounds,
    head_train_sps: m(ours, 'sps'), head_train_config: defaultWorkers === 1 ? 'in-thread (default for embeddings)' : `${defaultWorkers} workers`,
    head_train_sps_baseline: m(base, 'sps'), head_train_speedup: +(m(ours, 'sps') / m(base, 'sps')).toFixed(2),
    head_train_sps_workers: m(parallel, 'sps'), workers: replicas,
    // Samples per CPU second (every thread counted): what one idle core would give; robust to load.
    head_train_sps_per_cpu: m(ours, 'cpuSps'), head_train_sps_baseline_per_cpu: m(base, 'cpuSps'), head_train_sps_workers_per_cpu: m(parallel, 'cpuSps'),
    first_epoch_loss: +loss.toFixed(4),
    predict_sps_onnx: +median(onnxPredict).toFixed(0), predict_sps_wasm: +median(wasmPredict).toFixed(0),
    ratio_predict_onnx_vs_wasm: +(median(onnxPredict) / median(wasmPredict)).toFixed(2),
    peer: peerWhyNot ? `not run: ${peerWhyNot}` : 'PyTorch, 2 threads',
    ...machineFigures(),
  };
  if (peers.length) {
    out.peer_train_sps = +median(peers).toFixed(1);
    out.ratio_train_vs_peer = +(m(ours, 'sps') / median(peers)).toFixed(2);
    out.ratio_train_workers_vs_peer = +(m(parallel, 'sps') / median(peers)).toFixed(2);
  }
  console.log(JSON.stringify(out));
}

main().catch((err) => { console.error(err); process.exit(1); });
