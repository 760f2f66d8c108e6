/**
 * Engine benchmark: trains and runs the reference CNN (input 32000x1) on random data on wasm
 * and on cpu in the same run (plus tfjs-node when it loads), predicts on both inference engines
 * (onnxruntime's native kernels and wasm, through lacuna's predictProbabilities), and runs the
 * PyTorch peer's CNN (../shared/peers/peer_torch.py's own code, 2 threads) between its rounds when
 * python3-torch is installed, so peer_* figures and ratio_* keys come from the same run.
 *
 *   npx tsx bench/engine.ts [options]   (--help lists them)
 *
 * The cpu backend trains at ~0.16 samples/s, so its training is measured on a small batch
 * (--cpu-batch) for one step; samples/s is per sample either way. Step times are medians.
 * wasm training is measured in this thread and with the data-parallel trainer (one wasm replica
 * per worker thread, lacuna's default), alternating for --rounds rounds because the CPU is
 * shared; each figure is the median over rounds of each round's median step.
 * Last line: one JSON object with the figures.
 */
import * as tf from '@tensorflow/tfjs';
import * as os from 'os';
import {
  initEngine, timeKernels, findTfjsNode, EngineName, createParallelTrainer, defaultWorkerCount, InferenceName,
  probeOnnxRuntime, predictProbabilities, buildCnn, Rng,
} from '../lib';
import { cpuModel, cpuVectorWidth, machineFigures, peerUnavailable, runPeer } from './peer';
import { workersOption } from '../lib/cli/flags/common';
import { NO_PEER_OPTION, benchOptions, countOption, roundsOption, switchOption } from './options';
import { median, runBench, timeSteps } from './timing';

const INPUT_SAMPLES = 32000;
const NUM_CLASSES = 10;

interface Figures { trainSps: number; predictSps: number; trainBatch: number; predictBatch: number }


function randomArrays(seed: number, batch: number): { x: Float32Array; y: Float32Array } {
  const rng = new Rng(seed);
  const x = new Float32Array(batch * INPUT_SAMPLES);
  for (let i = 0; i < x.length; i++) x[i] = rng.range(-1, 1);
  const y = Float32Array.from({ length: batch }, () => rng.int(0, NUM_CLASSES - 1));
  return { x, y };
}

function randomBatch(seed: number, batch: number): { x: tf.Tensor; y: tf.Tensor } {
  const { x, y } = randomArrays(seed, batch);
  return { x: tf.tensor3d(x, [batch, INPUT_SAMPLES, 1]), y: tf.tensor1d(y) };
}


async function measure(
  engine: EngineName, trainBatch: number, trainSteps: number, predictBatch: number, predictReps: number,
  profile: boolean,
): Promise<Figures> {
  const info = await initEngine({ engine, quiet: true });
  console.log(`\n== ${engine} (backend ${info.backend}): ${info.reason}`);
  const model = buildCnn({ inputSamples: INPUT_SAMPLES, numClasses: NUM_CLASSES, seed: 1 });
  const train = randomBatch(2, trainBatch);
  await model.trainOnBatch(train.x, train.y); // warm-up: allocations, kernel setup
  const timer = profile ? timeKernels(info.backend) : undefined;
  const trainMs = await timeSteps(trainSteps, async () => { await model.trainOnBatch(train.x, train.y); });
  const trainSps = (trainBatch * 1000) / trainMs;
  console.log(`train:   batch ${trainBatch}, ${trainSteps} step(s), median ${trainMs.toFixed(0)} ms/step = ${trainSps.toFixed(2)} samples/s`);
  if (timer) {
    const total = timer.report().reduce((a, k) => a + k.ms, 0);
    console.log(`kernels per training step (wall ms; kernels run inside others count in both, total ${(total / trainSteps).toFixed(0)}):`);
    for (const k of timer.report().slice(0, 14)) {
      console.log(`  ${k.name.padEnd(36)} ${(k.ms / trainSteps).toFixed(1).padStart(8)} ms  ${(k.calls / trainSteps).toFixed(0).padStart(4)} calls`);
    }
    timer.stop();
  }
  tf.dispose([train.x, train.y]);
  const pred = randomBatch(3, predictBatch);
  const run = async () => { const p = model.predict(pred.x) as tf.Tensor; await p.data(); p.dispose(); };
  await run();
  const predictMs = await timeSteps(predictReps, run);
  const predictSps = (predictBatch * 1000) / predictMs;
  console.log(`predict: batch ${predictBatch}, ${predictReps} rep(s), median ${predictMs.toFixed(0)} ms = ${predictSps.toFixed(1)} samples/s`);
  tf.dispose([pred.x, pred.y]);
  model.dispose();
  return { trainSps, predictSps, trainBatch, predictBatch };
}

