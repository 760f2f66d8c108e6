/**
 * Figures of reconstruction: a log-mel spectrogram with a gap's geometry drawn on it (the reference
 * span, its context, the frames the gap touches), and a metric against gap length, a line per method.
 */
import { Figure, baseLayout } from './figure';
import type { EvaluationRow } from '../reconstruct/evaluate';
import type { FrameRange } from '../reconstruct/geometry';
import type { GapSpan, MelPower } from '../reconstruct/types';

/** log(mel + 0.001) of frames [from, to] as heatmap rows (one per band), rounded to 0.01. */
function logMelRows(mel: MelPower, from: number, to: number): number[][] {
  const n = mel.nMels;
  return Array.from({ length: n }, (_, m) => Array.from({ length: to - from + 1 }, (_, i) => Math.round(Math.log(mel.data[(from + i) * n + m] + 0.001) * 100) / 100));
}

export interface GapSpectrogramOptions {
  title?: string;
  /** Frames shown: [first, last]; default the whole spectrogram. */
  view?: [number, number];
  /** Frames of context drawn each side of each span (the reference uses the span's own length). Default 0. */
  contextFrames?: number;
  /** Frames a method repairs (repairRanges), drawn dashed. */
  ranges?: readonly FrameRange[];
  /** Seconds per frame. Default 0.01. */
  hopSec?: number;
  height?: number;
}

/** log(mel + 0.001) of a mel power spectrogram, time across, with each span boxed in red. */
export function gapSpectrogramFigure(mel: MelPower, spans: readonly GapSpan[], options: GapSpectrogramOptions = {}): Figure {
  const hopSec = options.hopSec ?? 0.01;
  const [from, to] = options.view ?? [0, mel.frames - 1];
  const n = mel.nMels;
  const x = Array.from({ length: to - from + 1 }, (_, i) => +((from + i) * hopSec).toFixed(3));
  const z = logMelRows(mel, from, to);
  const box = (first: number, last: number, line: Record<string, unknown>) => ({
    type: 'rect', x0: (first - 0.5) * hopSec, x1: (last + 0.5) * hopSec, y0: -0.5, y1: n - 0.5, line,
  });
  const shapes: Record<string, unknown>[] = [];
  const context = options.contextFrames ?? 0;
  for (const s of spans) {
    const last = s.startFrame + s.frameCount - 1;
    shapes.push(box(s.startFrame, last, { color: '#d62728', width: 2 }));
    if (context > 0) {
      shapes.push(box(s.startFrame - context, s.startFrame - 1, { color: '#ffffff', width: 1, dash: 'dot' }));
      shapes.push(box(last + 1, last + context, { color: '#ffffff', width: 1, dash: 'dot' }));
    }
  }
  for (const r of options.ranges ?? []) shapes.push(box(r.first, r.last, { color: '#ff7f0e', width: 1, dash: 'dash' }));
  return {
    data: [{ type: 'heatmap', x, z, colorscale: 'Viridis', showscale: false, hovertemplate: '%{x:.2f} s<br>mel band %{y}<br>%{z:.2f}<extra></extra>' }],
    layout: baseLayout(options.title ?? 'Log-mel power spectrogram and the gap', {
      xaxis: { title: { text: 'time (s)' } },
      yaxis: { title: { text: 'mel band' } },
      shapes,
      height: options.height ?? 260,
      margin: { l: 50, r: 10, t: 40, b: 40 },
    }),
  };
}

export const RECONSTRUCTION_METRICS = {
  mel_snr_db: 'mel SNR inside the gap (dB)',
  lsd_db: 'log-spectral distance inside the gap (dB)',
  wave_snr_db: 'waveform SNR inside the gap (dB)',
} as const;

