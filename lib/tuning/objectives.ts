/**
 * The reference study's two tuning problems: the CNN on 8 kHz waveforms and the YAMNet head on
 * embeddings. Each names its search space (the reference's, overridable from a JSON file whose
 * dimensions are a subset of the known names), maps a point to the model's injectable
 * hyperparameters and trains with the reference's early stopping.
 */
import { ParameterError } from '../util/errors';
import { CnnHyperparameters, LACUNA_CNN, buildCnn } from '../models/cnn';
import { REFERENCE_YAMNET_HEAD, YamnetHeadHyperparameters, buildYamnetHead } from '../models/head';
import type { ModelFactory } from '../experiments/types';
import type { TrainingSettings } from '../experiments/train';
import { CNN_TRAINING_DEFAULTS } from '../experiments/cnn';
import { REFERENCE_CNN_VALIDATION } from '../experiments/train';
import { REFERENCE_YAMNET_HEAD_TRAINING } from '../experiments/yamnet-features';
import { encodePoint, validateSpace } from './space';
import type { Point, SearchSpace } from './types';

export type TunedModel = 'cnn' | 'yamnet';
export const TUNED_MODELS: readonly TunedModel[] = ['cnn', 'yamnet'];

/** The reference's CNN space: lr and L2 log-uniform in 1e-4..1e-1, dropout 0.2..0.5, widths as given. */
export const CNN_SPACE: SearchSpace = {
  dimensions: [
    { name: 'learningRate', kind: 'real', low: 1e-4, high: 1e-1, scale: 'log' },
    { name: 'l2', kind: 'real', low: 1e-4, high: 1e-1, scale: 'log' },
    { name: 'dropout', kind: 'real', low: 0.2, high: 0.5 },
    { name: 'conv1', kind: 'integer', low: 32, high: 64 },
    { name: 'conv2', kind: 'integer', low: 64, high: 128 },
    { name: 'conv3', kind: 'integer', low: 128, high: 256 },
    { name: 'dense1', kind: 'integer', low: 64, high: 128 },
    { name: 'dense2', kind: 'integer', low: 32, high: 64 },
  ],
};

/** The reference's YAMNet-head space: widths 2^(6..8) / 2^(5..6) / 2^(4..5), dropout 0.3..0.7, L2 1e-3..1e-1 (log). */
export const YAMNET_SPACE: SearchSpace = {
  dimensions: [
    { name: 'units1', kind: 'power-of-two', low: 64, high: 256 },
    { name: 'units2', kind: 'power-of-two', low: 32, high: 64 },
    { name: 'units3', kind: 'power-of-two', low: 16, high: 32 },
    { name: 'dropout', kind: 'real', low: 0.3, high: 0.7 },
    { name: 'l2', kind: 'real', low: 1e-3, high: 1e-1, scale: 'log' },
  ],
};

/** The point's values as the CNN's hyperparameters; names the space leaves out keep LACUNA_CNN's. */
export function cnnHyperparameters(p: Point): CnnHyperparameters {
  const n = (name: string, fallback: number) => (p[name] === undefined ? fallback : Number(p[name]));
  const b = LACUNA_CNN;
  return {
    learningRate: n('learningRate', b.learningRate), l2: n('l2', b.l2), dropout: n('dropout', b.dropout),
    convFilters: [n('conv1', b.convFilters[0]), n('conv2', b.convFilters[1]), n('conv3', b.convFilters[2])],
    denseUnits: [n('dense1', b.denseUnits[0]), n('dense2', b.denseUnits[1])],
  };
}

/** The point's values as the head's hyperparameters; names the space leaves out keep the reference head's. */
export function yamnetHyperparameters(p: Point): YamnetHeadHyperparameters {
  const n = (name: string, fallback: number) => (p[name] === undefined ? fallback : Number(p[name]));
  const b = REFERENCE_YAMNET_HEAD;
  return {
    units: [n('units1', b.units[0]), n('units2', b.units[1]), n('units3', b.units[2])],
    dropout: n('dropout', b.dropout), l2: n('l2', b.l2), learningRate: n('learningRate', b.learningRate),
  };
}

