/**
 * Flags lacuna used to take, and what they are now. An old name is an error that names the new
 * one (in the commands that have it); it is never read as the new one, so a script written for
 * the old grammar stops instead of running on settings its author did not mean.
 */
import type { RenamedFlag } from '../../util/options';
import { DATASET_RENAMED } from '../../data/flags';

export const RENAMED_FLAGS: readonly RenamedFlag[] = [
  // One name for how much is missing: one value, or a list.
  { from: 'corruption-size', to: 'gap-length' },
  { from: 'lengths', to: 'gap-lengths' },
  // One dialect of packet loss: --loss-rate R (one run) or --loss-rates R,R (grid, study).
  { from: 'packet-loss', to: 'loss-rates' },
  { from: 'no-packet-loss', to: 'loss-rates', hint: '--no-packet-loss is now --loss-rates none' },
  // --preset is the training preset (classify, grid); the GAN's architecture has its own name.
  {
    from: 'preset', to: 'gan-preset',
    hint: 'the GAN\'s architecture is --gan-preset; --preset is the training preset of classify and grid',
  },
  // Tuning points handed out at a time on the queue: one name in tune and study.
  { from: 'batch', to: 'tune-batch', hint: '--batch is now --tune-batch (tuning points at a time)' },
  ...DATASET_RENAMED,
];
