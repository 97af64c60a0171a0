// A real browser on the report: `faultline serve` (spawned through the CLI) over a copy of the fixture runs,
// headless Chromium driven by playwright-core opens the runs table, a run's page and a file:// report,
// screenshots them, and checks title, verdict, inline SVG and that the console stayed free of errors. On the
// recorded headline async run: every lost write is outlined in a detail panel, and timeline.html shows an
// op's full event on hover and follows a lost element to its write and the read that missed it.
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReport } from '../../src/report/index.js';
import { MAX_OUTLINED } from '../../src/report/timeline.js';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = join(import.meta.dirname, '..', '..');
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`test/report/browser.test.ts: skipped: ${CHROMIUM} is not installed (apt-get install chromium)`);

const tmp = mkdtempSync(join(tmpdir(), 'fl-browser-'));
/** Screenshots go to $FAULTLINE_SCREENSHOTS when set (to look at them), else into the temp dir. */
const SHOTS = process.env.FAULTLINE_SCREENSHOTS ?? join(tmp, 'shots');
let server: ChildProcess | undefined;
let context: BrowserContext | undefined;
let base = '';

/** Start `faultline serve` on a free port and read the URL it prints. */
function startServe(results: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'serve', '--results', results], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((ok, fail) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => fail(new Error(`faultline serve printed no URL in 30 s: ${out}${err}`)), 30_000);
    child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) {
        clearTimeout(timer);
        ok({ child, url: m[1] as string });
      }
    });
    child.on('exit', (code) => fail(new Error(`faultline serve exited ${code}: ${err}`)));
  });
}

/** Open a page and collect console errors and uncaught exceptions while it loads. */
async function open(url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await (context as BrowserContext).newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url, { waitUntil: 'load' });
  return { page, errors };
}

/** The recorded headline async run (test/fixtures/headline-async), unpacked into a run directory. */
function headlineRun(): string {
  const from = join(ROOT, 'test', 'fixtures', 'headline-async');
  const dir = join(tmp, 'headline', 'headline-async', '20261201T123742Z');
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(from)) {
    if (f.endsWith('.gz')) writeFileSync(join(dir, f.slice(0, -3)), gunzipSync(readFileSync(join(from, f))));
    else if (f.endsWith('.json')) cpSync(join(from, f), join(dir, f));
  }
  return dir;
}

