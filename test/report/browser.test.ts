// A real browser on the report: `faultline serve` (spawned through the CLI) over a copy of the fixture runs,
// headless Chromium driven by playwright-core opens the runs table, a run's page and a file:// report,
// screenshots them, and checks title, verdict, inline SVG and that the console stayed free of errors.
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReport } from '../../src/report/index.js';

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

  it('works from file:// with no server', async () => {
    const dir = join(tmp, 'results', 'counter-pause-streaming-async', '20260103T060000Z');
    await writeReport(dir);
    const { page, errors } = await open(pathToFileURL(join(dir, 'index.html')).href);
    expect(await page.title()).toContain('INVALID');
    expect(await page.locator('figure svg').count()).toBe(5);
    expect(await page.locator('svg[data-chart="counter"]').count()).toBe(1);
    await page.screenshot({ path: join(SHOTS, 'file.png') });
    expect(errors).toEqual([]);
  });
});
