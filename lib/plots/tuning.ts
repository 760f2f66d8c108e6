import { Figure, baseLayout } from './figure';
import type { SearchSpace } from '../tuning/types';
import type { TrialRecord } from '../tuning/types';

/** A best-so-far curve: one value per call, and optionally a band (e.g. the spread over seeds). */
export interface CurveSeries {
  name: string;
  values: number[];
  colour?: string;
}

/** Best value found against calls, one line per optimiser. */
export function bestSoFarFigure(series: readonly CurveSeries[], options: { title: string; yTitle: string }): Figure {
  return {
    data: series.map((s) => ({
      type: 'scatter', mode: 'lines+markers', name: s.name, x: s.values.map((_, i) => i + 1), y: s.values,
      line: { width: 2.5, ...(s.colour ? { color: s.colour } : {}) }, marker: { size: 5 },
    })),
    layout: baseLayout(options.title, { xaxis: { title: { text: 'call' } }, yaxis: { title: { text: options.yTitle } } }),
  };
}

/** Running maximum of the trials' scores, in call order. */
export function bestScoreCurve(trials: readonly TrialRecord[]): number[] {
  let best = -Infinity;
  return trials.map((t) => (best = Math.max(best, t.score)));
}

/**
 * Each hyperparameter against the score, one small panel per dimension (log axes where the space
 * is log or powers of two), with the chosen point highlighted.
 */
export function hyperparameterScatterFigure(space: SearchSpace, trials: readonly TrialRecord[], chosen: TrialRecord | undefined, title: string): Figure {
  const dims = space.dimensions;
  const columns = Math.min(4, dims.length);
  const rows = Math.ceil(dims.length / columns);
  const data: Record<string, unknown>[] = [];
  const layout: Record<string, unknown> = baseLayout(title, {
    height: 220 * rows + 80, showlegend: false,
    grid: { rows, columns, pattern: 'independent', xgap: 0.12, ygap: 0.35 },
  });
  dims.forEach((d, i) => {
    const axis = i === 0 ? '' : String(i + 1);
    const log = (d.kind === 'real' && d.scale === 'log') || d.kind === 'power-of-two';
    data.push({
      type: 'scatter', mode: 'markers', xaxis: `x${axis}`, yaxis: `y${axis}`, name: d.name,
      x: trials.map((t) => t.params[d.name]), y: trials.map((t) => t.score), text: trials.map((t) => `call ${t.index + 1}`),
      marker: { size: 7, color: trials.map((t) => t.index), colorscale: 'Viridis', opacity: 0.85 },
    });
    if (chosen) {
      data.push({
        type: 'scatter', mode: 'markers', xaxis: `x${axis}`, yaxis: `y${axis}`, name: 'chosen',
        x: [chosen.params[d.name]], y: [chosen.score], marker: { size: 13, color: 'rgba(0,0,0,0)', line: { color: '#d62728', width: 2.5 } },
      });
    }
    layout[`xaxis${axis}`] = { title: { text: d.name, standoff: 4 }, ...(log ? { type: 'log' } : {}) };
    layout[`yaxis${axis}`] = { title: { text: i % columns === 0 ? 'score' : '' } };
  });
  return { data, layout };
}

/** The trials as table rows: call, scores, epochs, time and the point (rounded for reading). */
export function trialRows(trials: readonly TrialRecord[]): Record<string, string | number>[] {
  const round = (v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(3)) : (v as string | number));
  return trials.map((t) => ({
    call: t.index + 1,
    [`score (${t.objective}${t.optimistic ? ', optimistic' : ''})`]: Number(t.score.toFixed(4)),
    validation: Number(t.validation.mean.toFixed(4)),
    test: Number(t.test.mean.toFixed(4)),
    epochs: t.epochsRun.join('/'),
    seconds: Math.round(t.seconds),
    ...Object.fromEntries(Object.entries(t.params).map(([k, v]) => [k, round(v)])),
  }));
}
