/**
 * Could a repair have won the clip back? The headline's recovered fraction is a net over clips;
 * this breaks it down. A clip is *lost* to a gap model when the clean-trained model gets it right on
 * clean audio (NC) and wrong with the gaps (`<mode>-zero`, whose gaps are the reconstruction's by
 * construction). Lost clips are binned by the share of the clean clip's energy their gap removed
 * (gap-energy.ts): a gap that took the whole sound event (one bark, one knock) leaves a repair
 * from the rest of the clip nothing of the class to copy or continue. Per bin and method: the lost
 * clips, those the repair got right again, and their share; per gap model the same for the lost
 * clips whose gap held half or more of the energy and for the others, and each method's *broken*
 * clips (right corrupted, wrong repaired), which the headline's net accuracy subtracts.
 * Only the study's own files are read (predictions.csv of each run), so it holds for any dataset.
 * Written as recoverability-<mode>.{json,csv} beside the headline.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { CachedDataset } from '../types';
import { readJsonIfExists, writeFileAtomic, writeJsonAtomic } from '../util/atomic';
import { parseCsvRecords, toCsv } from '../util/csv';
import { ParameterError, check } from '../util/errors';
import { reconstructRunDir } from '../reconstruct/run';
import { gapEnergyShares } from './gap-energy';
import { loadRunSummaries } from './results';
import { REPAIRED_MODE } from './repaired';
import { runDir } from './store';
import { runModeName } from './types';
import type { GapModel, Recoverability, RecoverabilityGroup, RecoverabilityLength, RepairMode, RunSummary } from './types';

/** Lower edges of the energy-share bins after 0: < 25 %, 25–50 %, 50–75 %, ≥ 75 %. */
export const ENERGY_BINS: readonly number[] = [0.25, 0.5, 0.75];

/** Share of the clip's energy from which a gap counts as having taken most of the sound. */
export const HALF_ENERGY = 0.5;

const percent = (x: number) => `${Math.round(x * 100)} %`;

/** Names of the bins ENERGY_BINS makes: `< 25 %`, `25–50 %`, …, `≥ 75 %`. */
export function energyBinNames(edges: readonly number[] = ENERGY_BINS): string[] {
  const middle = edges.slice(1).map((e, i) => `${percent(edges[i])}–${percent(e)}`);
  return [`< ${percent(edges[0])}`, ...middle, `≥ ${percent(edges[edges.length - 1])}`];
}

/** Index of the bin holding `share` (edges ascending; a share on an edge goes to the bin above). */
export function energyBin(share: number, edges: readonly number[] = ENERGY_BINS): number {
  let b = 0;
  while (b < edges.length && share >= edges[b]) b++;
  return b;
}

/** One clip's result in a run: its fold and whether the prediction was right. */
export interface ClipResult { fold: number; correct: boolean }

/** A run's predictions.csv as clip id → result; undefined when the run has none. */
export function readClipResults(dir: string): Map<string, ClipResult> | undefined {
  const file = path.join(dir, 'predictions.csv');
  if (!fs.existsSync(file)) return undefined;
  const out = new Map<string, ClipResult>();
  for (const r of parseCsvRecords(fs.readFileSync(file, 'utf8'))) {
    check(r.correct === '0' || r.correct === '1', `${file}: clip ${r.clip_id} has correct = "${r.correct}", expected 0 or 1`);
    out.set(r.clip_id, { fold: Number(r.fold), correct: r.correct === '1' });
  }
  return out;
}

/** The lost clips of one gap model, with their energy share, and each method's results. */
export interface LostClipsInput {
  label: string;
  gapSamples: number;
  /** Clip id → share of its energy in the gap, for every clip scored clean and corrupted. */
  shares: Map<string, number>;
  clean: Map<string, ClipResult>;
  corrupted: Map<string, ClipResult>;
  repaired: Record<string, Map<string, ClipResult>>;
}

function group(name: string, ids: string[], methods: string[], repaired: LostClipsInput['repaired']): RecoverabilityGroup {
  const byMethod: RecoverabilityGroup['byMethod'] = {};
  for (const m of methods) {
    const scored = ids.filter((id) => repaired[m].has(id));
    const recovered = scored.filter((id) => repaired[m].get(id)!.correct).length;
    byMethod[m] = { lost: scored.length, recovered, share: scored.length ? recovered / scored.length : NaN };
  }
  return { name, lost: ids.length, byMethod };
}

