// A history's transactions as a compact table: one row per txn op (ok, info or fail), its micro-ops flattened,
// keys and written values interned as integers, so the inference works on typed arrays, not objects.
import type { Json, Key, Op, PairedHistory } from '../../src/history/types.js';
import { HEAP, type Alloc } from './arena.js';
import { effectiveMops, effectiveOpProblem, WRITE_F } from './micro-ops.js';
import type { TxnModel } from './types.js';

export const OK = 0;
export const INFO = 1;
export const FAIL = 2;

/** mopVal of a read whose result is not known (info / fail txns), and of a read of the initial (nil) state */
export const UNKNOWN = -2;
export const NIL = -1;

/** The list of a nil read, shared: never modified. */
const EMPTY: Json[] = [];

export interface TxnTable {
  model: TxnModel;
  n: number;
  ops: readonly Op[];
  type: Uint8Array;
  process: Int32Array;
  invokeIndex: Int32Array;
  /** -1: never completed */
  completeIndex: Int32Array;
  /** micro-ops of txn i are mopStart[i] .. mopStart[i+1] */
  mopStart: Int32Array;
  /** 1: the model's write (append / w), 0: read */
  mopWrite: Uint8Array;
  mopKey: Int32Array;
  /** writes: the value's id; reads of ok txns: the id read (list-append: the last element read) or NIL; UNKNOWN */
  mopVal: Int32Array;
  /** list-append reads of ok txns: the length of the list read, and the list (other mops: none) */
  mopLen: Int32Array;
  lists: Json[][];
  keys: Key[];
  interner: Interner;
  /** the first malformed op, or value written twice to one key (the history then cannot be analysed), if any */
  problem?: string;
}

/**
 * Interns keys, and values per key. Integer values (the usual case) live in an open-addressing table of typed
 * arrays, so a million txns make no million Map entries for the garbage collector to walk; others in a Map.
 */
export class Interner {
  readonly keys: Key[] = [];
  private readonly keyIds = new Map<Key, number>();
  private readonly other = new Map<string, number>();
  private readonly strings = new Map<number, string>();
  /** open addressing, one slot = [key id + 1 (0: empty), value, id, unused]: one cache line per probe */
  private ht: Int32Array;
  private cap: number;
  private used = 0;
  private count = 0;
  valKey: Int32Array;
  /** per value: 1 once a write of it was seen */
  valWrites: Uint8Array;
  private valNum: Float64Array;

  /** `values`: a guess of how many distinct values there are (growing copies the arrays); the table is kept under 60 % full */
  constructor(private readonly alloc: Alloc = HEAP, values = 1024) {
    let cap = 1024;
    while (cap * 0.6 < values) cap *= 2;
    this.cap = cap;
    this.ht = alloc.i32(cap * 4);
    this.valKey = alloc.i32(values);
    this.valWrites = alloc.u8(values);
    this.valNum = alloc.f64(values);
  }

  key(k: Key): number {
    let id = this.keyIds.get(k);
    if (id === undefined) {
      id = this.keys.length;
      this.keys.push(k);
      this.keyIds.set(k, id);
    }
    return id;
  }

  private slot(k: number, v: number): number {
    const mask = this.cap - 1;
    // murmur3's finalizer over the pair: small consecutive keys and values spread over the table
    let h = Math.imul(k + 1, 0x9e3779b1) ^ v;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    h = (h ^ (h >>> 16)) & mask;
    const ht = this.ht;
    while (ht[h * 4] !== 0 && (ht[h * 4] !== k + 1 || ht[h * 4 + 1] !== v)) h = (h + 1) & mask;
    return h;
  }

  private rehash(): void {
    const old = this.ht;
    this.cap *= 2;
    this.ht = this.alloc.i32(this.cap * 4);
    for (let i = 0; i < old.length; i += 4) {
      if (old[i] === 0) continue;
      const h = this.slot((old[i] as number) - 1, old[i + 1] as number) * 4;
      this.ht[h] = old[i] as number;
      this.ht[h + 1] = old[i + 1] as number;
      this.ht[h + 2] = old[i + 2] as number;
    }
  }

  private newId(k: number, v: number | string): number {
    const id = this.count++;
    if (id === this.valKey.length) {
      const n = id * 2;
      const key = this.alloc.i32(n);
      key.set(this.valKey);
      this.valKey = key;
      const writes = this.alloc.u8(n);
      writes.set(this.valWrites);
      this.valWrites = writes;
      const num = this.alloc.f64(n);
      num.set(this.valNum);
      this.valNum = num;
    }
    this.valKey[id] = k;
    if (typeof v === 'number') this.valNum[id] = v;
    else this.strings.set(id, v);
    return id;
  }

