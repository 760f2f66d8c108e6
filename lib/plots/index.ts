/** Figure builders (plain Plotly data) and their HTML rendering. */
export * from './figure';
export * from './html';
export * from './table';
export * from './training';
export * from './audio';
export * from './results';
export * from './yamnet';
export * from './reconstruct';
export * from './tuning';
export * from './headline';
export * from './recoverability';
