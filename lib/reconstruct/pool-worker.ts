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
import type { Reconstructor, RepairRecipe } from './types';

/** What pool.ts passes as workerData. */
export interface RepairWorkerInit { lacunaRepairWorker: true; recipe: RepairRecipe }
export interface RepairWorkerRequest { id: number; corrupted: Float32Array; sampleRate: number; gaps: Gap[] }
/** A repaired clip, as the thread sends it back. */
export interface RepairWorkerDone { mel: Float32Array; frames: number; nMels: number; waveform?: Float32Array; notes: string[] }
export type RepairWorkerReply = PoolReply<object, RepairWorkerDone>;

async function build(recipe: RepairRecipe): Promise<Reconstructor> {
  const { corpus, checkpoint } = recipe;
  if (corpus) return corpusExemplarOf(corpus.waveforms, corpus.clipSamples);
  // A trained GAN: tfjs is loaded only in threads that repair with one (require, not import():
  // a thread started under tsx registers only its CommonJS hook).
  if (checkpoint) return (require('./gan-method') as typeof import('./gan-method')).maskedGanFromCheckpoint(checkpoint, recipe.options);
  return createMethod(recipe.method, recipe.options);
}

async function serve(port: NonNullable<typeof parentPort>, init: RepairWorkerInit): Promise<void> {
  let method: Reconstructor;
  try {
    method = await build(init.recipe);
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
if (parentPort && init?.lacunaRepairWorker) void serve(parentPort, init);
