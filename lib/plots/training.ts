import { Figure, baseLayout } from './figure';

/** Loss per training step, with a moving average to show the trend through batch noise. */
export function lossCurveFigure(losses: number[], title = 'Training loss'): Figure {
  const steps = losses.map((_, i) => i + 1);
  const window = Math.max(1, Math.round(losses.length / 10));
  const smooth = losses.map((_, i) => {
    const from = Math.max(0, i - window + 1);
    const part = losses.slice(from, i + 1);
    return part.reduce((a, b) => a + b, 0) / part.length;
  });
  return {
    data: [
      { type: 'scatter', mode: 'markers', x: steps, y: losses, name: 'loss per step', marker: { size: 5, color: '#9ab' } },
      { type: 'scatter', mode: 'lines', x: steps, y: smooth, name: `moving average (${window})`, line: { width: 2.5, color: '#1f77b4' } },
    ],
    layout: baseLayout(title, { xaxis: { title: { text: 'step' } }, yaxis: { title: { text: 'loss' } } }),
  };
}
