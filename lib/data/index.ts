/**
 * Datasets: adapters for UrbanSound8K, ESC-50, manifest CSVs and class folders; the built-in
 * synthetic-urban generator; stratified folds; dataset names and class indices; and the per-rate
 * cache that experiments load.
 */
export * from './adapters';
export * from './cache';
export * from './classes';
export * from './folds';
export * from './name';
export * from './paths';
export * from './process';
export * from './subset';
export * from './synthetic';
export { SYNTHETIC_DESIGN, URBAN_CLASSES } from './synthetic-classes';
export * from './inventory';
