/**
 * Entry of a YAMNet worker thread (started by pool.ts; not a module to import). It starts its own
 * tfjs engine, loads the model file itself, then embeds batches of clips one message at a time.
 */
import { parentPort, workerData } from 'worker_threads';
import { initEngine } from '../../engine';
import type { EngineName } from '../../engine';
import { loadYamnet, Yamnet } from './model';
import { BatchSettings, embedBatch } from './batch';
import { PATCH_BANDS, PATCH_FRAMES } from './network';

/** What pool.ts passes as workerData. */
export interface WorkerInit { lacunaYamnetWorker: true; modelPath: string; engine: EngineName }
export interface WorkerRequest { id: number; waveforms: Float32Array; settings: BatchSettings }
export type WorkerReply =
  | { kind: 'ready'; sha256: string; engine: string }
  | { kind: 'fatal'; error: string }
  | { kind: 'done'; id: number; embeddings: Float32Array; badClips: number[] }
  | { kind: 'failed'; id: number; error: string };

async function serve(port: NonNullable<typeof parentPort>, init: WorkerInit): Promise<void> {
  let model: Yamnet;
  try {
    const engine = await initEngine({ engine: init.engine, quiet: true });
    model = loadYamnet({ path: init.modelPath, verifySha256: false });
    // The wasm backend prepares (packs) each layer's weights on first use; do it before the
    // first real batch so start-up cost is not counted as embedding time.
    await model.network.infer(new Float32Array(PATCH_FRAMES * PATCH_BANDS), 1);
    port.postMessage({ kind: 'ready', sha256: model.file.sha256, engine: engine.name } satisfies WorkerReply);
  } catch (err) {
    port.postMessage({ kind: 'fatal', error: (err as Error).message } satisfies WorkerReply);
    return;
  }
  // Batches are taken strictly one after another: the pool never sends a second before a reply.
  port.on('message', (req: WorkerRequest) => {
    embedBatch(model.network, req.waveforms, req.settings).then(
      (r) => port.postMessage({ kind: 'done', id: req.id, embeddings: r.embeddings, badClips: r.badClips } satisfies WorkerReply, [r.embeddings.buffer]),
      (err: Error) => port.postMessage({ kind: 'failed', id: req.id, error: err.message } satisfies WorkerReply),
    );
  });
}

const init = workerData as WorkerInit | undefined;
if (parentPort && init?.lacunaYamnetWorker) void serve(parentPort, init);
