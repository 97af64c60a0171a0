// The linearizability search in two threads (the built CLI, FAULTLINE_SEARCH_WORKERS=always hands keys to a
// worker after the first round): the same verdicts, keys and configurations as one thread, with --all-keys
// and without, on keyed histories whose verdict is known by construction.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, faultline } from '../support/built-cli.js';
import { plantedHistory } from '../support/pathological.js';
import { randomPlan, simulate } from '../support/simulate.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-check-workers-'));
beforeAll(() => ensureBuilt(), 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, events: unknown[]): string {
  const p = join(dir, name);
  writeFileSync(p, events.map((e) => JSON.stringify(e)).join('\n'));
  return p;
}

interface Lin {
  valid: unknown;
  invalidKeys?: unknown[];
  uncheckedKeys?: unknown[];
  unknownKeys?: unknown[];
  configurations: number;
  anomaly?: { key: unknown };
}

function check(workers: 'always' | '0', args: string[]): { status: number | null; lin: Lin } {
  const before = process.env.FAULTLINE_SEARCH_WORKERS;
  process.env.FAULTLINE_SEARCH_WORKERS = workers;
  try {
    const r = faultline(['check', '--json', ...args]);
    return { status: r.status, lin: (JSON.parse(r.stdout) as { linearizable: Lin }).linearizable };
  } finally {
    if (before === undefined) delete process.env.FAULTLINE_SEARCH_WORKERS;
    else process.env.FAULTLINE_SEARCH_WORKERS = before;
  }
}

const sorted = (xs: unknown[] | undefined): unknown[] => [...(xs ?? [])].sort((a, b) => String(a).localeCompare(String(b)));

describe('faultline check: the search in a worker thread', () => {
  it('--all-keys: every anomaly found, the same keys and configurations as one thread', () => {
    const { events } = plantedHistory({ model: 'register', seed: 2, keys: 6, clients: 12, ops: 3000, hard: [10, 11, 12], width: 11, bad: 4, meanDuration: 6 });
    const file = write('planted.jsonl', events);
    const two = check('always', ['--model', 'register', '--all-keys', file]);
    const one = check('0', ['--model', 'register', '--all-keys', file]);
    expect(two.status).toBe(1);
    expect(one.status).toBe(1);
    expect(sorted(two.lin.invalidKeys)).toEqual([10, 11, 12, 4].sort((a, b) => String(a).localeCompare(String(b))));
    expect(sorted(two.lin.invalidKeys)).toEqual(sorted(one.lin.invalidKeys));
    expect(two.lin.configurations).toBe(one.lin.configurations);
    expect(two.lin.unknownKeys).toBeUndefined();
  });

  it('stops both threads at the first anomaly; a valid keyed history stays valid', () => {
    const { events } = plantedHistory({ model: 'kv', seed: 9, keys: 6, clients: 12, ops: 1200, hard: ['x', 'y', 'z'], width: 22, bad: 2, meanDuration: 6 });
    const two = check('always', ['--model', 'kv', write('stop.jsonl', events)]);
    expect(two.status).toBe(1);
    expect(two.lin.anomaly?.key).toBe(2);
    for (const k of ['x', 'y', 'z']) expect(two.lin.uncheckedKeys).toContain(k);
    const valid = write('valid.jsonl', simulate(randomPlan(5, { model: 'cas-register', processes: 20, keys: 8, ops: 8000, infoRate: 0.05, failRate: 0.05 })));
    expect(check('always', ['--model', 'cas-register', valid]).lin.valid).toBe(true);
  });
});
