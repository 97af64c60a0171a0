// The pure part of the nemeses: partition plans and their grudges, node choice, the nodes a site loss takes, and
// the periodic / random schedules (which nemesis, in what order, always healed), all from the seed.
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lostWith } from '../../nemesis/failover.js';
import { chooseNodes } from '../../nemesis/nodes.js';
import { CLIENTS, PARTITION_MODES, grudgeOf, planPartition, type Cut } from '../../nemesis/partition.js';
import { runSchedule } from '../../nemesis/schedule.js';
import { NODE_SETS, type Nemesis, type NemesisContext } from '../../nemesis/types.js';
import type { Cluster } from '../../src/cluster/types.js';
import { readHistoryEvents } from '../../src/history/load.js';
import { HistoryWriter } from '../../src/history/writer.js';
import { Rng } from '../../src/util/rng.js';

/** Just what planning reads: node names, sites, roles, the primary. */
function fakeCluster(n: number, sites = 1, primary: string | null = 'n1'): Cluster {
  const nodes = Array.from({ length: n }, (_, i) => ({ name: `n${i + 1}`, site: String.fromCharCode(97 + (i % sites)), role: `n${i + 1}` === primary ? 'primary' : 'standby' }));
  return { nodes, primary: () => nodes.find((x) => x.name === primary) ?? null, node: (name: string) => nodes.find((x) => x.name === name)! } as unknown as Cluster;
}

const names = (c: Cluster): string[] => c.nodes.map((n) => n.name);
const sorted = (xs: string[]): string[] => [...xs].sort();

describe('planPartition', () => {
  it('a one-node cluster is cut from its clients, whatever the mode', () => {
    for (const m of PARTITION_MODES) expect(planPartition(fakeCluster(1), m, new Rng(1))).toEqual([[[CLIENTS], ['n1']]]);
  });

  it('every mode: two disjoint non-empty sides of real nodes; halves and isolate-one cover every node', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 9 }), fc.integer({ min: 1, max: 3 }), fc.integer(), fc.constantFrom(...PARTITION_MODES), (n, sites, seed, mode) => {
        const c = fakeCluster(n, Math.min(sites, n));
        const cut = planPartition(c, mode, new Rng(seed));
        expect(cut).toHaveLength(1);
        const [a, b] = cut[0]!;
        expect(a.length).toBeGreaterThan(0);
        expect(b.length).toBeGreaterThan(0);
        expect(a.filter((x) => b.includes(x))).toEqual([]);
        for (const x of [...a, ...b]) expect(names(c)).toContain(x);
        if (mode === 'halves' || mode === 'isolate-one' || (mode === 'bridge' && n < 3)) expect(sorted([...a, ...b])).toEqual(sorted(names(c)));
        if (mode === 'halves') expect(a.length).toBe(Math.floor(n / 2));
        if (mode === 'isolate-one') expect(a).toHaveLength(1);
        if (mode === 'bridge' && n >= 3) expect(a.length + b.length).toBe(n - 1); // the bridge is on neither side
      }),
    );
  });

  it('site-split cuts along the sites; without two sites it falls back to halves', () => {
    expect(planPartition(fakeCluster(5, 2), 'site-split', new Rng(3))).toEqual([
      [
        ['n1', 'n3', 'n5'],
        ['n2', 'n4'],
      ],
    ]);
    expect(planPartition(fakeCluster(4, 1), 'site-split', new Rng(3))).toEqual(planPartition(fakeCluster(4, 1), 'halves', new Rng(3)));
  });

  it('is a function of the seed', () => {
    for (const m of PARTITION_MODES) expect(planPartition(fakeCluster(7), m, new Rng(42))).toEqual(planPartition(fakeCluster(7), m, new Rng(42)));
  });
});

describe('grudgeOf', () => {
  it('is symmetric: x cannot reach y exactly when y cannot reach x, and nobody holds a grudge against itself', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 9 }), fc.integer(), fc.constantFrom(...PARTITION_MODES), (n, seed, mode) => {
        const g = grudgeOf(planPartition(fakeCluster(n), mode, new Rng(seed)));
        for (const [x, ys] of Object.entries(g)) {
          expect(ys).not.toContain(x);
          expect(ys).toEqual(sorted(ys));
          for (const y of ys) expect(g[y]).toContain(x);
        }
      }),
    );
  });

  it('a bridge keeps its links: it holds no grudge and none is held against it', () => {
    const cut: Cut = [[['n1'], ['n3']]];
    expect(grudgeOf(cut)).toEqual({ n1: ['n3'], n3: ['n1'] });
  });
});

