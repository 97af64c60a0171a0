// split-brain and unavailability checkers: hand-made cases and fast-check properties on generated failover
// histories whose verdict is known by construction (one primary at a time, or an orphan that keeps writing).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { primaryPeriods, type RoleSample } from '../../checkers/primaries.js';
import { checkSplitBrain } from '../../checkers/split-brain.js';
import { checkUnavailability } from '../../checkers/unavailability.js';
import type { NemesisEvent, Op, PairedHistory } from '../../src/history/types.js';

const MS = 1e6;
let nextIndex = 0;
function write(node: string, from: number, to: number, type: Op['type'] = 'ok'): Op {
  const i = nextIndex;
  nextIndex += 2;
  return { process: i, f: 'add', type, invokeValue: i, value: i, invokeIndex: i, completeIndex: i + 1, invokeTime: from * MS, completeTime: to * MS, node };
}
const history = (ops: Op[], nemesis: NemesisEvent[] = []): PairedHistory => ({ ops: [...ops].sort((a, b) => a.invokeIndex - b.invokeIndex), nemesis, events: ops.length * 2 + nemesis.length });
const sample = (node: string, atMs: number, inRecovery: boolean, pm = 'pm-' + node, error?: string): RoleSample =>
  error ? { time: atMs * MS, answered: (atMs + 5) * MS, node, error } : { time: atMs * MS, answered: (atMs + 5) * MS, node, in_recovery: inRecovery, postmaster_start: pm };

describe('primary periods', () => {
  it('consecutive samples of one postmaster not in recovery make a span; a restart or recovery breaks it', () => {
    const s = [sample('n1', 0, false), sample('n1', 1000, false, 'pm-n1', 'timeout'), sample('n1', 2000, false), sample('n1', 3000, true), sample('n1', 4000, false, 'pm2'), sample('n1', 5000, false, 'pm3')];
    expect(primaryPeriods(s)).toEqual([{ node: 'n1', from: 5 * MS, to: 2000 * MS, postmasterStart: 'pm-n1', samples: 2 }]);
  });
  it('samples without answer time or postmaster identity are not used', () => {
    expect(primaryPeriods([{ time: 0, node: 'n1', in_recovery: false }, { time: 1e9, node: 'n1', in_recovery: false }])).toEqual([]);
  });
});

describe('split-brain: hand-made', () => {
  it('an orphan primary acknowledging writes while the new one does is a split brain naming both sides', () => {
    const samples: RoleSample[] = [];
    for (let t = 0; t <= 10_000; t += 1000) {
      samples.push(sample('n1', t, false)); // n1 never stops being primary
      samples.push(sample('n2', t, t < 5000));
    }
    const ops = [write('n1', 100, 200), write('n1', 6100, 6200), write('n2', 6300, 6400), write('n2', 7000, 7100), write('n1', 8000, 8100)];
    const r = checkSplitBrain(history(ops), { samples });
    expect(r.valid).toBe(false);
    expect(r.anomalies).toHaveLength(1);
    const a = r.anomalies[0]!;
    expect(a.nodes).toEqual(['n1', 'n2']);
    expect(a.data!.evidence).toEqual(['samples', 'writes']);
    expect(a.data!.sides.map((s) => [s.node, s.count])).toEqual([['n1', 2], ['n2', 2]]);
    expect(a.ops).toEqual([ops[1]!.invokeIndex, ops[2]!.invokeIndex, ops[3]!.invokeIndex, ops[4]!.invokeIndex]);
    expect(r.reason).toMatch(/n1 and n2 were both primary/);
  });

  it('a clean failover (old primary down, new one promoted) is no split brain; unacknowledged writes count for nothing', () => {
    const samples: RoleSample[] = [];
    for (let t = 0; t <= 10_000; t += 1000) {
      samples.push(t < 4000 ? sample('n1', t, false) : sample('n1', t, false, 'x', 'connection refused'));
      samples.push(sample('n2', t, t < 6000));
    }
    const ops = [write('n1', 100, 200), write('n1', 3100, 3200), write('n1', 5000, 9000, 'info'), write('n2', 7000, 7100)];
    const r = checkSplitBrain(history(ops), { samples });
    expect(r).toMatchObject({ valid: true, anomalies: [], possible: [] });
  });

  it('two primaries of which one acknowledged nothing (a synchronous orphan whose commits hang) are reported, not judged', () => {
    const samples: RoleSample[] = [];
    for (let t = 0; t <= 10_000; t += 1000) {
      samples.push(sample('n1', t, false));
      samples.push(sample('n2', t, t < 5000));
    }
    const ops = [write('n1', 100, 200), write('n1', 5500, 9900, 'info'), write('n2', 6300, 6400)];
    const r = checkSplitBrain(history(ops), { samples });
    expect(r.valid).toBe(true);
    expect(r.anomalies).toEqual([]);
    expect(r.primaryOverlaps.map((o) => o.sides.map((x) => [x.node, x.count]))).toEqual([[['n1', 0], ['n2', 1]]]);
    expect(r.reason).toMatch(/both primary for [0-9]+ ms, but writes were acknowledged on n2 only/);
  });

  it('interleaved acknowledgements without samples are only possible (unknown); a switchback the samples show is fine', () => {
    const ops = [write('n1', 0, 10), write('n2', 20, 30), write('n1', 40, 50)];
    const r = checkSplitBrain(history(ops));
    expect(r.valid).toBe('unknown');
    expect(r.possible).toEqual([{ nodes: ['n1', 'n2'], writes: [ops[0]!.invokeIndex, ops[1]!.invokeIndex, ops[2]!.invokeIndex] }]);
    const back = checkSplitBrain(history(ops), { samples: [sample('n1', 15, true)] });
    expect(back.valid).toBe(true);
  });
});

