import { Figure, baseLayout } from './figure';
import type { RunSummary } from '../experiments/types';

/**
 * Figures of the pretrained path: YAMNet's log-mel input with its patches, its top AudioSet
 * classes, and its cross-validation accuracy beside the CNN's against missing audio in seconds
 * (the two paths run at different sample rates, so sample counts are not comparable).
 */

export interface LogMelFigureOptions {
  /** Seconds between frames. Default 0.01 (YAMNet's hop of 160 samples at 16 kHz). */
  hopSec?: number;
  /** Frames per patch. Default 96. */
  patchFrames?: number;
  /** Frames between patch starts. Default 48. */
  patchHop?: number;
  title?: string;
}

/**
 * Heatmap of a log-mel spectrogram ([frames, nMels] row-major, time across) with the span of
 * each patch YAMNet sees drawn as a bar above it: consecutive patches overlap by half.
 */
export function logMelFigure(spec: { data: Float32Array; frames: number; nMels: number }, options: LogMelFigureOptions = {}): Figure {
  const hopSec = options.hopSec ?? 0.01;
  const patchFrames = options.patchFrames ?? 96;
  const patchHop = options.patchHop ?? 48;
  const { frames, nMels } = spec;
  const z = Array.from({ length: nMels }, (_, m) => Array.from({ length: frames }, (_, f) => spec.data[f * nMels + m]));
  const x = Array.from({ length: frames }, (_, f) => +(f * hopSec).toFixed(4));
  const shapes: Record<string, unknown>[] = [];
  for (let start = 0, i = 0; start + patchFrames <= frames; start += patchHop, i++) {
    const y = nMels + 2 + 3 * (i % 2);
    shapes.push({
      type: 'line', x0: start * hopSec, x1: (start + patchFrames - 1) * hopSec, y0: y, y1: y,
      line: { color: i % 2 ? '#d62728' : '#1f77b4', width: 4 },
    });
  }
  return {
    data: [{
      type: 'heatmap', z, x, colorscale: 'Viridis', colorbar: { title: { text: 'log mel' } },
      hovertemplate: '%{x:.2f} summary<br>mel band %{y}<br>%{z:.2f}<extra></extra>',
    }],
    layout: baseLayout(options.title ?? `Log-mel spectrogram and its ${shapes.length} patches`, {
      xaxis: { title: { text: 'time (summary)' } },
      yaxis: { title: { text: 'mel band (125–7500 Hz)' }, range: [-0.5, nMels + 7] },
      shapes,
      height: 380,
    }),
  };
}

/** Horizontal bars of the best classes (best on top), e.g. from topClasses(). */
export function topClassesFigure(classes: readonly { label: string; score: number }[], title = 'YAMNet: top AudioSet classes'): Figure {
  const rows = [...classes].reverse();
  return {
    data: [{
      type: 'bar', orientation: 'h', x: rows.map((c) => c.score), y: rows.map((c) => c.label),
      text: rows.map((c) => c.score.toFixed(2)), textposition: 'auto', marker: { color: '#2ca02c' },
      hovertemplate: '%{y}: %{x:.3f}<extra></extra>',
    }],
    layout: baseLayout(title, {
      xaxis: { title: { text: 'mean score over patches' }, range: [0, 1] },
      yaxis: { automargin: true },
      margin: { l: 200, r: 20, t: 50, b: 50 },
      height: 80 + 32 * rows.length,
    }),
  };
}

/** One classification path's results, for comparisons across sample rates. */
export interface PathResults {
  /** Legend name, e.g. 'CNN (8 kHz)'. */
  name: string;
  summaries: readonly RunSummary[];
  sampleRate: number;
  /** Samples per clip at that rate; places packet-loss runs at their expected missing time. */
  clipSamples: number;
}

/** Seconds of audio missing per clip in a run (expected value for packet loss); 0 for NC. */
export function missingSeconds(summary: RunSummary, sampleRate: number, clipSamples: number): number {
  const g = summary.gapModel;
  if (!g) return 0;
  return g.kind === 'packet-loss' ? (g.lossRate * clipSamples) / sampleRate : g.gapSamples / sampleRate;
}

