/**
 * How much of a clip the gaps took: the share of the clean clip's energy (sum of squares) that lies
 * in its gaps. A gap over the one bark of a clip takes nearly all of it; a gap in the silence
 * between events takes nothing. The gaps are the study's own: drawn as lib/corrupt and the
 * reconstruction runs draw them (drawGaps with clipRng(seed, clip id) on the clean 16 kHz clip), and
 * checked against the gaps a reconstruction run recorded (clips.csv) when one is given.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { CachedDataset } from '../types';
import { clipRng, gapMask } from '../corrupt/apply';
import { GapModel, drawGaps } from '../corrupt/gaps';
import { foldDir } from '../reconstruct/run';
import { parseCsvRecords } from '../util/csv';
import { check } from '../util/errors';

/**
 * Share of `clean`'s energy where `mask` is 1, in [0, 1]. A clip without energy (digital silence)
 * loses none of it: 0, so a silent clip never counts as one whose sound the gap removed.
 */
export function gapEnergyShare(clean: Float32Array, mask: Uint8Array): number {
  check(clean.length === mask.length, `the mask covers ${mask.length} samples, the clip has ${clean.length}`);
  let total = 0;
  let inGap = 0;
  for (let i = 0; i < clean.length; i++) {
    const e = clean[i] * clean[i];
    total += e;
    if (mask[i]) inGap += e;
  }
  return total > 0 ? inGap / total : 0;
}

/**
 * The gap energy share of each clip in `clipIds` under `gapModel` and `seed`, on `dataset` (the
 * study's clean 16 kHz clips: the reconstruction's gaps count samples at that rate).
 * `recordedRun`: a reconstruction run folder of these gaps, whose clips.csv must list the same gaps
 * for every clip it holds (a mismatch means the shares are not the study's).
 */
export function gapEnergyShares(
  dataset: CachedDataset, gapModel: GapModel, seed: number, clipIds: readonly string[], recordedRun?: string,
): Map<string, number> {
  const rowOf = new Map(dataset.clips.map((c, i) => [c.id, i]));
  const recorded = recordedRun ? recordedGaps(recordedRun) : new Map<string, string>();
  const len = dataset.clipSamples;
  const out = new Map<string, number>();
  for (const id of clipIds) {
    const row = rowOf.get(id);
    check(row !== undefined, `clip ${id} is not in the dataset ${dataset.name}`);
    const clean = dataset.waveforms.subarray(row * len, (row + 1) * len);
    const gaps = drawGaps(clean, dataset.sampleRate, gapModel, clipRng(seed, id));
    const stored = recorded.get(id);
    check(stored === undefined || stored === JSON.stringify(gaps),
      `${recordedRun}: clip ${id} was repaired with gaps ${stored}, seed ${seed} draws ${JSON.stringify(gaps)}`);
    out.set(id, gapEnergyShare(clean, gapMask(gaps, len)));
  }
  return out;
}

/** Clip id → its gaps as JSON, from every finished fold of a reconstruction run. */
function recordedGaps(runDir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!fs.existsSync(runDir)) return out;
  for (const name of fs.readdirSync(runDir)) {
    const fold = /^fold-(\d+)$/.exec(name);
    const file = fold && path.join(foldDir(runDir, Number(fold[1])), 'clips.csv');
    if (!file || !fs.existsSync(file)) continue;
    for (const r of parseCsvRecords(fs.readFileSync(file, 'utf8'))) out.set(r.id, r.gaps);
  }
  return out;
}
