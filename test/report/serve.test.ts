// Tests of `faultline serve` (in process: the runs table, a run's report rendered on the fly, `latest` links,
// path traversal refused) and of `faultline report` exit statuses through the real CLI.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findRuns, parseRunsView, renderRunsPage, type RunEntry } from '../../src/report/runs.js';
import { isInside, parseRunPath, type ReportServer, startReportServer } from '../../src/report/serve.js';

const ROOT = join(import.meta.dirname, '..', '..');
const RUNS = join(ROOT, 'test', 'fixtures', 'runs');
const tmp = mkdtempSync(join(tmpdir(), 'fl-serve-'));
const results = join(tmp, 'results');
let srv: ReportServer;

/** GET a raw path (not normalised by a URL parser, so `..` reaches the server). */
function get(path: string): Promise<{ status: number; type: string; body: string; location?: string }> {
  const url = new URL(srv.url);
  return new Promise((ok, fail) => {
    const req = request({ host: url.hostname, port: url.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body, location: res.headers.location }));
    });
    req.on('error', fail);
    req.end();
  });
}

beforeAll(async () => {
  cpSync(RUNS, results, { recursive: true });
  symlinkSync('20260103T060000Z', join(results, 'counter-pause-streaming-async', 'latest'));
  symlinkSync('counter-pause-streaming-async/20260103T060000Z', join(results, 'latest'));
  mkdirSync(join(tmp, 'outside'));
  writeFileSync(join(tmp, 'outside', 'secret.txt'), 'secret\n');
  symlinkSync(join(tmp, 'outside'), join(results, 'escape'));
  srv = await startReportServer(results, 0);
});

