// index.html of one run: the verdict up front, every picture inline, results.json as tables, the test's
// options, links to the raw files. Self-contained (inline CSS and SVG), so it works from file://. Pure.
import type { Validity } from '../../checkers/types.js';
import type { RunResults, TestDescription } from '../store/index.js';
import type { Ending, HistoryCheck } from './ending.js';
import { dataTables, esc, itemTable, kvTable } from './tables.js';

export interface Picture {
  /** file name, e.g. "timeline.svg" */
  file: string;
  title: string;
  /** the SVG document, or null when skipped (then `note` says why) */
  svg: string | null;
  note?: string;
}

export interface IndexInput {
  /** directory name shown when test.json is missing */
  runName: string;
  test: TestDescription | null;
  results: RunResults | null;
  pictures: Picture[];
  notes: string[];
  /** relative links to the run's raw files (history.jsonl, results.json, nodes/n1.log…) */
  files: string[];
  /** how the run ended (status.json), when known */
  ending?: Ending;
  /** without results.json: the verdict of the history as written */
  check?: HistoryCheck | null;
  /** lost elements (set runs), to link the interactive timeline's full list */
  lost?: number;
  /** timeline.html was written beside index.html (default true) */
  interactive?: boolean;
}

export type Verdict = 'valid' | 'invalid' | 'unknown';

export function verdictOf(v: Validity | undefined | null): Verdict {
  return v === true ? 'valid' : v === false ? 'invalid' : 'unknown';
}

const VERDICT_TEXT: Record<Verdict, string> = { valid: 'VALID', invalid: 'INVALID', unknown: 'UNKNOWN' };

