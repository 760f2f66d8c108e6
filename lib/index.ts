/**
 * lacuna's public API, one namespace per stage of the pipeline:
 * `import * as lacuna from '../dist'` then `lacuna.data.createDataset(...)`, `lacuna.engine.initEngine()`…
 */
export * as engine from './engine';
export * as audio from './audio';
export * as data from './data';
export * as corrupt from './corrupt';
export * as experiments from './experiments';
export * as yamnet from './models/yamnet';
export * as notebook from './notebook';
export * as plots from './plots';
export * as reconstruct from './reconstruct';
export * as tuning from './tuning';
export * as gan from './reconstruct/gan';
export { buildCnn, REFERENCE_CNN } from './models/cnn';
export type { CnnHyperparameters, CnnOptions } from './models/cnn';
export { buildYamnetHead } from './models/head';
export { trainTinyModel } from './models/tiny';
export * from './types';
export { LacunaError, ParameterError, AudioFileError, DatasetError, ModelError, ConfigMismatchError } from './util/errors';
export { Rng } from './util/rng';

export const VERSION: string = (require('../package.json') as { version: string }).version;