  /** The id of value v on key k; a new one when `create`, else -1 for an unknown value. */
  value(k: number, v: number | string, create = true): number {
    if (typeof v === 'number' && (v | 0) === v) {
      let h = this.slot(k, v);
      if (this.ht[h * 4] !== 0) return this.ht[h * 4 + 2] as number;
      if (!create) return -1;
      if (this.used + 1 > this.cap * 0.6) {
        this.rehash();
        h = this.slot(k, v);
      }
      const id = this.newId(k, v);
      this.ht[h * 4] = k + 1;
      this.ht[h * 4 + 1] = v;
      this.ht[h * 4 + 2] = id;
      this.used++;
      return id;
    }
    const name = `${k}\u0000${typeof v}\u0000${v}`;
    const found = this.other.get(name);
    if (found !== undefined) return found;
    if (!create) return -1;
    const id = this.newId(k, v);
    this.other.set(name, id);
    return id;
  }

  /** The value of an id, as it was given. */
  raw(id: number): number | string {
    return this.strings.get(id) ?? (this.valNum[id] as number);
  }

  get valueCount(): number {
    return this.count;
  }
}

/**
 * Build the table from the txn ops of a history (ops whose f is not "txn" are left out), checking each op's shape
 * on the way (one pass over the history's objects): the first malformed op ends the table with `problem`.
 */
export function buildTable(model: TxnModel, history: PairedHistory, alloc: Alloc = HEAP): TxnTable {
  const ops = history.ops.every((o) => o.f === 'txn') ? history.ops : history.ops.filter((o) => o.f === 'txn');
  const n = ops.length;
  const w = WRITE_F[model];
  const list = model === 'list-append';
  let mops = 0;
  for (const op of ops) mops += Array.isArray(op.invokeValue) ? op.invokeValue.length : 0;
  // about half the micro-ops write (each a new value); reads of values nobody wrote are rare
  const interner = new Interner(alloc, Math.ceil(mops * 0.6) + 1024);
  const type = alloc.u8(n);
  const process = alloc.i32(n);
  const invokeIndex = alloc.i32(n);
  const completeIndex = alloc.i32(n);
  const mopStart = alloc.i32(n + 1);
  const mopWrite = alloc.u8(mops);
  const mopKey = alloc.i32(mops);
  const mopVal = alloc.i32(mops);
  const mopLen = alloc.i32(list ? mops : 0);
  const lists: Json[][] = list ? new Array(mops) : [];
  const table: TxnTable = { model, n, ops, type, process, invokeIndex, completeIndex, mopStart, mopWrite, mopKey, mopVal, mopLen, lists, keys: interner.keys, interner };
  let m = 0;
  for (let i = 0; i < n; i++) {
    const op = ops[i] as Op;
    const bad = effectiveOpProblem(model, op);
    if (bad) {
      table.problem = `op invoked at index ${op.invokeIndex}: ${bad}`;
      return table;
    }
    const t = op.type === 'ok' ? OK : op.type === 'info' ? INFO : FAIL;
    type[i] = t;
    process[i] = op.process;
    invokeIndex[i] = op.invokeIndex;
    completeIndex[i] = op.completeIndex ?? -1;
    mopStart[i] = m;
    const ms = effectiveMops(op);
    for (let j = 0; j < ms.length; j++) {
      const mop = ms[j] as Json[];
      const k = interner.key(mop[1] as Key);
      mopKey[m] = k;
      if (mop[0] === w) {
        mopWrite[m] = 1;
        const id = interner.value(k, mop[2] as number | string);
        mopVal[m] = id;
        if (interner.valWrites[id] === 1 && table.problem === undefined) table.problem = `op invoked at index ${op.invokeIndex}: ${JSON.stringify(mop[2])} is written to key ${JSON.stringify(mop[1])} a second time (values must be unique per key)`;
        interner.valWrites[id] = 1;
      } else if (t !== OK) {
        mopVal[m] = UNKNOWN;
      } else if (list) {
        const v = mop[2];
        const len = Array.isArray(v) ? v.length : 0;
        mopLen[m] = len;
        lists[m] = len === 0 ? EMPTY : (v as Json[]);
        mopVal[m] = len === 0 ? NIL : interner.value(k, (v as Json[])[len - 1] as number | string);
      } else {
        const v = mop[2] as Json;
        mopVal[m] = v === null || v === undefined ? NIL : interner.value(k, v as number | string);
      }
      m++;
    }
  }
  mopStart[n] = m;
  return table;
}

/** The list a list-append read mop returned (ok txns), an empty one for nil (shared: do not modify). */
export function readList(t: TxnTable, txn: number, mop: number): Json[] {
  const v = (effectiveMops(t.ops[txn] as Op)[mop - (t.mopStart[txn] as number)] as Json[])[2];
  return Array.isArray(v) ? v : EMPTY;
}
