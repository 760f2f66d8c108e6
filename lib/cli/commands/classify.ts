import * as path from 'path';
import { Command } from '../main';
import { Flags } from '../args';
import { ENGINE_NAMES, initEngine, isEngineName } from '../../engine';
import { DATASET_KINDS, DatasetKind, loadCachedDataset, repoRoot } from '../../data';
import { ParameterError } from '../../util/errors';
import { YAMNET_HEAD_TRAINING, yamnetExperiment } from '../../experiments/yamnet-features';
import type { CachedDataset } from '../../types';
import type { GapModel } from '../../corrupt/gaps';
import {
  CNN_TRAINING_DEFAULTS, CorruptionMode, CrossValOptions, REFERENCE_CNN_VALIDATION, RunSummary, cnnExperiment, writeOverview,
} from '../../experiments';
import type { FeatureProvider, ModelFactory } from '../../experiments/types';

/** What a model path hands to runCrossValidation. */
interface Experiment { provider: FeatureProvider; modelFactory: ModelFactory; modelConfig: Record<string, unknown> }

export const EXPERIMENT_FLAGS_HELP = `
  --dataset KIND      ${DATASET_KINDS.join('|')} (default synthetic-urban)
  --root DIR          dataset folder (optional for synthetic-urban)
  --size tiny|default synthetic-urban size (default default)
  --epochs N          training epochs per fold (default ${CNN_TRAINING_DEFAULTS.epochs})
  --batch-size N      (default ${CNN_TRAINING_DEFAULTS.batchSize}; the reference used 128)
  --early-stopping    hold out a stratified 20 % and stop early (reference: patience 10, min delta 0.01, baseline 0.3)
  --seed N            seeds weights, shuffles, gaps and the dummy classifier (default 0)
  --folds 1,2         test folds to compute now (default all; the rest can be added later)
  --engine ${ENGINE_NAMES.join('|')}
  --output DIR        results root (default outputs/results; outputs/results-tiny for --size tiny,
                      outputs/results-<dataset> for other datasets)
  --overwrite         replace a saved run whose configuration differs
  --pretrained        YAMNet embeddings + dense head instead of the CNN (default epochs ${YAMNET_HEAD_TRAINING.epochs}, batch ${YAMNET_HEAD_TRAINING.batchSize})
  --yamnet PATH       YAMNet .tflite (default $LACUNA_YAMNET, then data/models/yamnet.tflite)`;

/** Flags shared by classify and grid, validated. */
export interface ExperimentFlags {
  pretrained: boolean;
  dataset: DatasetKind;
  root?: string;
  size?: 'tiny' | 'default';
  epochs: number;
  batchSize: number;
  earlyStopping: boolean;
  seed: number;
  folds?: number[];
  engine?: (typeof ENGINE_NAMES)[number];
  output: string;
  overwrite: boolean;
  /** YAMNet model file (--yamnet), else $LACUNA_YAMNET, else data/models/yamnet.tflite. */
  yamnet?: string;
}

/**
 * outputs/results for the built-in default dataset (what the notebooks read), and a folder per
 * other dataset, so runs on different data never collide in one results folder.
 */
export function defaultResultsRoot(dataset: DatasetKind, size?: string): string {
  const name = dataset === 'synthetic-urban' && size !== 'tiny' ? 'results' : `results-${dataset === 'synthetic-urban' ? 'tiny' : dataset}`;
  return path.join(repoRoot(), 'outputs', name);
}

function positiveInt(flags: Flags, name: string, fallback: number): number {
  const v = flags.number(name, fallback);
  if (!(Number.isInteger(v) && v >= 1)) throw new ParameterError(`--${name} must be an integer >= 1, got ${v}`);
  return v;
}

