/**
 * Entry of a YAMNet mel worker thread (started by yamnet-mel.ts; not a module to import): the
 * YAMNet mels of repaired clips, one job of clips per message.
 */
import { parentPort, workerData } from 'worker_threads';
import { reportError } from '../util/errors';
import type { PoolReply } from '../engine/worker-pool';
import { yamnetMelsOf } from './yamnet-mel';
import type { YamnetMelDone, YamnetMelRequest } from './yamnet-mel';

type Reply = PoolReply<object, YamnetMelDone>;

function serve(port: NonNullable<typeof parentPort>): void {
  port.on('message', (req: YamnetMelRequest & { id: number }) => {
    try {
      const done = yamnetMelsOf(req);
      port.postMessage({ kind: 'done', id: req.id, ...done } satisfies Reply, [done.mels.buffer as ArrayBuffer]);
    } catch (err) {
      port.postMessage({ kind: 'failed', id: req.id, error: reportError(err) } satisfies Reply);
    }
  });
  port.postMessage({ kind: 'ready' } satisfies Reply);
}

const init = workerData as { lacunaYamnetMelWorker?: true } | undefined;
if (parentPort && init?.lacunaYamnetMelWorker) serve(parentPort);
