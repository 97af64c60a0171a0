// The transactional workloads end to end on real PostgreSQL: append at SERIALIZABLE on one node under kill -9 is
// serializable, with the transactions the kills cut off recorded as fail (before COMMIT) or info (COMMIT in
// flight) and every acknowledged append in the final lists; rw-register on streaming with reads on both the
// primary and a standby runs the standby's read-only transactions at REPEATABLE READ (PostgreSQL refuses
// SERIALIZABLE there) and they commit.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Json } from '../../src/history/types.js';
import { runTest } from '../../src/runner/run.js';
import { toRunOptions } from '../../src/runner/options.js';
import type { RunOutcome } from '../../src/runner/config.js';
import type { HistoryEvent } from '../../src/history/types.js';

const results = mkdtempSync(join(tmpdir(), 'faultline-txn-run-'));
afterAll(() => rmSync(results, { recursive: true, force: true }));

async function run(settings: Record<string, unknown>): Promise<RunOutcome> {
  const { options } = toRunOptions({ results, quiet: true, report: false, seed: 7, settle: 20, ...settings }, 'test');
  return runTest(options);
}

function events(dir: string): HistoryEvent[] {
  return readFileSync(join(dir, 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as HistoryEvent);
}

type Mop = [string, number, Json];
const mops = (e: HistoryEvent): Mop[] => e.value as Mop[];
const readOnly = (e: HistoryEvent): boolean => mops(e).every((m) => m[0] === 'r');

describe('transactional workloads on real PostgreSQL', () => {
  it('append, serializable, single + kill: serializable; cut-off txns fail or are info; acknowledged appends kept', async () => {
    const o = await run({ workload: 'append', topology: 'single', isolation: 'serializable', nemesis: 'kill', nemesisInterval: 1.5, timeLimit: 8, rate: 0, concurrency: 4, opTimeout: 2000, keys: 4 });
    const txn = o.results.checkers.txn as { valid: unknown; model: string; consistencyModels: string[]; txns: number };
    expect(txn.model).toBe('list-append');
    expect(txn.consistencyModels).toEqual(['serializable']);
    expect(txn.valid).toBe(true);
    const evs = events(o.dir).filter((e) => e.process !== 'nemesis');
    expect(evs.every((e) => e.f === 'txn')).toBe(true);
    const done = evs.filter((e) => e.type !== 'invoke');
    // the ok ones read lists, and some ran several micro-ops in one transaction
    const ok = done.filter((e) => e.type === 'ok');
    expect(ok.some((e) => mops(e).length > 1)).toBe(true);
    for (const e of ok) for (const [f, , v] of mops(e)) if (f === 'r') expect(Array.isArray(v)).toBe(true);
    // a read-only transaction never ends info: it can have had no effect
    expect(done.filter((e) => e.type === 'info' && readOnly(e))).toEqual([]);
    // kills cut transactions off: every one that did not end ok says why
    const cut = done.filter((e) => e.type !== 'ok');
    expect(cut.length).toBeGreaterThan(0);
    for (const e of cut) expect(typeof e.error).toBe('string');
    // every acknowledged append is in its key's final list (one node: nothing to lose)
    const final = JSON.parse(readFileSync(join(o.dir, 'final.json'), 'utf8')) as { reads: Record<string, Record<string, number[]>> };
    const lists = final.reads.n1!;
    for (const e of ok) for (const [f, k, v] of mops(e)) if (f === 'append') expect(lists[String(k)]).toContain(v);
  });

  it('rw-register, serializable, streaming with reads on both: standby read-only txns run at REPEATABLE READ and commit', async () => {
    const o = await run({ workload: 'rw-register', topology: 'streaming-async', nodes: 2, isolation: 'serializable', readFrom: 'both', timeLimit: 6, rate: 0, concurrency: 4, keys: 4 });
    const txn = o.results.checkers.txn as { valid: unknown; model: string; txns: number };
    expect(txn.model).toBe('rw-register');
    expect(txn.txns).toBeGreaterThan(0);
    const done = events(o.dir).filter((e) => e.process !== 'nemesis' && e.type !== 'invoke');
    const onStandby = done.filter((e) => e.node === 'n2');
    // only read-only transactions went to the standby (odd clients), and they committed
    expect(onStandby.length).toBeGreaterThan(0);
    expect(onStandby.every(readOnly)).toBe(true);
    expect(onStandby.filter((e) => e.type === 'ok').length).toBeGreaterThan(0);
    expect(done.filter((e) => /0A000|serializable mode in a hot standby/.test(String(e.error ?? '')))).toEqual([]);
    // the primary took every write
    expect(done.filter((e) => !readOnly(e)).every((e) => e.node === 'n1')).toBe(true);
    // register reads are values (or null: never written), not lists
    for (const e of done.filter((x) => x.type === 'ok')) for (const [f, , v] of mops(e)) if (f === 'r') expect(v === null || typeof v === 'number').toBe(true);
  });
});
