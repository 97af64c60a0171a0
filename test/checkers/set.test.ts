// Set checker (set-full): element fates on hand-made histories, final reads per node, and simulator properties.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Capped } from '../../checkers/ref.js';
import { checkSet, type ElementRef, type ReadRef } from '../../checkers/set.js';
import { pairHistory } from '../../src/history/pair.js';
import type { Json } from '../../src/history/types.js';
import { HistoryBuilder } from '../support/build-history.js';
import { historyArb, injectAnomaly, simulateRun, simPlanArb } from '../support/simulate.js';

type Listed = Capped<ElementRef & { firstMissedBy?: ReadRef; firstSeenBy?: ReadRef; read?: ReadRef; copies?: number }>;
const list = (r: ReturnType<typeof checkSet>, name: 'lost' | 'stale' | 'neverRead' | 'unexpected' | 'recovered' | 'duplicated') => r[name] as Listed;
const elements = (r: ReturnType<typeof checkSet>, name: Parameters<typeof list>[1]) => list(r, name).items.map((e) => e.element);

describe('set checker: element fates', () => {
  it('a stable history is valid', () => {
    const h = new HistoryBuilder();
    h.op(0, 'add', 1, undefined).op(1, 'add', 2, undefined);
    h.op(2, 'read', null, [2, 1]);
    const r = checkSet(h.paired());
    expect(r).toMatchObject({ valid: true, attempted: 2, acknowledged: 2, reads: 1, stable: 2 });
  });

  it('an acknowledged element absent from every later read is lost, naming the first read that missed it', () => {
    const h = new HistoryBuilder();
    h.op(0, 'add', 1, undefined).op(0, 'add', 2, undefined);
    const miss = h.invoke(1, 'read');
    h.ok(1, [1], 'n3');
    h.op(1, 'read', null, [1]);
    const r = checkSet(h.paired());
    expect(r.valid).toBe(false);
    expect(list(r, 'lost').items).toEqual([
      expect.objectContaining({ element: 2, firstMissedBy: expect.objectContaining({ index: miss, node: 'n3' }), lastSeenBy: null }),
    ]);
    expect(r.reason).toMatch(/1 lost \(first: 2, missed by the read at index 4 on n3\)/);
  });

  it('an element seen then gone for good is lost; gone then back is stale', () => {
    const h = new HistoryBuilder();
    h.op(0, 'add', 'a', undefined).op(0, 'add', 'b', undefined);
    h.op(1, 'read', null, ['a', 'b']);
    const gap = h.invoke(1, 'read');
    h.ok(1, ['a']);
    h.op(1, 'read', null, ['b']);
    const r = checkSet(h.paired());
    expect(elements(r, 'lost')).toEqual(['a']);
    expect(elements(r, 'stale')).toEqual(['b']);
    expect(list(r, 'stale').items[0].firstMissedBy?.index).toBe(gap);
  });

  it('reads concurrent with the add do not count against it; no later read means never-read', () => {
    const h = new HistoryBuilder();
    h.invoke(0, 'add', 9);
    h.op(1, 'read', null, []);
    h.ok(0);
    const r = checkSet(h.paired());
    expect(r.valid).toBe(true);
    expect(elements(r, 'neverRead')).toEqual([9]);
  });

  it('elements read but never added are unexpected (failed adds too); info adds read are recovered', () => {
    const h = new HistoryBuilder();
    h.op(0, 'add', 1, undefined, 'fail');
    h.op(0, 'add', 2, undefined, 'info');
    h.op(5, 'add', 3, undefined, 'info');
    const read = h.invoke(1, 'read');
    h.ok(1, [1, 2, 4]);
    const r = checkSet(h.paired());
    expect(r.valid).toBe(false);
    expect(list(r, 'unexpected').items.map((e) => [e.element, e.firstSeenBy?.index])).toEqual([
      [1, read],
      [4, read],
    ]);
    expect(elements(r, 'recovered')).toEqual([2]);
    expect(r.indeterminate).toBe(1);
  });

  it('an element read twice in one read is duplicated', () => {
    const h = new HistoryBuilder();
    h.op(0, 'add', 1, undefined);
    const read = h.invoke(1, 'read');
    h.ok(1, [1, 1, 1]);
    const r = checkSet(h.paired());
    expect(r.valid).toBe(false);
    expect(list(r, 'duplicated').items).toEqual([expect.objectContaining({ element: 1, copies: 3, read: expect.objectContaining({ index: read }) })]);
  });

  it('tells 1 from "1" and compares structured elements by value', () => {
    const h = new HistoryBuilder();
    h.op(0, 'add', 1, undefined).op(0, 'add', { a: [1] }, undefined);
    h.op(1, 'read', null, ['1', { a: [1] }]);
    const r = checkSet(h.paired());
    expect(elements(r, 'lost')).toEqual([1]);
    expect(elements(r, 'unexpected')).toEqual(['1']);
  });

  it('checks keyed sets per key', () => {
    const h = new HistoryBuilder();
    h.op(0, 'add', 1, undefined, 'ok', { key: 'x' });
    h.op(0, 'read', null, [], 'ok', { key: 'y' });
    h.op(0, 'read', null, [1], 'ok', { key: 'x' });
    expect(checkSet(h.paired()).valid).toBe(true);
  });

  it('caps element lists but keeps the count', () => {
    const h = new HistoryBuilder();
    const all = Array.from({ length: 1500 }, (_, i) => i);
    h.op(1, 'read', null, all);
    const u = list(checkSet(h.paired()), 'unexpected');
    expect(u.count).toBe(1500);
    expect(u.items).toHaveLength(1000);
    expect(u.truncated).toBe(true);
  });

  it('names every lost element as ranges, past the cap too, and per key for a keyed set', () => {
    const h = new HistoryBuilder();
    for (let i = 0; i < 1500; i++) h.op(0, 'add', i, undefined);
    h.op(1, 'read', null, [700, 701]);
    const r = checkSet(h.paired());
    expect(list(r, 'lost')).toMatchObject({ count: 1498, truncated: true });
    expect(r.lostElements).toBe('0–699, 702–1499');
    const k = new HistoryBuilder();
    k.op(0, 'add', 1, undefined, 'ok', { key: 'x' }).op(0, 'add', 2, undefined, 'ok', { key: 'x' }).op(0, 'add', 5, undefined, 'ok', { key: 'y' });
    k.op(1, 'read', null, [], 'ok', { key: 'x' }).op(1, 'read', null, [], 'ok', { key: 'y' });
    expect(checkSet(k.paired()).lostElements).toBe('"x": 1–2; "y": 5');
    expect(checkSet(new HistoryBuilder().op(0, 'add', 1, undefined).op(1, 'read', null, [1]).paired()).lostElements).toBe('');
  });
});

