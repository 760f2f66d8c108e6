export { initEngine, describeEngine } from './init';
export type { EngineInfo, EngineOptions } from './init';
export { resolveRequest, findTfjsNode, isEngineName, ENGINE_NAMES, TFJS_NODE } from './choose';
export type { EngineName, EngineRequest, NodeProbe } from './choose';
export { registerWasmKernels, useStockWasmKernels } from './kernels';
export { timeKernels } from './timing';
export type { KernelTime, KernelTimer } from './timing';
export { createParallelTrainer, defaultWorkerCount, shardSizes } from './parallel';
export type { ParallelTrainer, ParallelTrainerOptions, TrainStepResult } from './parallel';
