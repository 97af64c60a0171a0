// History simulator for property tests: N client processes run ops against a sequential object
// (register, cas-register, counter, set, kv; keyed or not), each op taking effect at one instant
// inside its interval, so the history is linearizable by construction. Deterministic from a plan or a seed.
// injectAnomaly() then plants a named anomaly that no linearization can explain.
import fc from 'fast-check';
import type { ModelName } from '../../checkers/models.js';
import { pairHistory } from '../../src/history/pair.js';
import type { HistoryEvent, Json, Key, Op } from '../../src/history/types.js';

export const SIM_MODELS: readonly ModelName[] = ['register', 'cas-register', 'counter', 'set', 'kv'];

/** How one op ends: ok; info (may or may not take effect); fail (no effect); hang (never completes). */
export type Outcome = 'ok' | 'info' | 'fail' | 'hang';

/** One op of a plan. Numbers are free-form and reduced modulo what they choose among. */
export interface OpPlan {
  /** which client slot runs it (mod processes) */
  slot: number;
  /** time advanced before it is invoked */
  gap: number;
  /** invoke → completion, ≥ 1 */
  duration: number;
  /** where in its interval it takes effect, 0..1 */
  at: number;
  /** which operation of the model (mod the number of operations) */
  fn: number;
  /** which key (mod keys), for keyed plans */
  key: number;
  outcome: Outcome;
  /** info / hang ops: whether the effect happened */
  applied: boolean;
  /** info / hang ops that applied: how far past the completion the effect may land */
  late: number;
}

export interface SimConfig {
  model: ModelName;
  /** concurrent client slots */
  processes: number;
  /** 0 = one unkeyed object; k > 0 = keys 0..k-1 on every op */
  keys: number;
  /** a deliberately broken database: reads observe the state before the latest effect (for shrinking demos) */
  staleReads?: boolean;
}

export interface SimPlan extends SimConfig {
  ops: OpPlan[];
}

export interface SimRun {
  events: HistoryEvent[];
  /** the object's state at the end, per key (null for unkeyed); set states are sorted arrays */
  final: Map<Key | null, Json>;
}

/** The operations of each model, chosen by OpPlan.fn. */
const FUNCTIONS: Record<ModelName, readonly string[]> = {
  register: ['read', 'write'],
  'cas-register': ['read', 'write', 'cas'],
  counter: ['read', 'add'],
  set: ['read', 'add'],
  kv: ['get', 'put', 'append'],
};

const INITIAL: Record<ModelName, Json> = { register: null, 'cas-register': null, counter: 0, set: [], kv: '' };

function isReadF(f: string): boolean {
  return f === 'read' || f === 'get';
}

interface Planned {
  n: number;
  plan: OpPlan;
  process: number;
  f: string;
  key: Key | undefined;
  invoke: number;
  effect: number | null;
  complete: number | null;
  invokeValue: Json;
  /** what the effect observed / whether it succeeded */
  observed: Json;
  succeeded: boolean;
}

/** Unique values: written values and set elements are op numbers + 1, kv strings carry the op number. */
function invokeValueOf(f: string, n: number, model: ModelName, state: Json, p: OpPlan): Json {
  switch (f) {
    case 'write':
      return n + 1;
    case 'cas':
      // expect the current value half of the time, an older or made-up one otherwise
      return [p.fn % 2 === 0 ? state : (p.key % 3) + 1, n + 1];
    case 'add':
      return model === 'counter' ? 1 + (p.fn % 3) : n + 1;
    case 'put':
      return `v${n}`;
    case 'append':
      return `.${n}`;
    default:
      return null;
  }
}

function sameJson(a: Json, b: Json): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Apply an op's effect to the state: the new state, what it observed, whether it took. */
function apply(f: string, v: Json, state: Json): { state: Json; observed: Json; ok: boolean } {
  switch (f) {
    case 'read':
    case 'get':
      return { state, observed: state, ok: true };
    case 'write':
    case 'put':
      return { state: v, observed: v, ok: true };
    case 'append':
      return { state: (state as string) + (v as string), observed: v, ok: true };
    case 'cas': {
      const [expected, next] = v as [Json, Json];
      return sameJson(expected, state) ? { state: next, observed: v, ok: true } : { state, observed: v, ok: false };
    }
    case 'add':
      if (typeof state === 'number') return { state: state + (v as number), observed: v, ok: true };
      return { state: [...(state as number[]), v as number].sort((a, b) => a - b), observed: v, ok: true };
    default:
      throw new Error(`simulate: unknown f ${f}`);
  }
}

