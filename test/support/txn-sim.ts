// Test and bench support: transactional histories whose verdict is known by construction. A simulated serial
// database (each txn takes effect atomically at one instant between its invoke and completion: strictly
// serializable) for list-append and rw-register, and anomalies planted on fresh keys by hand-made txns.
import type { CompletionType, HistoryEvent, Json, Op, PairedHistory } from '../../src/history/types.js';

/** A small deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Planted = 'write-skew' | 'read-skew' | 'lost-update' | 'long-fork';

export interface SimOptions {
  model: 'list-append' | 'rw-register';
  seed: number;
  txns: number;
  processes: number;
  /** micro-ops per txn: exactly this many, or 1..this when `varyLength` */
  mops: number;
  varyLength?: boolean;
  /** active keys at any time, and writes per key before it is replaced by a fresh one */
  keys: number;
  maxWritesPerKey: number;
  readFraction?: number;
  failRate?: number;
  infoRate?: number;
  /** plant an anomaly (on fresh keys, by extra processes) when this many txns have been invoked */
  plant?: { at: number; kind: Planted };
}

export interface SimHistory extends PairedHistory {
  /** invoke indexes of the planted txns, in the order the anomaly's cycle visits them */
  planted: number[];
}

interface Pending {
  op: Op;
  mops: Json[][];
  executed: boolean;
  outcome: CompletionType;
}

/** Simulate a serial database under concurrent clients; returns the paired history directly (no events). */
export function simulateTxns(o: SimOptions): SimHistory {
  const rand = rng(o.seed);
  const ops: Op[] = [];
  const lists = new Map<number, number[]>();
  const regs = new Map<number, number>();
  const written = new Map<number, number>();
  const active: number[] = [];
  let nextKey = 0;
  for (let i = 0; i < o.keys; i++) active.push(nextKey++);
  const pending: Array<Pending | null> = new Array(o.processes).fill(null);
  const procId: number[] = [...Array(o.processes).keys()];
  let index = 0;
  let time = 0;
  let invoked = 0;
  let done = 0;
  let planted: number[] = [];
  const w = o.model === 'list-append' ? 'append' : 'w';

  const newTxn = (): Json[][] => {
    const n = o.varyLength ? 1 + Math.floor(rand() * o.mops) : o.mops;
    const mops: Json[][] = [];
    for (let i = 0; i < n; i++) {
      // skewed keys: the first active key is chosen most often
      const slot = Math.min(active.length - 1, Math.floor(-Math.log(1 - rand()) * (active.length / 3)));
      let k = active[slot] as number;
      if (rand() < (o.readFraction ?? 0.5)) {
        mops.push(['r', k, null]);
        continue;
      }
      let c = (written.get(k) ?? 0) + 1;
      if (c > o.maxWritesPerKey) {
        k = nextKey++;
        active[slot] = k;
        c = 1;
      }
      written.set(k, c);
      mops.push([w, k, c]);
    }
    return mops;
  };

  const execute = (mops: Json[][], apply: boolean): Json[][] => {
    const out: Json[][] = [];
    const localLists = new Map<number, number[]>();
    const localRegs = new Map<number, number | null>();
    for (const [f, kj, v] of mops) {
      const k = kj as number;
      if (o.model === 'list-append') {
        const cur = localLists.get(k) ?? [...(lists.get(k) ?? [])];
        localLists.set(k, cur);
        if (f === 'r') out.push(['r', k, cur.length === 0 ? null : [...cur]]);
        else {
          cur.push(v as number);
          out.push([f as string, k, v as Json]);
        }
      } else {
        const cur = localRegs.has(k) ? (localRegs.get(k) as number | null) : (regs.get(k) ?? null);
        if (f === 'r') out.push(['r', k, cur]);
        else {
          localRegs.set(k, v as number);
          out.push([f as string, k, v as Json]);
        }
      }
    }
    if (apply) {
      for (const [k, l] of localLists) lists.set(k, l);
      for (const [k, v] of localRegs) regs.set(k, v as number);
    }
    return out;
  };

  const plantNow = (kind: Planted): void => {
    const base = 1_000_000 + o.processes * 10;
    // fresh keys no other txn touches
    const px = -1;
    const py = -2;
    const inv = (p: number, value: Json[][]): Op => {
      const op: Op = { process: base + p, f: 'txn', type: 'ok', invokeValue: value.map(([f, k, v]) => [f, k, f === 'r' ? null : v] as Json), value, invokeIndex: index++, completeIndex: null, invokeTime: (time += 10), completeTime: null };
      ops.push(op);
      return op;
    };
    const ok = (op: Op): void => {
      op.completeIndex = index++;
      op.completeTime = time += 10;
    };
    const A = o.model === 'list-append';
    const wv = (k: number, v: number): Json[] => [w, k, v];
    const rv = (k: number, v: number[] | null): Json[] => ['r', k, A ? v : v === null ? null : (v[v.length - 1] as number)];
    if (kind === 'write-skew') {
      // both read x and y empty, then each writes one of them: T1 -rw-> T2 -rw-> T1
      const t1 = inv(0, [rv(px, null), rv(py, null), wv(px, 1)]);
      const t2 = inv(1, [rv(px, null), rv(py, null), wv(py, 1)]);
      ok(t1);
      ok(t2);
      planted = [t1.invokeIndex, t2.invokeIndex];
    } else if (kind === 'read-skew') {
      // T2 sees T1's write of x but not of y: T1 -wr-> T2 -rw-> T1
      const t1 = inv(0, [wv(px, 1), wv(py, 1)]);
      ok(t1);
      const t2 = inv(1, [rv(px, [1]), rv(py, null)]);
      ok(t2);
      planted = [t1.invokeIndex, t2.invokeIndex];
    } else if (kind === 'lost-update') {
      const t0 = inv(0, [wv(px, 1)]);
      ok(t0);
      const t1 = inv(1, [rv(px, [1]), wv(px, 2)]);
      const t2 = inv(2, [rv(px, [1]), wv(px, 3)]);
      ok(t1);
      ok(t2);
      planted = [t1.invokeIndex, t2.invokeIndex];
    } else {
      // long fork: T3 sees T1 and not T2, T4 sees T2 and not T1
      const t1 = inv(0, [wv(px, 1)]);
      const t2 = inv(1, [wv(py, 1)]);
      const t3 = inv(2, [rv(px, [1]), rv(py, null)]);
      const t4 = inv(3, [rv(py, [1]), rv(px, null)]);
      for (const t of [t1, t2, t3, t4]) ok(t);
      planted = [t1.invokeIndex, t3.invokeIndex, t2.invokeIndex, t4.invokeIndex];
    }
  };

  while (done < o.txns) {
    if (o.plant && invoked >= o.plant.at && planted.length === 0) plantNow(o.plant.kind);
    const p = Math.floor(rand() * o.processes);
    const cur = pending[p];
    time += 1 + Math.floor(rand() * 1000);
    if (cur === null) {
      if (invoked >= o.txns) continue;
      const mops = newTxn();
      const r = rand();
      const outcome: CompletionType = r < (o.failRate ?? 0) ? 'fail' : r < (o.failRate ?? 0) + (o.infoRate ?? 0) ? 'info' : 'ok';
      const op: Op = { process: procId[p] as number, f: 'txn', type: outcome, invokeValue: mops.map(([f, k, v]) => [f, k, f === 'r' ? null : v] as Json), value: null, invokeIndex: index++, completeIndex: null, invokeTime: time, completeTime: null };
      op.value = op.invokeValue;
      ops.push(op);
      pending[p] = { op, mops, executed: false, outcome };
      invoked++;
    } else if (!cur.executed) {
      // the instant the txn takes effect: a fail never does, an info may or may not
      const apply = cur.outcome === 'ok' || (cur.outcome === 'info' && rand() < 0.5);
      const result = execute(cur.mops, apply);
      if (cur.outcome === 'ok') cur.op.value = result;
      cur.executed = true;
    } else {
      cur.op.completeIndex = index++;
      cur.op.completeTime = time;
      if (cur.outcome === 'info') procId[p] = (procId[p] as number) + o.processes; // the process hangs; a new one goes on
      pending[p] = null;
      done++;
    }
  }
  // keep ops in invoke order
  ops.sort((a, b) => a.invokeIndex - b.invokeIndex);
  return { ops, nemesis: [], events: index, planted };
}

