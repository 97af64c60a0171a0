// Sequential models for the linearizability checker: register, cas-register, counter, set, kv.
// Pure and immutable: step() never mutates a state. Every model partitions keyed histories by key.
import type { Json, Key, Op } from '../src/history/types.js';
import { canonical, jsonEqual, shortJson } from './canonical.js';
import { compileCounter, compileKv, compileRegister } from './compiled.js';
import type { Model } from './types.js';

export const MODEL_NAMES = ['register', 'cas-register', 'counter', 'set', 'kv'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

/** A model that can also tell which ops only observe (reads): an info read then has no effect and is dropped. */
export interface LinearizableModel<S> extends Model<S> {
  isRead(op: Op): boolean;
}

/** An op the model cannot interpret (unknown f, malformed value): bad input, not an anomaly. */
export class ModelOpError extends Error {
  constructor(
    readonly model: string,
    readonly op: Op,
    what: string,
  ) {
    super(`model ${model}: op at index ${op.invokeIndex} (${op.f}): ${what}`);
    this.name = 'ModelOpError';
  }
}

/** P-compositionality: one sub-history per key, in order of first appearance; unkeyed ops under null. */
export function partitionByKey(ops: Op[]): Map<Key | null, Op[]> {
  const parts = new Map<Key | null, Op[]>();
  for (const op of ops) {
    const k = op.key ?? null;
    let list = parts.get(k);
    if (!list) parts.set(k, (list = []));
    list.push(op);
  }
  return parts;
}

/** "p3 write 5", "[k] p1 read → 3", "p2 cas 1→2 (info)". */
function describe(op: Op, arg: string): string {
  const key = op.key === undefined ? '' : `[${String(op.key)}] `;
  const outcome = op.type === 'ok' ? '' : ` (${op.type})`;
  return `${key}p${op.process} ${op.f}${arg ? ` ${arg}` : ''}${outcome}`;
}

const ok = <S>(state: S) => ({ ok: true, state });
const no = <S>(state: S) => ({ ok: false, state });

function registerModel(withCas: boolean): LinearizableModel<Json> {
  const name = withCas ? 'cas-register' : 'register';
  return {
    name,
    compile: (ops) =>
      compileRegister(ops, withCas, (op, what) => {
        throw new ModelOpError(name, op, what);
      }),
    init: () => null,
    step(state, op) {
      switch (op.f) {
        case 'write':
          return ok(op.invokeValue);
        case 'read':
          if (op.type !== 'ok') return ok(state);
          return jsonEqual(op.value, state) ? ok(state) : no(state);
        case 'cas': {
          if (!withCas) break;
          const v = op.invokeValue;
          if (!Array.isArray(v) || v.length !== 2) throw new ModelOpError(name, op, 'cas value must be [expected, new]');
          return jsonEqual(v[0], state) ? ok(v[1]) : no(state);
        }
        default:
          break;
      }
      throw new ModelOpError(name, op, `unknown f "${op.f}" (expected read, write${withCas ? ', cas' : ''})`);
    },
    hash: (state) => canonical(state),
    isRead: (op) => op.f === 'read',
    partition: partitionByKey,
    describeState: (state) => shortJson(state),
    describeOp(op) {
      if (op.f === 'read') return describe(op, op.type === 'ok' ? `→ ${shortJson(op.value)}` : '');
      if (op.f === 'cas' && Array.isArray(op.invokeValue) && op.invokeValue.length === 2) {
        return describe(op, `${shortJson(op.invokeValue[0], 30)}→${shortJson(op.invokeValue[1], 30)}`);
      }
      return describe(op, shortJson(op.invokeValue));
    },
  };
}

function counterModel(): LinearizableModel<number> {
  const name = 'counter';
  return {
    name,
    compile: (ops) =>
      compileCounter(ops, (op, what) => {
        throw new ModelOpError(name, op, what);
      }),
    init: () => 0,
    step(state, op) {
      if (op.f === 'add') {
        if (typeof op.invokeValue !== 'number') throw new ModelOpError(name, op, 'add value must be a number');
        return ok(state + op.invokeValue);
      }
      if (op.f === 'read') {
        if (op.type !== 'ok') return ok(state);
        if (typeof op.value !== 'number') throw new ModelOpError(name, op, 'read value must be a number');
        return op.value === state ? ok(state) : no(state);
      }
      throw new ModelOpError(name, op, `unknown f "${op.f}" (expected add, read)`);
    },
    hash: (state) => String(state),
    isRead: (op) => op.f === 'read',
    partition: partitionByKey,
    describeState: (state) => String(state),
    describeOp: (op) =>
      op.f === 'read'
        ? describe(op, op.type === 'ok' ? `→ ${shortJson(op.value)}` : '')
        : describe(op, shortJson(op.invokeValue)),
  };
}

/** Set state: the canonical texts of its elements, sorted, no duplicates. */
type SetState = readonly string[];
const SEP = '\u0001';

function insertSorted(state: SetState, e: string): SetState {
  let lo = 0;
  let hi = state.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (state[mid] < e) lo = mid + 1;
    else hi = mid;
  }
  if (state[lo] === e) return state;
  const next = state.slice();
  next.splice(lo, 0, e);
  return next;
}

