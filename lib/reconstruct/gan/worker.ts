/**
 * One replica of the data-parallel GAN trainer (trainer.ts): holds both networks and both
 * optimizers on the wasm engine, computes a shard's gradients and applies the averaged ones the
 * main thread sends back, so every replica stays bit-identical. Started through
 * lib/engine/parallel-pool (its request/reply protocol: 'ready', then 'done'/'failed' per id).
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../engine/init';
import { reportError } from '../../util/errors';
import { GanSnapshot, netsFromSnapshot, snapshotNets } from './snapshot';
import { GanBatch, GanNets, applyFlatGradients, flatten, stepGradients } from './step';

export interface GanReplicaInit {
  lacunaParallelReplica: true;
  index: number;
  /** The pool passes its `artifacts` field through: here, the GAN snapshot. */
  artifacts: GanSnapshot;
}

export type GanReplicaRequest =
  | { id: number; kind: 'gradients'; batch: GanBatch }
  | { id: number; kind: 'apply'; g: Float32Array; d: Float32Array }
  | { id: number; kind: 'snapshot' };

async function serve(port: NonNullable<typeof parentPort>, init: GanReplicaInit): Promise<void> {
  let nets: GanNets;
  try {
    await initEngine({ engine: 'wasm', quiet: true });
    nets = await netsFromSnapshot(init.artifacts);
    port.postMessage({ kind: 'ready', engine: 'wasm', parameters: 0 });
  } catch (err) {
    port.postMessage({ kind: 'fatal', error: reportError(err) });
    return;
  }
  let queue = Promise.resolve();
  port.on('message', (req: GanReplicaRequest) => {
    queue = queue.then(async () => {
      try {
        if (req.kind === 'gradients') {
          const t0 = performance.now();
          const grads = stepGradients(nets, req.batch);
          const g = flatten(grads.g);
          const d = flatten(grads.d);
          tf.dispose([...grads.g, ...grads.d]);
          const shard = { rows: req.batch.rows, losses: grads.losses, g, d, computeMs: performance.now() - t0 };
          port.postMessage({ kind: 'done', id: req.id, shard }, [g.buffer, d.buffer]);
        } else if (req.kind === 'apply') {
          applyFlatGradients(nets, req.g, req.d);
          port.postMessage({ kind: 'done', id: req.id });
        } else {
          const snapshot = await snapshotNets(nets);
          port.postMessage({ kind: 'done', id: req.id, snapshot });
        }
      } catch (err) {
        port.postMessage({ kind: 'failed', id: req.id, error: reportError(err) });
      }
    });
  });
}

const init = workerData as GanReplicaInit | undefined;
if (parentPort && init?.lacunaParallelReplica) void serve(parentPort, init);