/** Every op's invoke (phase 0), effect (1) and completion (2), sorted by (time, phase, op). */
interface Points {
  time: Float64Array;
  phase: Uint8Array;
  op: Int32Array;
}

function sortedPoints(planned: Planned[]): Points {
  let count = 0;
  let maxTime = 0;
  for (const o of planned) {
    count += 1 + (o.effect === null ? 0 : 1) + (o.complete === null ? 0 : 1);
    maxTime = Math.max(maxTime, o.complete ?? 0, o.effect ?? 0, o.invoke);
  }
  const time = new Float64Array(count);
  const phase = new Uint8Array(count);
  const op = new Int32Array(count);
  let i = 0;
  for (const o of planned) {
    for (const [t, ph] of [[o.invoke, 0], [o.effect, 1], [o.complete, 2]] as const) {
      if (t === null) continue;
      time[i] = t;
      phase[i] = ph;
      op[i++] = o.n;
    }
  }
  const width = 2 ** Math.ceil(Math.log2(planned.length + 1));
  if ((maxTime * 3 + 3) * width < Number.MAX_SAFE_INTEGER) {
    // pack (time, phase, op) into one exact float and sort numerically: fast and light for large plans
    const keys = new Float64Array(count);
    for (let j = 0; j < count; j++) keys[j] = (time[j] * 3 + phase[j]) * width + op[j];
    keys.sort();
    return {
      time: keys.map((k) => Math.floor((k - (k % width)) / width / 3)),
      phase: Uint8Array.from(keys, (k) => ((k - (k % width)) / width) % 3),
      op: Int32Array.from(keys, (k) => k % width),
    };
  }
  const order = Array.from({ length: count }, (_, j) => j).sort((a, b) => time[a] - time[b] || phase[a] - phase[b] || op[a] - op[b]);
  return {
    time: Float64Array.from(order, (j) => time[j]),
    phase: Uint8Array.from(order, (j) => phase[j]),
    op: Int32Array.from(order, (j) => op[j]),
  };
}

/** Run a plan: the history it produces and the final states. */
export function simulateRun(plan: SimPlan): SimRun {
  const procs = Math.max(1, plan.processes);
  const fns = FUNCTIONS[plan.model];
  const slotProcess = Array.from({ length: procs }, (_, i) => i);
  const slotFree = new Array<number>(procs).fill(-1);
  const planned: Planned[] = [];
  let t = 0;
  plan.ops.forEach((p, n) => {
    const slot = Math.abs(p.slot) % procs;
    t += Math.max(0, p.gap);
    const invoke = Math.max(t, slotFree[slot] + 1);
    const duration = Math.max(1, p.duration);
    const complete = invoke + duration;
    const f = fns[Math.abs(p.fn) % fns.length];
    const at = Math.min(1, Math.max(0, p.at));
    let effect: number | null = null;
    if (p.outcome === 'ok') effect = invoke + Math.floor(at * duration);
    else if ((p.outcome === 'info' || p.outcome === 'hang') && p.applied) {
      effect = invoke + Math.floor(at * (duration + Math.max(0, p.late)));
    }
    planned.push({
      n,
      plan: p,
      process: slotProcess[slot],
      f,
      key: plan.keys > 0 ? Math.abs(p.key) % plan.keys : undefined,
      invoke,
      effect,
      complete: p.outcome === 'hang' ? null : complete,
      invokeValue: null,
      observed: null,
      succeeded: false,
    });
    if (p.outcome === 'info' || p.outcome === 'hang') slotProcess[slot] += procs; // Jepsen: a crashed process is replaced
    slotFree[slot] = p.outcome === 'hang' ? invoke : complete;
  });

  // points: (time, phase, op) with phase 0 invoke, 1 effect, 2 completion; sorted, they respect every interval
  const points = sortedPoints(planned);

  const states = new Map<Key | null, Json>();
  const previous = new Map<Key | null, Json>();
  const stateOf = (k: Key | undefined): Json => (states.has(k ?? null) ? states.get(k ?? null)! : INITIAL[plan.model]);
  const events: HistoryEvent[] = [];
  let lastTime = -1;
  const emit = (o: Planned, type: HistoryEvent['type'], value: Json, at: number): void => {
    const time = Math.max(at * 1000, lastTime + 1);
    lastTime = time;
    const e: HistoryEvent = { index: events.length, time, process: o.process, type, f: o.f, value };
    if (o.key !== undefined) e.key = o.key;
    events.push(e);
  };
  for (let i = 0; i < points.op.length; i++) {
    const time = points.time[i];
    const phase = points.phase[i];
    const o = planned[points.op[i]];
    if (phase === 0) {
      o.invokeValue = invokeValueOf(o.f, o.n, plan.model, stateOf(o.key), o.plan);
      emit(o, 'invoke', o.invokeValue, time);
    } else if (phase === 1) {
      const k = o.key ?? null;
      const before = stateOf(o.key);
      const r = apply(o.f, o.invokeValue, before);
      o.observed = plan.staleReads && isReadF(o.f) && previous.has(k) ? previous.get(k)! : r.observed;
      o.succeeded = r.ok;
      if (r.state !== before) {
        previous.set(k, before);
        states.set(k, r.state);
      }
    } else {
      let type: HistoryEvent['type'] = o.plan.outcome === 'ok' ? 'ok' : o.plan.outcome === 'fail' ? 'fail' : 'info';
      if (type === 'ok' && !o.succeeded) type = 'fail'; // a cas whose expected value did not match
      const value = type === 'ok' && isReadF(o.f) ? o.observed : isReadF(o.f) ? null : o.invokeValue;
      emit(o, type, value, time);
    }
  }
  const final = new Map<Key | null, Json>();
  if (plan.keys > 0) for (let k = 0; k < plan.keys; k++) final.set(k, stateOf(k));
  else final.set(null, stateOf(undefined));
  return { events, final };
}

