/**
 * The study's headline comparison for one model: for every gap length, the stratified dummy, the
 * clean model (NC), the corrupted test audio without repair, and each reconstruction method's
 * repaired audio, with the fold spread; plus the accuracy each method *recovers*,
 * (repaired − corrupted) / (clean − corrupted). Written as headline-<mode>.{json,csv,html} beside
 * the model's runs.
 *
 * "Corrupted" is the `zero` repair run when there is one (its gaps are the reconstruction's by
 * construction; for YAMNet it equals C_ts exactly, for the CNN it is the only corrupted run whose
 * lengths count 16 kHz samples like the repairs), else the C_ts (C_all for R_all) run.
 */
import * as path from 'path';
import { readJsonIfExists, writeFileAtomic, writeJsonAtomic } from '../util/atomic';
import { toCsv } from '../util/csv';
import { figureFragment, pageHtml } from '../plots/html';
import { tableToHtml } from '../plots/table';
import { headlineFigure } from '../plots/headline';
import { loadRunSummaries } from './results';
import { REPAIRED_MODE } from './repaired';
import type { Headline, HeadlineEntry, HeadlineLength, RepairMode, RunSummary } from './types';

/**
 * (repaired − corrupted) / (clean − corrupted): 1 = all the lost accuracy back, 0 = no better than
 * the gaps, < 0 = worse. NaN when the gaps cost nothing (clean ≤ corrupted): nothing to recover.
 */
export function recoveredFraction(repaired: number, corrupted: number, clean: number): number {
  const lost = clean - corrupted;
  return lost > 0 ? (repaired - corrupted) / lost : NaN;
}

/**
 * Fold by fold, how often run `a` scored above, equal to or below run `b` (same folds, same test
 * clips: equal accuracy means the same number of clips right). Folds only one run has are left out.
 */
export function foldWinsTiesLosses(a: RunSummary, b: RunSummary): { wins: number; ties: number; losses: number } {
  const other = new Map(b.perFold.map((f) => [f.fold, f.accuracy]));
  const out = { wins: 0, ties: 0, losses: 0 };
  for (const f of a.perFold) {
    const o = other.get(f.fold);
    if (o === undefined) continue;
    if (Math.abs(f.accuracy - o) < 1e-12) out.ties++; else if (f.accuracy > o) out.wins++; else out.losses++;
  }
  return out;
}

const entry = (s: RunSummary): HeadlineEntry => ({ accuracy: s.meanAccuracy, std: s.stdAccuracy, folds: s.folds.length });

/** The headline of `summaries` (one model's runs, as loadRunSummaries returns them). */
export function headlineOf(summaries: RunSummary[], mode: RepairMode = 'R_ts'): Headline {
  const model = summaries[0]?.model ?? '';
  const base = REPAIRED_MODE[mode];
  const nc = summaries.find((s) => s.mode === 'NC');
  const repairedRuns = summaries.filter((s) => s.repair && s.mode === base && s.gapModel);
  const methods = [...new Set(repairedRuns.map((s) => s.repair!))].filter((m) => m !== 'zero').sort();
  const labels = [...new Set(repairedRuns.map((s) => s.label))];
  const samplesOf = (label: string) => {
    const g = repairedRuns.find((s) => s.label === label)!.gapModel!;
    return 'gapSamples' in g ? g.gapSamples : 0;
  };
  // Lengths in order, then packet-loss channels (gapSamples 0) by loss rate.
  const order = (label: string) => samplesOf(label) || Number.MAX_SAFE_INTEGER;
  labels.sort((a, b) => order(a) - order(b) || a.localeCompare(b));
  const clean = nc ? entry(nc) : undefined;
  const lengths = labels.map((label): HeadlineLength => {
    const zero = repairedRuns.find((s) => s.repair === 'zero' && s.label === label);
    const plain = summaries.find((s) => !s.repair && s.mode === base && s.label === label);
    const corruptedRun = zero ?? plain;
    const corrupted = corruptedRun ? { ...entry(corruptedRun), source: zero ? `${mode}-zero` : base } : undefined;
    const repaired: HeadlineLength['repaired'] = {};
    for (const m of methods) {
      const s = repairedRuns.find((r) => r.repair === m && r.label === label);
      if (!s) continue;
      const recovered = clean && corrupted ? recoveredFraction(s.meanAccuracy, corrupted.accuracy, clean.accuracy) : NaN;
      repaired[m] = { ...entry(s), recovered, ...(corruptedRun ? { vsCorrupted: foldWinsTiesLosses(s, corruptedRun) } : {}) };
    }
    return { label, gapSamples: samplesOf(label), ...(corrupted ? { corrupted } : {}), repaired };
  });
  return { model, mode, ...(nc ? { dummy: { accuracy: nc.dummyMeanAccuracy, std: 0, folds: nc.folds.length } } : {}), ...(clean ? { clean } : {}), methods, lengths };
}