interface ParallelFigures {
  singleSps: number; parallelSps: number; parallelPredictSps: number; workers: number; mode: string; reason: string;
  /** Per round: predictProbabilities on each inference engine, and the peer (undefined when not run). */
  onnxPredictSps: number[]; wasmPredictSps: number[]; peerTrainSps: number[]; peerPredictSps: number[];
  /** Samples per CPU second (all threads): robust to other processes' load. */
  onnxPredictCpuSps: number[]; wasmPredictCpuSps: number[]; parallelTrainCpuSps: number[]; peerTrainCpuSps: number[]; peerPredictCpuSps: number[];
}

/**
 * Floating-point operations per sample (a multiply-add counts 2) of the model's Conv1D and Dense
 * layers: forward, and a training step (forward, input gradient except for the first layer,
 * weight gradient: 3x forward, 2x for the first layer). Pooling and element-wise work are left out.
 */
function flopsPerSample(model: tf.LayersModel): { predict: number; train: number } {
  let predict = 0;
  let train = 0;
  let first = true;
  for (const l of model.layers) {
    const out = (l.output as tf.SymbolicTensor).shape;
    const kernel = l.getWeights()[0];
    let macs = 0;
    if (l.getClassName() === 'Conv1D') macs = (out[1] as number) * kernel.size;
    else if (l.getClassName() === 'Dense') macs = kernel.size;
    if (!macs) continue;
    predict += 2 * macs;
    train += 2 * macs * (first ? 2 : 3);
    first = false;
  }
  return { predict, train };
}

/** Rows per second of lacuna's predictProbabilities on `inference` (graph build and session included for onnx). */
async function predictRate(model: tf.LayersModel, x: Float32Array, rows: number, inference: InferenceName): Promise<{ sps: number; cpuSps: number }> {
  const matrix = { data: x, rows, rowShape: [INPUT_SAMPLES, 1] };
  const order = Array.from({ length: rows }, (_, i) => i);
  await predictProbabilities(model, matrix, order.slice(0, 8), 64, inference); // warm-up
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await predictProbabilities(model, matrix, order, 128, inference);
  const c = process.cpuUsage(c0);
  return { sps: (rows * 1000) / (performance.now() - t0), cpuSps: rows / ((c.user + c.system) / 1e6) };
}

/**
 * wasm training in this thread vs the data-parallel trainer, alternating rounds so that both
 * see the same background load; figures are medians over rounds of per-round median steps.
 */
