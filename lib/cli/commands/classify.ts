import * as path from 'path';
import { Command } from '../main';
import { Flags } from '../args';
import { ENGINE_NAMES, initEngine, isEngineName } from '../../engine';
import { loadCachedDataset, resultsRoot } from '../../data';
import { DATASET_FLAGS_HELP, DatasetFlags, datasetLine, readDatasetFlags } from '../dataset-flags';
import { ParameterError } from '../../util/errors';
import { Experiment, ExperimentRecipe, buildExperiment } from '../../experiments/recipe';
import { TRAINING_FLAGS_HELP, TrainingPreset, readTrainingFlags } from '../training-flags';
import type { CachedDataset } from '../../types';
import type { GapModel } from '../../corrupt/gaps';
import {
  CorruptionMode, CrossValOptions, RunSummary, TrainingSettings, writeOverview,
} from '../../experiments';
import { ParamsFile, readParams } from '../../tuning/params';


/** An experiment with its dataset loaded and its results root chosen; `modelName` names its results (default the provider's). */
export type PreparedExperiment = Experiment & { dataset: CachedDataset; root: string; modelName?: string };

export const EXPERIMENT_FLAGS_HELP = `${TRAINING_FLAGS_HELP}
  --seed N            seeds weights, shuffles, gaps and the dummy classifier (default 0)
  --folds 1,2         test folds to compute now (default all; the rest can be added later)
  --engine ${ENGINE_NAMES.join('|')}
  --output DIR        results root (default outputs/results/<dataset name>; $LACUNA_OUTPUT_DIR moves outputs/)
  --overwrite         replace a saved run whose configuration differs
  --pretrained        YAMNet embeddings + dense head instead of the CNN, with a linear probe beside it
  --yamnet PATH       YAMNet .tflite (default $LACUNA_YAMNET, then data/models/yamnet.tflite)
  --params FILE       hyperparameters and training from \`lacuna tune\` (its best-params.json) instead of
                      the preset's; --epochs / --batch-size / --early-stopping still apply on top.
                      Results go to <output>/<model>-tuned-<hash>/; its contents are recorded in config.json

  The dataset:${DATASET_FLAGS_HELP}`;

/** Flags shared by classify and grid, validated. */
export interface ExperimentFlags {
  pretrained: boolean;
  dataset: DatasetFlags;
  /** --preset, and the training it names with --epochs / --batch-size / --early-stopping applied. */
  preset: TrainingPreset;
  training: TrainingSettings;
  seed: number;
  folds?: number[];
  engine?: (typeof ENGINE_NAMES)[number];
  /** Results root when given (--output); else resultsRoot(<dataset name>). */
  output?: string;
  overwrite: boolean;
  /** YAMNet model file (--yamnet), else $LACUNA_YAMNET, else data/models/yamnet.tflite. */
  yamnet?: string;
  /** --params: a tuned point, whose training replaces the preset's (flags still apply on top). */
  params?: ParamsFile & { file: string };
}

/** The params file's training with --epochs / --batch-size / --early-stopping applied on top. */
function paramsTraining(flags: Flags, p: ParamsFile, fromFlags: TrainingSettings): TrainingSettings {
  return {
    ...p.training,
    ...(flags.has('epochs') ? { epochs: fromFlags.epochs } : {}),
    ...(flags.has('batch-size') ? { batchSize: fromFlags.batchSize } : {}),
    ...(flags.bool('early-stopping') ? { validation: fromFlags.validation } : {}),
  };
}

export function readExperimentFlags(flags: Flags): ExperimentFlags {
  const dataset = readDatasetFlags(flags);
  const output = flags.string('output');
  const engine = flags.string('engine');
  if (engine !== undefined && !isEngineName(engine)) throw new ParameterError(`--engine must be one of ${ENGINE_NAMES.join(', ')}; got "${engine}"`);
  const folds = flags.numbers('folds');
  const seed = flags.number('seed', 0);
  if (!Number.isInteger(seed)) throw new ParameterError(`--seed must be an integer, got ${seed}`);
  const paramsPath = flags.string('params');
  const params = paramsPath !== undefined ? { ...readParams(paramsPath, flags.bool('pretrained') ? 'yamnet' : 'cnn'), file: path.resolve(paramsPath) } : undefined;
  const trainingFlags = readTrainingFlags(flags, flags.bool('pretrained'));
  if (params && flags.has('preset')) throw new ParameterError('--params sets the model and its training; drop --preset');
  return {
    pretrained: flags.bool('pretrained'),
    dataset,
    ...trainingFlags,
    ...(params ? { training: paramsTraining(flags, params, trainingFlags.training), params } : {}),
    seed,
    folds,
    engine: engine as ExperimentFlags['engine'],
    ...(output !== undefined ? { output: path.resolve(output) } : {}),
    overwrite: flags.bool('overwrite'),
    yamnet: flags.string('yamnet'),
  };
}

/** The gap model chosen by --gap-model / --multiple, --corruption-size, --loss-rate, --burst. */
export function readGapModel(flags: Flags): GapModel {
  const name = flags.string('gap-model') ?? (flags.bool('multiple') ? 'multiple' : 'single');
  const gapSamples = flags.number('corruption-size', 4000);
  if (name === 'single' || name === 'multiple') return { kind: name, gapSamples };
  if (name === 'packet-loss') return { kind: 'packet-loss', lossRate: flags.number('loss-rate', 0.1), meanBurstPackets: flags.number('burst', 3) };
  throw new ParameterError(`--gap-model must be single, multiple or packet-loss; got "${name}"`);
}