function setModel(): LinearizableModel<SetState> {
  const name = 'set';
  return {
    name,
    init: () => [],
    step(state, op) {
      if (op.f === 'add') return ok(insertSorted(state, canonical(op.invokeValue)));
      if (op.f === 'read') {
        if (op.type !== 'ok') return ok(state);
        if (!Array.isArray(op.value)) throw new ModelOpError(name, op, 'read value must be an array');
        if (op.value.length !== state.length) return no(state);
        // compared as sets; an element read twice (a duplicate) never matches a set
        const seen = op.value.map(canonical).sort();
        for (let i = 0; i < seen.length; i++) if (seen[i] !== state[i]) return no(state);
        return ok(state);
      }
      throw new ModelOpError(name, op, `unknown f "${op.f}" (expected add, read)`);
    },
    hash: (state) => state.join(SEP),
    isRead: (op) => op.f === 'read',
    partition: partitionByKey,
    describeState: (state) => {
      const s = `#{${state.join(' ')}}`;
      return s.length <= 80 ? s : `${s.slice(0, 79)}…`;
    },
    describeOp: (op) =>
      op.f === 'read'
        ? describe(op, op.type === 'ok' ? `→ ${shortJson(op.value)}` : '')
        : describe(op, shortJson(op.invokeValue)),
  };
}

/** kv: after partitioning by key, each sub-history acts on one string that starts "". */
function kvModel(): LinearizableModel<string> {
  const name = 'kv';
  const str = (op: Op, v: Json): string => {
    if (typeof v !== 'string') throw new ModelOpError(name, op, `${op.f} value must be a string`);
    return v;
  };
  return {
    name,
    compile: (ops) =>
      compileKv(ops, (op, what) => {
        throw new ModelOpError(name, op, what);
      }),
    init: () => '',
    step(state, op) {
      switch (op.f) {
        case 'put':
          return ok(str(op, op.invokeValue));
        case 'append':
          return ok(state + str(op, op.invokeValue));
        case 'get':
          if (op.type !== 'ok') return ok(state);
          return (op.value === null ? '' : str(op, op.value)) === state ? ok(state) : no(state);
        default:
          throw new ModelOpError(name, op, `unknown f "${op.f}" (expected get, put, append)`);
      }
    },
    hash: (state) => state,
    isRead: (op) => op.f === 'get',
    partition: partitionByKey,
    describeState: (state) => shortJson(state),
    describeOp: (op) =>
      op.f === 'get'
        ? describe(op, op.type === 'ok' ? `→ ${shortJson(op.value)}` : '')
        : describe(op, shortJson(op.invokeValue)),
  };
}

/** Type guard: does this model name its read-only ops? */
export function hasIsRead<S>(model: Model<S>): model is LinearizableModel<S> {
  return typeof (model as Partial<LinearizableModel<S>>).isRead === 'function';
}

export function isModelName(name: string): name is ModelName {
  return (MODEL_NAMES as readonly string[]).includes(name);
}

/** The models getModel() made, by name: a search may then rebuild the same model in a worker thread. */
const BUILTIN = new WeakMap<object, ModelName>();

/** The name of a model getModel() made, or null for any other model object. */
export function builtinModelName(model: object): ModelName | null {
  return BUILTIN.get(model) ?? null;
}

/** The model called `name` (see MODEL_NAMES). */
export function getModel(name: ModelName): LinearizableModel<unknown> {
  const model = makeModel(name);
  BUILTIN.set(model, name);
  return model;
}

function makeModel(name: ModelName): LinearizableModel<unknown> {
  switch (name) {
    case 'register':
      return registerModel(false) as LinearizableModel<unknown>;
    case 'cas-register':
      return registerModel(true) as LinearizableModel<unknown>;
    case 'counter':
      return counterModel() as LinearizableModel<unknown>;
    case 'set':
      return setModel() as LinearizableModel<unknown>;
    case 'kv':
      return kvModel() as LinearizableModel<unknown>;
    default:
      throw new Error(`unknown model "${String(name)}" (expected one of ${MODEL_NAMES.join(', ')})`);
  }
}