async function measureParallel(batch: number, steps: number, rounds: number, workers: number, predictReps: number, peer: boolean, peerEpochs: number): Promise<ParallelFigures> {
  await initEngine({ engine: 'wasm', quiet: true });
  console.log(`\n== wasm: one thread vs data-parallel (${workers} worker(s)), ${rounds} alternating round(s) of ${steps} step(s)`);
  const single = buildCnn({ inputSamples: INPUT_SAMPLES, numClasses: NUM_CLASSES, seed: 1 });
  const parallelModel = buildCnn({ inputSamples: INPUT_SAMPLES, numClasses: NUM_CLASSES, seed: 1 });
  const trainer = await createParallelTrainer(parallelModel, { workers, seed: 1, quiet: true });
  console.log(`trainer: ${trainer.mode}, ${trainer.reason}`);
  const arrays = randomArrays(2, batch);
  const tensors = randomBatch(2, batch);
  const singleSps: number[] = [];
  const parallelSps: number[] = [];
  const onnxPredictSps: number[] = [];
  const wasmPredictSps: number[] = [];
  const onnxPredictCpuSps: number[] = [];
  const wasmPredictCpuSps: number[] = [];
  const parallelTrainCpuSps: number[] = [];
  const peerTrainSps: number[] = [];
  const peerPredictSps: number[] = [];
  const peerTrainCpuSps: number[] = [];
  const peerPredictCpuSps: number[] = [];
  const native = probeOnnxRuntime().available;
  const predictRows = 4 * batch;
  const predictX = randomArrays(4, predictRows).x;
  try {
    await single.trainOnBatch(tensors.x, tensors.y);
    await trainer.trainOnBatch(arrays.x, arrays.y, batch);
    for (let r = 0; r < rounds; r++) {
      const oneMs = await timeSteps(steps, async () => { await single.trainOnBatch(tensors.x, tensors.y); });
      let replicaMs: number[] = [];
      const c0 = process.cpuUsage();
      const parMs = await timeSteps(steps, async () => { replicaMs = (await trainer.trainOnBatch(arrays.x, arrays.y, batch)).replicaMs ?? []; });
      const c = process.cpuUsage(c0);
      parallelTrainCpuSps.push((steps * batch) / ((c.user + c.system) / 1e6));
      singleSps.push((batch * 1000) / oneMs);
      parallelSps.push((batch * 1000) / parMs);
      const w = await predictRate(single, predictX, predictRows, 'tfjs');
      wasmPredictSps.push(w.sps);
      wasmPredictCpuSps.push(w.cpuSps);
      if (native) {
        const o = await predictRate(single, predictX, predictRows, 'onnx');
        onnxPredictSps.push(o.sps);
        onnxPredictCpuSps.push(o.cpuSps);
      }
      if (peer) {
        const p = runPeer('cnn', { epochs: peerEpochs });
        peerTrainSps.push(p.train_samples_per_s);
        peerPredictSps.push(p.infer_samples_per_s);
        peerTrainCpuSps.push(p.train_samples_per_cpu_s);
        peerPredictCpuSps.push(p.infer_samples_per_cpu_s);
      }
      console.log(`round ${r + 1}: train one thread ${oneMs.toFixed(0)} ms/step = ${singleSps[r].toFixed(1)} samples/s; ` +
        `${trainer.mode} ${parMs.toFixed(0)} ms/step = ${parallelSps[r].toFixed(1)} samples/s ` +
        `(last step's replica compute ms: ${replicaMs.map((m) => m.toFixed(0)).join(', ') || 'n/a'}); ` +
        `predict ${predictRows} rows: wasm ${wasmPredictSps[r].toFixed(1)}${native ? `, onnx ${onnxPredictSps[r].toFixed(1)}` : ''} samples/s` +
        (peer ? `; PyTorch peer: train ${peerTrainSps[r].toFixed(1)}, predict ${peerPredictSps[r].toFixed(1)} samples/s` : '') +
        ` (load ${os.loadavg()[0].toFixed(2)})`);
    }
    const pred = randomArrays(3, batch);
    await trainer.predict(pred.x, batch);
    const predMs = await timeSteps(predictReps, async () => { await trainer.predict(pred.x, batch); });
    const parallelPredictSps = (batch * 1000) / predMs;
    console.log(`${trainer.mode} predict: batch ${batch}, median ${predMs.toFixed(0)} ms = ${parallelPredictSps.toFixed(1)} samples/s`);
    return {
      singleSps: median(singleSps), parallelSps: median(parallelSps), parallelPredictSps, workers: trainer.replicas, mode: trainer.mode, reason: trainer.reason,
      onnxPredictSps, wasmPredictSps, peerTrainSps, peerPredictSps,
      onnxPredictCpuSps, wasmPredictCpuSps, parallelTrainCpuSps, peerTrainCpuSps, peerPredictCpuSps,
    };
  } finally {
    tf.dispose([tensors.x, tensors.y]);
    single.dispose();
    parallelModel.dispose();
    await trainer.dispose();
  }
}

