/**
 * Engine benchmark: trains and runs the reference CNN (input 32000x1) on random data on wasm
 * and on cpu in the same run (plus tfjs-node when it loads), and prints samples/s.
 *
 *   npx tsx bench/engine.ts [--steps 5] [--batch 128] [--cpu-batch 2] [--cpu-steps 1]
 *                           [--predict-reps 3] [--rounds 2] [--workers N] [--no-cpu] [--quick]
 *
 * The cpu backend trains at ~0.16 samples/s, so its training is measured on a small batch
 * (--cpu-batch) for one step; samples/s is per sample either way. Step times are medians.
 * wasm training is measured in this thread and with the data-parallel trainer (one wasm replica
 * per worker thread, lacuna's default), alternating for --rounds rounds because the CPU is
 * shared; each figure is the median over rounds of each round's median step.
 * Last line: one JSON object with the figures.
 */
import * as tf from '@tensorflow/tfjs';
import { initEngine, timeKernels, findTfjsNode, EngineName, createParallelTrainer, defaultWorkerCount } from '../lib/engine';
import { buildCnn } from '../lib/models/cnn';
import { Flags, parseArgs } from '../lib/cli/args';
import { Rng } from '../lib/util/rng';
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

interface ParallelFigures { singleSps: number; parallelSps: number; parallelPredictSps: number; workers: number; mode: string; reason: string }

/**
 * wasm training in this thread vs the data-parallel trainer, alternating rounds so that both
 * see the same background load; figures are medians over rounds of per-round median steps.
 */
async function measureParallel(batch: number, steps: number, rounds: number, workers: number, predictReps: number): Promise<ParallelFigures> {
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
  try {
    await single.trainOnBatch(tensors.x, tensors.y);
    await trainer.trainOnBatch(arrays.x, arrays.y, batch);
    for (let r = 0; r < rounds; r++) {
      const oneMs = await timeSteps(steps, async () => { await single.trainOnBatch(tensors.x, tensors.y); });
      let replicaMs: number[] = [];
      const parMs = await timeSteps(steps, async () => { replicaMs = (await trainer.trainOnBatch(arrays.x, arrays.y, batch)).replicaMs ?? []; });
      singleSps.push((batch * 1000) / oneMs);
      parallelSps.push((batch * 1000) / parMs);
      console.log(`round ${r + 1}: one thread ${oneMs.toFixed(0)} ms/step = ${singleSps[r].toFixed(1)} samples/s; ` +
        `${trainer.mode} ${parMs.toFixed(0)} ms/step = ${parallelSps[r].toFixed(1)} samples/s ` +
        `(last step's replica compute ms: ${replicaMs.map((m) => m.toFixed(0)).join(', ') || 'n/a'})`);
    }
    const pred = randomArrays(3, batch);
    await trainer.predict(pred.x, batch);
    const predMs = await timeSteps(predictReps, async () => { await trainer.predict(pred.x, batch); });
    const parallelPredictSps = (batch * 1000) / predMs;
    console.log(`${trainer.mode} predict: batch ${batch}, median ${predMs.toFixed(0)} ms = ${parallelPredictSps.toFixed(1)} samples/s`);
    return { singleSps: median(singleSps), parallelSps: median(parallelSps), parallelPredictSps, workers: trainer.replicas, mode: trainer.mode, reason: trainer.reason };
  } finally {
    tf.dispose([tensors.x, tensors.y]);
    single.dispose();
    parallelModel.dispose();
    await trainer.dispose();
  }
}

async function main(): Promise<void> {
  const flags = new Flags(parseArgs(process.argv.slice(2)));
  const quick = flags.bool('quick');
  const batch = flags.number('batch', 128);
  const steps = flags.number('steps', quick ? 2 : 5);
  const cpuBatch = flags.number('cpu-batch', quick ? 1 : 2);
  const cpuSteps = flags.number('cpu-steps', 1);
  const predictReps = flags.number('predict-reps', quick ? 2 : 3);
  const noCpu = flags.bool('no-cpu');
  const rounds = flags.number('rounds', 2);
  const workers = flags.number('workers', defaultWorkerCount());
  const unknown = flags.unknown();
  if (unknown.length) throw new Error(`unknown option(s): ${unknown.join(', ')}`);

  console.log(`reference CNN, input ${INPUT_SAMPLES}x1, random data (seed 2/3); wasm batch ${batch}` +
    (noCpu ? '' : `; cpu trains on batch ${cpuBatch} for ${cpuSteps} step(s) and predicts batch 8, because it is ~1000x slower`));
  const out: Record<string, number | string> = { bench: 'engine' };
  const wasm = await measure('wasm', batch, steps, batch, predictReps, true);
  const par = await measureParallel(batch, steps, rounds, workers, predictReps);
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
  console.log('');
  console.log(JSON.stringify(out));
}

runBench(main);
