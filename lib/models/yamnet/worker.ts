/**
 * Entry of a YAMNet worker thread (started by pool.ts; not a module to import). It starts its own
 * tfjs engine, loads the model file itself, then embeds batches of clips one message at a time.
 * The messages it exchanges with the pool are declared in worker-protocol.ts.
 */
import { parentPort, workerData } from 'worker_threads';
import { initEngine } from '../../engine';
import { loadYamnet, Yamnet } from './model';
import { embedAnyBatch, embedBatch } from './batch';
import { reportError } from '../../util/errors';
import type { WorkerInit, WorkerReply, WorkerRequest } from './worker-protocol';

/** The warm-up batch: embedRange's default batchClips of the datasets' 4 s clips at 16 kHz. */
const WARM_UP_CLIPS = 8;
const WARM_UP_CLIP_SAMPLES = 64000;

// tfjs stacks are deep: keep enough frames that lacuna's own show below tfjs's in a reported error.
Error.stackTraceLimit = Math.max(Error.stackTraceLimit, 50);

async function serve(port: NonNullable<typeof parentPort>, init: WorkerInit): Promise<void> {
  let model: Yamnet;
  try {
    const engine = await initEngine({ engine: init.engine, quiet: true });
    // One onnxruntime thread per worker: N workers use N cores, not N x cores.
    model = loadYamnet({ path: init.modelPath, verifySha256: false, emulateInt8: init.emulateInt8, inference: init.inference, threads: 1 });
    // Before the first real batch, one silent batch of the usual size (8 clips of 4 s): wasm
    // packs each layer's weights on first use, its heap grows to a 64-patch batch's activations
    // and V8 compiles the front end. Cold, a thread's first batches cost ~40 % more CPU per clip
    // (measured); warm, two threads use the same CPU per clip as one.
    const silence = new Float32Array(WARM_UP_CLIPS * WARM_UP_CLIP_SAMPLES);
    await embedBatch(model.network, silence, { clipSamples: WARM_UP_CLIP_SAMPLES, scaling: 'none' });
    port.postMessage({ kind: 'ready', sha256: model.file.sha256, engine: engine.name } satisfies WorkerReply);
  } catch (err) {
    port.postMessage({ kind: 'fatal', error: reportError(err) } satisfies WorkerReply);
    return;
  }
  // Batches are taken strictly one after another: the pool never sends a second before a reply.
  port.on('message', (req: WorkerRequest) => {
    embedAnyBatch(model.network, req.values, req.settings).then(
      (r) => port.postMessage(
        { kind: 'done', id: req.id, embeddings: r.embeddings, scores: r.scores, badClips: r.badClips } satisfies WorkerReply,
        [r.embeddings.buffer, r.scores.buffer],
      ),
      (err: unknown) => port.postMessage({ kind: 'failed', id: req.id, error: reportError(err) } satisfies WorkerReply),
    );
  });
}

const init = workerData as WorkerInit | undefined;
if (parentPort && init?.lacunaYamnetWorker) void serve(parentPort, init);
