/**
 * Notebook-only display helpers. They render through tslab's display when running inside a
 * tslab kernel and fall back to printing a short text summary elsewhere (scripts, tests), so a
 * notebook cell's code also runs under plain Node.
 */
import { encodeWav } from '../audio/io';
import { peakNormalize } from '../audio/preprocess';
import { Figure } from '../plots/figure';
import { figureFragment, plotlyLoaderScript } from '../plots/html';
import { TslabDisplay, tslabModule } from '../util/tslab';
import { escapeHtml } from '../util/html';
import { TableHtmlOptions, TableInput, tableRows, tableToHtml } from '../plots/table';

function tslabDisplay(): TslabDisplay | undefined {
  return tslabModule()?.display;
}

/** True inside a tslab kernel. */
export function inNotebook(): boolean {
  return tslabDisplay() !== undefined;
}

let plotlyShown = false;

/** Emits plotly.js once per kernel, in its own output, before the first figure. */
function ensurePlotly(display: TslabDisplay): void {
  if (plotlyShown) return;
  display.html(plotlyLoaderScript());
  plotlyShown = true;
}

export function showHtml(html: string): void {
  const d = tslabDisplay();
  if (d) d.html(html);
  else console.log(html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 200));
}

export function showMarkdown(text: string): void {
  const d = tslabDisplay();
  if (d) d.markdown(text);
  else console.log(text);
}

/** Draws a Plotly figure inline (offline: plotly.js is embedded in the notebook once). */
export function showFigure(figure: Figure): void {
  const d = tslabDisplay();
  if (!d) {
    const title = (figure.layout?.title as { text?: string } | undefined)?.text ?? 'figure';
    console.log(`[figure] ${title}: ${figure.data.length} trace(s)`);
    return;
  }
  ensurePlotly(d);
  d.html(figureFragment(figure));
}

/** Shows a danfo DataFrame or an array of records as an HTML table. */
export function showTable(table: TableInput, options: TableHtmlOptions = {}): void {
  const d = tslabDisplay();
  if (d) {
    d.html(tableToHtml(table, options));
    return;
  }
  const { columns, rows } = tableRows(table);
  if (options.caption) console.log(options.caption);
  console.log([columns.join('\t'), ...rows.slice(0, 20).map((r) => r.join('\t'))].join('\n'));
}

/** 16-bit PCM WAV bytes of a clip, peak-normalised (with headroom) so quiet or z-scored clips are audible. */
export function wavBytes(samples: Float32Array, sampleRate: number): Uint8Array {
  const scaled = peakNormalize(samples).map((v) => v * 0.9);
  return encodeWav({ samples: scaled, sampleRate });
}

/** An HTML audio player with the clip embedded (a data URI: works in shared HTML too). */
export function audioPlayerHtml(samples: Float32Array, sampleRate: number, label = ''): string {
  const b64 = Buffer.from(wavBytes(samples, sampleRate)).toString('base64');
  const caption = label ? `<div style="font-size:12px">${escapeHtml(label)}</div>` : '';
  return `<div style="display:inline-block;margin:4px 12px 4px 0">${caption}<audio controls preload="none" src="data:audio/wav;base64,${b64}"></audio></div>`;
}

export function showAudio(samples: Float32Array, sampleRate: number, options: { label?: string } = {}): void {
  const d = tslabDisplay();
  if (d) d.html(audioPlayerHtml(samples, sampleRate, options.label));
  else console.log(`[audio] ${options.label ?? ''} ${(samples.length / sampleRate).toFixed(2)} s at ${sampleRate} Hz`);
}

export { notebookDataset, testFolds, foldsOf, datasetHeader, datasetSource, parseDatasetFlags, splitFlags } from './dataset';
export type { NotebookDataset, NotebookParameters } from './dataset';
export { exampleRows } from './examples';
export { costNote, estimateSeconds, formatDuration, MEASURED_COSTS } from './cost';
export type { MeasuredCost } from './cost';
