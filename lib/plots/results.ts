import { Figure, baseLayout } from './figure';
import { RunSummary, runModeName } from '../experiments/types';

/**
 * Figures of cross-validation results, as plain Plotly data: one run's confusion matrix and
 * per-fold accuracies, and an overview of every run of a model against corruption length.
 */

function runTitle(summary: RunSummary): string {
  return `${summary.model} · ${summary.mode} · ${summary.label}`;
}

/** Heatmap of the fold-averaged row-normalised confusion matrix (rows: true class). */
export function confusionFigure(summary: RunSummary): Figure {
  const z = summary.confusionMean;
  const text = z.map((row) => row.map((v) => (v >= 0.005 ? v.toFixed(2) : '')));
  return {
    data: [{
      type: 'heatmap', z, x: summary.classNames, y: summary.classNames, text, texttemplate: '%{text}',
      colorscale: 'Blues', zmin: 0, zmax: 1, hovertemplate: 'true %{y}<br>predicted %{x}<br>%{z:.3f}<extra></extra>',
    }],
    layout: baseLayout(`Confusion (row-normalised, mean of ${summary.folds.length} folds): ${runTitle(summary)}`, {
      xaxis: { title: { text: 'predicted class' }, tickangle: -35 },
      yaxis: { title: { text: 'true class' }, autorange: 'reversed' },
      height: 480, margin: { l: 130, r: 20, t: 50, b: 120 },
    }),
  };
}

/** Accuracy per test fold, with the run's mean, the dummy classifier and (YAMNet) the linear probe. */
export function foldAccuracyFigure(summary: RunSummary): Figure {
  const x = summary.perFold.map((p) => `fold ${p.fold}`);
  return {
    data: [
      { type: 'bar', x, y: summary.perFold.map((p) => p.accuracy), name: 'accuracy', marker: { color: '#1f77b4' } },
      { type: 'scatter', mode: 'markers', x, y: summary.perFold.map((p) => p.dummyAccuracy), name: 'stratified dummy', marker: { color: '#d62728', symbol: 'line-ew-open', size: 18, line: { width: 2 } } },
      ...(summary.probeMeanAccuracy !== undefined ? [{
        type: 'scatter', mode: 'markers', x, y: summary.perFold.map((p) => p.probeAccuracy ?? null),
        name: `linear probe (mean ${summary.probeMeanAccuracy.toFixed(3)})`, marker: { color: '#ff7f0e', symbol: 'diamond-open', size: 11, line: { width: 2 } },
      }] : []),
      { type: 'scatter', mode: 'lines', x, y: x.map(() => summary.meanAccuracy), name: `mean ${summary.meanAccuracy.toFixed(3)}`, line: { dash: 'dash', color: '#333' } },
    ],
    layout: baseLayout(`Accuracy per fold: ${runTitle(summary)}`, { yaxis: { title: { text: 'accuracy' }, range: [0, 1] } }),
  };
}

const MODE_COLOURS: Record<string, string> = { C_tr: '#2ca02c', C_ts: '#d62728', C_all: '#9467bd', NC: '#1f77b4' };

/**
 * Accuracy against gap length (log x), one series per mode and gap model (dashed for multiple
 * fragments), with the clean model (NC) and the dummy classifier as horizontal lines. Packet-loss
 * runs are placed at their expected missing samples per clip when `clipSamples` is given.
 */
