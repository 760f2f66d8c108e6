/**
 * Wall time and accuracy of one leave-one-fold-out CNN run (NC, every fold) on the built-in
 * default dataset (~1000 synthetic-urban clips at 8 kHz), with lacuna's default training settings
 * (CNN_TRAINING_DEFAULTS), from scratch (results and weight cache wiped first). Baselines in the
 * same run: the stratified dummy classifier over the same folds, one inference pass of an
 * untrained CNN over every clip, and fold 1 trained with the old default (the reference network,
 * 3 epochs on every training row, batch 32, constant rate); `--reference` adds fold 1 with the
 * reference study's network and training (25 epochs, batch 128, Keras early stopping).
 *
 *   npx tsx bench/cv.ts [options]   (--help lists them: the training flags of classify, --reference, --engine, --size)
 *
 * Results go to outputs/bench/cv-results/; the figures for C_ts / C_all at 2000 and 8000 samples
 * reuse its clean-trained weights:
 *   npx lacuna grid --output outputs/bench/cv-results --gap-lengths 2000,8000 --modes C_ts,C_all --loss-rates none
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../lib/engine';
import { loadCachedDataset, repoRoot } from '../lib/data';
import {
  CONSTANT_LEARNING_RATE, REFERENCE_CNN_TRAINING, RunSummary, TrainingSettings, cnnExperiment, foldSplit, predictProbabilities,
  runCrossValidation, stratifiedDummyPredictions,
} from '../lib/experiments';
import { TRAINING_GROUP, readTrainingFlags } from '../lib/cli/flags/training';
import { engineOption, readEngine } from '../lib/cli/flags/common';
import { benchOptions, switchOption } from './options';
import type { FoldResult } from '../lib/experiments';
import { foldFile } from '../lib/experiments/store';
import { readJsonIfExists } from '../lib/util/atomic';
import { Rng } from '../lib/util/rng';

async function main(): Promise<void> {
  const flags = benchOptions({
    name: 'bench/cv.ts',
    summary: 'wall time and accuracy of one leave-one-fold-out CNN run on the built-in data, ' +
      'against the dummy classifier and the old default',
    options: [
      ...TRAINING_GROUP.options,
      switchOption('reference', 'add fold 1 with the reference study\'s network and training'),
      { name: 'size', type: 'string', choices: ['tiny', 'default'], default: 'default', help: 'the built-in dataset' },
      engineOption(),
    ],
  });
  const { preset, training } = readTrainingFlags(flags, false);
  const { epochs, batchSize } = training;
  const withReference = flags.bool('reference');
  const size = flags.string('size') as 'tiny' | 'default';
  const engine = await initEngine({ engine: readEngine(flags) });
  const dataset = loadCachedDataset({ kind: 'synthetic-urban', size, quiet: true }, 8000);
  const root = path.join(repoRoot(), 'outputs', 'bench', size === 'default' ? 'cv-results' : `cv-results-${size}`);
  fs.rmSync(root, { recursive: true, force: true });
  const experiment = cnnExperiment(dataset, {}, preset);
  const oldExperiment = cnnExperiment(dataset, {}, 'reference');
  const folds = [...new Set(dataset.clips.map((c) => c.fold))].sort((a, b) => a - b);
  console.log(`${dataset.clips.length} clips, ${folds.length} folds, engine ${engine.name}, preset ${preset}: ${JSON.stringify(training)}`);

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
  await predictProbabilities(net, matrix, labels.map((_, i) => i));
  const predictSeconds = (Date.now() - t) / 1000;
  net.dispose();

  // Baseline 3 (and 4): fold 1 with the old default (and the reference's training).
  const oneFold = async (name: string, settings: TrainingSettings): Promise<{ accuracy: number; seconds: number; epochs: number }> => {
    const t0 = Date.now();
    const [s] = await runCrossValidation({ ...oldExperiment, runs: [{ mode: 'NC' }], ...settings, folds: [folds[0]], seed: 0, root: path.join(root, name), quiet: true });
    const r = { accuracy: s.meanAccuracy, seconds: (Date.now() - t0) / 1000, epochs: s.perFold[0].epochsRun };
    console.log(`fold ${folds[0]} with ${name} training: accuracy ${r.accuracy.toFixed(4)}, ${r.epochs} epochs, ${r.seconds.toFixed(1)} s`);
    return r;
  };
  const old = await oneFold('old-3-epochs', { epochs: 3, batchSize: 32, schedule: CONSTANT_LEARNING_RATE });
  const reference = withReference ? await oneFold('reference', REFERENCE_CNN_TRAINING) : undefined;

  t = Date.now();
  const [nc] = await runCrossValidation({ ...experiment, runs: [{ mode: 'NC' }], ...training, seed: 0, root });
  const cvSeconds = (Date.now() - t) / 1000;
  const first: RunSummary['perFold'][number] = nc.perFold[0];
  // Rows the optimiser saw (the validation split only predicts), over the folds' training time.
  const trainSamples = nc.perFold.reduce((n, p) => n + p.epochsRun * readJsonIfExists<FoldResult>(foldFile(nc.dir, p.fold))!.training.trainRows, 0);
  console.log(`NC accuracy ${nc.meanAccuracy.toFixed(4)} ± ${nc.stdAccuracy.toFixed(4)} (folds ${nc.perFold.map((p) => p.accuracy.toFixed(3)).join(' ')}), dummy ${nc.dummyMeanAccuracy.toFixed(4)}`);
  console.log(`fold ${first.fold}: ${first.accuracy.toFixed(4)} (old 3-epoch default ${old.accuracy.toFixed(4)}${reference ? `, reference ${reference.accuracy.toFixed(4)}` : ''})`);
  console.log(`10-fold run ${cvSeconds.toFixed(1)} s (training ${nc.trainSeconds.toFixed(1)} s, testing ${nc.testSeconds.toFixed(1)} s); dummy ${dummySeconds.toFixed(3)} s; inference over all clips ${predictSeconds.toFixed(1)} s`);
  console.log(JSON.stringify({
    bench: 'cv', engine: engine.name, backend: tf.getBackend(), clips: dataset.clips.length, folds: folds.length, preset, epochs, batch_size: batchSize,
    cnn_10fold_seconds: Number(cvSeconds.toFixed(1)), cnn_10fold_accuracy: Number(nc.meanAccuracy.toFixed(4)),
    epochs_run_mean: Number((nc.perFold.reduce((n, p) => n + p.epochsRun, 0) / nc.perFold.length).toFixed(1)),
    fold1_accuracy: Number(first.accuracy.toFixed(4)),
    fold1_old_3_epoch_accuracy: Number(old.accuracy.toFixed(4)), fold1_old_3_epoch_seconds: Number(old.seconds.toFixed(1)),
    ...(reference ? { fold1_reference_accuracy: Number(reference.accuracy.toFixed(4)), fold1_reference_seconds: Number(reference.seconds.toFixed(1)), fold1_reference_epochs: reference.epochs } : {}),
    train_samples_per_sec: Number((trainSamples / nc.trainSeconds).toFixed(1)),
    predict_samples_per_sec: Number((dataset.clips.length / predictSeconds).toFixed(1)),
    dummy_seconds: Number(dummySeconds.toFixed(3)),
    nc_accuracy: Number(nc.meanAccuracy.toFixed(4)), nc_accuracy_std: Number(nc.stdAccuracy.toFixed(4)),
    dummy_accuracy: Number(nc.dummyMeanAccuracy.toFixed(4)), dummy_accuracy_bench_seeds: Number((dummyHits / dataset.clips.length).toFixed(4)),
  }));
}

main().catch((err) => { console.error(err); process.exit(1); });
