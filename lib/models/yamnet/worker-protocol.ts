/**
 * The messages between the YAMNet worker pool (pool.ts) and its threads (worker.ts). They live
 * here, not in either side, so that neither imports the other: worker.ts loads the model
 * (model.ts), and model.ts stops the pool, which would otherwise close a circle.
 */
import type { InferenceName, TfjsEngineName } from '../../engine';
import type { PoolReply } from '../../engine/worker-pool';
import type { AnyBatchSettings } from './batch';

/** What pool.ts passes as workerData. */
export interface WorkerInit {
  lacunaYamnetWorker: true; modelPath: string; engine: TfjsEngineName; inference: InferenceName; emulateInt8: boolean;
}
/** `values`: waveforms [clips, clipSamples] or mel spectrograms [clips, frames, 64], as `settings` say. */
export interface WorkerRequest { id: number; values: Float32Array; settings: AnyBatchSettings }
/** A ready thread says which model it loaded (the pool refuses another) and on which engine. */
export interface WorkerReady { sha256: string; engine: string }
/** One embedded batch. */
export interface WorkerDone { embeddings: Float32Array; scores: Float32Array; badClips: number[] }
export type WorkerReply = PoolReply<WorkerReady, WorkerDone>;
