/** Audio: WAV input/output, band-limited resampling, per-clip preprocessing, spectral features. */
export * from './io';
export * from './resample';
export * from './preprocess';
export * from './spectral';
export * from './filters';
export * from './griffin-lim';