const MODE_ORDER = ['NC', 'C_tr', 'C_ts', 'C_all'];

/** One row per run and path (clean first, then by mode and missing time): the table beside pathComparisonFigure. */
export function comparisonRows(paths: readonly PathResults[]): Record<string, string | number>[] {
  const order = (summary: RunSummary, p: PathResults) =>
    [MODE_ORDER.indexOf(summary.mode), missingSeconds(summary, p.sampleRate, p.clipSamples), summary.gapModel?.kind ?? ''] as const;
  const sorted = (p: PathResults) => [...p.summaries].sort((a, b) => {
    const [ma, xa, ka] = order(a, p);
    const [mb, xb, kb] = order(b, p);
    return ma - mb || xa - xb || ka.localeCompare(kb);
  });
  return paths.flatMap((p) => sorted(p).map((summary) => ({
    path: p.name, mode: summary.mode, gap_model: summary.gapModel?.kind ?? 'none',
    missing_sec: +missingSeconds(summary, p.sampleRate, p.clipSamples).toFixed(3),
    folds: summary.folds.length, accuracy: +summary.meanAccuracy.toFixed(4), std: +summary.stdAccuracy.toFixed(4),
    dummy: +summary.dummyMeanAccuracy.toFixed(4),
  })));
}

const PATH_COLOURS = ['#1f77b4', '#2ca02c', '#9467bd', '#8c564b'];
const MODE_DASH: Record<string, string> = { C_ts: 'solid', C_tr: 'dashdot', C_all: 'dash' };

/**
 * Accuracy against seconds missing per clip (log x) for several paths: one colour per path, one
 * line style per mode, single gaps only (the clearest series), each path's clean accuracy (NC)
 * as a thin horizontal line of its colour.
 */
export function pathComparisonFigure(paths: readonly PathResults[], title = 'Accuracy against missing audio: CNN and YAMNet'): Figure {
  const data: Record<string, unknown>[] = [];
  const allX: number[] = [];
  paths.forEach((p, i) => {
    const colour = PATH_COLOURS[i % PATH_COLOURS.length];
    for (const mode of ['C_ts', 'C_tr', 'C_all']) {
      const runs = p.summaries
        .filter((summary) => summary.mode === mode && summary.gapModel?.kind === 'single')
        .map((summary) => ({ x: missingSeconds(summary, p.sampleRate, p.clipSamples), summary }))
        .sort((a, b) => a.x - b.x);
      if (!runs.length) continue;
      allX.push(...runs.map((r) => r.x));
      data.push({
        type: 'scatter', mode: 'lines+markers', name: `${p.name} · ${mode}`,
        x: runs.map((r) => r.x), y: runs.map((r) => r.summary.meanAccuracy),
        error_y: { type: 'data', array: runs.map((r) => r.summary.stdAccuracy), visible: true, thickness: 1 },
        text: runs.map((r) => `${r.summary.label} · ${r.summary.folds.length} folds`),
        line: { color: colour, dash: MODE_DASH[mode] },
      });
    }
  });
  const xs = allX.length ? [Math.min(...allX) / 1.3, Math.max(...allX) * 1.3] : [0.01, 4];
  paths.forEach((p, i) => {
    const clean = p.summaries.find((summary) => summary.mode === 'NC');
    if (!clean) return;
    data.push({
      type: 'scatter', mode: 'lines', x: xs, y: [clean.meanAccuracy, clean.meanAccuracy],
      name: `${p.name} · no gaps ${clean.meanAccuracy.toFixed(3)}`, line: { color: PATH_COLOURS[i % PATH_COLOURS.length], width: 1, dash: 'dot' },
    });
  });
  return {
    data,
    layout: baseLayout(title, {
      xaxis: { type: 'log', title: { text: 'audio missing per clip (summary), one gap' } },
      yaxis: { title: { text: 'mean accuracy over folds' }, rangemode: 'tozero' },
      height: 440,
    }),
  };
}