/** The breakdown of one gap model (pure: the runs' results and the shares in, the tables out). */
export function recoverabilityOfLength(input: LostClipsInput, edges: readonly number[] = ENERGY_BINS): RecoverabilityLength {
  const { shares, clean, corrupted, repaired } = input;
  const methods = Object.keys(repaired).sort();
  const scored = [...shares.keys()].filter((id) => clean.has(id) && corrupted.has(id));
  const lost = scored.filter((id) => clean.get(id)!.correct && !corrupted.get(id)!.correct);
  const names = energyBinNames(edges);
  const binned = names.map(() => [] as string[]);
  for (const id of lost) binned[energyBin(shares.get(id)!, edges)].push(id);
  const isHalf = (id: string) => shares.get(id)! >= HALF_ENERGY;
  const changes: RecoverabilityLength['changes'] = {};
  for (const m of methods) {
    const both = scored.filter((id) => repaired[m].has(id));
    const after = (id: string) => repaired[m].get(id)!.correct;
    const before = (id: string) => corrupted.get(id)!.correct;
    changes[m] = {
      broken: both.filter((id) => before(id) && !after(id)).length,
      alsoFixed: both.filter((id) => !before(id) && !clean.get(id)!.correct && after(id)).length,
      net: both.filter(after).length - both.filter(before).length,
    };
  }
  return {
    label: input.label, gapSamples: input.gapSamples,
    clips: scored.length, clipsHalfEnergy: scored.filter(isHalf).length, lost: lost.length,
    bins: names.map((name, b) => group(name, binned[b], methods, repaired)),
    halfEnergy: group(`≥ ${percent(HALF_ENERGY)}`, lost.filter(isHalf), methods, repaired),
    lessThanHalf: group(`< ${percent(HALF_ENERGY)}`, lost.filter((id) => !isHalf(id)), methods, repaired),
    all: group('all', lost, methods, repaired),
    changes,
    lostClips: lost.map((id) => ({
      clipId: id, fold: clean.get(id)!.fold, energyShare: shares.get(id)!,
      recoveredBy: methods.filter((m) => repaired[m].get(id)?.correct === true),
    })),
  };
}

/** The zero run's config: the seed its gaps were drawn from, and where its reconstructions are. */
interface ZeroRunConfig { corruptionSeed?: number; seed?: number; repair?: { source?: { reconstructionRoot?: string } } }

/**
 * The recoverability of one model's repaired runs under `<root>/<model>/` (a finished study):
 * every gap model with a `<mode>-zero` run and at least one repair. `dataset`: the study's clean
 * 16 kHz clips (loadCachedDataset(…, 16000)). Gaps are those of the seed the zero run records.
 */
export function recoverabilityOf(root: string, model: string, dataset: CachedDataset, mode: RepairMode = 'R_ts'): Recoverability {
  check(dataset.sampleRate === 16000,
    `the gap energy is measured on the 16 kHz clips the repairs start from, got ${dataset.sampleRate} Hz`);
  const cleanDir = runDir(root, model, 'NC', 'clean');
  const clean = readClipResults(cleanDir);
  if (!clean) throw new ParameterError(`${cleanDir}/predictions.csv not found: the clean run (NC) of ${model} is needed`);
  const base = REPAIRED_MODE[mode];
  const runs = loadRunSummaries(root, model).filter((s) => s.mode === base && s.repair && s.gapModel);
  const dirOf = (s: RunSummary) => path.join(root, model, runModeName(s), s.label);
  const methods = [...new Set(runs.map((s) => s.repair!))].filter((m) => m !== 'zero').sort();
  const samples = (g: GapModel) => ('gapSamples' in g ? g.gapSamples : 0);
  const zeros = runs.filter((s) => s.repair === 'zero')
    .sort((a, b) => (samples(a.gapModel!) || Infinity) - (samples(b.gapModel!) || Infinity) || a.label.localeCompare(b.label));
  let seed: number | undefined;
  const lengths: RecoverabilityLength[] = [];
  for (const zero of zeros) {
    const corrupted = readClipResults(dirOf(zero));
    const repaired: Record<string, Map<string, ClipResult>> = {};
    for (const s of runs.filter((r) => r.label === zero.label && r.repair !== 'zero')) {
      const results = readClipResults(dirOf(s));
      if (results) repaired[s.repair!] = results;
    }
    if (!corrupted || Object.keys(repaired).length === 0) continue;
    const config = readJsonIfExists<ZeroRunConfig>(path.join(dirOf(zero), 'config.json')) ?? {};
    const runSeed = config.corruptionSeed ?? config.seed;
    check(runSeed !== undefined, `${dirOf(zero)}/config.json records no seed for its gaps`);
    check(seed === undefined || seed === runSeed, `${model}'s runs use the gap seeds ${seed} and ${runSeed}: one study has one`);
    seed = runSeed;
    const reconstructionRoot = config.repair?.source?.reconstructionRoot;
    const recorded = reconstructionRoot ? reconstructRunDir(reconstructionRoot, 'zero', zero.gapModel!, runSeed) : undefined;
    const ids = [...clean.keys()].filter((id) => corrupted.has(id));
    const shares = gapEnergyShares(dataset, zero.gapModel!, runSeed, ids, recorded);
    lengths.push(recoverabilityOfLength({ label: zero.label, gapSamples: samples(zero.gapModel!), shares, clean, corrupted, repaired }));
  }
  return { model, mode, seed: seed ?? NaN, methods, corruptedRun: `${mode}-zero`, binEdges: [...ENERGY_BINS], lengths };
}