/** A generated run: epochs with one primary each, separated by failover gaps; optionally an orphan epoch. */
const runArb = fc.record({
  epochs: fc.array(fc.record({ node: fc.constantFrom('n1', 'n2', 'n3'), lengthS: fc.integer({ min: 2, max: 8 }), gapS: fc.integer({ min: 1, max: 4 }) }), { minLength: 1, maxLength: 5 }),
  writesPerS: fc.integer({ min: 1, max: 4 }),
  orphan: fc.option(fc.integer({ min: 2, max: 6 }), { nil: null }),
});

interface Run {
  epochs: { node: string; lengthS: number; gapS: number }[];
  writesPerS: number;
  orphan: number | null;
}

function simulate(run: Run) {
  const samples: RoleSample[] = [];
  const ops: Op[] = [];
  let t = 0;
  const spans: { node: string; from: number; to: number; pm: string }[] = [];
  run.epochs.forEach((e, i) => {
    spans.push({ node: e.node, from: t, to: t + e.lengthS * 1000, pm: `pm${i}` });
    t += (e.lengthS + e.gapS) * 1000;
  });
  // the orphan: the first epoch's primary keeps its postmaster and goes on past its epoch into the next one
  const orphanSpan = run.orphan !== null && run.epochs.length > 1 && run.epochs[1]!.node !== run.epochs[0]!.node
    ? { node: spans[0]!.node, from: spans[0]!.from, to: spans[1]!.from + run.orphan * 1000, pm: spans[0]!.pm } : null;
  const live = orphanSpan ? [orphanSpan, ...spans.slice(1)] : spans;
  for (let s = 0; s <= t; s += 1000) {
    for (const n of ['n1', 'n2', 'n3']) {
      const span = live.find((p) => p.node === n && s >= p.from && s + 5 <= p.to);
      samples.push(span ? sample(n, s, false, span.pm) : sample(n, s, true, 'standby'));
    }
  }
  for (const p of live) {
    const step = 1000 / run.writesPerS;
    for (let w = p.from + 10; w + 20 < p.to; w += step) ops.push(write(p.node, w, w + 15));
  }
  return { samples, ops, orphanSpan, splits: orphanSpan !== null && Math.min(orphanSpan.to, spans[1]!.to) - spans[1]!.from > 1000 };
}

describe('split-brain: generated failover histories', () => {
  it('one primary at a time is never reported; an orphan overlapping the next primary for a sampled second always is', () => {
    fc.assert(
      fc.property(runArb, (run) => {
        const sim = simulate(run);
        const r = checkSplitBrain(history(sim.ops), { samples: sim.samples });
        if (!sim.orphanSpan) return r.valid === true && r.anomalies.length === 0;
        if (!sim.splits) return r.valid !== 'unknown' || r.possible.length > 0;
        const a = r.anomalies.find((x) => x.nodes!.includes(sim.orphanSpan!.node));
        return r.valid === false && a !== undefined && a.data!.sides.every((s) => s.count > 0 || s.node !== sim.orphanSpan!.node);
      }),
      { numRuns: 200 },
    );
  });

  it('writes all on one node, the other node always sampled in recovery, are never a split brain', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 1, max: 500 })), { maxLength: 40 }), fc.array(fc.tuple(fc.constantFrom('n1', 'n2'), fc.integer({ min: 0, max: 10_000 })), { maxLength: 40 }), (ws, ss) => {
        const ops = ws.map(([from, d]) => write('n1', from, from + d));
        const samples = ss.map(([n, at]) => sample(n, at, n !== 'n1'));
        return checkSplitBrain(history(ops), { samples }).valid === true;
      }),
    );
  });
});

