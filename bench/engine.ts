/**
 * Engine benchmark: trains and runs the reference CNN (input 32000x1) on random data on wasm
 * and on cpu in the same run (plus tfjs-node when it loads), and prints samples/s.
 *
 *   npx tsx bench/engine.ts [--steps 5] [--batch 128] [--cpu-batch 2] [--cpu-steps 1]
 *                           [--predict-reps 3] [--no-cpu] [--quick]
 *
 * The cpu backend trains at ~0.16 samples/s, so its training is measured on a small batch
 * (--cpu-batch) for one step; samples/s is per sample either way. Step times are medians.
 * Last line: one JSON object with the figures.
 */
import * as tf from '@tensorflow/tfjs';
import { initEngine, timeKernels, findTfjsNode, EngineName } from '../lib/engine';
import { buildCnn } from '../lib/models/cnn';
import { Flags, parseArgs } from '../lib/cli/args';
import { Rng } from '../lib/util/rng';

const INPUT_SAMPLES = 32000;
const NUM_CLASSES = 10;

interface Figures { trainSps: number; predictSps: number; trainBatch: number; predictBatch: number }

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function randomBatch(seed: number, batch: number): { x: tf.Tensor; y: tf.Tensor } {
  const rng = new Rng(seed);
  const x = new Float32Array(batch * INPUT_SAMPLES);
  for (let i = 0; i < x.length; i++) x[i] = rng.range(-1, 1);
  const y = Float32Array.from({ length: batch }, () => rng.int(0, NUM_CLASSES - 1));
  return { x: tf.tensor3d(x, [batch, INPUT_SAMPLES, 1]), y: tf.tensor1d(y) };
}

async function timeSteps(steps: number, step: () => Promise<void>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    await step();
    times.push(performance.now() - t0);
  }
  return median(times);
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

async function main(): Promise<void> {
  const flags = new Flags(parseArgs(process.argv.slice(2)));
  const quick = flags.bool('quick');
  const batch = flags.number('batch', 128);
  const steps = flags.number('steps', quick ? 2 : 5);
  const cpuBatch = flags.number('cpu-batch', quick ? 1 : 2);
  const cpuSteps = flags.number('cpu-steps', 1);
  const predictReps = flags.number('predict-reps', quick ? 2 : 3);
  const noCpu = flags.bool('no-cpu');
  const unknown = flags.unknown();
  if (unknown.length) throw new Error(`unknown option(s): ${unknown.join(', ')}`);

  console.log(`reference CNN, input ${INPUT_SAMPLES}x1, random data (seed 2/3); wasm batch ${batch}` +
    (noCpu ? '' : `; cpu trains on batch ${cpuBatch} for ${cpuSteps} step(s) and predicts batch 8, because it is ~1000x slower`));
  const out: Record<string, number | string> = { bench: 'engine' };
  const wasm = await measure('wasm', batch, steps, batch, predictReps, true);
  out.wasm_train_sps = +wasm.trainSps.toFixed(2);
  out.wasm_predict_sps = +wasm.predictSps.toFixed(1);
  if (!noCpu) {
    const cpu = await measure('cpu', cpuBatch, cpuSteps, 8, 1, false);
    out.cpu_train_sps = +cpu.trainSps.toFixed(3);
    out.cpu_predict_sps = +cpu.predictSps.toFixed(2);
    out.ratio_train = +(wasm.trainSps / cpu.trainSps).toFixed(1);
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

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
