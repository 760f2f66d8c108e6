/**
 * Entry of a repair worker thread (started by pool.ts; not a module to import). It builds the
 * reconstructor its recipe names, then repairs one clip per message, in the order they come.
 */
import { parentPort, workerData } from 'worker_threads';
import { reportError } from '../util/errors';
import type { PoolReply } from '../engine/worker-pool';
import type { Gap } from '../corrupt/gaps';
import { createMethod } from './methods';
import { corpusExemplarOf } from './corpus';
import type { RepairRecipe } from './types';

/** What pool.ts passes as workerData. */
export interface RepairWorkerInit { lacunaRepairWorker: true; recipe: RepairRecipe }
export interface RepairWorkerRequest { id: number; corrupted: Float32Array; sampleRate: number; gaps: Gap[] }
/** A repaired clip, as the thread sends it back. */
export interface RepairWorkerDone { mel: Float32Array; frames: number; nMels: number; waveform?: Float32Array; notes: string[] }
export type RepairWorkerReply = PoolReply<object, RepairWorkerDone>;

function serve(port: NonNullable<typeof parentPort>, init: RepairWorkerInit): void {
  let method: ReturnType<typeof createMethod>;
  try {
    const { corpus } = init.recipe;
    method = corpus ? corpusExemplarOf(corpus.waveforms, corpus.clipSamples) : createMethod(init.recipe.method, init.recipe.options);
  } catch (err) {
    port.postMessage({ kind: 'fatal', error: reportError(err) } satisfies RepairWorkerReply);
    return;
  }
  port.on('message', (req: RepairWorkerRequest) => {
    Promise.resolve()
      .then(() => method.repair({ corrupted: req.corrupted, sampleRate: req.sampleRate, gaps: req.gaps }))
      .then(
        (out) => {
          const transfer = [...new Set([out.mel.data.buffer, ...(out.waveform ? [out.waveform.buffer] : [])])] as ArrayBuffer[];
          const { mel, waveform, notes } = out;
          const reply: RepairWorkerReply = { kind: 'done', id: req.id, mel: mel.data, frames: mel.frames, nMels: mel.nMels, waveform, notes };
          port.postMessage(reply, transfer);
        },
        (err: unknown) => port.postMessage({ kind: 'failed', id: req.id, error: reportError(err) } satisfies RepairWorkerReply),
      );
  });
  port.postMessage({ kind: 'ready' } satisfies RepairWorkerReply);
}

const init = workerData as RepairWorkerInit | undefined;
if (parentPort && init?.lacunaRepairWorker) serve(parentPort, init);