/** A metric against gap length in ms (log axis), one line per method. */
export function reconstructionMetricFigure(rows: readonly EvaluationRow[], metric: keyof typeof RECONSTRUCTION_METRICS, title?: string): Figure {
  const methods = [...new Set(rows.map((r) => r.method))];
  const data = methods.map((method) => {
    const points = rows.filter((r) => r.method === method && Number.isFinite(r[metric])).sort((a, b) => a.gap_ms - b.gap_ms);
    return {
      type: 'scatter', mode: 'lines+markers', name: method,
      x: points.map((p) => p.gap_ms), y: points.map((p) => Math.round(p[metric] * 100) / 100),
      text: points.map((p) => `${p.gap_samples} samples · ${p.gap_frames} frames · ${p.clips} clips`),
    };
  }).filter((d) => d.x.length > 0);
  return {
    data,
    layout: baseLayout(title ?? `${RECONSTRUCTION_METRICS[metric]} against gap length`, {
      xaxis: { type: 'log', title: { text: 'gap length (ms)' } },
      yaxis: { title: { text: RECONSTRUCTION_METRICS[metric] } },
      height: 380,
    }),
  };
}

/**
 * Spectrograms side by side (one panel each: original, corrupted, every method), the same frames
 * and colour range in each, the gap's reference span boxed in red.
 */
export function reconstructionPanelsFigure(panels: readonly { title: string; mel: MelPower }[], span: GapSpan, options: { view: [number, number]; hopSec?: number; title?: string }): Figure {
  const hopSec = options.hopSec ?? 0.01;
  const [from, to] = options.view;
  const gapX = 0.02;
  const width = (1 - gapX * (panels.length - 1)) / panels.length;
  const data: Record<string, unknown>[] = [];
  const layout: Record<string, unknown> = {};
  const annotations: Record<string, unknown>[] = [];
  const shapes: Record<string, unknown>[] = [];
  const x = Array.from({ length: to - from + 1 }, (_, i) => +((from + i) * hopSec).toFixed(3));
  panels.forEach((p, k) => {
    const n = p.mel.nMels;
    const z = logMelRows(p.mel, from, to);
    const axis = k === 0 ? '' : String(k + 1);
    data.push({ type: 'heatmap', x, z, colorscale: 'Viridis', showscale: false, zmin: -7, zmax: 9, xaxis: `x${axis}`, yaxis: 'y', hovertemplate: '%{x:.2f} s, band %{y}: %{z:.2f}<extra></extra>' });
    const x0 = k * (width + gapX);
    layout[`xaxis${axis}`] = { domain: [x0, x0 + width], title: { text: 'time (s)', font: { size: 10 } }, tickfont: { size: 9 } };
    annotations.push({ text: p.title, x: x0 + width / 2, y: 1.0, xref: 'paper', yref: 'paper', xanchor: 'center', yanchor: 'bottom', showarrow: false, font: { size: 12 } });
    shapes.push({ type: 'rect', xref: `x${axis}`, yref: 'y', x0: (span.startFrame - 0.5) * hopSec, x1: (span.startFrame + span.frameCount - 0.5) * hopSec, y0: -0.5, y1: n - 0.5, line: { color: '#d62728', width: 1.5 } });
  });
  return {
    data,
    layout: baseLayout(options.title ?? 'Original, corrupted and repaired (log mel; red: the gap\'s frames)', {
      ...layout, yaxis: { title: { text: 'mel band' } }, annotations, shapes, height: 300, margin: { l: 50, r: 10, t: 60, b: 45 },
    }),
  };
}

/**
 * A GAN's losses against training step: the discriminator's and the generator's (0.9 × MAE +
 * 0.1 × adversarial), and the MAE part alone, which is what reconstruction quality follows.
 */
export function ganLossFigure(curve: readonly { step: number; d: number; g: number; mae: number }[], title = 'GAN training losses'): Figure {
  const line = (name: string, y: number[], color: string) => ({ type: 'scatter', mode: 'lines', name, x: curve.map((p) => p.step), y, line: { width: 2, color } });
  return {
    data: [
      line('discriminator (D)', curve.map((p) => p.d), '#d62728'),
      line('generator (G)', curve.map((p) => p.g), '#1f77b4'),
      line('MAE part of G', curve.map((p) => p.mae), '#2ca02c'),
    ],
    layout: baseLayout(title, { xaxis: { title: { text: 'step' } }, yaxis: { title: { text: 'loss' } }, height: 340 }),
  };
}