/**
 * The headline as table rows: one per length and setting (dummy, clean, corrupted, each method);
 * a method's row also gives its folds won/tied/lost against no repair.
 */
export function headlineRows(h: Headline): Record<string, string | number>[] {
  const rows: Record<string, string | number>[] = [];
  const row = (label: string, setting: string, e: HeadlineEntry | undefined, recovered: number | string = '', wtl = '') => {
    if (!e) return;
    const shownRecovered = typeof recovered === 'number' ? (Number.isFinite(recovered) ? Number(recovered.toFixed(3)) : 'n/a') : recovered;
    rows.push({
      length: label, setting, accuracy: Number(e.accuracy.toFixed(4)), std: Number(e.std.toFixed(4)), folds: e.folds,
      recovered: shownRecovered, won_tied_lost: wtl,
    });
  };
  const wtlOf = (r: HeadlineLength['repaired'][string] | undefined) =>
    (r?.vsCorrupted ? `${r.vsCorrupted.wins}/${r.vsCorrupted.ties}/${r.vsCorrupted.losses}` : '');
  for (const l of h.lengths) {
    row(l.label, 'dummy', h.dummy);
    row(l.label, 'clean', h.clean);
    if (l.corrupted) row(l.label, `corrupted (${l.corrupted.source})`, l.corrupted, 0);
    for (const m of h.methods) row(l.label, `repaired: ${m}`, l.repaired[m], l.repaired[m]?.recovered, wtlOf(l.repaired[m]));
  }
  return rows;
}

/**
 * Training budget per model (seconds) of each trained method in the headline, as its repaired runs
 * recorded it (config.json: repair.source.parameters.trainSeconds): the headline states it.
 */
export function trainingBudgets(root: string, model: string, h: Headline): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of h.methods) {
    const label = h.lengths.find((l) => l.repaired[m])?.label;
    if (!label) continue;
    const config = readJsonIfExists<{ repair?: { source?: { trained?: boolean; parameters?: { trainSeconds?: number } } } }>(
      path.join(root, model, `${h.mode}-${m}`, label, 'config.json'));
    const source = config?.repair?.source;
    if (source?.trained && typeof source.parameters?.trainSeconds === 'number') out[m] = source.parameters.trainSeconds;
  }
  return out;
}

/** Writes `<root>/<model>/headline-<mode>.json|csv|html` (standalone page: chart and table). */
export function writeHeadline(root: string, model: string, mode: RepairMode = 'R_ts'): { headline: Headline; files: string[] } {
  const plain = headlineOf(loadRunSummaries(root, model), mode);
  const budgets = trainingBudgets(root, model, plain);
  const headline: Headline = Object.keys(budgets).length ? { ...plain, trainSecondsPerModel: budgets } : plain;
  const base = path.join(root, model, `headline-${mode}`);
  const rows = headlineRows(headline);
  // won_tied_lost: folds where the repair scored above / equal to / below no repair.
  const columns = ['length', 'setting', 'accuracy', 'std', 'folds', 'recovered', 'won_tied_lost'];
  writeJsonAtomic(`${base}.json`, headline);
  writeFileAtomic(`${base}.csv`, toCsv(columns, rows.map((r) => columns.map((c) => r[c]))));
  const title = `${model}: classification after reconstruction (${mode})`;
  const budgetNote = Object.entries(budgets).map(([m, s]) => `${m}: ${s} s of training per model`).join('; ');
  const caption = budgetNote ? `${title} — trained methods: ${budgetNote}` : title;
  writeFileAtomic(`${base}.html`, pageHtml([figureFragment(headlineFigure(headline)), tableToHtml(rows, { caption, maxRows: 400 })], title));
  return { headline, files: [`${base}.json`, `${base}.csv`, `${base}.html`] };
}