describe('chooseNodes', () => {
  it('one, minority, majority, all: sizes and members; primary: the primary, else one at random', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer(), fc.constantFrom(...NODE_SETS), (n, seed, spec) => {
        const c = fakeCluster(n);
        const got = chooseNodes(c, spec, new Rng(seed));
        expect(new Set(got).size).toBe(got.length);
        for (const x of got) expect(names(c)).toContain(x);
        const size = { one: 1, minority: Math.max(1, Math.floor((n - 1) / 2)), majority: Math.floor(n / 2) + 1, primary: 1, all: n }[spec];
        expect(got).toHaveLength(size);
        if (spec === 'primary') expect(got).toEqual(['n1']);
        if (spec === 'minority' && n >= 3) expect(got.length * 2).toBeLessThan(n);
        if (spec === 'majority') expect(got.length * 2).toBeGreaterThan(n);
      }),
    );
    expect(chooseNodes(fakeCluster(3, 1, null), 'primary', new Rng(5))).toHaveLength(1);
  });
});

describe('lostWith (failover)', () => {
  it('takes the primary’s whole site when the cluster spans sites, else the primary alone', () => {
    expect(lostWith(fakeCluster(3, 2, 'n1'), 'n1')).toEqual(['n1', 'n3']);
    expect(lostWith(fakeCluster(3, 2, 'n2'), 'n2')).toEqual(['n2']);
    expect(lostWith(fakeCluster(3, 1), 'n1')).toEqual(['n1']);
  });
});

describe('runSchedule', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-sched-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A nemesis that records what it did; the schedule stops once `rounds` faults have been healed. */
  function recorder(name: string, log: string[], done: () => void, rounds: number): Nemesis {
    return {
      name,
      names: [`start-${name}`, `stop-${name}`],
      async start() {
        log.push(`start ${name}`);
        return { f: `start-${name}`, value: null };
      },
      async stop() {
        log.push(`stop ${name}`);
        if (log.filter((l) => l.startsWith('stop')).length >= rounds) done();
        return { f: `stop-${name}`, value: null };
      },
    };
  }

  let runs = 0;
  async function schedule(mode: 'periodic' | 'random', seed: number, rounds: number): Promise<{ log: string[]; fs: string[] }> {
    const log: string[] = [];
    let stopped = false;
    let wake: () => void = () => undefined;
    const stopping = new Promise<void>((r) => (wake = r));
    const done = (): void => {
      stopped = true;
      wake();
    };
    const nemeses = ['a', 'b', 'c'].map((n) => recorder(n, log, done, rounds));
    const file = join(dir, `${mode}-${seed}-${++runs}.jsonl`);
    const writer = new HistoryWriter(file);
    const ctx: NemesisContext = { cluster: {} as Cluster, rng: new Rng(seed), targets: 'one', log: () => undefined };
    await runSchedule(nemeses, ctx, writer, { mode, intervalS: 0.2, stopped: () => stopped, stopping });
    writer.close();
    const { events } = await readHistoryEvents(file);
    return { log, fs: events.map((e) => `${e.type} ${e.f}`) };
  }

  it('periodic: the nemeses in turn, each fault healed before the next starts, every start and heal in the history', async () => {
    const { log, fs } = await schedule('periodic', 1, 4);
    expect(log).toEqual(['start a', 'stop a', 'start b', 'stop b', 'start c', 'stop c', 'start a', 'stop a']);
    expect(fs.slice(0, 4)).toEqual(['invoke start-a', 'info start-a', 'invoke stop-a', 'info stop-a']);
    expect(fs).toHaveLength(16);
  });

  it('random: nemeses drawn from the seed (the same seed, the same order), each healed before the next', async () => {
    const one = await schedule('random', 7, 5);
    const two = await schedule('random', 7, 5);
    expect(one.log).toEqual(two.log);
    for (let i = 0; i < one.log.length; i += 2) expect(one.log[i + 1]).toBe(one.log[i]!.replace('start', 'stop'));
  });
});