/** The breakdown as table rows: per gap model, group and method (lost, recovered, share) and the method's changes. */
export function recoverabilityRows(r: Recoverability): Record<string, string | number>[] {
  const rows: Record<string, string | number>[] = [];
  const fixed = (x: number, digits: number) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : 'n/a');
  for (const l of r.lengths) {
    const groups: [string, RecoverabilityGroup][] = [
      ...l.bins.map((g): [string, RecoverabilityGroup] => ['energy bin', g]),
      ['half of the energy', l.halfEnergy], ['half of the energy', l.lessThanHalf], ['all', l.all],
    ];
    for (const [grouping, g] of groups) {
      for (const m of r.methods) {
        const c = g.byMethod[m];
        if (!c) continue;
        rows.push({
          length: l.label, grouping, energy_in_gap: g.name, lost: c.lost,
          share_of_lost: fixed(l.lost ? g.lost / l.lost : NaN, 3), method: m, recovered: c.recovered, recovered_share: fixed(c.share, 3),
          broken: grouping === 'all' ? l.changes[m].broken : '', also_fixed: grouping === 'all' ? l.changes[m].alsoFixed : '',
          net: grouping === 'all' ? l.changes[m].net : '',
        });
      }
    }
  }
  return rows;
}

/**
 * One row per gap model: the clips whose gap held half or more of their energy (of all, then of the
 * lost ones: the gap models where losing the event is what loses the clip), and per method the share
 * of the lost clips recovered in that group and outside it, and the clips it broke.
 */
export function recoverabilitySummaryRows(r: Recoverability): Record<string, string | number>[] {
  const share = (x: number) => (Number.isFinite(x) ? `${Math.round(x * 100)} %` : 'n/a');
  return r.lengths.map((l) => ({
    length: l.label, clips: l.clips,
    'clips, gap ≥ half the energy': `${l.clipsHalfEnergy} (${share(l.clips ? l.clipsHalfEnergy / l.clips : NaN)})`,
    lost: l.lost,
    'lost, gap ≥ half the energy': `${l.halfEnergy.lost} (${share(l.lost ? l.halfEnergy.lost / l.lost : NaN)})`,
    ...Object.fromEntries(r.methods.flatMap((m) => [
      [`${m}: recovered, gap ≥ half`, share(l.halfEnergy.byMethod[m]?.share ?? NaN)],
      [`${m}: recovered, gap < half`, share(l.lessThanHalf.byMethod[m]?.share ?? NaN)],
      [`${m}: broken`, l.changes[m]?.broken ?? ''],
    ])),
  }));
}

export const RECOVERABILITY_COLUMNS = [
  'length', 'grouping', 'energy_in_gap', 'lost', 'share_of_lost', 'method', 'recovered', 'recovered_share', 'broken', 'also_fixed', 'net',
];

/** Writes `<root>/<model>/recoverability-<mode>.json|csv` (recoverabilityOf's result and its rows). */
export function writeRecoverability(
  root: string, model: string, dataset: CachedDataset, mode: RepairMode = 'R_ts',
): { recoverability: Recoverability; files: string[] } {
  const recoverability = recoverabilityOf(root, model, dataset, mode);
  const base = path.join(root, model, `recoverability-${mode}`);
  const rows = recoverabilityRows(recoverability);
  writeJsonAtomic(`${base}.json`, recoverability);
  writeFileAtomic(`${base}.csv`, toCsv(RECOVERABILITY_COLUMNS, rows.map((row) => RECOVERABILITY_COLUMNS.map((c) => row[c]))));
  return { recoverability, files: [`${base}.json`, `${base}.csv`] };
}
