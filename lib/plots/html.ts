import * as fs from 'fs';
import { Figure } from './figure';
import { escapeHtml } from '../util/html';

/**
 * Plotly rendered as HTML that works offline: plotly.js comes from the installed dist bundle,
 * never from a CDN, so a shared notebook or results page draws without network access.
 */

let plotlySource: string | undefined;

/** The plotly.js bundle, read once from node_modules. */
export function plotlyBundle(): string {
  if (plotlySource === undefined) {
    plotlySource = fs.readFileSync(require.resolve('plotly.js-dist-min/plotly.min.js'), 'utf8');
  }
  return plotlySource;
}

/**
 * A <script> that defines window.Plotly. The bundle is UMD: on a page with RequireJS (classic
 * Jupyter, some nbconvert templates) it would register an AMD module and never set the global,
 * so define/module/exports are shadowed to force the global path.
 */
export function plotlyLoaderScript(): string {
  const src = plotlyBundle().replace(/<\/script/gi, '<\\/script');
  return `<script type="text/javascript">if (!window.Plotly) { (function(define, module, exports) {\n${src}\n}).call(window); }</script>`;
}

let figureCounter = 0;

/** JSON safe to inline in a <script> (no `</script>` break-out, no U+2028 surprises). */
function inlineJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/**
 * Shown in place of a figure when plotly.js never arrives: a notebook embeds it once per kernel,
 * with the first figure, so a notebook saved after that output was cleared (the cell run again in
 * the same kernel) draws nothing when reopened.
 */
const PLOTLY_MISSING = 'plotly.js is not on this page (a notebook embeds it once per kernel, with its first figure, and that output is gone): Kernel → Restart & Run All draws the figures again.';

/**
 * One figure as an HTML fragment: a div and the script that draws it. The script waits for
 * window.Plotly, because in a notebook the bundle may still be evaluating in an earlier output.
 */
export function figureFragment(figure: Figure): string {
  const id = `lacuna-fig-${process.pid}-${Date.now().toString(36)}-${figureCounter++}`;
  const layout = { ...figure.layout };
  const height = typeof layout.height === 'number' ? layout.height : 360;
  const config = { responsive: true, displaylogo: false, ...figure.config };
  return [
    `<div id="${id}" class="lacuna-figure" style="width:100%;min-height:${height}px"></div>`,
    '<script type="text/javascript">',
    `(function draw(tries) {`,
    `  var el = document.getElementById(${inlineJson(id)});`,
    `  if (!el) return;`,
    `  if (!window.Plotly) { if (tries < 200) setTimeout(function () { draw(tries + 1); }, 50); else el.textContent = ${inlineJson(PLOTLY_MISSING)}; return; }`,
    `  window.Plotly.newPlot(el, ${inlineJson(figure.data)}, ${inlineJson(layout)}, ${inlineJson(config)});`,
    `})(0);`,
    '</script>',
  ].join('\n');
}

export interface HtmlOptions {
  /** A whole HTML document with plotly.js embedded (for files), instead of a fragment. */
  standalone?: boolean;
  title?: string;
}

/** A figure as HTML; with `standalone`, a complete offline page. */
export function figureToHtml(figure: Figure, options: HtmlOptions = {}): string {
  if (!options.standalone) return figureFragment(figure);
  return pageHtml([figureFragment(figure)], options.title ?? 'lacuna figure');
}

/** A complete offline page holding several fragments (figures, tables). */
export function pageHtml(fragments: string[], title: string): string {
  return [
    '<!DOCTYPE html>',
    '<html><head><meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title>`,
    plotlyLoaderScript(),
    '</head><body style="font-family:Helvetica,Arial,sans-serif;margin:24px">',
    ...fragments,
    '</body></html>',
  ].join('\n');
}
