// Models compiled for the linearizability search: each op's arguments are interned once as small integers,
// so a state is a number (equal states, equal numbers), a step is integer work, and the memo needs no
// state strings. compileGeneric() does the same for any Model through its hash() strings.
import type { Json, Op } from '../src/history/types.js';
import { canonical, shortJson } from './canonical.js';
import { give, takeFloat64, takeInt32 } from './buffers.js';
import type { CompiledModel, Model } from './types.js';

/** Interns JSON values: equal values (object key order aside) get equal ids; null is 0. */
export class ValueIds {
  private readonly prims = new Map<unknown, number>();
  private readonly objects = new Map<string, number>();
  readonly values: Json[] = [];

  constructor() {
    this.id(null);
  }

  id(v: Json | undefined): number {
    const x = v === undefined ? null : v;
    return x === null || typeof x !== 'object' ? this.intern(this.prims, x, x) : this.intern(this.objects, canonical(x), x);
  }

  /** `x`'s id under `key` in `ids`, the next free one when it is new. */
  private intern<K>(ids: Map<K, number>, key: K, x: Json): number {
    let id = ids.get(key);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(x);
      ids.set(key, id);
    }
    return id;
  }
}

const WRITE = 0;
const READ = 1;
const CAS = 2;
const NOOP = 3;

/**
 * Ids for a sub-history whose values are all null or numbers: null 0, each distinct number 1, 2… in the order
 * first met, through an open-addressing table on typed arrays (pooled; done() gives it back).
 */
class NumberIds {
  readonly values: number[] = [];
  private readonly keys: Float64Array;
  private readonly ids: Int32Array;
  private readonly mask: number;

  constructor(capacity: number) {
    const cap = 2 ** Math.ceil(Math.log2(2 * capacity + 16));
    this.keys = takeFloat64(cap);
    this.ids = takeInt32(cap);
    this.mask = cap - 1;
  }

  id(v: Json | undefined): number {
    if (v === null || v === undefined) return 0;
    const x = v as number;
    // low and high 32 bits of an integer (a fraction shares the slot of its integer part: a longer probe)
    let h = Math.imul((x | 0) ^ Math.imul((x / 4294967296) | 0, 0x9e3779b1), 0x85ebca6b);
    h = (h ^ (h >>> 15)) & this.mask;
    for (;;) {
      const t = this.ids[h];
      if (t === 0) {
        this.values.push(x);
        this.ids[h] = this.values.length;
        this.keys[h] = x;
        return this.values.length;
      }
      if (this.keys[h] === x) return t;
      h = (h + 1) & this.mask;
    }
  }

  done(): void {
    give(this.keys, this.ids);
  }

  describe(s: number): string {
    return s === 0 ? 'null' : shortJson(this.values[s - 1]);
  }
}

/** How many numbers a register sub-history's values hold, or -1 when some value is neither null nor a number. */
function registerNumbers(ops: readonly Op[]): number {
  let k = 0;
  for (const op of ops) {
    let v: Json | undefined;
    if (op.f === 'write') v = op.invokeValue;
    else if (op.f === 'read') v = op.type === 'ok' ? op.value : null;
    else if (op.f === 'cas') {
      const c = op.invokeValue;
      if (!Array.isArray(c) || c.length !== 2) return -1;
      if ((c[0] !== null && typeof c[0] !== 'number') || (c[1] !== null && typeof c[1] !== 'number')) return -1;
      k += 2;
      continue;
    } else continue;
    if (v === null || v === undefined) continue;
    if (typeof v !== 'number') return -1;
    k++;
  }
  return k;
}

/**
 * register / cas-register: a state is the id of the value held; write → its value, an ok read passes only
 * in the state it read, cas [expected, new] only in `expected`. `fail(op, what)` throws the model's error.
 * Values that are all numbers (the usual register) get their ids from a sorted array, others from ValueIds.
 */
export function compileRegister(ops: readonly Op[], withCas: boolean, fail: (op: Op, what: string) => never): CompiledModel {
  const n = ops.length;
  const kind = new Uint8Array(n);
  const a = new Int32Array(n);
  const b = new Int32Array(n);
  const count = registerNumbers(ops);
  const numeric = count >= 0 ? new NumberIds(count) : null;
  const values = numeric === null ? new ValueIds() : null;
  const id = (v: Json | undefined): number => (numeric !== null ? numeric.id(v) : values!.id(v));
  for (let i = 0; i < n; i++) {
    const op = ops[i];
    switch (op.f) {
      case 'write':
        kind[i] = WRITE;
        a[i] = id(op.invokeValue);
        break;
      case 'read':
        if (op.type === 'ok') {
          kind[i] = READ;
          a[i] = id(op.value);
        } else {
          kind[i] = NOOP;
        }
        break;
      case 'cas': {
        if (!withCas) fail(op, `unknown f "${op.f}" (expected read, write)`);
        const v = op.invokeValue;
        if (!Array.isArray(v) || v.length !== 2) fail(op, 'cas value must be [expected, new]');
        kind[i] = CAS;
        a[i] = id(v[0]);
        b[i] = id(v[1]);
        break;
      }
      default:
        fail(op, `unknown f "${op.f}" (expected read, write${withCas ? ', cas' : ''})`);
    }
  }
  numeric?.done();
  return {
    init: 0,
    step(s, i) {
      switch (kind[i]) {
        case WRITE:
          return a[i];
        case READ:
          return s === a[i] ? s : -1;
        case CAS:
          return s === a[i] ? b[i] : -1;
        default:
          return s;
      }
    },
    requires: (i) => (kind[i] === READ || kind[i] === CAS ? a[i] : -1),
    describeState: (s) => (numeric !== null ? numeric.describe(s) : shortJson(values!.values[s])),
  };
}

