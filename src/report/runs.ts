// The runs under a results directory (results/<test>/<timestamp>/ holding a history.jsonl) and the table of
// them that `faultline serve` shows, newest first, a page at a time, filtered by verdict. Discovery is thin
// I/O (each run's files read again only when they change); the page is a pure function.
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Validity } from '../../checkers/types.js';
import { resultOf, type RunCheckers } from '../../checkers/suite.js';
import { RUN_FILES, RUN_STATES, type RunStatus } from '../store/index.js';
import { isAlive } from '../util/processes.js';
import { readRegular } from '../util/regular-file.js';
import { describeEnding, type EndingLabel } from './ending.js';
import { STYLE, type Verdict, verdictOf } from './html.js';
import { esc } from './tables.js';

export interface RunEntry {
  /** path relative to the results directory, with / separators */
  path: string;
  test: string;
  /** ISO start time (test.json), else the history's modification time */
  time: string;
  topology: string;
  nemesis: string;
  verdict: Verdict;
  /** first summary line, or why there is no verdict */
  why: string;
  checked: boolean;
  /** how the run ended (status.json; older runs: checked when results.json is there) */
  ending?: EndingLabel;
  seed?: number;
  /** run duration, ms (results.json) */
  durationMs?: number;
  /** lost elements (set runs), or null when the run has no set checker */
  lost?: number | null;
}

const isRec = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const WORD = { true: 'valid', false: 'INVALID', unknown: 'UNKNOWN' } as const;

/** The run's first finding in words: the first checker not valid, with its reason; a valid run's op counts. */
function finding(checkers: RunCheckers | undefined): string | undefined {
  if (!checkers) return undefined;
  for (const [name, r] of Object.entries(checkers)) {
    if (!isRec(r) || r.valid === true || (r.valid !== false && r.valid !== 'unknown')) continue;
    const why = typeof r.reason === 'string' ? r.reason : typeof r.error === 'string' ? r.error : undefined;
    return `${name}: ${WORD[String(r.valid) as 'false' | 'unknown']}${why !== undefined ? ` — ${why}` : ''}`;
  }
  const stats = resultOf(checkers, 'stats');
  return stats && typeof stats.count === 'number' ? `ops: ${stats.count} (${stats.ok} ok, ${stats.fail} fail, ${stats.info} info = unknown outcome)` : undefined;
}

/** test.json and results.json larger than this are not read for the table (the run shows as unchecked). */
const MAX_JSON = 64 * 1024 * 1024;