export function readExperimentFlags(flags: Flags): ExperimentFlags {
  const dataset = flags.string('dataset', 'synthetic-urban');
  if (!DATASET_KINDS.includes(dataset as DatasetKind)) throw new ParameterError(`--dataset must be one of ${DATASET_KINDS.join(', ')}; got "${dataset}"`);
  const size = flags.string('size');
  if (size !== undefined && size !== 'tiny' && size !== 'default') throw new ParameterError(`--size must be tiny or default; got "${size}"`);
  const engine = flags.string('engine');
  if (engine !== undefined && !isEngineName(engine)) throw new ParameterError(`--engine must be one of ${ENGINE_NAMES.join(', ')}; got "${engine}"`);
  const folds = flags.numbers('folds');
  const seed = flags.number('seed', 0);
  if (!Number.isInteger(seed)) throw new ParameterError(`--seed must be an integer, got ${seed}`);
  return {
    pretrained: flags.bool('pretrained'),
    dataset: dataset as DatasetKind,
    root: flags.string('root'),
    size: size as 'tiny' | 'default' | undefined,
    epochs: positiveInt(flags, 'epochs', flags.bool('pretrained') ? YAMNET_HEAD_TRAINING.epochs : CNN_TRAINING_DEFAULTS.epochs),
    batchSize: positiveInt(flags, 'batch-size', flags.bool('pretrained') ? YAMNET_HEAD_TRAINING.batchSize : CNN_TRAINING_DEFAULTS.batchSize),
    earlyStopping: flags.bool('early-stopping'),
    seed,
    folds,
    engine: engine as ExperimentFlags['engine'],
    output: path.resolve(flags.string('output', defaultResultsRoot(dataset as DatasetKind, size))),
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

function loadDataset(f: ExperimentFlags, sampleRate: number): CachedDataset {
  return loadCachedDataset({ kind: f.dataset, root: f.root, size: f.size, seed: 0, quiet: false }, sampleRate);
}

/** The model path: the CNN on 8 kHz waveforms, or (--pretrained) YAMNet embeddings at 16 kHz. */
export async function prepareExperiment(f: ExperimentFlags): Promise<Experiment & { dataset: CachedDataset }> {
  if (!f.pretrained) {
    const dataset = loadDataset(f, 8000);
    return { ...cnnExperiment(dataset), dataset };
  }
  const dataset = loadDataset(f, 16000);
  return { ...(await yamnetExperiment(dataset, { modelPath: f.yamnet })), dataset };
}

/** CrossValOptions from the shared flags (runs to be filled in by the caller). */
export function crossValOptions(f: ExperimentFlags, e: Experiment): Omit<CrossValOptions, 'runs'> {
  return {
    provider: e.provider, modelFactory: e.modelFactory, modelConfig: e.modelConfig,
    folds: f.folds, epochs: f.epochs, batchSize: f.batchSize, seed: f.seed, root: f.output, overwrite: f.overwrite,
    validation: f.earlyStopping ? { ...REFERENCE_CNN_VALIDATION, ...(f.pretrained ? { patience: 20, baseline: 0.5 } : {}) } : undefined,
  };
}

export function printSummary(s: RunSummary): void {
  const folds = s.perFold.map((p) => `${p.fold}:${p.accuracy.toFixed(3)}`).join(' ');
  const partial = s.foldsMissing.length ? ` (folds missing: ${s.foldsMissing.join(',')})` : '';
  console.log(`${s.model} ${s.mode} ${s.label}: accuracy ${s.meanAccuracy.toFixed(4)} ± ${s.stdAccuracy.toFixed(4)} over ${s.folds.length} fold(s)${partial}; dummy ${s.dummyMeanAccuracy.toFixed(4)}`);
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

  Results: <output>/<model>/<mode>/<length>-<gap model>/ (NC: <model>/NC/clean/), resumable per fold.`,
  async run(flags: Flags) {
    const f = readExperimentFlags(flags);
    const mode = modeFromFlags(flags);
    const gapModel = readGapModel(flags);
    const engine = await initEngine({ engine: f.engine });
    const e = await prepareExperiment(f);
    const { runCrossValidation } = await import('../../experiments/crossval');
    const [summary] = await runCrossValidation({ ...crossValOptions(f, e), runs: [{ mode, gapModel: mode === 'NC' ? undefined : gapModel }] });
    printSummary(summary);
    const { files } = writeOverview(f.output, e.provider.name, { clipSamples: e.dataset.clipSamples });
    if (files.length) console.log(`overview of all ${e.provider.name} runs → ${path.relative(process.cwd(), files[1])}`);
    if (engine.name === 'cpu') console.error('note: the cpu engine trains convolutions very slowly; prefer wasm or node');
    return 0;
  },
};