/** The history a plan produces. */
export function simulate(plan: SimPlan): HistoryEvent[] {
  return simulateRun(plan).events;
}

// ---------------------------------------------------------------- seeded plans (benchmarks, fixtures)

/** splitmix32: a tiny deterministic PRNG, uniform in [0, 1). */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return ((z ^ (z >>> 16)) >>> 0) / 4294967296;
  };
}

export interface RandomPlanOptions extends SimConfig {
  ops: number;
  /** share of info ops (half of them applied), default 0.02 */
  infoRate?: number;
  /** share of fail ops, default 0.05 */
  failRate?: number;
  /** share of ops that never complete, default 0 */
  hangRate?: number;
  /** mean invoke → completion time in clock units, default = processes (about that many ops overlap) */
  meanDuration?: number;
}

/** A random plan from a seed (same seed, same plan). */
export function randomPlan(seed: number, o: RandomPlanOptions): SimPlan {
  const rnd = prng(seed);
  const info = o.infoRate ?? 0.02;
  const fail = o.failRate ?? 0.05;
  const hang = o.hangRate ?? 0;
  const mean = o.meanDuration ?? Math.max(1, o.processes);
  const ops: OpPlan[] = new Array(o.ops);
  for (let i = 0; i < o.ops; i++) {
    const u = rnd();
    const outcome: Outcome = u < hang ? 'hang' : u < hang + info ? 'info' : u < hang + info + fail ? 'fail' : 'ok';
    ops[i] = {
      slot: Math.floor(rnd() * o.processes),
      gap: rnd() < 0.5 ? 1 : 0,
      duration: 1 + Math.floor(rnd() * 2 * mean),
      at: rnd(),
      fn: Math.floor(rnd() * 6),
      key: Math.floor(rnd() * Math.max(1, o.keys)),
      outcome,
      applied: rnd() < 0.5,
      late: Math.floor(rnd() * 4 * mean),
    };
  }
  return { model: o.model, processes: o.processes, keys: o.keys, staleReads: o.staleReads, ops };
}

// ---------------------------------------------------------------- fast-check arbitraries

export interface PlanArbOptions {
  model?: ModelName | readonly ModelName[];
  minProcesses?: number;
  maxProcesses?: number;
  /** maximum number of keys (0 = always unkeyed); default 3 */
  maxKeys?: number;
  maxOps?: number;
  /** allow info / hang / fail outcomes (default true) */
  crashes?: boolean;
  staleReads?: boolean;
}

export function opPlanArb(crashes = true): fc.Arbitrary<OpPlan> {
  const outcome: fc.Arbitrary<Outcome> = crashes
    ? fc.oneof(
        { arbitrary: fc.constant<Outcome>('ok'), weight: 12 },
        { arbitrary: fc.constant<Outcome>('info'), weight: 2 },
        { arbitrary: fc.constant<Outcome>('fail'), weight: 2 },
        { arbitrary: fc.constant<Outcome>('hang'), weight: 1 },
      )
    : fc.constant<Outcome>('ok');
  return fc.record({
    slot: fc.nat({ max: 7 }),
    gap: fc.nat({ max: 3 }),
    duration: fc.integer({ min: 1, max: 8 }),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    fn: fc.nat({ max: 5 }),
    key: fc.nat({ max: 7 }),
    outcome,
    applied: fc.boolean(),
    late: fc.nat({ max: 8 }),
  });
}

