import type { GapModel } from './types';
import type { RunSpec } from './crossval';

/** Gap lengths of the reference's CNN grid (samples at 8 kHz). */
export const GRID_LENGTHS: readonly number[] = [250, 500, 1000, 2000, 4000, 8000];

export interface GridOptions {
  /** Gap lengths in samples. Default GRID_LENGTHS. */
  lengths?: readonly number[];
  /** Modes besides NC. Default C_tr, C_ts, C_all. */
  modes?: readonly ('C_tr' | 'C_ts' | 'C_all')[];
  /** Packet-loss settings added to the grid. Default 5 %, 10 %, 20 % with bursts of 3 packets. */
  packetLoss?: readonly { lossRate: number; meanBurstPackets: number }[];
}

/** The whole matrix: NC, then every mode x length x {single, multiple}, then packet loss. */
export function gridRuns(options: GridOptions = {}): RunSpec[] {
  const lengths = options.lengths ?? GRID_LENGTHS;
  const modes = options.modes ?? ['C_tr', 'C_ts', 'C_all'];
  const packetLoss = options.packetLoss ?? [
    { lossRate: 0.05, meanBurstPackets: 3 }, { lossRate: 0.1, meanBurstPackets: 3 }, { lossRate: 0.2, meanBurstPackets: 3 },
  ];
  const models: GapModel[] = [
    ...lengths.flatMap((gapSamples) => [{ kind: 'single', gapSamples } as const, { kind: 'multiple', gapSamples } as const]),
    ...packetLoss.map((p) => ({ kind: 'packet-loss', ...p }) as const),
  ];
  return [{ mode: 'NC' }, ...modes.flatMap((mode) => models.map((gapModel) => ({ mode, gapModel })))];
}
