import { escapeHtml } from '../util/html';

/**
 * Tables as HTML: danfo DataFrames (anything with `columns` and `values`) or arrays of records.
 */
export interface TableLike {
  columns: string[];
  values: unknown[][] | unknown[];
}

export type TableInput = TableLike | Record<string, unknown>[];

function formatCell(value: unknown, digits: number): string {
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return String(value);
    return Number.isFinite(value) ? value.toFixed(digits) : String(value);
  }
  if (value === null || value === undefined) return '';
  return String(value);
}

/** Normalises a DataFrame or record list to a header and rows. */
export function tableRows(input: TableInput): { columns: string[]; rows: unknown[][] } {
  if (Array.isArray(input)) {
    const columns: string[] = [];
    for (const r of input) for (const k of Object.keys(r)) if (!columns.includes(k)) columns.push(k);
    return { columns, rows: input.map((r) => columns.map((c) => r[c])) };
  }
  const values = input.values as unknown[];
  const rows = values.map((v) => (Array.isArray(v) ? v : [v]));
  return { columns: [...input.columns], rows };
}

export interface TableHtmlOptions {
  caption?: string;
  /** Decimal places for non-integer numbers. Default 3. */
  digits?: number;
  /** Rows shown before eliding the middle. Default 40. */
  maxRows?: number;
}

export function tableToHtml(input: TableInput, options: TableHtmlOptions = {}): string {
  const { columns, rows } = tableRows(input);
  const digits = options.digits ?? 3;
  const maxRows = options.maxRows ?? 40;
  let shown = rows;
  let elided = 0;
  if (rows.length > maxRows) {
    const half = Math.floor(maxRows / 2);
    shown = [...rows.slice(0, half), ...rows.slice(rows.length - half)];
    elided = rows.length - 2 * half;
  }
  const th = 'style="text-align:right;padding:3px 10px;border-bottom:1px solid #888"';
  const td = 'style="text-align:right;padding:2px 10px;border-bottom:1px solid #eee"';
  const body = shown.map((r, i) => {
    const cells = r.map((v) => `<td ${td}>${escapeHtml(formatCell(v, digits))}</td>`).join('');
    const gap = elided && i === Math.floor(maxRows / 2) ? `<tr><td ${td} colspan="${columns.length}">… ${elided} more rows …</td></tr>` : '';
    return `${gap}<tr>${cells}</tr>`;
  });
  return [
    '<table class="lacuna-table" style="border-collapse:collapse;font-size:12px;margin:6px 0">',
    options.caption ? `<caption style="text-align:left;font-weight:bold;padding:4px 0">${escapeHtml(options.caption)}</caption>` : '',
    `<thead><tr>${columns.map((c) => `<th ${th}>${escapeHtml(c)}</th>`).join('')}</tr></thead>`,
    `<tbody>${body.join('')}</tbody></table>`,
    `<div style="font-size:11px;color:#666">${rows.length} rows × ${columns.length} columns</div>`,
  ].join('');
}