afterAll(async () => {
  await srv?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('faultline serve', () => {
  it('finds every run once, newest first, without descending into latest links', async () => {
    const runs = await findRuns(results);
    expect(runs.map((r) => r.test)).toEqual(['counter-pause-streaming-async', 'register-partition-streaming-async', 'set-kill-streaming-async']);
    expect(runs.map((r) => r.verdict)).toEqual(['invalid', 'invalid', 'valid']);
  });

  it('lists the runs with links on /', async () => {
    const r = await get('/');
    expect(r.status).toBe(200);
    expect(r.type).toContain('text/html');
    expect(r.body.match(/<tr class="run"/g)).toHaveLength(3);
    expect(r.body).toContain('href="/runs/set-kill-streaming-async/20260101T000000Z/"');
    // the header names the newest run on one line (each test's own latest is that test's first row)
    expect(r.body).toMatch(/<p class="meta" id="latest" style="white-space:nowrap[^"]*">3 run\(s\) in [^<]* · latest: <a href="\/runs\/latest\/">counter-pause-streaming-async\/20260103T060000Z<\/a><\/p>/);
    // seed, duration and lost columns
    expect(r.body).toContain('<th>seed</th><th>duration</th><th>lost</th>');
    const setRow = /<tr class="run"[^>]*><td>set-kill-streaming-async<\/td>.*?<\/tr>/.exec(r.body)?.[0] ?? '';
    expect(setRow).toMatch(/<td class="num">\d+<\/td><td class="num">\d+\.\d s<\/td><td class="num lost">0<\/td>/);
  });

  it('shows how a run ended: an interrupted run is INTERRUPTED with the reason, not an unexplained unknown', async () => {
    const dir = join(tmp, 'ended');
    cpSync(join(RUNS, 'set-kill-streaming-async'), join(dir, 'set-kill-streaming-async'), { recursive: true });
    const run = join(dir, 'set-kill-streaming-async', '20260101T000000Z');
    rmSync(join(run, 'results.json'));
    writeFileSync(join(run, 'status.json'), JSON.stringify({ at: '2026-01-01T00:00:20Z', pid: 1, elapsedS: 12.5, state: 'interrupted', signal: 'SIGINT' }));
    const [entry] = await findRuns(dir);
    expect(entry).toMatchObject({ ending: 'interrupted', checked: false });
    expect(entry?.why).toBe('interrupted by SIGINT after 12.5 s of the main phase: the run wrote no results.json; its history so far is checkable');
    const page = renderRunsPage(dir, entry ? [entry] : []);
    expect(page).toContain('data-ending="interrupted"');
    expect(page).toContain('<span class="ending small">INTERRUPTED</span>');
  });

  it("a run's page links back to the list", async () => {
    const r = await get('/runs/register-partition-streaming-async/20260102T030000Z/');
    expect(r.body).toMatch(/<body[^>]*><p class="back"[^>]*><a id="back" href="\/">← all runs<\/a><\/p>/);
  });

  it('filters the list by verdict (?verdict=invalid) and counts each verdict', async () => {
    const r = await get('/?verdict=invalid');
    expect(r.body.match(/<tr class="run"/g)).toHaveLength(2);
    expect(r.body).not.toContain('data-verdict="valid"');
    expect(r.body).toContain('<b>2 invalid</b>');
    expect(r.body).toContain('<a href="/?verdict=valid">1 valid</a>');
  });

  it('pages a long list, newest first, with newer / older links (pure)', () => {
    const entry = (i: number): RunEntry => ({
      path: `t/${i}`,
      test: 't',
      time: new Date(Date.UTC(2026, 0, 1) - i * 60_000).toISOString(),
      topology: 'single',
      nemesis: 'kill',
      verdict: i % 10 === 0 ? 'invalid' : 'valid',
      why: '',
      checked: true,
    });
    const runs = Array.from({ length: 250 }, (_, i) => entry(i));
    const page2 = renderRunsPage('/r', runs, [], parseRunsView(new URLSearchParams('page=2')));
    expect(page2.match(/<tr class="run"/g)).toHaveLength(100);
    expect(page2).toContain('href="/runs/t/100/"');
    expect(page2).not.toContain('href="/runs/t/99/"');
    expect(page2).toContain('page 2 of 3 · <a rel="prev" href="/">newer</a> · <a rel="next" href="/?page=3">older</a>');
    const invalid = renderRunsPage('/r', runs, [], parseRunsView(new URLSearchParams('verdict=invalid&page=9')));
    expect(invalid.match(/<tr class="run"/g)).toHaveLength(25); // past the end: the last page
    expect(invalid).not.toContain('id="pager"');
    expect(parseRunsView(new URLSearchParams('page=x&verdict=bogus'))).toEqual({ page: 1, perPage: 100, verdict: null });
  });

  it("serves a run's report (rendered in memory when never written) and its files", async () => {
    const r = await get('/runs/register-partition-streaming-async/20260102T030000Z/');
    expect(r.status).toBe(200);
    expect(r.body).toContain('id="verdict" class="verdict invalid"');
    expect((await get('/runs/register-partition-streaming-async/20260102T030000Z')).status).toBe(301);
    const h = await get('/runs/register-partition-streaming-async/20260102T030000Z/history.jsonl');
    expect(h.status).toBe(200);
    expect(h.body.split('\n')[0]).toContain('"index":0');
  });

  it('follows latest links inside the results directory', async () => {
    expect((await get('/runs/latest/')).body).toContain('counter-pause-streaming-async');
    expect((await get('/runs/counter-pause-streaming-async/latest/test.json')).status).toBe(200);
  });

  it('refuses path traversal and links leaving the results directory', async () => {
    expect((await get('/runs/../../../etc/passwd')).status).toBe(403);
    expect((await get('/runs/%2e%2e/%2e%2e/etc/passwd')).status).toBe(403);
    expect((await get('/runs/..%2f..%2fetc%2fpasswd')).status).toBe(403);
    expect((await get('/runs/escape/secret.txt')).status).toBe(403);
    expect((await get('/runs/nope/')).status).toBe(404);
    expect(parseRunPath('a/%00b')).toEqual({ refused: 'bad character in path' });
    expect(isInside('/r', '/r2/x')).toBe(false);
    expect(isInside('/r', '/r/x')).toBe(true);
  });
});

describe('faultline report', () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'report', ...args], { cwd: ROOT, encoding: 'utf8' });

  it('rebuilds a run (0), needs a history (66), rejects malformed input with file:line (65)', () => {
    const ok = cli(join(results, 'latest'));
    expect(ok.status).toBe(0);
    expect(ok.stdout.trim()).toBe(join(results, 'latest', 'index.html'));
    const missing = cli(join(tmp, 'outside'));
    expect(missing.status).toBe(66);
    expect(missing.stderr).toContain('history.jsonl');
    const bad = join(tmp, 'bad');
    mkdirSync(bad);
    writeFileSync(join(bad, 'history.jsonl'), '{"index":0,"time":1,"process":0,"type":"invoke","f":"read"}\n{"index":1,\n');
    const malformed = cli(bad);
    expect(malformed.status).toBe(65);
    expect(malformed.stderr).toContain(`${join(bad, 'history.jsonl')}:2:`);
  });

  it('an interrupted run (no results.json) gets the verdict of its history, and says how it ended', () => {
    const run = join(tmp, 'interrupted', 'r');
    cpSync(join(RUNS, 'register-partition-streaming-async', '20260102T030000Z'), run, { recursive: true });
    rmSync(join(run, 'results.json'));
    writeFileSync(join(run, 'status.json'), JSON.stringify({ at: '2026-01-01T00:00:20Z', pid: 1, state: 'interrupted', signal: 'SIGTERM', elapsedS: 3 }));
    const r = cli(run);
    expect(r.status, r.stderr).toBe(0);
    const html = readFileSync(join(run, 'index.html'), 'utf8');
    expect(html).toContain('id="ending" class="ending" data-ending="interrupted"');
    expect(html).toMatch(/id="verdict" class="verdict invalid" data-verdict="invalid" data-from="history"/);
    expect(html).toContain('interrupted by SIGTERM after 3 s of the main phase');
    expect(html).toContain('its history as written, checked with the register workload&#39;s checkers: INVALID — linearizability: cannot linearize');
  });
});