describe('set checker: final reads', () => {
  const h = new HistoryBuilder();
  h.op(0, 'add', 1, undefined).op(0, 'add', 2, undefined).op(0, 'add', 3, undefined, 'info');
  h.op(1, 'read', null, [1, 2]);
  type Fin = Record<string, { settled: boolean; reference: boolean; missing: Capped<ElementRef>; unexpected: Capped<ElementRef> }>;
  const anomalies = (r: ReturnType<typeof checkSet>) => (r.anomalies ?? []).map((a) => [a.type, a.nodes ?? [], (a.data as { count?: number })?.count ?? (a.data as { element?: Json })?.element]);

  it('without a primary, lost means absent from every node; a node lacking what others hold is missing-on-node', () => {
    const r = checkSet(h.paired(), { final: { n1: [1, 2, 3], n2: [1], n3: [1, 2, 99] } });
    expect(r.valid).toBe(false);
    const fin = r.final as Fin;
    expect(fin.n1.missing.count + fin.n1.unexpected.count).toBe(0);
    // 3 (an info add) is known once n1's final read shows it; n2 and n3 lack it, n2 also 2: not lost (n1 holds them)
    expect(fin.n2.missing.items.map((e) => e.element)).toEqual([2, 3]);
    expect(fin.n3.missing.items.map((e) => e.element)).toEqual([3]);
    expect(fin.n3.unexpected.items.map((e) => e.element)).toEqual([99]);
    expect(list(r, 'lost').count).toBe(0);
    expect(anomalies(r)).toEqual([
      ['missing-on-node', ['n2'], 2],
      ['missing-on-node', ['n3'], 1],
      ['unexpected', ['n3'], 99],
    ]);
    expect(r.reason).toMatch(/2 missing on n2 though it had caught up/);
    expect(elements(r, 'recovered')).toEqual([3]);
  });

  it('an element absent from every final read is lost, named with the reads that missed it', () => {
    const r = checkSet(h.paired(), { final: { n1: [1], n2: [1] } });
    expect(elements(r, 'lost')).toEqual([2]);
    expect(list(r, 'lost').items[0]).toMatchObject({ element: 2, firstMissedBy: { final: true, nodes: ['n1', 'n2'] } });
    expect(r.reason).toMatch(/1 lost \(first: 2, missed by the final reads on n1, n2\)/);
    expect(anomalies(r)).toEqual([['lost', ['n1', 'n2'], 2]]);
    expect(r.anomalies![0]!.ops).toEqual([2]); // the add's invoke index
  });

  // issue 12: a re-cloned standby read before it caught up reported the primary's elements as lost
  const sync = new HistoryBuilder();
  for (let i = 79; i <= 82; i++) sync.op(0, 'add', i, undefined, 'ok', { node: 'n2' });

  it('an element the final primary holds is not lost because a standby that had not caught up lacks it', () => {
    const r = checkSet(sync.paired(), {
      final: { n1: [79, 80, 81, 82], n2: [79, 80, 81, 82], n3: [79, 80] },
      settlement: { primary: 'n2', unsettled: { n3: 'replayed 0/8000000 of 0/8000968 (2408 bytes behind)' } },
    });
    expect(r.valid).toBe(true);
    expect(list(r, 'lost').count).toBe(0);
    expect(r.anomalies).toEqual([]);
    expect(r.notConverged).toEqual([
      { type: 'missing-on-node', ops: [4, 6], nodes: ['n3'], data: { count: 2, elements: '81–82', first: [81, 82], settled: false, reason: 'replayed 0/8000000 of 0/8000968 (2408 bytes behind)' } },
    ]);
    expect((r.warnings as string[])[0]).toMatch(/^n3 had not caught up when read \(replayed 0\/8000000.*the 2 element\(s\) it lacks \(81–82\) are not judged lost/);
    expect((r.final as Fin).n3).toMatchObject({ settled: false, reference: false });
  });

  it('the same read on a standby that had caught up is a divergence (missing-on-node), not lost', () => {
    const r = checkSet(sync.paired(), { final: { n2: [79, 80, 81, 82], n3: [79, 80] }, settlement: { primary: 'n2' } });
    expect(r.valid).toBe(false);
    expect(list(r, 'lost').count).toBe(0);
    expect(anomalies(r)).toEqual([['missing-on-node', ['n3'], 2]]);
  });

  it('an element the final primary lacks is lost, even when a standby holds it', () => {
    const r = checkSet(sync.paired(), { final: { n2: [79, 80], n3: [79, 80, 81, 82] }, settlement: { primary: 'n2' } });
    expect(elements(r, 'lost')).toEqual([81, 82]);
    expect(list(r, 'lost').items[0]).toMatchObject({ firstMissedBy: { final: true, node: 'n2' } });
  });

  it('with no settled final read, only the history judges, and the verdict is unknown at best', () => {
    const r = checkSet(sync.paired(), { final: { n3: [79] }, settlement: { unsettled: { n3: 'paused' } } });
    expect(r.valid).toBe('unknown');
    expect(list(r, 'lost').count).toBe(0);
    expect(elements(r, 'neverRead')).toEqual([79, 80, 81, 82]);
    expect(r.reason).toMatch(/no final read is of a settled node \(n3: paused\)/);
  });

  it('with no settled final read, reads that missed an element some node still holds are stale, not a loss', () => {
    // pgpool after a failover: reads load-balanced to a standby that no longer follows, the new primary unsettled
    const h = new HistoryBuilder();
    h.op(0, 'add', 1, undefined).op(0, 'add', 2, undefined);
    h.op(1, 'read', null, [1]).op(1, 'read', null, [1]);
    const r = checkSet(h.paired(), { final: { n2: [1, 2], n3: [1] }, settlement: { primary: 'n2', unsettled: { n2: 'does not show the marker written on n1', n3: 'behind' } } });
    expect(r.valid).toBe('unknown');
    expect(list(r, 'lost').count).toBe(0);
    expect(list(r, 'stale').items).toEqual([expect.objectContaining({ element: 2, seenAgainBy: expect.objectContaining({ final: true, node: 'n2' }) })]);
    // held by no node at all: still lost
    const gone = checkSet(h.paired(), { final: { n2: [1], n3: [1] }, settlement: { primary: 'n2', unsettled: { n2: 'x', n3: 'y' } } });
    expect(elements(gone, 'lost')).toEqual([2]);
  });
});

describe('set checker: properties on simulated histories', () => {
  it('valid histories (crashes, keys, concurrency) are valid, also against their final states', () => {
    fc.assert(
      fc.property(simPlanArb({ model: 'set', maxOps: 60 }), (plan) => {
        const run = simulateRun(plan);
        const fin: Json = plan.keys > 0 ? Object.fromEntries([...run.final].map(([k, v]) => [String(k), v])) : run.final.get(null)!;
        const r = checkSet(pairHistory(run.events), { final: { n1: fin, n2: fin } });
        expect(r.reason).toBeUndefined();
        expect(r.valid).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  const found: Record<string, (r: ReturnType<typeof checkSet>) => Array<[Json, number | null | undefined]>> = {
    'lost-write': (r) => list(r, 'lost').items.map((e) => [e.element, e.firstMissedBy?.index]),
    'never-written': (r) => list(r, 'unexpected').items.map((e) => [e.element, e.firstSeenBy?.index]),
    'duplicated-add': (r) => list(r, 'duplicated').items.map((e) => [e.element, e.read?.index]),
  };
  for (const kind of ['lost-write', 'never-written', 'duplicated-add'] as const) {
    it(`an injected ${kind} is invalid and the reported element and read are the injected ones`, () => {
      fc.assert(
        fc.property(historyArb({ model: 'set', maxOps: 40 }), ({ events }) => {
          const injected = injectAnomaly(events, kind, 'set');
          const ops = pairHistory(injected.events).ops;
          const read = ops.find((o) => o.invokeIndex === injected.index)!;
          const r = checkSet(pairHistory(injected.events));
          expect(r.valid).toBe(false);
          const got = found[kind](r);
          if (kind === 'lost-write') {
            // the element added just before the read, missing from it
            const add = ops.find((o) => o.invokeIndex === injected.index - 2)!;
            expect(got).toContainEqual([add.invokeValue, injected.index]);
          } else if (kind === 'never-written') {
            expect(got).toEqual([[-7777, injected.index]]);
          } else {
            const v = read.value as Json[];
            expect(got).toEqual([[v[v.length - 1], injected.index]]);
          }
        }),
        { numRuns: 200 },
      );
    });
  }
});

/** The set-full definitions applied literally, element by element over every read: O(elements × reads). */
function reference(events: ReturnType<typeof simulateRun>['events'], finals: Array<[string, Json[]]>, judged: ReadonlySet<string>) {
  const h = pairHistory(events);
  const reads = h.ops
    .filter((o) => o.f === 'read' && o.type === 'ok')
    .map((o) => ({ invoke: o.invokeIndex, complete: o.completeIndex!, els: new Set((o.value as Json[]).map((v) => JSON.stringify(v))), index: o.invokeIndex as number | null }));
  // the judged final reads count as one read holding what any of them holds; the others only as sightings
  const sightings = finals.filter(([n]) => !judged.has(n)).map(([, vals]) => new Set(vals.map((v) => JSON.stringify(v))));
  const refs = finals.filter(([n]) => judged.has(n));
  if (refs.length > 0) reads.push({ invoke: Infinity, complete: h.events, els: new Set(refs.flatMap(([, vals]) => vals.map((v) => JSON.stringify(v)))), index: null });
  const adds = h.ops.filter((o) => o.f === 'add');
  const ids = new Set<string>([...adds.map((o) => JSON.stringify(o.invokeValue)), ...reads.flatMap((r) => [...r.els]), ...sightings.flatMap((els) => [...els])]);
  const out = { lost: [] as Array<[string, number | null]>, stale: [] as Array<[string, number | null]>, neverRead: [] as string[], unexpected: [] as string[] };
  for (const id of ids) {
    const mine = adds.filter((o) => JSON.stringify(o.invokeValue) === id);
    const attempted = mine.some((o) => o.type !== 'fail');
    const seenBy = reads.filter((r) => r.els.has(id));
    const seenAtEnd = sightings.some((els) => els.has(id));
    if (!attempted) {
      if (seenBy.length > 0 || seenAtEnd) out.unexpected.push(id);
      continue;
    }
    const known = Math.min(...mine.filter((o) => o.type === 'ok').map((o) => o.completeIndex!), ...seenBy.map((r) => r.complete), seenAtEnd ? h.events : Infinity);
    if (known === Infinity) continue;
    const after = reads.map((r, pos) => ({ r, pos })).filter(({ r }) => r.invoke > known);
    if (after.length === 0) {
      out.neverRead.push(id);
      continue;
    }
    const absent = after.filter(({ r }) => !r.els.has(id));
    const present = after.filter(({ r }) => r.els.has(id));
    const lastAbsent = absent.length ? absent[absent.length - 1].pos : -1;
    const lastPresent = present.length ? present[present.length - 1].pos : -1;
    const finalMissing = absent.some(({ r }) => r.invoke === Infinity);
    const firstMissed = absent.length ? absent[0].r.index : null;
    const missedForGood = finalMissing || (lastAbsent >= 0 && lastAbsent > lastPresent);
    // without a judged final read, a node's final read holding it proves it was not lost: the reads were stale
    if (missedForGood && !(refs.length === 0 && seenAtEnd)) out.lost.push([id, firstMissed]);
    else if (absent.length > 0) out.stale.push([id, firstMissed]);
  }
  return out;
}

describe('set checker: agrees with the literal definitions', () => {
  it('on simulated histories with reads and final reads mutated at random', () => {
    const mutation = fc.record({ read: fc.nat(), drop: fc.nat(), kind: fc.constantFrom('drop', 'add', 'dup') });
    fc.assert(
      fc.property(
        simPlanArb({ model: 'set', maxOps: 50, maxKeys: 0 }),
        fc.array(mutation, { maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 3 }),
        fc.record({ primary: fc.option(fc.nat({ max: 3 })), unsettled: fc.array(fc.nat({ max: 3 }), { maxLength: 2 }) }),
        (plan, mutations, finalDrops, who) => {
          const run = simulateRun(plan);
          const events = run.events.map((e) => ({ ...e }));
          const readEvents = events.filter((e) => e.type === 'ok' && e.f === 'read');
          for (const m of mutations) {
            if (readEvents.length === 0) break;
            const e = readEvents[m.read % readEvents.length];
            const v = [...(e.value as Json[])];
            if (m.kind === 'add') v.push(1000 + m.drop);
            else if (v.length > 0 && m.kind === 'drop') v.splice(m.drop % v.length, 1);
            else if (v.length > 0) v.push(v[m.drop % v.length]);
            e.value = v;
          }
          const state = run.final.get(null) as Json[];
          const finals: Array<[string, Json[]]> = finalDrops.map((d, i) => [`n${i}`, state.filter((_, k) => state.length === 0 || k !== d % state.length)]);
          // which finals judge: the settled primary's, else every settled node's (checkers/set.ts finalsIn)
          const unsettled = Object.fromEntries(who.unsettled.map((i) => [`n${i}`, 'behind']));
          const settled = finals.map(([n]) => n).filter((n) => !(n in unsettled));
          const primary = who.primary === null ? undefined : `n${who.primary}`;
          const judged = new Set(primary !== undefined && settled.includes(primary) ? [primary] : settled);
          const ref = reference(events, finals, judged);
          const settlement = primary === undefined ? { unsettled } : { primary, unsettled };
          const r = checkSet(pairHistory(events), finals.length > 0 ? { final: Object.fromEntries(finals), settlement } : {});
          const ids = (name: Parameters<typeof list>[1]) => list(r, name).items.map((e) => JSON.stringify(e.element)).sort();
          expect(ids('lost')).toEqual(ref.lost.map(([id]) => id).sort());
          expect(ids('stale')).toEqual(ref.stale.map(([id]) => id).sort());
          expect(ids('neverRead')).toEqual([...ref.neverRead].sort());
          expect(ids('unexpected')).toEqual([...ref.unexpected].sort());
          const missed = (name: Parameters<typeof list>[1]) => list(r, name).items.map((e) => [JSON.stringify(e.element), e.firstMissedBy?.index ?? null]).sort();
          expect(missed('lost')).toEqual([...ref.lost].sort());
          expect(missed('stale')).toEqual([...ref.stale].sort());
        },
      ),
      { numRuns: 400 },
    );
  });
});