describe('split-brain behind a pooler (writesOnNode false)', () => {
  const both = (): RoleSample[] => {
    const out: RoleSample[] = [];
    for (let t = 0; t <= 10_000; t += 1000) {
      out.push(sample('n1', t, t >= 6000, t >= 6000 ? 'pm-n1b' : 'pm-n1'));
      out.push(sample('n2', t, t < 3000, t < 3000 ? 'pm-n2' : 'pm-n2'));
    }
    return out;
  };
  it('two primaries from the samples with writes acknowledged meanwhile are unknown: the history cannot say where they went', () => {
    // writes named n1/n2 are the clients' links, all leading to the pooler: they must not make a split brain
    const ops = [write('n1', 3500, 3600), write('n2', 4000, 4100)];
    const r = checkSplitBrain(history(ops), { samples: both(), writesOnNode: false });
    expect(r.valid).toBe('unknown');
    expect(r.anomalies).toEqual([]);
    expect(r.primaryOverlaps).toHaveLength(1);
    expect(r.reason).toMatch(/^n1 and n2 were both primary for [0-9]+ ms \(samples\); 2 writes were acknowledged meanwhile/);
  });
  it('two primaries with no write acknowledged meanwhile are reported and valid; one primary at a time is valid', () => {
    expect(checkSplitBrain(history([write('n1', 100, 200)]), { samples: both(), writesOnNode: false })).toMatchObject({ valid: true, reason: expect.stringMatching(/no write was acknowledged meanwhile$/) });
    const one = [sample('n1', 0, false), sample('n1', 1000, false), sample('n2', 0, true), sample('n2', 1000, true)];
    expect(checkSplitBrain(history([write('n2', 100, 200)]), { samples: one, writesOnNode: false })).toMatchObject({ valid: true, primaryOverlaps: [] });
  });
});

describe('unavailability', () => {
  const fault = (index: number, atMs: number, f = 'kill'): NemesisEvent => ({ index, time: atMs * MS, type: 'invoke', f });

  it('measures each fault to the first acknowledged write invoked after it, and the longest gap', () => {
    const ops = [write('n1', 0, 10), write('n1', 100, 110), write('n1', 150, 5000, 'info'), write('n2', 3000, 3100), write('n2', 3050, 3060)];
    const r = checkUnavailability(history(ops, [fault(1000, 120), fault(1001, 4000, 'start'), fault(1002, 3200)]));
    expect(r.faults.map((f) => [f.index, f.ms, f.firstAck?.node])).toEqual([[1000, 2940, 'n2'], [1002, null, undefined]]);
    expect(r.longestGap).toMatchObject({ ms: 2950, from: 110 * MS, to: 3060 * MS, faults: [1000] });
    // the fault at 120 ms lasts until the next nemesis event (3200 ms): the 110 → 3060 ms gap overlaps it
    expect(r.faults[0]!.longestGapMs).toBe(2950);
  });

  it("the HA nemeses' heals are not faults; the summary line names each fault's recovery and the longest gap", () => {
    const ops = [write('n1', 0, 10), write('n1', 100, 110), write('n2', 3000, 3100)];
    const heals = ['start-manager', 'start-dcs', 'stop-partition-dcs', 'switchover-done', 'switchover-up', 'rejoin', 'restart'];
    const r = checkUnavailability(history(ops, [fault(1000, 120, 'kill-manager'), ...heals.map((f, i) => fault(1001 + i, 200 + i, f))]));
    expect(r.faults.map((f) => f.f)).toEqual(['kill-manager']);
    expect(r.reason).toBe('longest write gap 3.0 s (at 0.1 s); kill-manager at 0.1 s → first write acknowledged after 3.0 s, longest gap 3.0 s');
  });

  it('a fault is recovered from at the earliest acknowledgement of a later-invoked write (brute force agrees)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 1, max: 2000 }), fc.boolean()), { maxLength: 30 }), fc.array(fc.integer({ min: 0, max: 6000 }), { maxLength: 5 }), (ws, fs) => {
        const ops = ws.map(([from, d, ok]) => write('n1', from, from + d, ok ? 'ok' : 'info'));
        const faults = fs.map((t, i) => fault(10_000 + i, t));
        const r = checkUnavailability(history(ops, faults));
        return r.faults.every((f) => {
          const cands = ops.filter((o) => o.type === 'ok' && o.invokeTime >= f.time).map((o) => o.completeTime!);
          const best = cands.length ? Math.min(...cands) : null;
          return best === null ? f.ms === null : f.ms === (best - f.time) / MS;
        });
      }),
    );
  });
});