export function overviewFigure(summaries: RunSummary[], options: { clipSamples?: number; title?: string } = {}): Figure {
  const data: Record<string, unknown>[] = [];
  const series = new Map<string, RunSummary[]>();
  for (const summary of summaries) {
    if (summary.mode === 'NC' || !summary.gapModel) continue;
    const key = `${runModeName(summary)} · ${summary.gapModel.kind}`;
    series.set(key, [...(series.get(key) ?? []), summary]);
  }
  const xOf = (summary: RunSummary): number | undefined => {
    const g = summary.gapModel;
    if (!g) return undefined;
    if (g.kind === 'packet-loss') return options.clipSamples ? g.lossRate * options.clipSamples : undefined;
    return g.gapSamples;
  };
  const allX: number[] = [];
  for (const [key, runs] of [...series.entries()].sort()) {
    const points = runs.map((summary) => ({ x: xOf(summary), summary })).filter((p): p is { x: number; summary: RunSummary } => p.x !== undefined).sort((a, b) => a.x - b.x);
    if (!points.length) continue;
    allX.push(...points.map((p) => p.x));
    const kind = points[0].summary.gapModel?.kind;
    data.push({
      type: 'scatter', mode: 'lines+markers', name: key,
      x: points.map((p) => p.x), y: points.map((p) => p.summary.meanAccuracy),
      error_y: { type: 'data', array: points.map((p) => p.summary.stdAccuracy), visible: true, thickness: 1 },
      text: points.map((p) => `${p.summary.label} · ${p.summary.folds.length} folds`),
      line: { color: points[0].summary.repair ? undefined : MODE_COLOURS[points[0].summary.mode], dash: kind === 'multiple' ? 'dash' : kind === 'packet-loss' ? 'dot' : 'solid' },
    });
    const probed = points.filter((p) => p.summary.probeMeanAccuracy !== undefined);
    if (probed.length) {
      data.push({
        type: 'scatter', mode: 'lines+markers', name: `linear probe · ${key}`,
        x: probed.map((p) => p.x), y: probed.map((p) => p.summary.probeMeanAccuracy),
        line: { color: MODE_COLOURS[points[0].summary.mode], dash: 'dot', width: 1 }, marker: { symbol: 'diamond-open' },
      });
    }
  }
  const xs = allX.length ? [Math.min(...allX) / 1.3, Math.max(...allX) * 1.3] : [100, 10000];
  const clean = summaries.find((summary) => summary.mode === 'NC');
  if (clean) data.push({ type: 'scatter', mode: 'lines', x: xs, y: [clean.meanAccuracy, clean.meanAccuracy], name: `no corruption ${clean.meanAccuracy.toFixed(3)}`, line: { color: '#1f77b4', width: 2 } });
  if (clean?.probeMeanAccuracy !== undefined) {
    const p = clean.probeMeanAccuracy;
    data.push({ type: 'scatter', mode: 'lines', x: xs, y: [p, p], name: `linear probe, no corruption ${p.toFixed(3)}`, line: { color: '#ff7f0e', dash: 'dot' } });
  }
  const dummies = summaries.map((summary) => summary.dummyMeanAccuracy).filter((v) => Number.isFinite(v));
  if (dummies.length) {
    const d = dummies.reduce((a, b) => a + b, 0) / dummies.length;
    data.push({ type: 'scatter', mode: 'lines', x: xs, y: [d, d], name: `stratified dummy ${d.toFixed(3)}`, line: { color: '#7f7f7f', dash: 'dot' } });
  }
  const model = summaries[0]?.model ?? 'model';
  return {
    data,
    layout: baseLayout(options.title ?? `${model}: accuracy against missing samples`, {
      xaxis: { type: 'log', title: { text: 'missing samples per clip' } },
      yaxis: { title: { text: 'mean accuracy over folds' }, rangemode: 'tozero' },
      height: 440,
    }),
  };
}

/**
 * A clean clip and its corrupted copy (offset below it), with the gaps shaded. Long clips are
 * drawn as a per-bin min/max envelope of at most `maxPoints` points so the page stays light.
 */
export function corruptionFigure(clean: Float32Array, corrupted: Float32Array, gaps: readonly { start: number; length: number }[], sampleRate: number, title = 'Clean and corrupted clip', maxPoints = 4000): Figure {
  const envelope = (x: Float32Array): { t: number[]; y: number[] } => {
    const bin = Math.max(1, Math.ceil((2 * x.length) / maxPoints));
    const t: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < x.length; i += bin) {
      let lo = Infinity;
      let hi = -Infinity;
      for (let j = i; j < Math.min(x.length, i + bin); j++) { lo = Math.min(lo, x[j]); hi = Math.max(hi, x[j]); }
      t.push(i / sampleRate, (i + bin / 2) / sampleRate);
      y.push(lo, hi);
    }
    return { t, y };
  };
  let peak = 0;
  for (let i = 0; i < clean.length; i++) peak = Math.max(peak, Math.abs(clean[i]));
  const offset = 2.2 * (peak || 1);
  const a = envelope(clean);
  const b = envelope(corrupted);
  const shapes = gaps.map((g) => ({
    type: 'rect', xref: 'x', yref: 'paper', x0: g.start / sampleRate, x1: (g.start + g.length) / sampleRate, y0: 0, y1: 1,
    fillcolor: 'rgba(214, 39, 40, 0.18)', line: { width: 0 },
  }));
  return {
    data: [
      { type: 'scatter', mode: 'lines', x: a.t, y: a.y, name: 'clean', line: { width: 1, color: '#1f77b4' } },
      { type: 'scatter', mode: 'lines', x: b.t, y: b.y.map((v) => v - offset), name: 'corrupted (gaps shaded)', line: { width: 1, color: '#d62728' } },
    ],
    layout: baseLayout(title, {
      xaxis: { title: { text: 'time (summary)' } }, yaxis: { showticklabels: false, zeroline: false }, shapes, height: 320,
    }),
  };
}