/** A JSON object file, or null (absent, malformed, not a regular file: a FIFO never blocks the server). */
async function readJson(path: string): Promise<Record<string, unknown> | null> {
  try {
    const v: unknown = JSON.parse(await readRegular(path, MAX_JSON));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Entries already read, by run directory, with the stamp of the files they were read from. */
export type RunsCache = Map<string, { stamp: string; entry: RunEntry }>;

async function stampOf(dir: string): Promise<string> {
  const parts = await Promise.all(
    [RUN_FILES.history, RUN_FILES.test, RUN_FILES.results, RUN_FILES.status].map((f) =>
      stat(join(dir, f)).then(
        (s) => `${s.mtimeMs}:${s.size}`,
        () => '-',
      ),
    ),
  );
  return parts.join('|');
}

async function entryFor(root: string, dir: string, cache?: RunsCache): Promise<RunEntry> {
  const stamp = cache ? await stampOf(dir) : '';
  const hit = cache?.get(dir);
  if (hit && hit.stamp === stamp) return hit.entry;
  const entry = await readEntry(root, dir);
  cache?.set(dir, { stamp, entry });
  return entry;
}

async function readEntry(root: string, dir: string): Promise<RunEntry> {
  const test = await readJson(join(dir, RUN_FILES.test));
  const results = await readJson(join(dir, RUN_FILES.results));
  const rel = relative(root, dir).split(sep).join('/');
  const mtime = (await stat(join(dir, RUN_FILES.history))).mtime.toISOString();
  const str = (v: unknown, d: string): string => (typeof v === 'string' ? v : d);
  const summary = Array.isArray(results?.summary) ? results.summary.filter((s): s is string => typeof s === 'string') : [];
  const rawStatus = await readJson(join(dir, RUN_FILES.status));
  const status = rawStatus && RUN_STATES.includes(rawStatus.state as RunStatus['state']) ? (rawStatus as unknown as RunStatus) : null;
  const ending = describeEnding(status, results !== null, status?.state === 'running' && typeof status.pid === 'number' ? isAlive(status.pid) : null);
  const checkers = isRec(results?.checkers) ? (results.checkers as RunCheckers) : undefined;
  const setLost = resultOf(checkers, 'set')?.lost;
  return {
    path: rel,
    test: str(test?.name, rel.split('/')[0] ?? rel),
    time: str(test?.startedAt, mtime),
    topology: str(test?.topology, '?'),
    nemesis: Array.isArray(test?.nemesis) ? (test.nemesis as unknown[]).map(String).join(', ') || 'none' : '?',
    verdict: results ? verdictOf(results.valid as Validity) : 'unknown',
    why: results ? (finding(checkers) ?? summary[0] ?? '') : ending.text,
    checked: results !== null,
    ending: ending.label,
    ...(typeof test?.seed === 'number' ? { seed: test.seed } : {}),
    ...(typeof results?.durationMs === 'number' ? { durationMs: results.durationMs } : {}),
    lost: typeof setLost?.count === 'number' ? setLost.count : null,
  };
}

/**
 * Every run directory below `root` (depth ≤ 4), symlinks such as `latest` not descended into; newest first.
 * With a cache, a run whose files did not change is not read again.
 */
export async function findRuns(root: string, maxDepth = 4, cache?: RunsCache): Promise<RunEntry[]> {
  const found: RunEntry[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return;
    }
    if (names.includes(RUN_FILES.history)) {
      found.push(await entryFor(root, dir, cache));
      return;
    }
    if (depth >= maxDepth) return;
    for (const n of names.sort()) {
      const p = join(dir, n);
      const st = await lstat(p).catch(() => null);
      if (st?.isDirectory() && !st.isSymbolicLink()) await walk(p, depth + 1);
    }
  };
  await walk(root, 0);
  return found.sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : a.path.localeCompare(b.path)));
}

const enc = (path: string): string => path.split('/').map(encodeURIComponent).join('/');

/** Which runs the page shows: a page (1-based) of `perPage`, optionally only one verdict. */
export interface RunsView {
  page: number;
  perPage: number;
  verdict: Verdict | null;
}

export const RUNS_PER_PAGE = 100;
const VERDICTS: readonly Verdict[] = ['invalid', 'unknown', 'valid'];

/** The view a query string asks for (?page=N&verdict=invalid); anything unreadable falls back to the default. */
export function parseRunsView(query: URLSearchParams, perPage = RUNS_PER_PAGE): RunsView {
  const page = Number(query.get('page'));
  const verdict = query.get('verdict');
  return {
    page: Number.isInteger(page) && page >= 1 ? page : 1,
    perPage,
    verdict: VERDICTS.includes(verdict as Verdict) ? (verdict as Verdict) : null,
  };
}

function viewHref(view: RunsView, change: Partial<RunsView>): string {
  const v = { ...view, ...change };
  const q = new URLSearchParams();
  if (v.verdict) q.set('verdict', v.verdict);
  if (v.page > 1) q.set('page', String(v.page));
  const s = q.toString();
  return s ? `/?${s}` : '/';
}

/**
 * The page listing the runs: counts per verdict (each a filter link), then one page of the (filtered) runs,
 * newest first. `latest`: relative paths of `latest` links found at the top levels.
 */
