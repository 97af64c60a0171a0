// The shape of a transaction's micro-ops — ["append", k, v], ["w", k, v], ["r", k, read] — and the check
// that one op's invoke and completion agree with it; a problem names the event at fault and what was expected.
import type { Json, Key, Op } from '../../src/history/types.js';
import type { TxnModel } from './types.js';

export type MopFunction = 'r' | 'append' | 'w';

/** The write function of each model. */
export const WRITE_F: Readonly<Record<TxnModel, 'append' | 'w'>> = { 'list-append': 'append', 'rw-register': 'w' };

export interface MopProblem {
  what: string;
  at: 'invoke' | 'completion';
}

export function isKey(v: unknown): v is Key {
  return typeof v === 'string' || (typeof v === 'number' && Number.isSafeInteger(v));
}

/** A value one may append or write: a finite number or a string. */
export function isScalar(v: unknown): v is number | string {
  return typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
}

function show(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Is `mop` a micro-op of `model` as given at invoke (reads carry anything, usually null)? */
function invokeMopProblem(model: TxnModel, mop: unknown, i: number): string | null {
  const w = WRITE_F[model];
  if (!Array.isArray(mop) || mop.length < 2 || mop.length > 3) {
    return `expected micro-op ${i} of a ${model} txn to be ["r", key, null] or ["${w}", key, value]; got ${show(mop)}`;
  }
  const f = mop[0] as Json;
  const k = mop[1] as Json;
  const v = mop[2] as Json;
  if (f !== 'r' && f !== w) return `expected micro-op ${i} to be a read "r" or a write "${w}" (model ${model}); got ${show(f)}`;
  if (!isKey(k)) return `expected the key of micro-op ${i} to be a string or an integer; got ${show(k)}`;
  if (f === w && !isScalar(v)) return `expected the value of micro-op ${i} (${w}) to be a number or a string; got ${show(v)}`;
  return null;
}

/**
 * Is a read's result well formed for the model: a list of scalars (list-append) or a scalar (rw-register), or null?
 * `elements: false` leaves a list's elements to the caller (the checker compares them with the longest read).
 */
function readResultProblem(model: TxnModel, v: unknown, i: number, elements: boolean): string | null {
  if (v === null || v === undefined) return null;
  if (model === 'rw-register') return isScalar(v) ? null : `expected read ${i} to return a number, a string or null; got ${show(v)}`;
  if (!Array.isArray(v)) return `expected read ${i} to return a list of elements or null; got ${show(v)}`;
  if (elements) {
    const bad = listElementProblem(v, i);
    if (bad) return bad;
  } else if (v.length > 0 && !isScalar(v[v.length - 1])) return listElementProblem(v, i);
  return null;
}

/** The first element of a list read by micro-op i that is not a number or a string. */
export function listElementProblem(v: readonly unknown[], i: number): string | null {
  for (const e of v) if (!isScalar(e)) return `expected the elements read by micro-op ${i} to be numbers or strings; got ${show(e)}`;
  return null;
}

/**
 * Check a txn op: f "txn", a list of micro-ops at invoke, and for an ok op a completion with the same micro-ops
 * (same functions, keys and written values) and well-formed read results. fail / info completions are not read.
 */
export function txnOpProblem(model: TxnModel, op: Op, elements = true): MopProblem | null {
  if (op.f !== 'txn') return { what: `expected "f" of a ${model} op to be "txn"; got ${show(op.f)}`, at: 'invoke' };
  const inv = op.invokeValue;
  if (!Array.isArray(inv)) return { what: `expected "value" of a txn invoke to be a list of micro-ops; got ${show(inv)}`, at: 'invoke' };
  for (let i = 0; i < inv.length; i++) {
    const p = invokeMopProblem(model, inv[i], i);
    if (p) return { what: p, at: 'invoke' };
  }
  if (op.type !== 'ok') return null;
  const done = op.value;
  if (!Array.isArray(done) || done.length !== inv.length) {
    return { what: `expected "value" of the txn's ok completion to be its ${inv.length} micro-op(s) with reads filled in; got ${show(done)}`, at: 'completion' };
  }
  for (let i = 0; i < inv.length; i++) {
    const a = inv[i] as Json[];
    const b = done[i];
    if (!Array.isArray(b) || b.length < 2 || b[0] !== a[0] || b[1] !== a[1] || (a[0] !== 'r' && b[2] !== a[2])) {
      return { what: `expected micro-op ${i} of the ok completion to be ${show(a[0] === 'r' ? ['r', a[1], '…'] : a)} like its invoke; got ${show(b)}`, at: 'completion' };
    }
    if (a[0] === 'r') {
      const p = readResultProblem(model, b[2], i, elements);
      if (p) return { what: p, at: 'completion' };
    }
  }
  return null;
}

/**
 * The checker's own check, one pass over what it reads: the micro-ops that took effect (the completion's for an
 * ok op, the invoke's otherwise) are well formed; list elements but the last are left to the comparison with the
 * longest read. (That a completion repeats its invoke is the input check's: txnOpProblem.)
 */
export function effectiveOpProblem(model: TxnModel, op: Op): string | null {
  if (op.f !== 'txn') return `expected "f" of a ${model} op to be "txn"; got ${show(op.f)}`;
  const mops = op.type === 'ok' ? op.value : op.invokeValue;
  if (!Array.isArray(mops)) return `expected "value" of a txn to be a list of micro-ops; got ${show(mops)}`;
  for (let i = 0; i < mops.length; i++) {
    const p = invokeMopProblem(model, mops[i], i);
    if (p) return p;
    if (op.type === 'ok' && (mops[i] as Json[])[0] === 'r') {
      const r = readResultProblem(model, (mops[i] as Json[])[2], i, false);
      if (r) return r;
    }
  }
  return null;
}

/** The micro-ops that took effect or may have: the completion's for ok ops, the invoke's otherwise. */
export function effectiveMops(op: Op): Json[][] {
  return (op.type === 'ok' ? op.value : op.invokeValue) as Json[][];
}

/**
 * A stateful check for one history: every write value is unique per key (list-append appends each element once,
 * rw-register writes each value once), across all ops, as Elle requires. Returns the first op writing a value twice.
 */
export function uniqueWritesProblem(model: TxnModel): (op: Op) => MopProblem | null {
  const w = WRITE_F[model];
  const seen = new Map<Key, Map<number | string, number>>();
  return (op) => {
    const mops = op.invokeValue;
    if (!Array.isArray(mops)) return null;
    for (const mop of mops) {
      if (!Array.isArray(mop) || mop[0] !== w || !isKey(mop[1]) || !isScalar(mop[2])) continue;
      let byKey = seen.get(mop[1]);
      if (!byKey) seen.set(mop[1], (byKey = new Map()));
      const first = byKey.get(mop[2]);
      if (first !== undefined) {
        const verb = w === 'append' ? 'appended' : 'written';
        const by = first === op.invokeIndex ? 'earlier in this txn' : `by the op invoked at index ${first}`;
        return { what: `expected each value to be ${verb} once per key; ${show(mop[2])} was already ${verb} to key ${show(mop[1])} ${by}`, at: 'invoke' };
      }
      byKey.set(mop[2], op.invokeIndex);
    }
    return null;
  };
}