/** Mode from the reference's switches: neither → NC, train → C_tr, test → C_ts, both → C_all. */
export function modeFromFlags(flags: Flags): CorruptionMode {
  const tr = flags.bool('corrupt-train');
  const ts = flags.bool('corrupt-test');
  return tr && ts ? 'C_all' : tr ? 'C_tr' : ts ? 'C_ts' : 'NC';
}

/** Loads (creating or reusing its cache) the dataset the flags name, and says which it is. */
function loadDataset(f: ExperimentFlags, sampleRate: number): CachedDataset {
  const dataset = loadCachedDataset({ ...f.dataset, quiet: false }, sampleRate);
  console.log(datasetLine(dataset));
  return dataset;
}

/** What another machine needs to build the same model: path, preset and the tuned point's contents (not its file name). */
export function recipeOf(f: ExperimentFlags): ExperimentRecipe {
  if (!f.params) return { pretrained: f.pretrained, preset: f.preset };
  const { file: _file, ...params } = f.params;
  return { pretrained: f.pretrained, preset: f.preset, params };
}

/** The model path: the CNN on 8 kHz waveforms, or (--pretrained) YAMNet embeddings at 16 kHz. */
export async function prepareExperiment(f: ExperimentFlags): Promise<PreparedExperiment> {
  const dataset = loadDataset(f, f.pretrained ? 16000 : 8000);
  const root = f.output ?? resultsRoot(dataset.name);
  return { ...(await buildExperiment(dataset, recipeOf(f), f.yamnet)), dataset, root };
}

/** CrossValOptions from the shared flags (runs to be filled in by the caller). */
export function crossValOptions(f: ExperimentFlags, e: PreparedExperiment): Omit<CrossValOptions, 'runs'> {
  return {
    provider: e.provider, modelFactory: e.modelFactory, modelConfig: e.modelConfig, modelName: e.modelName,
    inputScaling: e.inputScaling, linearProbe: e.linearProbe,
    folds: f.folds, ...f.training, seed: f.seed, root: e.root, overwrite: f.overwrite,
  };
}

export function printSummary(s: RunSummary): void {
  const folds = s.perFold.map((p) => `${p.fold}:${p.accuracy.toFixed(3)}`).join(' ');
  const partial = s.foldsMissing.length ? ` (folds missing: ${s.foldsMissing.join(',')})` : '';
  const probe = s.probeMeanAccuracy !== undefined ? `; linear probe ${s.probeMeanAccuracy.toFixed(4)}` : '';
  const chosen = s.selectedMeanAccuracy !== undefined
    ? `; head or probe chosen by validation ${s.selectedMeanAccuracy.toFixed(4)} (probe on ${s.perFold.filter((p) => p.selected === 'probe').length} of ${s.perFold.length} folds)`
    : '';
  console.log(`${s.model} ${s.mode} ${s.label}: accuracy ${s.meanAccuracy.toFixed(4)} ± ${s.stdAccuracy.toFixed(4)} over ${s.folds.length} fold(s)${partial}; dummy ${s.dummyMeanAccuracy.toFixed(4)}${probe}${chosen}`);
  console.log(`  per fold ${folds}`);
  console.log(`  → ${path.relative(process.cwd(), s.dir) || s.dir}`);
}

export const command: Command = {
  summary: 'leave-one-fold-out classification, clean or with gaps (CNN on 8 kHz waveforms, or --pretrained YAMNet)',
  usage: `lacuna classify [--pretrained] [--multiple] [--corrupt-train] [--corrupt-test] [--corruption-size N]
                [--gap-model single|multiple|packet-loss] [--loss-rate R] [--burst PACKETS] [options]

  --corrupt-train / --corrupt-test   corrupt the training / test folds (neither: NC, both: C_all)
  --corruption-size N  missing samples per clip for single/multiple (default 4000)
  --multiple           four fragments of N/4 (same as --gap-model multiple)
  --loss-rate R        packet loss: long-run fraction of lost 20 ms packets (default 0.1)
  --burst B            packet loss: mean burst length in packets (default 3)
${EXPERIMENT_FLAGS_HELP}

  Results: <output>/<model>/<mode>/<length>-<gap model>/ (NC: <model>/NC/clean/), resumable per fold;
  <output> is outputs/results/<dataset name> unless --output is given.`,
  async run(flags: Flags) {
    const f = readExperimentFlags(flags);
    const mode = modeFromFlags(flags);
    const gapModel = readGapModel(flags);
    const engine = await initEngine({ engine: f.engine });
    const e = await prepareExperiment(f);
    const { runCrossValidation } = await import('../../experiments/crossval');
    const [summary] = await runCrossValidation({ ...crossValOptions(f, e), runs: [{ mode, gapModel: mode === 'NC' ? undefined : gapModel }] });
    printSummary(summary);
    const name = e.modelName ?? e.provider.name;
    const { files } = writeOverview(e.root, name, { clipSamples: e.dataset.clipSamples });
    if (files.length) console.log(`overview of all ${name} runs → ${path.relative(process.cwd(), files[1])}`);
    if (engine.name === 'cpu') console.error('note: the cpu engine trains convolutions very slowly; prefer wasm or node');
    return 0;
  },
};
