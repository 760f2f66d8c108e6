/**
 * Child process for the kill-and-resume test: trains a tiny GAN for many steps, checkpointing
 * after every step, until the parent kills it with SIGKILL. argv: checkpointDir.
 */
import { initEngine } from '../../lib/engine';
import { trainGan } from '../../lib/reconstruct/gan';
import { tinyMelClips } from './gan-tiny';

(async () => {
  await initEngine({ engine: 'wasm', quiet: true });
  await trainGan({
    clips: tinyMelClips(6, 30, 5), gapFrames: 4, preset: 'default', seed: 11, steps: 100_000, batchSize: 4,
    checkpointDir: process.argv[2], checkpointSeconds: 0, workers: 1, quiet: true,
  });
})();
