/**
 * Plotly figure builders for audio: a waveform and a (log-mel) spectrogram. Pure: they return
 * plain `{ data, layout }` objects; showFigure (lib/notebook) or the HTML writer draws them.
 */
import { Figure, baseLayout } from './figure';

/** Rounds for the figure's JSON: full float precision would make notebooks several times larger. */
function round(v: number, decimals: number): number {
  const k = 10 ** decimals;
  return Math.round(v * k) / k;
}

export interface WaveformFigureOptions {
  title?: string;
  /** Most points drawn; longer clips are reduced to a min/max envelope per bucket. Default 4000. */
  maxPoints?: number;
  color?: string;
}

/**
 * Waveform against time in seconds. Clips longer than maxPoints are drawn as the minimum and
 * maximum of each bucket, so peaks and gaps stay visible at any length.
 */
export function waveformFigure(samples: Float32Array, sampleRate: number, options: WaveformFigureOptions = {}): Figure {
  const maxPoints = options.maxPoints ?? 4000;
  const x: number[] = [];
  const y: number[] = [];
  if (samples.length <= maxPoints) {
    for (let i = 0; i < samples.length; i++) { x.push(round(i / sampleRate, 5)); y.push(round(samples[i], 4)); }
  } else {
    const buckets = Math.floor(maxPoints / 2);
    const per = samples.length / buckets;
    for (let b = 0; b < buckets; b++) {
      const from = Math.floor(b * per);
      const to = Math.max(from + 1, Math.floor((b + 1) * per));
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = from; i < to; i++) { lo = Math.min(lo, samples[i]); hi = Math.max(hi, samples[i]); }
      const t = round(from / sampleRate, 5);
      x.push(t, t);
      y.push(round(lo, 4), round(hi, 4));
    }
  }
  return {
    data: [{ type: 'scatter', mode: 'lines', x, y, line: { width: 1, color: options.color ?? '#1f77b4' }, name: 'waveform', hoverinfo: 'x+y' }],
    layout: baseLayout(options.title ?? 'Waveform', {
      height: 260,
      showlegend: false,
      xaxis: { title: { text: 'time (s)' }, range: [0, samples.length / sampleRate] },
      yaxis: { title: { text: 'amplitude' } },
    }),
  };
}

export interface SpectrogramFigureOptions {
  title?: string;
  /** Seconds between frames (hopLength / sampleRate); default 0.01 (YAMNet's 160 at 16 kHz). */
  frameSec?: number;
  /** Row labels: default `mel 0..n-1`; pass centre frequencies in Hz to label the axis in Hz. */
  binLabels?: number[];
  /** Colour-bar title; default 'log mel'. */
  valueLabel?: string;
  colorscale?: string;
}

/**
 * Heat map of a spectrogram stored frame-major: `data[frame * bins + bin]`, shape [frames, bins]
 * (as logMelSpectrogram returns it). Time runs along x, bins along y (low at the bottom). Values
 * are rounded to 0.01, plenty for a colour scale.
 */
export function spectrogramFigure(spec: { data: Float32Array; frames: number; nMels: number }, options: SpectrogramFigureOptions = {}): Figure {
  const { data, frames, nMels } = spec;
  const frameSec = options.frameSec ?? 0.01;
  const z: number[][] = [];
  for (let b = 0; b < nMels; b++) {
    const row: number[] = new Array(frames);
    for (let f = 0; f < frames; f++) row[f] = round(data[f * nMels + b], 2);
    z.push(row);
  }
  const x = Array.from({ length: frames }, (_, f) => +(f * frameSec).toFixed(4));
  const y = options.binLabels ?? Array.from({ length: nMels }, (_, b) => b);
  return {
    data: [{ type: 'heatmap', x, y, z, colorscale: options.colorscale ?? 'Viridis', colorbar: { title: { text: options.valueLabel ?? 'log mel' } } }],
    layout: baseLayout(options.title ?? 'Log-mel spectrogram', {
      height: 300,
      xaxis: { title: { text: 'time (s)' } },
      yaxis: { title: { text: options.binLabels ? 'frequency (Hz)' : 'mel bin' } },
    }),
  };
}