describe.skipIf(!haveChromium)('the report in headless Chromium', () => {
  beforeAll(async () => {
    const results = join(tmp, 'results');
    cpSync(join(ROOT, 'test', 'fixtures', 'runs'), results, { recursive: true });
    const s = await startServe(results);
    server = s.child;
    base = s.url;
    context = await chromium.launchPersistentContext(join(tmp, 'profile'), { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1280, height: 900 } });
  });

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    if (server && server.exitCode === null) {
      const exited = new Promise((ok) => server?.once('exit', ok));
      server.kill('SIGTERM');
      await exited;
    }
    rmSync(tmp, { recursive: true, force: true });
  });

  it('shows the runs table, newest first, with verdicts', async () => {
    const { page, errors } = await open(base);
    expect(await page.title()).toBe('faultline runs');
    expect(await page.locator('tr.run').count()).toBe(3);
    expect(await page.locator('tr.run').first().getAttribute('data-verdict')).toBe('invalid');
    await page.screenshot({ path: join(SHOTS, 'runs.png'), fullPage: true });
    expect(errors).toEqual([]);
  });

  it("opens a run's report from the table: verdict first, every picture inline", async () => {
    const { page, errors } = await open(base);
    await page.locator('tr.run:has-text("register-partition") a.report').click();
    await page.waitForLoadState('load');
    expect(await page.title()).toContain('register-partition-streaming-async: INVALID');
    const verdict = page.locator('#verdict');
    expect(await verdict.getAttribute('data-verdict')).toBe('invalid');
    expect(await verdict.isVisible()).toBe(true);
    expect(await page.locator('figure svg').count()).toBe(5);
    expect(await page.locator('svg[data-chart="linearizability"] .failing').count()).toBe(1);
    const box = await page.locator('svg[data-chart="timeline"]').boundingBox();
    expect(box?.width).toBeGreaterThan(600);
    await page.screenshot({ path: join(SHOTS, 'run.png'), fullPage: true });
    expect(errors).toEqual([]);
  });

  it('the headline async run: every lost write is outlined in a detail panel (counted against lost.count)', async () => {
    const dir = headlineRun();
    await writeReport(dir);
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as { checkers: { set: { lost: { count: number; items: Array<{ element: number }> } } } };
    const lost = results.checkers.set.lost;
    const { page, errors } = await open(pathToFileURL(join(dir, 'index.html')).href);
    const svg = page.locator('svg[data-chart="timeline"]');
    const panels = await svg.locator('g.panel').count();
    expect(panels).toBeGreaterThanOrEqual(2); // one per failover
    // outlined lost ops, each once, each an add of a lost element
    const outlined = await svg.locator('rect.anomaly-outline[data-kinds~="lost"]').evaluateAll((rs) => [...new Set(rs.map((r) => Number(r.getAttribute('data-op'))))]);
    const history = readFileSync(join(dir, 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { index: number; f: string; value: unknown });
    const byIndex = new Map(history.map((e) => [e.index, e]));
    const lostSet = new Set(lost.items.map((x) => x.element));
    const outlinedElements = outlined.map((i) => byIndex.get(i)?.value);
    for (const e of outlinedElements) expect(lostSet.has(e as number)).toBe(true);
    // what the picture can draw: every lost element the checker kept, up to the picture's cap
    const drawable = Math.min(lost.count, lost.items.length, MAX_OUTLINED);
    console.log(`headline async run: ${outlined.length} lost writes outlined in ${panels} detail panels; lost.count ${lost.count}, kept by the checker ${lost.items.length}, picture cap ${MAX_OUTLINED}: expected ${drawable}`);
    expect(outlined.length).toBe(drawable);
    expect(new Set(outlinedElements).size).toBe(drawable);
    // the panel titles add up to what is outlined, and nothing says anything is outside them
    const titles = await svg.locator('text.panel-title').allTextContents();
    const inPanels = titles.map((t) => Number(/· (\d+) anomaly op/.exec(t)?.[1] ?? NaN)).reduce((a, b) => a + b, 0);
    expect(inPanels).toBe(drawable);
    expect(await svg.locator('text.outline-cap').count()).toBe(0);
    await svg.screenshot({ path: join(SHOTS, 'headline-timeline.png') });
    expect(errors).toEqual([]);
  });

  it('timeline.html: hovering an op shows its full event; a lost element links to its write and the read that missed it', async () => {
    const dir = join(tmp, 'headline', 'headline-async', '20261201T123742Z');
    if (!existsSync(join(dir, 'timeline.html'))) await writeReport(headlineRun());
    const history = readFileSync(join(dir, 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const requests: string[] = [];
    const page = await (context as BrowserContext).newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(join(dir, 'timeline.html')).href, { waitUntil: 'load' });
    expect(await page.title()).toContain('timeline');
    // hover a lost write whose bar is on top at its centre (neighbours can overlap a thin bar)
    const target = await page.locator('rect.op.anomaly').evaluateAll((rs) => {
      for (const r of rs) {
        r.scrollIntoView({ block: 'center', inline: 'center' });
        const b = r.getBoundingClientRect();
        const doc = (globalThis as unknown as { document: { elementFromPoint(x: number, y: number): unknown } }).document;
        if (doc.elementFromPoint(b.x + b.width / 2, b.y + b.height / 2) === r) return Number(r.getAttribute('data-inv'));
      }
      return null;
    });
    expect(target).not.toBeNull();
    const rect = page.locator(`rect.op[data-inv="${target}"]`).first();
    const box = await rect.boundingBox();
    await page.mouse.move((box?.x ?? 0) + (box?.width ?? 0) / 2, (box?.y ?? 0) + (box?.height ?? 0) / 2);
    const details = page.locator('#details');
    await details.waitFor({ state: 'visible' });
    const invoke = history.find((e) => e.index === target) as Record<string, unknown>;
    const completion = history.find((e) => e.index !== target && e.process === invoke.process && e.type !== 'invoke' && (e.index as number) > (target as number)) as Record<string, unknown>;
    const field = (k: string) => details.locator(`td[data-field="${k}"]`).innerText();
    expect(await details.locator('h3').innerText()).toContain(`add #${target}`);
    expect(await field('process')).toBe(`p${String(invoke.process)}`);
    expect(await field('node')).toBe(String(completion.node ?? invoke.node));
    expect(await field('value')).toBe(JSON.stringify(invoke.value));
    expect(await field('type')).toBe(String(completion.type));
    expect(await field('invoked')).toBe(`${((invoke.time as number) / 1e9).toFixed(3)} s (event ${target})`);
    expect(await field('completed')).toBe(`${((completion.time as number) / 1e9).toFixed(3)} s (event ${String(completion.index)})`);
    expect(await details.innerText()).toContain(`lost element ${JSON.stringify(invoke.value)}: last seen by read`);
    await page.screenshot({ path: join(SHOTS, 'timeline-hover.png') });
    // the lost table: the first row's "first missed by" read, then its write, selected and shown
    const row = page.locator('#lost-table tr.lost').first();
    const element = await row.getAttribute('data-element');
    await row.locator('td').nth(3).locator('a.op-link').click();
    await page.waitForFunction("document.querySelector('#details h3')?.textContent?.startsWith('read')");
    expect(await details.innerText()).toContain(`missed lost element ${element}`);
    expect(await page.locator('rect.op.selected').count()).toBeGreaterThan(0);
    await row.locator('td').nth(1).locator('a.op-link').click();
    await page.waitForFunction("document.querySelector('#details h3')?.textContent?.startsWith('add')");
    expect(await field('value')).toBe(element);
    await page.screenshot({ path: join(SHOTS, 'timeline-lost-link.png') });
    // nothing but the file itself was loaded: no network
    expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('works from file:// with no server', async () => {
    const dir = join(tmp, 'results', 'counter-pause-streaming-async', '20260103T060000Z');
    await writeReport(dir);
    const { page, errors } = await open(pathToFileURL(join(dir, 'index.html')).href);
    expect(await page.title()).toContain('INVALID');
    expect(await page.locator('figure svg').count()).toBe(5);
    expect(await page.locator('svg[data-chart="counter"]').count()).toBe(1);
    expect(await page.locator('nav a[href="timeline.html"]').count()).toBe(1);
    await page.screenshot({ path: join(SHOTS, 'file.png') });
    expect(errors).toEqual([]);
  });
});