async function main(): Promise<void> {
  const flags = benchOptions({
    name: 'bench/engine.ts',
    summary: 'the reference CNN trained and run on wasm, cpu (and tfjs-node), both inference engines and the PyTorch peer, same run',
    options: [
      switchOption('quick', 'fewer steps and repetitions (see the defaults)'),
      countOption('steps', 'timed wasm training steps', '5; 2 with --quick'),
      countOption('batch', 'wasm training batch', 128),
      countOption('cpu-batch', 'cpu training batch (cpu is ~1000x slower)', '2; 1 with --quick'),
      countOption('cpu-steps', 'timed cpu training steps', 1),
      countOption('predict-reps', 'timed prediction passes per engine', '3; 2 with --quick'),
      roundsOption(2),
      workersOption('replicas of the data-parallel trainer'),
      switchOption('no-cpu', 'skip the cpu backend'),
      NO_PEER_OPTION,
      countOption('peer-epochs', 'epochs of the PyTorch peer', 1),
    ],
  });
  const quick = flags.bool('quick');
  const [batch, cpuSteps, rounds, peerEpochs] = ['batch', 'cpu-steps', 'rounds', 'peer-epochs'].map((n) => flags.number(n)!);
  const steps = flags.number('steps', quick ? 2 : 5);
  const cpuBatch = flags.number('cpu-batch', quick ? 1 : 2);
  const predictReps = flags.number('predict-reps', quick ? 2 : 3);
  const workers = flags.number('workers', defaultWorkerCount());
  const noCpu = flags.bool('no-cpu');
  const noPeer = flags.bool('no-peer');

  console.log(`reference CNN, input ${INPUT_SAMPLES}x1, random data (seed 2/3); wasm batch ${batch}` +
    (noCpu ? '' : `; cpu trains on batch ${cpuBatch} for ${cpuSteps} step(s) and predicts batch 8, because it is ~1000x slower`));
  const peerWhyNot = noPeer ? '--no-peer' : peerUnavailable();
  console.log(`CPU ${cpuModel()} (${cpuVectorWidth()}); native inference: ${probeOnnxRuntime().reason}; peer: ${peerWhyNot ? `not run (${peerWhyNot})` : `PyTorch, 2 threads, ${peerEpochs} training epoch(s) of 1024 samples per round`}`);
  const out: Record<string, number | string | null> = { bench: 'engine' };
  const wasm = await measure('wasm', batch, steps, batch, predictReps, true);
  const par = await measureParallel(batch, steps, rounds, workers, predictReps, !peerWhyNot, peerEpochs);
  // lacuna's default for training on wasm is the data-parallel trainer with defaultWorkerCount() workers.
  const defaultIsParallel = par.mode === 'workers';
  out.wasm_train_sps = +(defaultIsParallel ? par.parallelSps : par.singleSps).toFixed(2);
  out.wasm_train_config = defaultIsParallel ? `data-parallel, ${par.workers} workers` : `one thread (${par.reason})`;
  out.wasm_single_train_sps = +par.singleSps.toFixed(2);
  out.wasm_parallel_train_sps = +par.parallelSps.toFixed(2);
  out.wasm_parallel_workers = par.workers;
  out.wasm_parallel_speedup = +(par.parallelSps / par.singleSps).toFixed(2);
  out.wasm_predict_sps = +wasm.predictSps.toFixed(1);
  out.wasm_parallel_predict_sps = +par.parallelPredictSps.toFixed(1);
  out.train_rounds = rounds;
  // Same-run comparisons: medians over the alternating rounds.
  const m = (xs: number[]) => (xs.length ? +median(xs).toFixed(1) : null);
  const ratio = (a: number | null, b: number | null) => (a !== null && b !== null ? +(a / b).toFixed(2) : null);
  out.predict_sps_wasm = m(par.wasmPredictSps);
  out.predict_sps_onnx = m(par.onnxPredictSps);
  out.predict_sps = out.predict_sps_onnx ?? out.predict_sps_wasm;
  out.peer_train_sps = m(par.peerTrainSps);
  out.peer_predict_sps = m(par.peerPredictSps);
  out.ratio_train_vs_peer = ratio(Number(out.wasm_train_sps), out.peer_train_sps);
  out.ratio_train_one_thread_vs_peer = ratio(+par.singleSps.toFixed(2), out.peer_train_sps);
  out.ratio_predict_onnx_vs_peer = ratio(out.predict_sps_onnx, out.peer_predict_sps);
  out.ratio_predict_wasm_vs_peer = ratio(out.predict_sps_wasm, out.peer_predict_sps);
  out.ratio_predict_onnx_vs_wasm = ratio(out.predict_sps_onnx, out.predict_sps_wasm);
  out.peer = peerWhyNot ? `not run: ${peerWhyNot}` : `PyTorch, 2 threads, ${peerEpochs} epoch(s) per round`;
  // Per CPU second of all threads: what each engine gets out of the cycles it was given, whatever the load.
  out.train_sps_per_cpu_wasm_workers = m(par.parallelTrainCpuSps);
  out.peer_train_sps_per_cpu = m(par.peerTrainCpuSps);
  out.ratio_train_per_cpu_vs_peer = ratio(out.train_sps_per_cpu_wasm_workers, out.peer_train_sps_per_cpu);
  out.predict_sps_per_cpu_onnx = m(par.onnxPredictCpuSps);
  out.predict_sps_per_cpu_wasm = m(par.wasmPredictCpuSps);
  out.peer_predict_sps_per_cpu = m(par.peerPredictCpuSps);
  out.ratio_predict_per_cpu_onnx_vs_peer = ratio(out.predict_sps_per_cpu_onnx, out.peer_predict_sps_per_cpu);
  // What limits WASM: arithmetic rate per core (GFLOP/s of the conv and dense layers), each engine on its cores.
  const cnn = buildCnn({ inputSamples: INPUT_SAMPLES, numClasses: NUM_CLASSES, seed: 1 });
  const flops = flopsPerSample(cnn);
  cnn.dispose();
  // GFLOP per CPU second = per busy core: samples per CPU second (all threads) x FLOP per sample.
  const gflops = (perCpu: number | null, f: number) => (perCpu === null ? null : +((perCpu * f) / 1e9).toFixed(2));
  out.mflop_per_sample_train = +(flops.train / 1e6).toFixed(1);
  out.mflop_per_sample_predict = +(flops.predict / 1e6).toFixed(1);
  out.gflops_per_core_train_wasm = gflops(out.train_sps_per_cpu_wasm_workers, flops.train);
  out.gflops_per_core_train_peer = gflops(out.peer_train_sps_per_cpu, flops.train);
  out.gflops_per_core_predict_wasm = gflops(out.predict_sps_per_cpu_wasm, flops.predict);
  out.gflops_per_core_predict_onnx = gflops(out.predict_sps_per_cpu_onnx, flops.predict);
  out.gflops_per_core_predict_peer = gflops(out.peer_predict_sps_per_cpu, flops.predict);
  console.log(`\nwasm_train_sps is lacuna's default configuration: ${out.wasm_train_config}`);
  if (!noCpu) {
    const cpu = await measure('cpu', cpuBatch, cpuSteps, 8, 1, false);
    out.cpu_train_sps = +cpu.trainSps.toFixed(3);
    out.cpu_predict_sps = +cpu.predictSps.toFixed(2);
    out.ratio_train = +(Number(out.wasm_train_sps) / cpu.trainSps).toFixed(1);
    out.ratio_predict = +(wasm.predictSps / cpu.predictSps).toFixed(1);
    out.cpu_train_batch = cpuBatch;
  }
  if (findTfjsNode().available) {
    try {
      const node = await measure('node', batch, steps, batch, predictReps, false);
      out.node_train_sps = +node.trainSps.toFixed(2);
      out.node_predict_sps = +node.predictSps.toFixed(1);
    } catch (err) {
      console.log(`node engine not measured: ${(err as Error).message}`);
    }
  }
  out.wasm_train_batch = batch;
  out.onnx_training = 'none: onnxruntime-node 1.30 has no training API (no TrainingSession)';
  Object.assign(out, machineFigures());
  console.log('');
  console.log(JSON.stringify(out));
}

runBench(main);
