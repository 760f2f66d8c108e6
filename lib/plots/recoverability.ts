import { Figure, baseLayout } from './figure';
import { METHOD_COLOURS } from './headline';
import type { Recoverability } from '../experiments/types';

/** Light to dark: the more of the clip's energy the gap took, the darker. */
const BIN_COLOURS = ['#fcbba1', '#fc9272', '#ef3b2c', '#99000d'];

const round = (x: number) => (Number.isFinite(x) ? Math.round(x * 1000) / 1000 : null);

/** `#rrggbb` mixed with white by `amount` (0: unchanged, 1: white): the light bars keep a solid legend swatch. */
function lighter(hex: string, amount: number): string {
  const mix = (i: number) => Math.round(parseInt(hex.slice(i, i + 2), 16) * (1 - amount) + 255 * amount).toString(16).padStart(2, '0');
  return `#${mix(1)}${mix(3)}${mix(5)}`;
}

/**
 * The recoverability chart (lib/experiments/recoverable.ts), two panels over the gap models.
 * Top: the clips a gap model lost, stacked by the share of the clip's energy inside the gap.
 * Bottom: each method's share of them recovered, for the lost clips whose gap held half or more
 * of the energy (solid) and for the others (light), each labelled recovered/lost.
 */
export function recoverabilityFigure(r: Recoverability): Figure {
  const x = r.lengths.map((l) => l.label);
  const binNames = r.lengths[0]?.bins.map((b) => b.name) ?? [];
  const cumulative = r.lengths.map(() => 0);
  const stacked = binNames.map((name, b) => {
    const shares = r.lengths.map((l) => (l.lost ? l.bins[b].lost / l.lost : 0));
    const base = cumulative.slice();
    shares.forEach((s, i) => { cumulative[i] += s; });
    return {
      type: 'bar', name: `energy in gap ${name}`, x, y: shares.map(round), base: base.map(round), offsetgroup: 'bins',
      marker: { color: BIN_COLOURS[b % BIN_COLOURS.length] }, legendgroup: 'bins',
      text: r.lengths.map((l) => `${l.bins[b].lost}`), textposition: 'inside', textangle: 0,
      hovertemplate: `%{x}: %{text} of the lost clips (%{y:.0%}) lost ${name} of their energy<extra></extra>`,
    };
  });
  const recovered = r.methods.flatMap((m, i) => (['halfEnergy', 'lessThanHalf'] as const).map((key) => {
    const groups = r.lengths.map((l) => l[key].byMethod[m]);
    const half = key === 'halfEnergy';
    return {
      type: 'bar', xaxis: 'x2', yaxis: 'y2', x, y: groups.map((g) => round(g?.share ?? NaN)), offsetgroup: `${m}-${key}`,
      name: `${m}: gap ${half ? '≥' : '<'} half the energy`, legendgroup: m,
      marker: { color: lighter(METHOD_COLOURS[i % METHOD_COLOURS.length], half ? 0 : 0.55) },
      customdata: groups.map((g) => [g?.recovered ?? 0, g?.lost ?? 0]),
      text: groups.map((g) => (g?.lost ? `${g.recovered}/${g.lost}` : '')), textposition: 'outside', cliponaxis: false,
      hovertemplate: `%{x}, ${m}: %{customdata[0]} of %{customdata[1]} recovered (%{y:.0%})<extra></extra>`,
    };
  }));
  return {
    data: [...stacked, ...recovered],
    layout: baseLayout(`${r.model}: lost clips by the energy their gap removed, and what each repair won back (${r.mode})`, {
      barmode: 'group', height: 560,
      xaxis: { anchor: 'y', showticklabels: false },
      yaxis: { domain: [0.56, 1], range: [0, 1], tickformat: '.0%', title: { text: 'share of lost clips' } },
      xaxis2: { anchor: 'y2', title: { text: 'missing samples per clip (16 kHz) · gap model' } },
      yaxis2: { domain: [0, 0.44], range: [0, 1], tickformat: '.0%', title: { text: 'share recovered' } },
    }),
  };
}
