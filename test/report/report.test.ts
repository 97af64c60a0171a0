// Tests of the assembled report: writeReport on fixture runs (every picture + index.html), the page's verdict,
// tables and inline SVG, HTML escaping, and that missing optional files become notes rather than errors.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderIndexHtml, verdictOf } from '../../src/report/html.js';
import { writeReport } from '../../src/report/index.js';
import { cellText, dataTables, esc } from '../../src/report/tables.js';
import { assertWellFormedXml } from './pure-xml.js';

const RUNS = join(import.meta.dirname, '..', 'fixtures', 'runs');
const tmp = mkdtempSync(join(tmpdir(), 'fl-report-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function copyRun(test: string, stamp: string): string {
  const dir = join(tmp, test);
  cpSync(join(RUNS, test, stamp), dir, { recursive: true });
  return dir;
}

describe('tables', () => {
  it('escapes HTML and flattens small records', () => {
    expect(esc('<a href="x">&\'')).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&#39;');
    expect(cellText({ index: 3, node: 'n1' })).toBe('index=3 node=n1');
    expect(cellText('x'.repeat(100), 10)).toBe(`${'x'.repeat(9)}…`);
  });

  it('renders capped lists with their count, per-node records as a matrix', () => {
    const html = dataTables({
      attempted: 10,
      lost: { count: 2, items: [{ element: 1 }, { element: '<b>' }], truncated: false },
      stale: { count: 0, items: [], truncated: false },
      final: { n1: { value: 3, possible: [1, 4] }, n2: { value: 4, possible: [1, 4] } },
    });
    expect(html).toContain('<h4 id="field-lost">lost: 2</h4>');
    expect(html).toContain('&lt;b&gt;');
    expect(html).not.toContain('<b>"');
    expect(html).toContain('<b>stale</b>: none');
    expect(html).toMatch(/<table class="matrix">.*<th>n1<\/th>.*<th>n2<\/th>/s);
  });
});

describe('index.html', () => {
  it('puts the verdict first and escapes names', () => {
    const html = renderIndexHtml({ runName: 'x/<y>', test: null, results: null, pictures: [{ file: 'a.svg', title: 'A', svg: null, note: 'skipped: no data' }], notes: ['test.json is missing'], files: [] });
    expect(html).toContain('<title>x/&lt;y&gt;: UNKNOWN — faultline</title>');
    expect(html).toContain('id="verdict" class="verdict unknown"');
    expect(html).toContain('not checked: results.json is missing');
    expect(html).toContain('skipped: no data');
    expect(verdictOf(false)).toBe('invalid');
  });
});

describe('writeReport', () => {
  it('writes every picture of an invalid register run, inline in index.html', async () => {
    const dir = copyRun('register-partition-streaming-async', '20260102T030000Z');
    const { files } = await writeReport(dir);
    expect(files).toEqual(['timeline.svg', 'linearizability.svg', 'latency.svg', 'rate.svg', 'replication.svg', 'timeline.html', 'index.html']);
    for (const f of files.filter((x) => x.endsWith('.svg'))) assertWellFormedXml(readFileSync(join(dir, f), 'utf8'));
    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    expect(html).toContain('class="verdict invalid"');
    expect(html.match(/<svg /g)).toHaveLength(5);
    expect(html).toContain('id="checker-convergence"');
    expect(html).toContain('<h3>options</h3>');
    expect(html).toContain('href="nodes/n1.log"');
    expect(html).not.toContain('clientUrl');
  });

  it('draws counter.svg for a counter run', async () => {
    const dir = copyRun('counter-pause-streaming-async', '20260103T060000Z');
    expect((await writeReport(dir)).files).toContain('counter.svg');
  });

  it('never throws on missing optional files: each becomes a note', async () => {
    const dir = copyRun('set-kill-streaming-async', '20260101T000000Z');
    for (const f of ['test.json', 'results.json', 'metrics.jsonl']) rmSync(join(dir, f));
    const { files } = await writeReport(dir);
    expect(files).toEqual(['timeline.svg', 'latency.svg', 'rate.svg', 'timeline.html', 'index.html']);
    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    expect(html).toContain('test.json is missing');
    expect(html).toContain('results.json is missing');
    expect(html).toContain('skipped: no metrics.jsonl samples');
    expect(html).toContain('class="verdict unknown"');
  });

  it('keeps a malformed results.json lenient (a note) but throws without a history', async () => {
    const dir = copyRun('set-kill-streaming-async', '20260101T000000Z');
    writeFileSync(join(dir, 'results.json'), '{"valid": tru');
    await expect(writeReport(dir)).resolves.toBeDefined();
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).toContain('results.json could not be read');
    await expect(writeReport(dir, { strict: true })).rejects.toMatchObject({ exitCode: 65 });
    await expect(writeReport(join(tmp, 'nope'))).rejects.toMatchObject({ exitCode: 66 });
  });
});
