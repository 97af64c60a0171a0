// Final-state checker for keyed last-writer workloads (upsert, delete-upsert): on every node, each key must hold
// the effect of a write that could have been last in real time, and nodes must agree key by key. Pure.
import type { Json, Key, Op, PairedHistory } from '../src/history/types.js';
import { CappedList, opRef, type OpRef } from './ref.js';
import { explained, type Explanation } from './explain.js';
import type { Capped } from './ref.js';
import type { Anomaly, CheckContext, CheckResult, Checker } from './types.js';
import { judgedFinals, noneSettledReason } from './settled.js';

export interface FinalStateSpec {
  /** ops that change a key (others are ignored) */
  isWrite(op: Op): boolean;
  /** what a write leaves in the key (null: the key is absent, e.g. after a delete) */
  effect(op: Op): Json;
}

/**
 * The effects a key may show at the end: every ok write that no other ok write started after (it may be
 * last in real time), every info write (it may take effect at any time), and null when no write was ok.
 */
export function possibleLast(writes: readonly Op[], effect: (op: Op) => Json): { values: Json[]; ops: Op[] } {
  const ok = writes.filter((w) => w.type === 'ok');
  const latestOkInvoke = ok.reduce((m, w) => Math.max(m, w.invokeTime), -Infinity);
  // an ok write is ruled out when another ok write was invoked after it completed
  const live = writes.filter((w) => w.type === 'info' || (w.type === 'ok' && (w.completeTime ?? Infinity) >= latestOkInvoke));
  const values = live.map(effect);
  if (ok.length === 0) values.push(null);
  return { values: dedupe(values), ops: live };
}

function dedupe(vs: Json[]): Json[] {
  const seen = new Set<string>();
  return vs.filter((v) => {
    const k = JSON.stringify(v);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function keyedFinal(v: Json | undefined): Record<string, Json> {
  return v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v) ? v : {};
}

export interface WrongFinal {
  key: Key;
  node: string;
  holds: Json;
  /** the values a correct system could end with */
  expected: Json[];
  lastWrites: OpRef[];
}

export interface DivergedKey {
  key: Key;
  values: Record<string, Json>;
}

/** The final-state checker's result. */
export interface FinalStateResult extends CheckResult {
  /** keys judged (absent when nothing could be judged) */
  keys?: number;
  diverged?: Capped<DivergedKey>;
  notLastWrite?: Capped<WrongFinal>;
  /** `diverged` (settled nodes hold different values for a key), `not-last-write` (a node holds a value no write could have left last) */
  anomalies: Anomaly<'diverged' | 'not-last-write'>[];
  /** nodes whose final read is not judged (they had not settled), with why */
  notJudged?: Record<string, string>;
  /** nothing to judge: no final reads, or none of a settled node */
  noFinals?: true;
}

/** Judge ctx.final (node → {key: value}) against the history's writes. */
export function checkFinalState(history: PairedHistory, ctx: CheckContext, spec: FinalStateSpec): FinalStateResult {
  const { finals, notJudged } = judgedFinals(ctx);
  if (finals.length === 0) {
    const none: FinalStateResult = { valid: 'unknown', anomalies: [], noFinals: true };
    if (Object.keys(notJudged).length > 0) none.notJudged = notJudged;
    return explained(none, explainFinalState);
  }
  const byKey = new Map<string, Op[]>();
  for (const op of history.ops) {
    if (op.key === undefined || op.type === 'fail' || !spec.isWrite(op)) continue;
    const k = String(op.key);
    byKey.set(k, [...(byKey.get(k) ?? []), op]);
  }
  const keys = new Set<string>(byKey.keys());
  for (const [, v] of finals) for (const k of Object.keys(keyedFinal(v))) keys.add(k);
  const wrong = new CappedList<WrongFinal>(200);
  const diverged = new CappedList<DivergedKey>(200);
  for (const k of [...keys].sort()) {
    const { values, ops } = possibleLast(byKey.get(k) ?? [], spec.effect);
    const allowed = new Set(values.map((v) => JSON.stringify(v)));
    const held: Record<string, Json> = {};
    for (const [node, v] of finals) {
      const holds = keyedFinal(v)[k] ?? null;
      held[node] = holds;
      if (!allowed.has(JSON.stringify(holds))) wrong.add({ key: k, node, holds, expected: values, lastWrites: ops.slice(0, 5).map(opRef) });
    }
    if (new Set(Object.values(held).map((v) => JSON.stringify(v))).size > 1) diverged.add({ key: k, values: held });
  }
  const valid = wrong.count === 0 && diverged.count === 0;
  const out: FinalStateResult = { valid, keys: keys.size, diverged: diverged.toJSON(), notLastWrite: wrong.toJSON(), anomalies: [] };
  for (const d of out.diverged!.items) out.anomalies.push({ type: 'diverged', ops: [], keys: [d.key], nodes: Object.keys(d.values), data: { values: d.values } });
  for (const w of out.notLastWrite!.items) {
    out.anomalies.push({ type: 'not-last-write', ops: w.lastWrites.map((o) => o.index), keys: [w.key], nodes: [w.node], data: { holds: w.holds, expected: w.expected } });
  }
  if (Object.keys(notJudged).length > 0) out.notJudged = notJudged;
  return explained(out, explainFinalState);
}

/** The final-state result in words, rendered from its data. */
export function explainFinalState(r: FinalStateResult): Explanation {
  if (r.noFinals) return { reason: r.notJudged ? noneSettledReason(r.notJudged) : 'no final reads' };
  const reasons: string[] = [];
  const d = r.diverged?.items[0];
  if (d) reasons.push(`${r.diverged!.count} key(s) differ between nodes (first: key ${d.key}: ${describeValues(d.values)})`);
  const w = r.notLastWrite?.items[0];
  if (w) {
    reasons.push(
      `${r.notLastWrite!.count} final value(s) are not the last acknowledged write (first: key ${w.key} on ${w.node} holds ${JSON.stringify(w.holds)}, expected one of ${JSON.stringify(w.expected)})`,
    );
  }
  return { reason: reasons.length > 0 ? reasons.join('; ') : undefined };
}

function describeValues(values: Record<string, Json>): string {
  return Object.entries(values)
    .map(([n, v]) => `${n}=${JSON.stringify(v)}`)
    .join(', ');
}

export function finalStateChecker(spec: FinalStateSpec): Checker<FinalStateResult> {
  return (history, ctx) => checkFinalState(history, ctx, spec);
}