export function simPlanArb(o: PlanArbOptions = {}): fc.Arbitrary<SimPlan> {
  const models = o.model === undefined ? SIM_MODELS : typeof o.model === 'string' ? [o.model] : o.model;
  return fc.record({
    model: fc.constantFrom(...models),
    processes: fc.integer({ min: o.minProcesses ?? 1, max: o.maxProcesses ?? 5 }),
    keys: fc.integer({ min: 0, max: o.maxKeys ?? 3 }),
    staleReads: fc.constant(o.staleReads ?? false),
    ops: fc.array(opPlanArb(o.crashes ?? true), { maxLength: o.maxOps ?? 40 }),
  });
}

/** A plan together with the (valid) history it produces. */
export function historyArb(o: PlanArbOptions = {}): fc.Arbitrary<{ plan: SimPlan; events: HistoryEvent[] }> {
  return simPlanArb(o).map((plan) => ({ plan, events: simulate(plan) }));
}

// ---------------------------------------------------------------- anomalies

export const ANOMALY_KINDS = ['stale-read', 'lost-write', 'never-written', 'duplicated-add', 'wrong-cas'] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

/** Which anomalies make sense for which model. */
export const ANOMALIES_FOR: Record<ModelName, readonly AnomalyKind[]> = {
  register: ['stale-read', 'lost-write', 'never-written'],
  'cas-register': ['stale-read', 'lost-write', 'never-written', 'wrong-cas'],
  counter: ['lost-write', 'never-written', 'duplicated-add'],
  set: ['lost-write', 'never-written', 'duplicated-add'],
  kv: ['stale-read', 'lost-write', 'never-written'],
};

export interface Injected {
  events: HistoryEvent[];
  /** invoke index of the op that carries the anomaly */
  index: number;
}

const FRESH_NUMBER = -7777;
const FRESH_STRING = '\u0000never-written';

interface TailOp {
  f: string;
  value: Json;
  okValue: Json;
}

/** Append ops run one after another by a fresh process after everything else; their invoke indices. */
function appendSequential(events: HistoryEvent[], key: Key | undefined, ops: TailOp[]): number[] {
  const numeric = events.map((e) => (typeof e.process === 'number' ? e.process : -1));
  const process = Math.max(-1, ...numeric) + 1;
  let time = events.length === 0 ? 0 : events[events.length - 1].time;
  const at: number[] = [];
  const push = (type: HistoryEvent['type'], f: string, value: Json): void => {
    time += 1000;
    const e: HistoryEvent = { index: events.length, time, process, type, f, value };
    if (key !== undefined) e.key = key;
    events.push(e);
  };
  for (const o of ops) {
    at.push(events.length);
    push('invoke', o.f, o.value);
    push('ok', o.f, o.okValue);
  }
  return at;
}

function setValue(events: HistoryEvent[], index: number | null, value: Json): void {
  if (index === null) return;
  events[index] = { ...events[index], value };
}

const writes = (f: string) => f === 'write' || f === 'cas';
const writtenValue = (op: Op): Json => (op.f === 'cas' ? (op.invokeValue as Json[])[1] : op.invokeValue);

/**
 * Plant `kind` in a history produced by the simulator for `model` (it relies on the simulator's unique
 * written values and positive counter deltas). The result is not linearizable; `index` is the invoke
 * index of the op that carries the anomaly. Throws when the kind does not apply to the model.
 */