export const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#222;margin:0;background:#fafafa}
header,main{max-width:1180px;margin:0 auto;padding:0 20px}
header{padding-top:18px}
h1{font-size:22px;margin:0 0 8px}
h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
h3{font-size:15px;margin:18px 0 6px}
h4{font-size:13px;margin:12px 0 4px;color:#444}
.verdict{display:inline-block;font-weight:700;font-size:18px;padding:4px 14px;border-radius:4px;color:#fff;margin-right:12px}
.verdict.valid{background:#2e7d4f}.verdict.invalid{background:#c62828}.verdict.unknown{background:#b7791f}
.badge{font-size:11px;font-weight:700;padding:1px 7px;border-radius:3px;color:#fff;margin-left:6px;vertical-align:middle}
.badge.valid{background:#2e7d4f}.badge.invalid{background:#c62828}.badge.unknown{background:#b7791f}
.summary{margin:10px 0;padding-left:20px}
.notes{color:#8a5a00;background:#fff8e1;border:1px solid #f0d890;padding:6px 12px;border-radius:4px}
.meta{color:#666}
figure{margin:12px 0 22px;background:#fff;border:1px solid #e2e2e2;padding:6px;overflow-x:auto}
figure svg{max-width:100%;height:auto;display:block}
figcaption{color:#666;font-size:12px;margin-top:4px}
table{border-collapse:collapse;margin:4px 0 10px;background:#fff;font-size:12.5px}
th,td{border:1px solid #e0e0e0;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f3f3f3;font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums}
td.bad{color:#c62828;font-weight:600}
pre{background:#fff;border:1px solid #e0e0e0;padding:8px;overflow-x:auto;font-size:12px}
.more,.skipped{color:#777;font-style:italic}
.ending{display:inline-block;font-weight:700;font-size:13px;padding:3px 10px;border-radius:4px;color:#fff;background:#6d4c41;margin-right:12px}
.ending.small{font-size:11px;padding:1px 7px;border-radius:3px;margin-right:4px}
details.page>summary{cursor:pointer;color:#0b57d0;margin:2px 0}
nav a{margin-right:14px}
.nested{margin-left:14px}
`;

function checkerSection(name: string, data: unknown, extra = ''): string {
  const rec = (typeof data === 'object' && data !== null ? data : { valid: 'unknown' }) as Record<string, unknown>;
  const v = verdictOf(rec.valid as Validity);
  const rest = Object.fromEntries(Object.entries(rec).filter(([k]) => k !== 'valid'));
  return `<section class="checker" id="checker-${esc(name)}"><h3>${esc(name)}<span class="badge ${v}">${VERDICT_TEXT[v]}</span></h3>${extra}${dataTables(rest)}</section>`;
}

/** The set checker's pointer to the interactive list of every lost element it kept. */
function lostLink(input: IndexInput, name: string): string {
  if (name !== 'set' || !input.lost || input.interactive === false) return '';
  return `<p class="lost-link"><a href="timeline.html#lost">all ${input.lost} lost element(s) in the interactive timeline</a>: each linked to the add that wrote it and the reads that last saw it and first missed it</p>`;
}

function pictureFigure(p: Picture, interactive: boolean): string {
  if (p.svg === null) return `<p class="skipped" id="fig-${esc(p.file.replace(/\.svg$/, ''))}">${esc(p.title)}: ${esc(p.note ?? 'skipped')}</p>`;
  const inline = p.svg.replace(/^<\?xml[^>]*>\s*/, '');
  const more = p.file === 'timeline.svg' && interactive ? ` · <a href="timeline.html">interactive timeline</a> (hover an op for its full event)` : '';
  return `<figure id="fig-${esc(p.file.replace(/\.svg$/, ''))}">${inline}<figcaption>${esc(p.title)} — <a href="${esc(p.file)}">${esc(p.file)}</a>${more}</figcaption></figure>`;
}

/** The whole index.html. */
export function renderIndexHtml(input: IndexInput): string {
  const { test, results } = input;
  const name = test?.name ?? input.runName;
  const check = !results && input.check && input.check.error === undefined ? input.check : null;
  const v = verdictOf(results ? results.valid : check?.valid);
  const interactive = input.interactive !== false;
  const ending = input.ending && input.ending.label !== 'checked' ? input.ending : null;
  const summary = results?.summary?.length
    ? results.summary.filter((l, i, all) => all.indexOf(l) === i)
    : results
      ? ['no summary in results.json']
      : [
          ending?.text ?? 'not checked: results.json is missing',
          check
            ? `its history as written, checked with ${check.by}: ${VERDICT_TEXT[v]}${check.reason ? ` — ${check.reason}` : ''} (the run's own final reads and live-cluster checks never ran)`
            : input.check?.error
              ? `its history could not be checked: ${input.check.error}`
              : 'check its history with faultline check, or rebuild this report with faultline report',
        ];
  const meta = test
    ? [test.workload, test.topology, `nemesis: ${test.nemesis.join(', ') || 'none'}`, `seed ${test.seed}`, test.startedAt, test.pgVersion ? (/postgres/i.test(test.pgVersion) ? test.pgVersion : `PostgreSQL ${test.pgVersion}`) : ''].filter(Boolean).join(' · ')
    : '';
  const parts: string[] = [];
  parts.push(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">`);
  parts.push(`<title>${esc(name)}: ${VERDICT_TEXT[v]} — faultline</title><style>${STYLE}</style></head><body>`);
  const endingBadge = ending ? `<span id="ending" class="ending" data-ending="${esc(ending.label)}">${esc(ending.label.toUpperCase())}</span>` : '';
  const fromHistory = check ? ' data-from="history" title="the verdict of the history as written: the run wrote no results.json"' : '';
  parts.push(`<header><h1>${esc(name)}</h1><p>${endingBadge}<span id="verdict" class="verdict ${v}" data-verdict="${v}"${fromHistory}>${VERDICT_TEXT[v]}${check ? ' (history)' : ''}</span><span class="meta">${esc(meta)}</span></p>`);
  parts.push(`<ul class="summary" id="summary">${summary.map((s) => `<li>${esc(s)}</li>`).join('')}</ul>`);
  if (input.notes.length) parts.push(`<div class="notes" id="notes">${input.notes.map((n) => `<div>${esc(n)}</div>`).join('')}</div>`);
  parts.push(`<nav><a href="#pictures">pictures</a>${interactive ? '<a href="timeline.html">interactive timeline</a>' : ''}<a href="#results">results</a><a href="#test">test</a><a href="#files">files</a></nav></header><main>`);
  parts.push(`<h2 id="pictures">Pictures</h2>${input.pictures.map((p) => pictureFigure(p, interactive)).join('')}`);
  parts.push(`<h2 id="results">Results</h2>`);
  if (results && typeof results.checkers === 'object' && results.checkers !== null) {
    if (results.durationMs !== undefined) parts.push(`<p class="meta">run duration ${(results.durationMs / 1000).toFixed(1)} s</p>`);
    for (const [k, d] of Object.entries(results.checkers)) parts.push(checkerSection(k, d, lostLink(input, k)));
  } else if (check) {
    parts.push(`<p class="meta">results.json is missing (${esc(ending?.label ?? 'not checked')}); below, ${esc(check.by)} on the history as written.</p>`);
    for (const [k, d] of Object.entries(check.checkers)) parts.push(checkerSection(k, d, lostLink(input, k)));
  } else parts.push(`<p class="skipped">results.json is missing or unreadable.</p>`);
  parts.push(`<h2 id="test">Test</h2>`);
  if (test) {
    const { options, nodes, ...top } = test;
    parts.push(kvTable(top as unknown as Record<string, unknown>));
    if (options) parts.push(`<h3>options</h3>${kvTable(options)}`);
    if (nodes?.length) parts.push(`<h3>nodes</h3>${itemTable(nodes.map((n) => Object.fromEntries(Object.entries(n).filter(([k]) => k !== 'clientUrl'))))}`);
  } else parts.push(`<p class="skipped">test.json is missing or unreadable.</p>`);
  parts.push(`<h2 id="files">Files</h2><ul>${input.files.map((f) => `<li><a href="${esc(f)}">${esc(f)}</a></li>`).join('')}</ul>`);
  parts.push(`</main></body></html>\n`);
  return parts.join('\n');
}
