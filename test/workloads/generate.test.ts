// Every workload's op generation, without a database: the ops it makes (f, key, value, whether it writes), its
// read fraction and key range, unique values where checkers rely on them, and determinism under one seed.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/util/rng.js';
import { makeWorkload, WORKLOAD_NAMES, type WorkloadName } from '../../workloads/index.js';
import type { WorkloadOp, WorkloadOptions } from '../../workloads/types.js';

const N = 4000;
const CONCURRENCY = 4;

/** N ops as the runner's clients would ask for them: client i of CONCURRENCY in turn, one unique counter for all. */
function ops(name: WorkloadName, opts: WorkloadOptions = {}, seed = 7): Array<WorkloadOp & { client: number }> {
  const w = makeWorkload(name, opts);
  const rngs = Array.from({ length: CONCURRENCY }, (_, i) => new Rng(seed).fork(`client-${i}`));
  let unique = 0;
  const out: Array<WorkloadOp & { client: number }> = [];
  for (let i = 0; i < N; i++) {
    const client = i % CONCURRENCY;
    out.push({ ...w.generate({ rng: rngs[client]!, client, concurrency: CONCURRENCY, unique: () => unique++ }), client });
  }
  return out;
}

const share = (xs: readonly WorkloadOp[], f: (o: WorkloadOp) => boolean): number => xs.filter(f).length / xs.length;
const values = (xs: readonly WorkloadOp[], f: string): unknown[] => xs.filter((o) => o.f === f).map((o) => o.value);

describe('workload op generation', () => {
  it.each(WORKLOAD_NAMES.map((n) => [n]))('%s: the same seed gives the same ops; reads never write', (name) => {
    const a = ops(name);
    expect(ops(name)).toEqual(a);
    expect(ops(name, {}, 8)).not.toEqual(a);
    for (const o of a) {
      if (o.f === 'txn') {
        // a transaction writes when one of its micro-ops does; reads carry null until their completion fills them
        const mops = o.value as Array<[string, unknown, unknown]>;
        expect(o.write).toBe(mops.some(([f]) => f !== 'r'));
        for (const [f, , v] of mops) if (f === 'r') expect(v).toBeNull();
      } else {
        expect(o.write).toBe(o.f !== 'read');
        // a read carries no value: what it returns is the completion's
        if (o.f === 'read') expect(o.value).toBeNull();
      }
    }
  });

  it('set: unkeyed adds of unique elements, reads of the whole set at the read fraction', () => {
    const xs = ops('set', { readFraction: 0.25 });
    expect(new Set(xs.map((o) => o.f))).toEqual(new Set(['add', 'read']));
    expect(xs.every((o) => o.key === undefined)).toBe(true);
    expect(share(xs, (o) => o.f === 'read')).toBeCloseTo(0.25, 1);
    const added = values(xs, 'add');
    expect(new Set(added).size).toBe(added.length);
  });

  it('serial-insert: the set workload\'s ops (unique tags), mostly adds', () => {
    const xs = ops('serial-insert');
    expect(new Set(xs.map((o) => o.f))).toEqual(new Set(['add', 'read']));
    expect(share(xs, (o) => o.f === 'read')).toBeCloseTo(0.05, 1);
    const added = values(xs, 'add');
    expect(new Set(added).size).toBe(added.length);
  });

  it('register: reads, writes of 0..4 and compare-and-sets [expected, new] on keys 0..keys-1', () => {
    const xs = ops('register', { keys: 5, readFraction: 0.5 });
    expect(new Set(xs.map((o) => o.key))).toEqual(new Set([0, 1, 2, 3, 4]));
    expect(share(xs, (o) => o.f === 'read')).toBeCloseTo(0.5, 1);
    expect(share(xs, (o) => o.f === 'write')).toBeCloseTo(0.25, 1);
    expect(share(xs, (o) => o.f === 'cas')).toBeCloseTo(0.25, 1);
    for (const v of values(xs, 'write')) expect([0, 1, 2, 3, 4]).toContain(v);
    for (const v of values(xs, 'cas')) {
      expect(Array.isArray(v) && v.length === 2 && v.every((x) => Number.isInteger(x) && x >= 0 && x <= 4)).toBe(true);
    }
  });

  it('counter-shared: increments of 1 and reads of the one counter; counter-own: each client its own key', () => {
    const shared = ops('counter-shared', { readFraction: 0.2 });
    expect(new Set(shared.map((o) => o.f))).toEqual(new Set(['add', 'read']));
    expect(shared.every((o) => o.key === undefined)).toBe(true);
    expect(values(shared, 'add').every((v) => v === 1)).toBe(true);
    expect(share(shared, (o) => o.f === 'read')).toBeCloseTo(0.2, 1);
    const own = ops('counter-own');
    expect(own.every((o) => o.key === o.client)).toBe(true);
  });

  it('upsert: writes of unique values and reads on keys 0..keys-1', () => {
    const xs = ops('upsert', { keys: 3 });
    expect(new Set(xs.map((o) => o.f))).toEqual(new Set(['write', 'read']));
    expect(new Set(xs.map((o) => o.key))).toEqual(new Set([0, 1, 2]));
    const written = values(xs, 'write');
    expect(new Set(written).size).toBe(written.length);
    expect(share(xs, (o) => o.f === 'read')).toBeCloseTo(0.1, 1);
  });

  it('delete-upsert: even clients delete, odd clients upsert unique values (fixed routing puts them on two sites)', () => {
    const xs = ops('delete-upsert', { keys: 3 });
    for (const o of xs) {
      if (o.f === 'delete') expect(o.client % 2).toBe(0);
      if (o.f === 'write') expect(o.client % 2).toBe(1);
    }
    expect(xs.filter((o) => o.f === 'delete').every((o) => o.value === null)).toBe(true);
    const written = values(xs, 'write');
    expect(new Set(written).size).toBe(written.length);
    expect(new Set(xs.map((o) => o.key))).toEqual(new Set([0, 1, 2]));
  });

  it('versioned-command: activations of unique ids on names cmd0..cmd{keys-1}, and reads of a name', () => {
    const xs = ops('versioned-command', { keys: 4 });
    expect(new Set(xs.map((o) => o.f))).toEqual(new Set(['activate', 'read']));
    expect(new Set(xs.map((o) => o.key))).toEqual(new Set(['cmd0', 'cmd1', 'cmd2', 'cmd3']));
    const ids = values(xs, 'activate');
    expect(new Set(ids).size).toBe(ids.length);
    // its checker names the same names the generator uses (a stored run's suite is rebuilt with the same keys)
    expect(Object.keys(makeWorkload('versioned-command', { keys: 4 }).checkers())).toEqual(['one-active', 'stats']);
  });
});