/** The events of a paired history, in index order (for JSONL files). */
export function eventsOf(h: PairedHistory): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  for (const op of h.ops) {
    events.push({ index: op.invokeIndex, time: op.invokeTime, process: op.process, type: 'invoke', f: op.f, value: op.invokeValue });
    if (op.completeIndex !== null) events.push({ index: op.completeIndex, time: op.completeTime ?? op.invokeTime, process: op.process, type: op.type, f: op.f, value: op.type === 'ok' ? op.value : op.invokeValue });
  }
  return events.sort((a, b) => a.index - b.index);
}

/** A sequential txn history from completed micro-ops: [process, mops, outcome?] each invoked then completed. */
export function sequentialTxns(txns: ReadonlyArray<readonly [number, Json[][], CompletionType?]>): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  for (const [process, mops, type = 'ok'] of txns) {
    const inv = mops.map(([f, k, v]) => [f, k, f === 'r' ? null : v] as Json);
    events.push({ index: events.length, time: events.length, process, type: 'invoke', f: 'txn', value: inv });
    events.push({ index: events.length, time: events.length, process, type, f: 'txn', value: type === 'ok' ? mops : inv });
  }
  return events;
}

/**
 * A txn history in rounds: the txns of one round are all invoked, then all completed (concurrent with each other),
 * each on its own process; rounds follow one another in real time. Each txn: completed micro-ops.
 */
export function roundsOfTxns(rounds: ReadonlyArray<ReadonlyArray<Json[][]>>): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  let p = 0;
  for (const round of rounds) {
    const procs = round.map(() => p++);
    round.forEach((mops, i) => events.push({ index: events.length, time: events.length * 1e6, process: procs[i] as number, type: 'invoke', f: 'txn', value: mops.map(([f, k, v]) => [f, k, f === 'r' ? null : v] as Json) }));
    round.forEach((mops, i) => events.push({ index: events.length, time: events.length * 1e6, process: procs[i] as number, type: 'ok', f: 'txn', value: mops }));
  }
  return events;
}
