// Text for transactional anomalies, rendered from their data only (never parsed back): a cycle as "Let: T1 = …
// Then: T1 < T2, because … However, T3 < T1, because …: a contradiction!", and one sentence for the others.
import type { Json } from '../../src/history/types.js';
import type { TxnAnomaly, TxnModel, TxnStep, TxnView } from './types.js';

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A value as Elle users read it: lists as [1 2 3], strings quoted, nil for the initial state. */
export function showValue(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (Array.isArray(v)) return `[${v.map(showValue).join(' ')}]`;
  if (typeof v === 'string') return JSON.stringify(v);
  return String(v);
}

/** A micro-op: [append x 1], [r y [1 2]]. */
export function showMop(mop: unknown): string {
  if (!Array.isArray(mop)) return showValue(mop);
  const [f, k, v] = mop as Json[];
  return `[${String(f)} ${showValue(k)} ${showValue(v)}]`;
}

/** "#12 p3 ok [append x 1] [r y [1]]", with " on n2" after the process when the node is known */
export function showTxn(t: TxnView): string {
  const mops = Array.isArray(t.value) ? t.value.map(showMop).join(' ') : showValue(t.value);
  return `#${t.index} p${t.process}${t.node !== undefined ? ` on ${t.node}` : ''} ${t.type} ${mops}`;
}

function seconds(ns: number | undefined): string {
  if (ns === undefined) return '';
  return ns > 0 ? ` ${(ns / 1e9).toFixed(3)} s` : ' just';
}

/** Why `a` precedes `b`, as the clause after "because". */
export function explainStep(model: TxnModel, s: TxnStep, a: string, b: string): string {
  const k = showValue(s.key);
  switch (s.type) {
    case 'process':
      return `process ${s.process ?? '?'} executed ${a} before ${b}`;
    case 'realtime':
      return `${a} completed at index ${s.fromCompleteIndex ?? '?'},${seconds(s.gapNs)} before the invocation of ${b}, at index ${s.toInvokeIndex ?? '?'}`;
    case 'wr':
      return model === 'list-append' ? `${b} observed ${a}'s append of ${showValue(s.value)} to key ${k}` : `${a} wrote ${k} = ${showValue(s.value)}, which was read by ${b}`;
    case 'ww':
      return model === 'list-append'
        ? `${b} appended ${showValue(s.nextValue)} after ${a} appended ${showValue(s.value)} to ${k}`
        : `${a} set key ${k} to ${showValue(s.value)}, and ${b} set it to ${showValue(s.nextValue)}, which came later in the version order`;
    case 'rw':
      if (model === 'rw-register') return `${a} read key ${k} = ${showValue(s.value)}, and ${b} set it to ${showValue(s.nextValue)}, which came later in the version order`;
      return s.value === null || s.value === undefined
        ? `${a} observed the initial (empty) state of ${k}, which ${b} created by appending ${showValue(s.nextValue)}`
        : `${a} did not observe ${b}'s append of ${showValue(s.nextValue)} to ${k}`;
  }
}

/** The whole explanation of a cycle anomaly. */
export function explainCycle(model: TxnModel, steps: readonly TxnStep[], txns: readonly TxnView[]): string {
  const name = new Map<number, string>();
  txns.forEach((t, i) => name.set(t.index, `T${i + 1}`));
  const n = (i: number): string => name.get(i) ?? `#${i}`;
  const lines = ['Let:', ...txns.map((t, i) => `  T${i + 1} = ${showTxn(t)}`), '', 'Then:'];
  steps.forEach((s, i) => {
    const clause = `${n(s.from)} < ${n(s.to)}, because ${explainStep(model, s, n(s.from), n(s.to))}`;
    lines.push(i === steps.length - 1 ? `  - However, ${clause}: a contradiction!` : `  - ${clause}.`);
  });
  return lines.join('\n');
}

const txnsOf = (d: Rec): TxnView[] => (Array.isArray(d.txns) ? (d.txns as TxnView[]) : []);

/** One anomaly as text (a cycle: the full Let/Then explanation). */
export function explainAnomaly(model: TxnModel, a: TxnAnomaly): string {
  const d: Rec = isRec(a.data) ? a.data : {};
  const txns = txnsOf(d);
  const t = (i: number): string => (txns[i] ? `T${i + 1} (${showTxn(txns[i] as TxnView)})` : `T${i + 1}`);
  const key = showValue(a.keys?.[0]);
  if (Array.isArray(d.steps)) return explainCycle(model, d.steps as TxnStep[], txns);
  switch (a.type) {
    case 'G1a':
      return `${t(0)} read ${showMop(d.mop)}: ${showValue(d.element)} was written by ${t(1)}, which failed (aborted read).`;
    case 'G1b':
      return `${t(0)} read ${showMop(d.mop)}: ${showValue(d.element)} is an intermediate state of ${t(1)}, which wrote ${key} again afterwards (intermediate read).`;
    case 'internal':
      return `${t(0)} read ${showMop(d.mop)}, but its own earlier reads and writes imply ${showValue(d.expected)} (internal inconsistency).`;
    case 'future-read':
      return `${t(0)} read ${showMop(d.mop)}, containing ${showValue(d.element)}, before it appended ${showValue(d.element)} itself (future read).`;
    case 'duplicate-elements': {
      const dups = Array.isArray(d.duplicates) ? (d.duplicates as Array<[Json, number]>).map(([e, c]) => `${showValue(e)} ×${c}`).join(', ') : '';
      return `${t(0)} read ${showMop(d.mop)}, in which elements occur more than once: ${dups}.`;
    }
    case 'lost-update':
      return `${txns.map((_, i) => t(i)).join(' and ')} all read ${key} = ${showValue(d.value)} and then wrote ${key}, none of them seeing another's write (lost update: snapshot isolation lets at most one of them commit).`;
    case 'dirty-update':
      return `On ${key}, ${t(1)} wrote on top of ${showValue(d.values)}, state left by ${t(0)}, which failed: aborted state became committed (dirty update).`;
    case 'incompatible-order': {
      const vs = Array.isArray(d.values) ? (d.values as Json[]) : [];
      return `Reads of ${key} saw ${showValue(vs[0])} (${t(0)}) and ${showValue(vs[1])} (${t(1)}): neither is a prefix of the other, so no single order of appends explains both.`;
    }
    case 'garbage-read':
      return `${t(0)} read ${showMop(d.mop)}: no txn in the history wrote ${showValue(d.elements)}.`;
    case 'cyclic-versions':
      return `The version order of ${key} inferred from ${Array.isArray(d.sources) ? (d.sources as string[]).join(', ') : '?'} is cyclic (${showValue(d.values)}); the last of those sources was not used.`;
    case 'empty-transaction-graph':
      return 'No dependency between any two transactions could be inferred, so there was nothing to check.';
    case 'cycle-search-timeout':
      return `The search for ${String(d.searching)} in a strongly connected component of ${String(d.sccSize)} transactions ran out of its budget${Array.isArray(d.searched) && d.searched.length ? ` (done: ${(d.searched as string[]).join(', ')})` : ''}: cycles of that and later kinds may be missing there.`;
    default:
      return `${a.type}: ${txns.map((_, i) => t(i)).join(', ')}`;
  }
}
