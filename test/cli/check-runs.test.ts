// `faultline check RUN_DIR` reaches the run's own verdict for a stored run of every workload: the fixture runs
// (test/fixtures/make-runs.ts) hold the inputs a run stores, and the checkers judged on the live cluster
// (convergence, replication, final state) are re-judged from them. Taking an input away changes the verdict.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKLOAD_NAMES } from '../../workloads/names.js';
import { ensureBuilt, faultline, ROOT } from '../support/built-cli.js';

const FIXTURES = join(ROOT, 'test', 'fixtures');
const tmp = mkdtempSync(join(tmpdir(), 'faultline-check-runs-'));

interface Stored {
  dir: string;
  workload: string;
  topology: string;
  results: { valid: unknown; checkers: Record<string, { valid: unknown }> };
}

/** Every fixture run directory (results/<test>/<stamp>/ layout) under runs/ and workload-runs/. */
function fixtureRuns(): Stored[] {
  const out: Stored[] = [];
  for (const root of ['runs', 'workload-runs']) {
    for (const test of readdirSync(join(FIXTURES, root)).sort()) {
      for (const stamp of readdirSync(join(FIXTURES, root, test)).sort()) {
        const dir = join(FIXTURES, root, test, stamp);
        const t = JSON.parse(readFileSync(join(dir, 'test.json'), 'utf8')) as { workload: string; topology: string };
        out.push({ dir, workload: t.workload, topology: t.topology, results: JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Stored['results'] });
      }
    }
  }
  return out;
}

interface Judged {
  workload: string;
  valid: unknown;
  status: number;
  run?: unknown;
  checkers: Record<string, { valid: unknown; reason?: string }>;
}

function check(dir: string): { status: number; out: Judged; stderr: string } {
  const r = faultline(['check', '--json', dir]);
  return { status: r.status ?? -1, out: JSON.parse(r.stdout) as Judged, stderr: r.stderr };
}

/** A copy of a fixture run without some of its stored files. */
function without(dir: string, ...files: string[]): string {
  const copy = mkdtempSync(join(tmp, 'run-'));
  cpSync(dir, copy, { recursive: true });
  for (const f of files) rmSync(join(copy, f));
  return copy;
}

const runs = fixtureRuns();
const runOf = (workload: string): Stored => runs.find((r) => r.workload === workload)!;

beforeAll(() => ensureBuilt(), 300_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('faultline check RUN_DIR: the run\'s own verdict, for every workload', () => {
  it('the fixtures hold a run of every workload', () => {
    expect([...new Set(runs.map((r) => r.workload))].sort()).toEqual([...WORKLOAD_NAMES].sort());
  });

  it.each(WORKLOAD_NAMES.map((w) => [w]))('%s: the verdict and every checker\'s verdict are the run\'s', (workload) => {
    const run = runOf(workload);
    const { status, out } = check(run.dir);
    expect(out.workload).toBe(workload);
    expect(out.valid).toBe(run.results.valid);
    expect(status).toBe(run.results.valid === true ? 0 : run.results.valid === false ? 1 : 2);
    expect(Object.fromEntries(Object.entries(out.checkers).map(([k, v]) => [k, v.valid]))).toEqual(
      Object.fromEntries(Object.entries(run.results.checkers).map(([k, v]) => [k, v.valid])),
    );
    expect(out.run).toBeUndefined();
    // every run is judged for convergence from its stored snapshot, and logical runs for replication
    expect(Object.keys(out.checkers)).toContain('convergence');
    if (run.topology === 'logical-bidir') expect(Object.keys(out.checkers)).toContain('replication');
  });

  it('the checkers judged on the live cluster decide some of these verdicts, from the stored inputs alone', () => {
    // counter-own: every read was in bounds; a settled standby's final count (final.json) lacks acknowledged adds
    const own = check(runOf('counter-own').dir).out;
    expect(own.checkers.counter).toMatchObject({ valid: false, reason: '1 final value out of bounds' });
    // serial-insert: the apply worker stopped (replication.json's probe, metrics.jsonl's samples)
    const serial = check(runOf('serial-insert').dir).out;
    expect(serial.checkers.replication?.valid).toBe(false);
    expect(serial.checkers.replication?.reason).toMatch(/^n2 → n1 \(n1_from_n2\) broken: apply worker not running at the end/);
    // upsert: the sites hold different values (final.json) and rows (snapshot.json); replication itself is healthy
    const upsert = check(runOf('upsert').dir).out;
    expect([upsert.checkers['final-state']?.valid, upsert.checkers.convergence?.valid, upsert.checkers.replication?.valid]).toEqual([false, false, true]);
    // delete-upsert: everything agrees, replication healthy: valid
    expect(check(runOf('delete-upsert').dir).status).toBe(0);
  });

  it('without an input the run stored, its checker cannot judge, and the line names the checkers that differ', () => {
    // without final.json the run counts as ended before its final reads: convergence does not judge either, and says why
    const noFinal = check(without(runOf('counter-own').dir, 'final.json'));
    expect(noFinal.out.checkers.counter?.valid).toBe(true); // the reads alone are in bounds
    expect(noFinal.out.valid).toBe(true);
    expect((noFinal.out as unknown as { notJudged: unknown }).notJudged).toEqual({ convergence: 'the run ended before its final reads (no final.json, no snapshot.json)' });
    expect(noFinal.out.run).toEqual({ valid: false, checkers: ['counter', 'convergence'] });
    // final.json without snapshot.json (a run from before the snapshot was stored): convergence cannot judge
    const noSnapshotOwn = check(without(runOf('counter-own').dir, 'snapshot.json'));
    expect(noSnapshotOwn.out.checkers.convergence?.valid).toBe('unknown');
    expect(noSnapshotOwn.out.valid).toBe(false); // the counter's final values still lack acknowledged adds
    const noProbe = check(without(runOf('serial-insert').dir, 'replication.json'));
    expect(noProbe.out.checkers.replication).toMatchObject({ valid: 'unknown', reason: 'no replication inputs stored (replication.json is missing)' });
    const noSnapshot = without(runOf('delete-upsert').dir, 'snapshot.json');
    const r = faultline(['check', noSnapshot]);
    expect(r.status).toBe(2);
    expect(r.stdout).toMatch(/: UNKNOWN — workload delete-upsert on logical-bidir \(final-state, stats, retries, latency, convergence, replication\), \d+ ops \(final reads: [^)]*final\.json\), convergence: no convergence snapshot: none stored \(snapshot\.json is missing\); results\.json says valid \(convergence: judged otherwise from the stored inputs\)\n$/);
  });

  it('with --model a run\'s history is checked against the model alone, as a bare history', () => {
    const r = faultline(['check', '--model', 'set', runOf('set').dir]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/: valid — model set, \d+ ops\n$/);    // a run directory is judged with the final.json it stored: --final auto is that, another file is for --model
    expect(faultline(['check', '--final', 'auto', runOf('set').dir]).status).toBe(0);
    const other = faultline(['check', '--final', join(runOf('set').dir, 'final.json'), runOf('set').dir]);
    expect([other.status, other.stderr]).toEqual([64, expect.stringMatching(/--final FILE applies with --model/)]);
  });
});