export interface ModelTuning {
  model: TunedModel;
  /** The reference's space. */
  space: SearchSpace;
  /** Dimension names a space file may use. */
  names: readonly string[];
  /** Training of every point (see MODEL_TUNING), before `trainingFor` adapts it to the point. */
  training: TrainingSettings;
  /** The point's training: the base with what the point sets in it (the CNN's peak learning rate). */
  trainingFor(p: Point, base: TrainingSettings): TrainingSettings;
  /** The untuned defaults as a point of the reference space: a study evaluates it first. */
  defaults: Point;
  /** lacuna's CNN and YAMnet-head paths differ in input scaling; recorded in the study's config. */
  inputScaling?: 'standardize';
  hyperparameters(p: Point): Record<string, unknown>;
  factory(p: Point): ModelFactory;
}

export const MODEL_TUNING: Readonly<Record<TunedModel, ModelTuning>> = {
  cnn: {
    model: 'cnn', space: CNN_SPACE, names: [...CNN_SPACE.dimensions.map((d) => d.name)],
    // lacuna's training (batch 32, warm-up + cosine, 10 epochs, best epoch kept) with the reference's early
    // stopping rule; the point's learning rate is the schedule's peak. At the reference's batch 128 and
    // constant rate, the few epochs a study can afford leave most points at chance (one class everywhere).
    training: { ...CNN_TRAINING_DEFAULTS, validation: { ...REFERENCE_CNN_VALIDATION, restoreBest: true } },
    trainingFor: (p, base) => (base.schedule?.kind === 'warmup-cosine' && p.learningRate !== undefined
      ? { ...base, schedule: { ...base.schedule, peak: Number(p.learningRate) } }
      : base),
    defaults: {
      learningRate: CNN_TRAINING_DEFAULTS.schedule?.kind === 'warmup-cosine' ? CNN_TRAINING_DEFAULTS.schedule.peak : LACUNA_CNN.learningRate,
      l2: LACUNA_CNN.l2, dropout: LACUNA_CNN.dropout,
      conv1: LACUNA_CNN.convFilters[0], conv2: LACUNA_CNN.convFilters[1], conv3: LACUNA_CNN.convFilters[2],
      dense1: LACUNA_CNN.denseUnits[0], dense2: LACUNA_CNN.denseUnits[1],
    },
    hyperparameters: (p) => ({ ...cnnHyperparameters(p) }),
    factory: (p) => ({ inputShape, numClasses, seed }) => buildCnn({ inputSamples: inputShape[0], numClasses, seed, hyperparameters: cnnHyperparameters(p) }),
  },
  yamnet: {
    // lacuna's YAMNet path: embeddings standardised with each fold's training rows.
    model: 'yamnet', space: YAMNET_SPACE, names: [...YAMNET_SPACE.dimensions.map((d) => d.name), 'learningRate'],
    training: REFERENCE_YAMNET_HEAD_TRAINING, inputScaling: 'standardize',
    trainingFor: (_p, base) => base,
    defaults: {
      units1: REFERENCE_YAMNET_HEAD.units[0], units2: REFERENCE_YAMNET_HEAD.units[1], units3: REFERENCE_YAMNET_HEAD.units[2],
      dropout: REFERENCE_YAMNET_HEAD.dropout, l2: REFERENCE_YAMNET_HEAD.l2,
    },
    hyperparameters: (p) => ({ ...yamnetHyperparameters(p) }),
    factory: (p) => ({ inputShape, numClasses, seed }) => buildYamnetHead({ inputSize: inputShape[0], numClasses, seed, hyperparameters: yamnetHyperparameters(p) }),
  },
};

/** A space for `model`: checks that every dimension is one the model knows (`where` names the file). */
export function checkModelSpace(model: TunedModel, space: SearchSpace, where: string): SearchSpace {
  validateSpace(space, where);
  const known = MODEL_TUNING[model].names;
  const unknown = space.dimensions.map((d) => d.name).filter((n) => !known.includes(n));
  if (unknown.length) throw new ParameterError(`${where}: ${model} has no hyperparameter ${unknown.join(', ')} (known: ${known.join(', ')})`);
  return space;
}

/** The model's defaults as a start point of `space`, when every dimension has a default inside it (else none). */
export function defaultsIn(model: TunedModel, space: SearchSpace): Point | undefined {
  const d = MODEL_TUNING[model].defaults;
  const point: Point = {};
  for (const dim of space.dimensions) {
    if (d[dim.name] === undefined) return undefined;
    point[dim.name] = d[dim.name];
  }
  try {
    encodePoint(space, point);
    return point;
  } catch {
    return undefined;
  }
}
