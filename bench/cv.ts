/**
 * Wall time of one leave-one-fold-out CNN run (NC, every fold) on the built-in default dataset
 * (~1000 synthetic-urban clips at 8 kHz), with lacuna's default training settings, from scratch
 * (results and weight cache wiped first). Baseline in the same run: the stratified dummy
 * classifier over the same folds, and one inference pass of an untrained CNN over every clip.
 *
 *   npx tsx bench/cv.ts [--epochs N] [--batch-size N] [--engine wasm|cpu|node] [--size tiny|default]
 *
 * Results go to outputs/bench/cv-results/; the figures for C_ts / C_all at 2000 and 8000 samples
 * reuse its clean-trained weights:
 *   npx lacuna grid --output outputs/bench/cv-results --lengths 2000,8000 --modes C_ts,C_all --no-packet-loss
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { Flags, parseArgs } from '../lib/cli/args';
import { initEngine, isEngineName } from '../lib/engine';
import { loadCachedDataset, repoRoot } from '../lib/data';
import { CNN_TRAINING_DEFAULTS, cnnExperiment, foldSplit, predictProbabilities, runCrossValidation, stratifiedDummyPredictions } from '../lib/experiments';
import { Rng } from '../lib/util/rng';

async function main(): Promise<void> {
  const flags = new Flags(parseArgs(process.argv.slice(2)));
  const epochs = flags.number('epochs', CNN_TRAINING_DEFAULTS.epochs);
  const batchSize = flags.number('batch-size', CNN_TRAINING_DEFAULTS.batchSize);
  const size = flags.string('size', 'default') as 'tiny' | 'default';
  const engineName = flags.string('engine');
  const engine = await initEngine({ engine: engineName && isEngineName(engineName) ? engineName : undefined });
  const dataset = loadCachedDataset({ kind: 'synthetic-urban', size, quiet: true }, 8000);
  const root = path.join(repoRoot(), 'outputs', 'bench', size === 'default' ? 'cv-results' : `cv-results-${size}`);
  fs.rmSync(root, { recursive: true, force: true });
  const experiment = cnnExperiment(dataset);
  const folds = [...new Set(dataset.clips.map((c) => c.fold))].sort((a, b) => a - b);
  console.log(`${dataset.clips.length} clips, ${folds.length} folds, engine ${engine.name}, epochs ${epochs}, batch ${batchSize}`);

  // Baseline 1: the dummy classifier over the same folds.
  let t = Date.now();
  const labels = dataset.clips.map((c) => c.classIndex);
  let dummyHits = 0;
  for (const f of folds) {
    const s = foldSplit(dataset.clips.map((c) => c.fold), f);
    const pred = stratifiedDummyPredictions(s.train.map((i) => labels[i]), s.test.length, dataset.classNames.length, new Rng(f));
    dummyHits += pred.filter((p, i) => p === labels[s.test[i]]).length;
  }
  const dummySeconds = (Date.now() - t) / 1000;
  // Baseline 2: inference of an untrained CNN over every clip (what training must add to).
  const net = experiment.modelFactory({ inputShape: [dataset.clipSamples, 1], numClasses: dataset.classNames.length, seed: 1 });
  const matrix = await experiment.provider.features({});
  t = Date.now();
  predictProbabilities(net, matrix, labels.map((_, i) => i));
  const predictSeconds = (Date.now() - t) / 1000;
  net.dispose();

  t = Date.now();
  const [nc] = await runCrossValidation({ ...experiment, runs: [{ mode: 'NC' }], epochs, batchSize, seed: 0, root });
  const cvSeconds = (Date.now() - t) / 1000;
  const trainSamples = nc.perFold.reduce((n, p) => n + p.epochsRun * (dataset.clips.length - dataset.clips.filter((c) => c.fold === p.fold).length), 0);
  console.log(`NC accuracy ${nc.meanAccuracy.toFixed(4)} ± ${nc.stdAccuracy.toFixed(4)} (folds ${nc.perFold.map((p) => p.accuracy.toFixed(3)).join(' ')}), dummy ${nc.dummyMeanAccuracy.toFixed(4)}`);
  console.log(`10-fold run ${cvSeconds.toFixed(1)} s (training ${nc.trainSeconds.toFixed(1)} s, testing ${nc.testSeconds.toFixed(1)} s); dummy ${dummySeconds.toFixed(3)} s; inference over all clips ${predictSeconds.toFixed(1)} s`);
  console.log(JSON.stringify({
    bench: 'cv', engine: engine.name, backend: tf.getBackend(), clips: dataset.clips.length, folds: folds.length, epochs, batch_size: batchSize,
    cnn_10fold_seconds: Number(cvSeconds.toFixed(1)),
    train_samples_per_sec: Number((trainSamples / nc.trainSeconds).toFixed(1)),
    predict_samples_per_sec: Number((dataset.clips.length / predictSeconds).toFixed(1)),
    dummy_seconds: Number(dummySeconds.toFixed(3)),
    nc_accuracy: Number(nc.meanAccuracy.toFixed(4)), nc_accuracy_std: Number(nc.stdAccuracy.toFixed(4)),
    dummy_accuracy: Number(nc.dummyMeanAccuracy.toFixed(4)), dummy_accuracy_bench_seeds: Number((dummyHits / dataset.clips.length).toFixed(4)),
  }));
}

main().catch((err) => { console.error(err); process.exit(1); });
