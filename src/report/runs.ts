// The runs under a results directory (results/<test>/<timestamp>/ holding a history.jsonl) and the table of
// them that `faultline serve` shows, newest first. Discovery is thin I/O; the page is a pure function.
import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Validity } from '../../checkers/types.js';
import { RUN_FILES } from '../runner/results.js';
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
}

async function readJson(path: string): Promise<Record<string, unknown> | null> {
  try {
    const v: unknown = JSON.parse(await readFile(path, 'utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

async function entryFor(root: string, dir: string): Promise<RunEntry> {
  const test = await readJson(join(dir, RUN_FILES.test));
  const results = await readJson(join(dir, RUN_FILES.results));
  const rel = relative(root, dir).split(sep).join('/');
  const mtime = (await stat(join(dir, RUN_FILES.history))).mtime.toISOString();
  const str = (v: unknown, d: string): string => (typeof v === 'string' ? v : d);
  const summary = Array.isArray(results?.summary) ? results.summary.filter((s): s is string => typeof s === 'string') : [];
  return {
    path: rel,
    test: str(test?.name, rel.split('/')[0] ?? rel),
    time: str(test?.startedAt, mtime),
    topology: str(test?.topology, '?'),
    nemesis: Array.isArray(test?.nemesis) ? (test.nemesis as unknown[]).map(String).join(', ') || 'none' : '?',
    verdict: results ? verdictOf(results.valid as Validity) : 'unknown',
    why: results ? (summary.find((s, i) => i > 0 && !/: valid$/.test(s)) ?? summary[0] ?? '') : 'not checked (no results.json)',
    checked: results !== null,
  };
}

/** Every run directory below `root` (depth ≤ 4), symlinks such as `latest` not descended into; newest first. */
export async function findRuns(root: string, maxDepth = 4): Promise<RunEntry[]> {
  const found: RunEntry[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return;
    }
    if (names.includes(RUN_FILES.history)) {
      found.push(await entryFor(root, dir));
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

/** The page listing every run. `latest`: relative paths of `latest` links found at the top levels. */
export function renderRunsPage(root: string, runs: readonly RunEntry[], latest: readonly string[] = []): string {
  const rows = runs.map(
    (r) =>
      `<tr class="run" data-verdict="${r.verdict}"><td>${esc(r.test)}</td><td>${esc(r.time.replace('T', ' ').replace(/\.\d+Z$|Z$/, ''))}</td><td>${esc(r.topology)}</td><td>${esc(r.nemesis)}</td>` +
      `<td><span class="badge ${r.verdict}">${r.verdict.toUpperCase()}</span> ${esc(r.why)}</td>` +
      `<td><a class="report" href="/runs/${enc(r.path)}/">report</a> · <a href="/runs/${enc(r.path)}/${RUN_FILES.history}">history</a>${r.checked ? ` · <a href="/runs/${enc(r.path)}/${RUN_FILES.results}">results</a>` : ''}</td></tr>`,
  );
  const links = latest.map((l) => `<a href="/runs/${enc(l)}/">${esc(l)}</a>`).join(' · ');
  return [
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>faultline runs</title><style>${STYLE}</style></head><body>`,
    `<header><h1>faultline runs</h1><p class="meta">${runs.length} run(s) in ${esc(root)}${links ? ` · latest: ${links}` : ''}</p></header><main>`,
    runs.length
      ? `<table id="runs"><tr><th>test</th><th>started</th><th>topology</th><th>nemesis</th><th>verdict</th><th>links</th></tr>${rows.join('')}</table>`
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
