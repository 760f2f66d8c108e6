/**
 * One replica of a data-parallel trainer (see parallel.ts). Holds its own copy of the model on
 * the wasm engine; computes a shard's gradients on request and applies the averaged gradients
 * the main thread sends back, so every replica stays bit-identical.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type * as tf from '@tensorflow/tfjs';
import type { ModelArtifacts, ShardResult } from './parallel-step';
import { applyFlatGradients, modelArtifacts, modelFromArtifacts, predictRows, setLearningRate, shardGradients } from './parallel-step';
import { initEngine } from './init';
import { Rng } from '../util/rng';
import { ErrorReport, reportError } from '../util/errors';

export interface ReplicaInit {
  lacunaParallelReplica: true;
  index: number;
  artifacts: ModelArtifacts;
  /** Seeds this thread's Math.random (dropout layers without their own seed draw from it). */
  seed?: number;
  /** Modules to require before building the model: the ones registering its custom layers (parallel.ts). */
  modules?: string[];
}

export type ReplicaRequest =
  | { id: number; kind: 'gradients'; x: Float32Array; y: Float32Array; rows: number }
  | { id: number; kind: 'apply'; grads: Float32Array; learningRate?: number }
  | { id: number; kind: 'predict'; x: Float32Array; rows: number }
  | { id: number; kind: 'weights' };

export type ReplicaReply =
  | { kind: 'ready'; engine: string; parameters: number }
  | { kind: 'fatal'; error: ErrorReport }
  | { kind: 'done'; id: number; shard?: ShardResult; output?: Float32Array; artifacts?: ModelArtifacts }
  | { kind: 'failed'; id: number; error: ErrorReport };

// tfjs stacks are deep: keep enough frames that lacuna's own show below tfjs's in a reported error.
Error.stackTraceLimit = Math.max(Error.stackTraceLimit, 50);

async function serve(port: NonNullable<typeof parentPort>, init: ReplicaInit): Promise<void> {
  let model: tf.LayersModel;
  try {
    if (init.seed !== undefined) seedMathRandom(init.seed, init.index);
    for (const file of init.modules ?? []) require(file);
    const engine = await initEngine({ engine: 'wasm', quiet: true });
    model = await modelFromArtifacts(init.artifacts);
    decorrelateDropout(model, init.index);
    const parameters = model.trainableWeights.reduce((n, w) => n + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
    port.postMessage({ kind: 'ready', engine: engine.name, parameters } satisfies ReplicaReply);
  } catch (err) {
    port.postMessage({ kind: 'fatal', error: reportError(err) } satisfies ReplicaReply);
    return;
  }
  // Requests are handled strictly in arrival order: an 'apply' always lands before the next step.
  let queue = Promise.resolve();
  port.on('message', (req: ReplicaRequest) => {
    queue = queue.then(async () => {
      try {
        if (req.kind === 'gradients') {
          const shard = shardGradients(model, req.x, req.y, req.rows);
          port.postMessage({ kind: 'done', id: req.id, shard } satisfies ReplicaReply, [shard.grads.buffer]);
        } else if (req.kind === 'apply') {
          if (req.learningRate !== undefined) setLearningRate(model, req.learningRate);
          applyFlatGradients(model, req.grads);
          port.postMessage({ kind: 'done', id: req.id } satisfies ReplicaReply);
        } else if (req.kind === 'predict') {
          const output = predictRows(model, req.x, req.rows);
          port.postMessage({ kind: 'done', id: req.id, output } satisfies ReplicaReply, [output.buffer]);
        } else {
          const artifacts = await modelArtifacts(model);
          const transfer = artifacts.weightData instanceof ArrayBuffer ? [artifacts.weightData] : [];
          port.postMessage({ kind: 'done', id: req.id, artifacts } satisfies ReplicaReply, transfer);
        }
      } catch (err) {
        port.postMessage({ kind: 'failed', id: req.id, error: reportError(err) } satisfies ReplicaReply);
      }
    });
  });
}

/** A layer whose random draws must differ between replicas (models/layers' SeededDropout). */
interface ReplicaSeeded { reseedForReplica(index: number): void }

/** Lets every layer that draws its own randomness derive replica `index`'s seed (replica 0 keeps the model's). */
export function decorrelateDropout(model: tf.LayersModel, index: number): void {
  for (const layer of model.layers) {
    const reseed = (layer as unknown as Partial<ReplicaSeeded>).reseedForReplica;
    if (typeof reseed === 'function') reseed.call(layer, index);
  }
}

/** Reproducible unseeded dropout masks, a different stream per replica. */
function seedMathRandom(seed: number, index: number): void {
  const rng = new Rng(seed).fork(`replica-${index}`);
  Math.random = () => rng.uniform();
}

const init = workerData as ReplicaInit | undefined;
if (parentPort && init?.lacunaParallelReplica) void serve(parentPort, init);
