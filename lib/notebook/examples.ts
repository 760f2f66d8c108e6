/**
 * Example clips for a notebook's figures and players, chosen from the data instead of by class
 * name, so the same cell works on any dataset: per class, the clip with the most sound in it
 * (the fewest padded or silent samples), the earliest on a tie.
 */
import type { CachedDataset } from '../types';

/** Samples of a z-scored or raw row that are not silence or padding. */
function soundingSamples(row: Float32Array): number {
  let n = 0;
  for (let i = 0; i < row.length; i++) if (Math.abs(row[i]) > 1e-4) n++;
  return n;
}

/**
 * One row index per class that has a clip among the rows `keep` accepts (all by default), in class
 * order: the clip of that class with the most sound in it.
 */
export function exampleRows(dataset: Pick<CachedDataset, 'clips' | 'waveforms' | 'clipSamples' | 'classNames'>, keep: (row: number) => boolean = () => true): number[] {
  const best = new Map<number, { row: number; sounding: number }>();
  const L = dataset.clipSamples;
  dataset.clips.forEach((clip, row) => {
    if (!keep(row)) return;
    const sounding = soundingSamples(dataset.waveforms.subarray(row * L, (row + 1) * L));
    const known = best.get(clip.classIndex);
    if (!known || sounding > known.sounding) best.set(clip.classIndex, { row, sounding });
  });
  return dataset.classNames.map((_, k) => best.get(k)?.row).filter((r): r is number => r !== undefined);
}
