/**
 * The reconstruction methods by name. An untrained method is built by `create`; a trained one
 * (the GAN, 'gan') has `train` instead, which fits it on the clips of the folds it is given —
 * never a test fold it will repair — and returns the reconstructor with a description of the
 * model for the manifest. runReconstruction calls `train` once per model of the fold scheme
 * (lib/reconstruct/folds.ts), then `repair`.
 */
import type { CachedDataset } from '../types';
import type { GapModel } from '../corrupt/gaps';
import { ParameterError } from '../util/errors';
import { DEFAULT_GRIFFIN_LIM_ITERATIONS } from '../audio/griffin-lim';
import { AR_DEFAULTS, arInpainting } from './ar';
import { EXEMPLAR_DEFAULTS, exemplarInpainting } from './exemplar';
import { CORPUS_DEFAULTS, trainCorpusExemplar } from './corpus';
import { trainGanMethod } from './gan-method';
import { DEFAULT_TRAIN_SECONDS } from './gan/config';
import { linearInterpolation } from './linear';
import { repeatContext } from './repeat';
import { zeroFill } from './zero';
import type { MethodOptions, Reconstructor, RepairDomain, TrainContext, TrainedMethod } from './types';

/** Options every factory understands (others ignore what they do not use). */
export interface MethodFactory {
  readonly name: string;
  readonly domain: RepairDomain;
  readonly summary: string;
  /** Which MethodOptions change its output (only these are recorded and compared between runs). */
  readonly options?: readonly (keyof MethodOptions)[];
  /** Fixed settings it runs with, recorded in manifests. */
  readonly settings?: Record<string, unknown>;
  /** Untrained methods: the reconstructor itself. */
  create?(options: MethodOptions): Reconstructor;
  /** Trained methods: fit on `trainFolds`, return the reconstructor. */
  train?(context: TrainContext, options: MethodOptions): Promise<TrainedMethod>;
}

const METHODS = new Map<string, MethodFactory>();

/** Adds a method (the GAN registers itself as 'gan'); a name is registered once. */
export function registerMethod(factory: MethodFactory): void {
  if (METHODS.has(factory.name)) throw new Error(`reconstruction method "${factory.name}" is registered twice`);
  if (!factory.create === !factory.train) throw new Error(`method "${factory.name}" needs exactly one of create and train`);
  const create = factory.create;
  // An untrained method's reconstructor carries its recipe, so lib/reconstruct/pool can build it in worker threads.
  METHODS.set(factory.name, create ? { ...factory, create: (o) => ({ ...create(o), recipe: { method: factory.name, options: { ...o } } }) } : factory);
}

registerMethod({ name: 'zero', domain: 'waveform', summary: 'zero fill (the corrupted clip as is)', create: () => zeroFill() });
registerMethod({
  name: 'linear', domain: 'mel', summary: 'linear interpolation across the gap in log-mel', options: ['griffinLimIterations'],
  create: (o) => linearInterpolation(o),
});
registerMethod({
  name: 'repeat', domain: 'mel', summary: 'repetition of the preceding context frames', options: ['griffinLimIterations'],
  create: (o) => repeatContext(o),
});
registerMethod({
  name: 'ar', domain: 'waveform', summary: 'least-squares AR inpainting of the waveform (Janssen)', settings: { ...AR_DEFAULTS },
  create: () => arInpainting(AR_DEFAULTS),
});
registerMethod({
  name: 'exemplar', domain: 'waveform', summary: "copies of the best-matching stretches of the clip's own audio, met with a crossfade",
  settings: { ...EXEMPLAR_DEFAULTS }, create: () => exemplarInpainting(EXEMPLAR_DEFAULTS),
});
registerMethod({
  name: 'corpus-exemplar', domain: 'waveform',
  summary: "exemplar whose fills may also come from the training folds' clips (the nearest few by band energies), never the test fold's",
  settings: { ...EXEMPLAR_DEFAULTS, ...CORPUS_DEFAULTS }, train: (context, options) => trainCorpusExemplar(context, options),
});
registerMethod({
  name: 'gan', domain: 'mel', summary: 'context-encoder GAN on the mel spectrogram (trained per fold-scheme model)',
  options: ['preset', 'trainSeconds', 'griffinLimIterations'],
  train: (context, options) => trainGanMethod(context, options),
});

/** What an option is when not given (the factories' own fallbacks). */
export const METHOD_OPTION_DEFAULTS: Readonly<MethodOptions> = { griffinLimIterations: DEFAULT_GRIFFIN_LIM_ITERATIONS, preset: 'default', trainSeconds: DEFAULT_TRAIN_SECONDS };

/**
 * The options that matter to a method, given or defaulted: what a manifest records. Defaults are
 * written out, so a run made by `lacuna reconstruct` (which names them) and one made by `lacuna
 * study` (which does not) are the same configuration. Records from before defaults were written
 * out are read through this too (see sameParameters).
 */
export function methodParameters(factory: MethodFactory, options: MethodOptions): Record<string, unknown> {
  const values = Object.fromEntries((factory.options ?? [])
    .map((k) => [k, options[k] ?? METHOD_OPTION_DEFAULTS[k]] as const)
    .filter(([, v]) => v !== undefined));
  return { ...(factory.settings ?? {}), ...values };
}

/** True when two recorded parameter sets of a method mean the same configuration (defaults filled in). */
export function sameParameters(method: string, a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const factory = getMethod(method);
  const canonical = (p: Record<string, unknown>) => {
    const filled: Record<string, unknown> = { ...p };
    for (const k of factory.options ?? []) if (filled[k] === undefined) filled[k] = METHOD_OPTION_DEFAULTS[k];
    return JSON.stringify(Object.keys(filled).sort().map((k) => [k, filled[k]]));
  };
  return canonical(a) === canonical(b);
}

export function methodNames(): string[] {
  return [...METHODS.keys()];
}

export function getMethod(name: string): MethodFactory {
  const m = METHODS.get(name);
  if (!m) throw new ParameterError(`unknown reconstruction method "${name}"; expected one of ${methodNames().join(', ')}`);
  return m;
}

/** An untrained method's reconstructor by name (ParameterError for a trained one). */
export function createMethod(name: string, options: MethodOptions = {}): Reconstructor {
  const m = getMethod(name);
  if (!m.create) throw new ParameterError(`method "${name}" must be trained first (see TrainContext)`);
  return m.create(options);
}
