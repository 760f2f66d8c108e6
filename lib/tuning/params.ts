/**
 * The result of a study as a file others use: the chosen point's full hyperparameters and the
 * training it was scored with. `lacuna classify --params FILE` / `lacuna grid --params FILE` train
 * with them, record them in the run's config and keep such runs in their own results folder.
 */
import * as fs from 'fs';
import * as path from 'path';
import { writeJsonAtomic } from '../util/atomic';
import { ParameterError } from '../util/errors';
import { configHash } from '../util/owned-dir';
import type { TrainingSettings } from '../experiments/train';
import { outputDir } from '../data/paths';
import type { ObjectiveKind, TrialRecord } from './types';
import { TUNED_MODELS, TunedModel } from './objectives';

export interface ParamsFile {
  kind: 'lacuna-params';
  model: TunedModel;
  /** Merged over the model's defaults (CnnHyperparameters / YamnetHeadHyperparameters). */
  hyperparameters: Record<string, unknown>;
  training: TrainingSettings;
  inputScaling: 'standardize' | 'none';
  /** Where the point came from. */
  source: {
    study: string; trial: number; objective: ObjectiveKind; optimistic: boolean;
    score: number; validationMean: number; testMean: number; folds: number[]; datasetFingerprint: string;
  };
}

/** Where a study's best point is written: `<study>/best-params.json`. */
export function paramsFileOf(studyDir: string): string {
  return path.join(studyDir, 'best-params.json');
}

/** Default study folder: `<outputs>/tuning/<dataset>/<model>-<objective>[-random]`. */
export function defaultStudyDir(datasetName: string, model: TunedModel, objective: ObjectiveKind, method: 'smbo' | 'random' = 'smbo'): string {
  return path.join(outputDir(), 'tuning', datasetName, `${model}-${objective}${method === 'random' ? '-random' : ''}`);
}

export function paramsFromTrial(
  model: TunedModel, trial: TrialRecord, hyperparameters: Record<string, unknown>, training: TrainingSettings,
  inputScaling: 'standardize' | undefined, study: string, datasetFingerprint: string,
): ParamsFile {
  return {
    kind: 'lacuna-params', model, hyperparameters, training, inputScaling: inputScaling ?? 'none',
    source: {
      study, trial: trial.index, objective: trial.objective, optimistic: trial.optimistic, score: trial.score,
      validationMean: trial.validation.mean, testMean: trial.test.mean, folds: trial.folds, datasetFingerprint,
    },
  };
}

export function writeParams(file: string, params: ParamsFile): void {
  writeJsonAtomic(file, params);
}

/** Reads and checks a params file; `model` (when given) must match its model. Errors name the file. */
export function readParams(file: string, model?: TunedModel): ParamsFile {
  if (!fs.existsSync(file)) throw new ParameterError(`--params: ${file} does not exist`);
  let p: ParamsFile;
  try {
    p = JSON.parse(fs.readFileSync(file, 'utf8')) as ParamsFile;
  } catch (err) {
    throw new ParameterError(`--params: ${file} is not valid JSON (${(err as Error).message})`);
  }
  if (p?.kind !== 'lacuna-params') throw new ParameterError(`--params: ${file} is not a lacuna parameters file (written by lacuna tune as best-params.json)`);
  if (!TUNED_MODELS.includes(p.model)) throw new ParameterError(`--params: ${file} names an unknown model "${String(p.model)}"`);
  if (model && p.model !== model) throw new ParameterError(`--params: ${file} holds ${p.model} parameters, but this run trains the ${model}${model === 'cnn' ? ' (add --pretrained for YAMNet)' : ' (drop --pretrained for the CNN)'}`);
  if (typeof p.hyperparameters !== 'object' || !p.training || !(p.training.epochs >= 1) || !(p.training.batchSize >= 1)) {
    throw new ParameterError(`--params: ${file} lacks hyperparameters or training settings (epochs, batchSize)`);
  }
  return p;
}

/** Results name of runs trained with a params file (`cnn-tuned-1a2b3c4d`), so they never share a folder with other settings. */
export function paramsModelName(base: string, p: ParamsFile): string {
  return `${base}-tuned-${configHash({ hyperparameters: p.hyperparameters, training: p.training, inputScaling: p.inputScaling })}`;
}

/**
 * An experiment (what runCrossValidation takes) trained with a params file: its contents are recorded in
 * the model's config, so a run with other params is never mixed in, and results go to their own
 * `<model>-tuned-<hash>` folder.
 */
export function withParams<E extends { modelConfig: Record<string, unknown>; provider: { name: string } }>(e: E, params: ParamsFile): E & { modelName: string } {
  // The contents, not the file's path: a copy of the file elsewhere names the same run.
  const { file: _path, ...contents } = params as ParamsFile & { file?: string };
  return { ...e, modelConfig: { ...e.modelConfig, params: contents }, modelName: paramsModelName(e.provider.name, contents) };
}

/** The best point of the default study of `model` on a dataset, if one has been run (what notebooks pick up). */
export function findStudyParams(datasetName: string, model: TunedModel, objective: ObjectiveKind = 'validation'): (ParamsFile & { file: string }) | undefined {
  const file = paramsFileOf(defaultStudyDir(datasetName, model, objective));
  return fs.existsSync(file) ? { ...readParams(file, model), file } : undefined;
}