export function renderRunsPage(
  root: string,
  all: readonly RunEntry[],
  latest: readonly string[] = [],
  view: RunsView = { page: 1, perPage: RUNS_PER_PAGE, verdict: null },
  newestTarget?: string,
): string {
  const matching = view.verdict ? all.filter((r) => r.verdict === view.verdict) : all;
  const pages = Math.max(1, Math.ceil(matching.length / view.perPage));
  const page = Math.min(view.page, pages);
  const runs = matching.slice((page - 1) * view.perPage, page * view.perPage);
  const counts = VERDICTS.map((v) => [v, all.filter((r) => r.verdict === v).length] as const).filter(([, n]) => n > 0);
  const filters = [
    view.verdict ? `<a href="/">all</a>` : '<b>all</b>',
    ...counts.map(([v, n]) => (view.verdict === v ? `<b>${n} ${v}</b>` : `<a href="${esc(viewHref(view, { verdict: v, page: 1 }))}">${n} ${v}</a>`)),
  ].join(' · ');
  const pager =
    pages > 1
      ? `<p class="meta" id="pager">page ${page} of ${pages}` +
        (page > 1 ? ` · <a rel="prev" href="${esc(viewHref(view, { page: page - 1 }))}">newer</a>` : '') +
        (page < pages ? ` · <a rel="next" href="${esc(viewHref(view, { page: page + 1 }))}">older</a>` : '') +
        '</p>'
      : '';
  const rows = runs.map(
    (r) =>
      `<tr class="run" data-verdict="${r.verdict}"${r.ending ? ` data-ending="${esc(r.ending)}"` : ''}><td>${esc(r.test)}</td><td>${esc(r.time.replace('T', ' ').replace(/\.\d+Z$|Z$/, ''))}</td><td>${esc(r.topology)}</td><td>${esc(r.nemesis)}</td>` +
      `<td class="num">${r.seed ?? ''}</td><td class="num">${r.durationMs !== undefined ? `${(r.durationMs / 1000).toFixed(1)} s` : ''}</td><td class="num lost">${r.lost === null || r.lost === undefined ? '' : r.lost}</td>` +
      `<td>${r.ending && r.ending !== 'checked' ? `<span class="ending small">${esc(r.ending.toUpperCase())}</span> ` : `<span class="badge ${r.verdict}">${r.verdict.toUpperCase()}</span> `}${esc(r.why)}</td>` +
      `<td><a class="report" href="/runs/${enc(r.path)}/">report</a> · <a href="/runs/${enc(r.path)}/${RUN_FILES.history}">history</a>${r.checked ? ` · <a href="/runs/${enc(r.path)}/${RUN_FILES.results}">results</a>` : ''}</td></tr>`,
  );
  // the header names one run: the newest (results/latest); each test's own latest is its first row
  const newest = latest.find((l) => l === 'latest') ?? latest[0];
  const links = newest ? `<a href="/runs/${enc(newest)}/">${esc(all.find((r) => r.path === newestTarget)?.path ?? newest)}</a>` : '';
  return [
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>faultline runs</title><style>${STYLE}</style></head><body>`,
    `<header><h1>faultline runs</h1><p class="meta" id="latest" style="white-space:nowrap;overflow:hidden;text-overflow:ellipsis">${all.length} run(s) in ${esc(root)}${links ? ` · latest: ${links}` : ''}</p>`,
    all.length ? `<p class="meta" id="filters">${filters}</p>` : '',
    `</header><main>`,
    runs.length
      ? `<table id="runs"><tr><th>test</th><th>started</th><th>topology</th><th>nemesis</th><th>seed</th><th>duration</th><th>lost</th><th>verdict</th><th>links</th></tr>${rows.join('')}</table>${pager}`
      : all.length
        ? `<p class="skipped">No ${view.verdict ?? ''} runs.</p>`
        : `<p class="skipped">No runs yet: a run directory holds a ${RUN_FILES.history}.</p>`,
    `</main></body></html>\n`,
  ].join('\n');
}

/** Relative paths of `latest` symlinks directly under root or one level down. */
export async function findLatestLinks(root: string): Promise<string[]> {
  const out: string[] = [];
  const look = async (dir: string): Promise<void> => {
    const st = await lstat(join(dir, 'latest')).catch(() => null);
    if (st?.isSymbolicLink()) out.push(relative(root, join(dir, 'latest')).split(sep).join('/'));
  };
  await look(root);
  for (const n of (await readdir(root).catch(() => [] as string[])).sort()) {
    const st = await lstat(join(root, n)).catch(() => null);
    if (st?.isDirectory()) await look(join(root, n));
  }
  return out;
}

/** The run directory results/latest points at, relative to root (null when there is none). */
export async function latestTarget(root: string): Promise<string | null> {
  try {
    return relative(root, await realpath(join(root, 'latest'))).split(sep).join('/');
  } catch {
    return null;
  }
}