/** Interned states of any kind, keyed by a string. */
class States<T> {
  private readonly map = new Map<string, number>();
  readonly list: T[] = [];
  /** roughly what the keys and the map take: two bytes a character, and the map entry */
  bytes = 0;

  id(key: string, make: () => T): number {
    let id = this.map.get(key);
    if (id === undefined) {
      id = this.list.length;
      this.list.push(make());
      this.map.set(key, id);
      this.bytes += 2 * key.length + 80;
    }
    return id;
  }
}

/** Memoised transitions (state, op) → state, up to a bound (past it, steps are recomputed). */
class Transitions {
  private readonly map = new Map<number, number>();
  constructor(private readonly n: number) {}

  get(s: number, i: number): number | undefined {
    return this.map.get(s * this.n + i);
  }

  set(s: number, i: number, t: number): number {
    if (this.map.size < 1 << 21) this.map.set(s * this.n + i, t);
    return t;
  }

  bytes(): number {
    return this.map.size * 40;
  }
}

/** kv: a state is an interned string; put → its string, append → memoised concatenation, an ok get passes in the state it read. */
export function compileKv(ops: readonly Op[], fail: (op: Op, what: string) => never): CompiledModel {
  const n = ops.length;
  const states = new States<string>();
  const str = (op: Op, v: Json): string => (typeof v === 'string' ? v : fail(op, `${op.f} value must be a string`));
  const kind = new Uint8Array(n);
  const a = new Int32Array(n);
  const text: string[] = new Array<string>(n).fill('');
  const init = states.id('', () => '');
  for (let i = 0; i < n; i++) {
    const op = ops[i];
    switch (op.f) {
      case 'put': {
        const v = str(op, op.invokeValue);
        kind[i] = WRITE;
        a[i] = states.id(v, () => v);
        break;
      }
      case 'append':
        kind[i] = CAS;
        text[i] = str(op, op.invokeValue);
        break;
      case 'get':
        if (op.type === 'ok') {
          const v = op.value === null ? '' : str(op, op.value);
          kind[i] = READ;
          a[i] = states.id(v, () => v);
        } else {
          kind[i] = NOOP;
        }
        break;
      default:
        fail(op, `unknown f "${op.f}" (expected get, put, append)`);
    }
  }
  const memo = new Transitions(n);
  return {
    init,
    step(s, i) {
      switch (kind[i]) {
        case WRITE:
          return a[i];
        case READ:
          return s === a[i] ? s : -1;
        case CAS: {
          const t = memo.get(s, i);
          if (t !== undefined) return t;
          const v = states.list[s] + text[i];
          return memo.set(s, i, states.id(v, () => v));
        }
        default:
          return s;
      }
    },
    requires: (i) => (kind[i] === READ ? a[i] : -1),
    describeState: (s) => shortJson(states.list[s]),
    bytes: () => states.bytes + memo.bytes(),
  };
}

/** counter: a state is an interned number; add d → memoised sum, an ok read passes in the value it read. */
export function compileCounter(ops: readonly Op[], fail: (op: Op, what: string) => never): CompiledModel {
  const n = ops.length;
  const ids = new Map<number, number>();
  const values: number[] = [];
  const id = (v: number): number => {
    let x = ids.get(v);
    if (x === undefined) {
      x = values.length;
      values.push(v);
      ids.set(v, x);
    }
    return x;
  };
  const kind = new Uint8Array(n);
  const delta = new Float64Array(n);
  const a = new Int32Array(n);
  const init = id(0);
  for (let i = 0; i < n; i++) {
    const op = ops[i];
    if (op.f === 'add') {
      if (typeof op.invokeValue !== 'number') fail(op, 'add value must be a number');
      kind[i] = WRITE;
      delta[i] = op.invokeValue;
    } else if (op.f === 'read') {
      if (op.type !== 'ok') {
        kind[i] = NOOP;
        continue;
      }
      if (typeof op.value !== 'number') fail(op, 'read value must be a number');
      kind[i] = READ;
      a[i] = id(op.value);
    } else {
      fail(op, `unknown f "${op.f}" (expected add, read)`);
    }
  }
  return {
    init,
    step(s, i) {
      switch (kind[i]) {
        case WRITE:
          return id(values[s] + delta[i]);
        case READ:
          return s === a[i] ? s : -1;
        default:
          return s;
      }
    },
    requires: (i) => (kind[i] === READ ? a[i] : -1),
    describeState: (s) => String(values[s]),
  };
}

/** Any Model: states interned by their hash() strings, transitions memoised. */
export function compileGeneric<S>(model: Model<S>, ops: readonly Op[]): CompiledModel {
  const states = new States<S>();
  const init0 = model.init();
  const init = states.id(model.hash(init0), () => init0);
  const memo = new Transitions(ops.length);
  return {
    init,
    step(s, i) {
      const t = memo.get(s, i);
      if (t !== undefined) return t;
      const r = model.step(states.list[s], ops[i]);
      return memo.set(s, i, r.ok ? states.id(model.hash(r.state), () => r.state) : -1);
    },
    describeState: (s) => model.describeState(states.list[s]),
    bytes: () => 2 * states.bytes + memo.bytes(),
  };
}
