// results.json and test.json as readable HTML tables: a generic renderer for checker data maps (scalars,
// capped lists {count, items, truncated}, arrays of records, per-node/per-f matrices), HTML-escaped. Pure.

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const isScalar = (v: unknown): boolean => v === null || ['string', 'number', 'boolean'].includes(typeof v);

/** Escape text for HTML content and attribute values. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** One cell's text: scalars as they are, small records as k=v pairs, the rest as JSON cut at `max`. */
export function cellText(v: unknown, max = 80): string {
  let s: string;
  if (v === undefined) s = '';
  else if (typeof v === 'string') s = v;
  else if (isRec(v) && Object.values(v).every(isScalar)) {
    s = Object.entries(v)
      .map(([k, x]) => `${k}=${typeof x === 'string' ? x : JSON.stringify(x)}`)
      .join(' ');
  } else if (isRec(v) && Object.values(v).every((x) => isRec(x) && Object.values(x).every(isScalar))) {
    s = Object.entries(v)
      .map(([k, x]) => `${k}: ${cellText(x, max)}`)
      .join('; ');
    max *= 3;
  } else s = JSON.stringify(v) ?? String(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** Fields whose false value is a finding (shown in red). */
const BAD_WHEN_FALSE = new Set(['valid', 'agree', 'caughtUp', 'enabled', 'workerRunningAtEnd']);

function cell(v: unknown, key = ''): string {
  const bad = (key === 'valid' && v !== true) || (BAD_WHEN_FALSE.has(key) && v === false);
  const cls = typeof v === 'number' ? ' class="num"' : bad ? ' class="bad"' : '';
  return `<td${cls}>${esc(cellText(v))}</td>`;
}

/** A two-column table of a record's fields. */
export function kvTable(rec: Rec, cls = 'kv'): string {
  const rows = Object.entries(rec).map(([k, v]) => `<tr><th>${esc(k)}</th>${cell(v, k)}</tr>`);
  return rows.length ? `<table class="${cls}">${rows.join('')}</table>` : '';
}

/** Rows shown before a long table folds the rest into <details>, and rows per folded page. */
const FOLD = 12;
const PAGE = 100;
/** Rows rendered at most (a checker's capped lists keep 1,000). */
export const MAX_ROWS = 5000;

/**
 * A table of records: one row each, columns the union of their fields. The first FOLD rows show; the rest
 * follow in pages of PAGE rows, each a <details> ("rows 13–112 of 322"), so every row is reachable without
 * scripts; past `max` rows a line says how many more there are.
 */
export function itemTable(items: readonly unknown[], max = MAX_ROWS, rowHeader?: string, last = false): string {
  const recs = (last ? items.slice(-max) : items.slice(0, max)).map((x) => (isRec(x) ? x : { value: x }));
  const cols = [...new Set(recs.flatMap((r) => Object.keys(r)))];
  const head = `<tr>${rowHeader !== undefined ? `<th>${esc(rowHeader)}</th>` : ''}${cols.map((c) => `<th>${esc(c)}</th>`).join('')}</tr>`;
  const rows = recs.map((r) => `<tr>${cols.map((c) => cell(r[c], c)).join('')}</tr>`);
  const more = items.length > max ? `<p class="more">${last ? `the last ${max} shown of ${items.length}` : `… and ${items.length - max} more`}</p>` : '';
  if (rows.length <= FOLD) return `<table class="items">${head}${rows.join('')}</table>${more}`;
  const pages: string[] = [];
  for (let i = FOLD; i < rows.length; i += PAGE) {
    const to = Math.min(rows.length, i + PAGE);
    pages.push(`<details class="page"><summary>rows ${i + 1}–${to} of ${rows.length}</summary><table class="items">${head}${rows.slice(i, to).join('')}</table></details>`);
  }
  return `<table class="items">${head}${rows.slice(0, FOLD).join('')}</table>${pages.join('')}${more}`;
}

/** A matrix: rows are a record's keys (nodes, f's), columns the union of the row records' fields. */
export function matrixTable(rec: Record<string, Rec>, rowHeader: string): string {
  const cols = [...new Set(Object.values(rec).flatMap((r) => Object.keys(r)))];
  const head = `<tr><th>${esc(rowHeader)}</th>${cols.map((c) => `<th>${esc(c)}</th>`).join('')}</tr>`;
  const body = Object.entries(rec)
    .map(([k, r]) => `<tr><th>${esc(k)}</th>${cols.map((c) => cell(r[c], c)).join('')}</tr>`)
    .join('');
  return `<table class="matrix">${head}${body}</table>`;
}

const isCapped = (v: unknown): v is { count: number; items: unknown[]; truncated?: boolean } => isRec(v) && typeof v.count === 'number' && Array.isArray(v.items);

/** Values that fit one matrix cell: scalars, short scalar arrays, capped lists (as their count), flat records. */
const isCellable = (y: unknown): boolean =>
  isScalar(y) || isCapped(y) || (Array.isArray(y) && y.length <= 4 && y.every(isScalar)) || (isRec(y) && Object.values(y).every(isScalar));

/** Render one field of checker data that is not a scalar. */
function field(name: string, v: unknown, depth: number): string {
  const h = `<h4>${esc(name)}</h4>`;
  if (isCapped(v)) {
    if (v.count === 0) return `<p class="field"><b>${esc(name)}</b>: none</p>`;
    const shown = v.items.length < v.count ? ` (the first ${v.items.length} kept by the checker)` : '';
    return `<h4 id="field-${esc(name)}">${esc(name)}: ${v.count}${shown}</h4>${itemTable(v.items)}`;
  }
  if (Array.isArray(v)) {
    if (v.length === 0) return `<p class="field"><b>${esc(name)}</b>: none</p>`;
    if (v.every(isScalar)) return `<p class="field"><b>${esc(name)}</b>: ${esc(cellText(v, 400))}</p>`;
    return `${h}${itemTable(v, depth > 0 ? 20 : MAX_ROWS, undefined, name === 'prefix')}`;
  }
  if (isRec(v)) {
    const vals = Object.values(v);
    if (vals.length === 0) return `<p class="field"><b>${esc(name)}</b>: none</p>`;
    if (vals.every((x) => isRec(x) && Object.values(x).every(isCellable))) {
      const flat: Record<string, Rec> = {};
      for (const [k, x] of Object.entries(v as Record<string, Rec>)) {
        flat[k] = Object.fromEntries(Object.entries(x).map(([c, y]) => [c, isCapped(y) ? y.count : y]));
      }
      return `${h}${matrixTable(flat, '')}`;
    }
    if (depth < 2) return `${h}<div class="nested">${dataTables(v, depth + 1)}</div>`;
  }
  return `${h}<pre>${esc(JSON.stringify(v, null, 2).slice(0, 4000))}</pre>`;
}

/** A checker's data map (or any record) as tables: scalars first in one table, then each structured field. */
export function dataTables(data: Rec, depth = 0): string {
  const scalars: Rec = {};
  const parts: string[] = [];
  for (const [k, v] of Object.entries(data)) {
    if (isScalar(v) || (Array.isArray(v) && v.length <= 8 && v.every(isScalar) && k !== 'items')) scalars[k] = v;
    else parts.push(field(k, v, depth));
  }
  return kvTable(scalars) + parts.join('');
}
