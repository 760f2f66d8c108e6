/**
 * A Plotly figure as plain data. Builders in lib/plots return these; rendering (inline in a
 * notebook, or as a standalone HTML file) is separate, so the same figure serves both.
 */
export interface Figure {
  data: Record<string, unknown>[];
  layout?: Record<string, unknown>;
  config?: Record<string, unknown>;
}

/** Layout defaults shared by lacuna's figures: compact margins, readable fonts, white background. */
export function baseLayout(title: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: { text: title, font: { size: 15 } },
    margin: { l: 60, r: 20, t: 50, b: 50 },
    font: { family: 'Helvetica, Arial, sans-serif', size: 12 },
    paper_bgcolor: 'white',
    plot_bgcolor: 'white',
    height: 360,
    ...extra,
  };
}
