import { Figure, baseLayout } from './figure';
import type { Headline } from '../experiments/types';

const COLOURS: Record<string, string> = { dummy: '#7f7f7f', clean: '#1f77b4', corrupted: '#d62728' };
/** Colours of the repair methods, in the headline's (sorted) method order: the recoverability chart uses the same. */
export const METHOD_COLOURS = ['#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

/**
 * The headline chart: grouped bars per gap length — dummy, clean, corrupted (no repair) and each
 * repair method — with the fold spread (standard deviation) as error bars.
 */
export function headlineFigure(headline: Headline): Figure {
  const x = headline.lengths.map((l) => l.label);
  const bar = (name: string, colour: string, values: ({ accuracy: number; std: number } | undefined)[]) => ({
    type: 'bar', name, x, y: values.map((v) => v?.accuracy ?? null), marker: { color: colour },
    error_y: { type: 'data', array: values.map((v) => v?.std ?? 0), visible: true, thickness: 1 },
  });
  return {
    data: [
      ...(headline.dummy ? [bar('stratified dummy', COLOURS.dummy, x.map(() => headline.dummy))] : []),
      ...(headline.clean ? [bar('clean (NC)', COLOURS.clean, x.map(() => headline.clean))] : []),
      bar('corrupted, no repair', COLOURS.corrupted, headline.lengths.map((l) => l.corrupted)),
      ...headline.methods.map((method, i) => bar(
        `repaired: ${method}`, METHOD_COLOURS[i % METHOD_COLOURS.length], headline.lengths.map((l) => l.repaired[method]),
      )),
    ],
    layout: baseLayout(`${headline.model}: accuracy after reconstruction (${headline.mode}; error bars: fold spread)`, {
      barmode: 'group', xaxis: { title: { text: 'missing samples per clip (16 kHz) · gap model' } },
      yaxis: { title: { text: 'accuracy' }, range: [0, 1] },
    }),
  };
}