export function injectAnomaly(history: HistoryEvent[], kind: AnomalyKind, model: ModelName): Injected {
  if (!ANOMALIES_FOR[model].includes(kind)) throw new Error(`injectAnomaly: ${kind} does not apply to ${model}`);
  const events = history.map((e) => ({ ...e }));
  const ops = pairHistory(events).ops;
  const lastOk = [...ops].reverse().find((o) => o.type === 'ok');
  const key = lastOk?.key ?? ops[0]?.key;
  const mine = ops.filter((o) => o.key === key);
  const okReads = mine.filter((o) => o.type === 'ok' && isReadF(o.f));
  const isCounter = model === 'counter';

  switch (kind) {
    case 'stale-read': {
      if (model !== 'kv') {
        const done = mine.filter((o) => o.type === 'ok' && writes(o.f));
        for (const r of okReads) {
          const before = done.filter((w) => w.completeIndex! < r.invokeIndex);
          const w2 = before.reduce<Op | null>((m, w) => (m === null || w.invokeIndex > m.invokeIndex ? w : m), null);
          const w1 = before.find((w) => w2 !== null && w.completeIndex! < w2.invokeIndex);
          if (w1 && w2) {
            setValue(events, r.completeIndex, writtenValue(w1));
            return { events, index: r.invokeIndex };
          }
        }
        const [, , read] = appendSequential(events, key, [
          { f: 'write', value: FRESH_NUMBER, okValue: FRESH_NUMBER },
          { f: 'write', value: FRESH_NUMBER - 1, okValue: FRESH_NUMBER - 1 },
          { f: 'read', value: null, okValue: FRESH_NUMBER },
        ]);
        return { events, index: read };
      }
      const [, , get] = appendSequential(events, key, [
        { f: 'put', value: 'stale-a', okValue: 'stale-a' },
        { f: 'put', value: 'stale-b', okValue: 'stale-b' },
        { f: 'get', value: null, okValue: 'stale-a' },
      ]);
      return { events, index: get };
    }
    case 'lost-write': {
      if (model === 'register' || model === 'cas-register') {
        const seen = okReads.length > 0 ? okReads[okReads.length - 1].value : null;
        const [, read] = appendSequential(events, key, [
          { f: 'write', value: FRESH_NUMBER, okValue: FRESH_NUMBER },
          { f: 'read', value: null, okValue: seen },
        ]);
        return { events, index: read };
      }
      if (model === 'kv') {
        const [, , get] = appendSequential(events, key, [
          { f: 'put', value: 'lost-a', okValue: 'lost-a' },
          { f: 'append', value: '.lost', okValue: '.lost' },
          { f: 'get', value: null, okValue: 'lost-a' },
        ]);
        return { events, index: get };
      }
      const okAdds = mine.filter((o) => o.type === 'ok' && o.f === 'add');
      const readValue: Json = isCounter
        ? okAdds.reduce((s, o) => s + (o.invokeValue as number), 0)
        : okAdds.map((o) => o.invokeValue);
      const [, read] = appendSequential(events, key, [
        { f: 'add', value: isCounter ? 1 : FRESH_NUMBER, okValue: isCounter ? 1 : FRESH_NUMBER },
        { f: 'read', value: null, okValue: readValue },
      ]);
      return { events, index: read };
    }
    case 'never-written': {
      const r = okReads[0];
      const fresh = (v: Json): Json =>
        model === 'kv' ? FRESH_STRING : model === 'counter' ? -1 : model === 'set' ? [...((v as Json[]) ?? []), FRESH_NUMBER] : FRESH_NUMBER;
      if (r) {
        setValue(events, r.completeIndex, fresh(r.value));
        return { events, index: r.invokeIndex };
      }
      const [read] = appendSequential(events, key, [{ f: model === 'kv' ? 'get' : 'read', value: null, okValue: fresh([]) }]);
      return { events, index: read };
    }
    case 'duplicated-add': {
      if (isCounter) {
        const all = mine.filter((o) => o.type !== 'fail' && o.f === 'add');
        const max = all.reduce((s, o) => s + (o.invokeValue as number), 0);
        const [, read] = appendSequential(events, key, [
          { f: 'add', value: 1, okValue: 1 },
          { f: 'read', value: null, okValue: max + 2 },
        ]);
        return { events, index: read };
      }
      const r = okReads.find((o) => Array.isArray(o.value) && o.value.length > 0);
      if (r) {
        const v = r.value as Json[];
        setValue(events, r.completeIndex, [...v, v[0]]);
        return { events, index: r.invokeIndex };
      }
      const [, read] = appendSequential(events, key, [
        { f: 'add', value: FRESH_NUMBER, okValue: FRESH_NUMBER },
        { f: 'read', value: null, okValue: [FRESH_NUMBER, FRESH_NUMBER] },
      ]);
      return { events, index: read };
    }
    case 'wrong-cas': {
      const c = mine.find((o) => o.type === 'ok' && o.f === 'cas');
      if (c) {
        const next = (c.invokeValue as Json[])[1];
        const v: Json = [FRESH_NUMBER, next];
        setValue(events, c.invokeIndex, v);
        setValue(events, c.completeIndex, v);
        return { events, index: c.invokeIndex };
      }
      const [cas] = appendSequential(events, key, [
        { f: 'cas', value: [FRESH_NUMBER, FRESH_NUMBER - 1], okValue: [FRESH_NUMBER, FRESH_NUMBER - 1] },
      ]);
      return { events, index: cas };
    }
    default:
      throw new Error(`injectAnomaly: unknown kind ${String(kind)}`);
  }
}
