// A history's transactions as a compact table: one row per txn op (ok, info or fail), its micro-ops flattened,
// keys and written values interned as integers, so the inference works on typed arrays, not objects.
import type { Json, Key, Op, PairedHistory } from '../../src/history/types.js';
import { effectiveMops, WRITE_F } from './micro-ops.js';
import type { TxnModel } from './types.js';

export const OK = 0;
export const INFO = 1;
export const FAIL = 2;

/** mopVal of a read whose result is not known (info / fail txns), and of a read of the initial (nil) state */
export const UNKNOWN = -2;
export const NIL = -1;

export interface TxnTable {
  model: TxnModel;
  n: number;
  ops: Op[];
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
  /** writes: the value's id; rw-register reads: the id read, NIL, or UNKNOWN; list-append reads: UNKNOWN */
  mopVal: Int32Array;
  keys: Key[];
  /** value id → its key id and raw value */
  valKey: Int32Array;
  valRaw: Array<number | string>;
  valueCount: number;
}

/** Interns keys and per-key values. */
export class Interner {
  readonly keys: Key[] = [];
  private readonly keyIds = new Map<Key, number>();
  private readonly perKey: Array<Map<number | string, number>> = [];
  valKey = new Int32Array(1 << 12);
  readonly valRaw: Array<number | string> = [];

  key(k: Key): number {
    let id = this.keyIds.get(k);
    if (id === undefined) {
      id = this.keys.length;
      this.keys.push(k);
      this.keyIds.set(k, id);
      this.perKey.push(new Map());
    }
    return id;
  }

  /** The id of value v on key k; a new one when `create`, else -1 for an unknown value. */
  value(k: number, v: number | string, create = true): number {
    const m = this.perKey[k] as Map<number | string, number>;
    let id = m.get(v);
    if (id === undefined) {
      if (!create) return -1;
      id = this.valRaw.length;
      this.valRaw.push(v);
      m.set(v, id);
      if (id === this.valKey.length) {
        const grown = new Int32Array(id * 2);
        grown.set(this.valKey);
        this.valKey = grown;
      }
      this.valKey[id] = k;
    }
    return id;
  }

  get valueCount(): number {
    return this.valRaw.length;
  }
}

const TYPE_CODE: Readonly<Record<string, number>> = { ok: OK, info: INFO, fail: FAIL };

/** Build the table from the txn ops of a history (ops whose f is not "txn" are left out). Assumes validated ops. */
export function buildTable(model: TxnModel, history: PairedHistory, interner: Interner): TxnTable {
  const ops = history.ops.filter((o) => o.f === 'txn');
  const n = ops.length;
  const w = WRITE_F[model];
  let mops = 0;
  for (const op of ops) mops += (effectiveMops(op) ?? []).length;
  const type = new Uint8Array(n);
  const process = new Int32Array(n);
  const invokeIndex = new Int32Array(n);
  const completeIndex = new Int32Array(n);
  const mopStart = new Int32Array(n + 1);
  const mopWrite = new Uint8Array(mops);
  const mopKey = new Int32Array(mops);
  const mopVal = new Int32Array(mops);
  let m = 0;
  for (let i = 0; i < n; i++) {
    const op = ops[i] as Op;
    const t = TYPE_CODE[op.type] as number;
    type[i] = t;
    process[i] = op.process;
    invokeIndex[i] = op.invokeIndex;
    completeIndex[i] = op.completeIndex ?? -1;
    mopStart[i] = m;
    for (const mop of effectiveMops(op) ?? []) {
      const k = interner.key(mop[1] as Key);
      mopKey[m] = k;
      if (mop[0] === w) {
        mopWrite[m] = 1;
        mopVal[m] = interner.value(k, mop[2] as number | string);
      } else if (t !== OK || model === 'list-append') {
        mopVal[m] = UNKNOWN;
      } else {
        const v = mop[2] as Json;
        mopVal[m] = v === null || v === undefined ? NIL : interner.value(k, v as number | string);
      }
      m++;
    }
  }
  mopStart[n] = m;
  return {
    model,
    n,
    ops,
    type,
    process,
    invokeIndex,
    completeIndex,
    mopStart,
    mopWrite,
    mopKey,
    mopVal,
    keys: interner.keys,
    get valKey() {
      return interner.valKey;
    },
    valRaw: interner.valRaw,
    get valueCount() {
      return interner.valueCount;
    },
  };
}

/** The list a list-append read mop returned (ok txns), [] for nil. */
export function readList(t: TxnTable, txn: number, mop: number): Json[] {
  const v = (effectiveMops(t.ops[txn] as Op)[mop - (t.mopStart[txn] as number)] as Json[])[2];
  return Array.isArray(v) ? v : [];
}
