// "One active row per name" invariant (versioned-command workload): on every node each name must have exactly
// one active row, and it must be the one a real-time-last activation created. Reports names with two or none. Pure.
import type { Json, Key, Op, PairedHistory } from '../src/history/types.js';
import { possibleLast } from './logical-final.js';
import { CappedList, opRef, type OpRef } from './ref.js';
import { explained, type Explanation } from './explain.js';
import type { Capped } from './ref.js';
import type { Anomaly, CheckContext, CheckResult, Checker } from './types.js';
import { judgedFinals, noneSettledReason } from './settled.js';

export interface ActiveViolation {
  node: string;
  name: Key;
  /** ids of the active rows the node holds (two or more, or none) */
  active: Json[];
}

export interface StaleActive {
  node: string;
  name: Key;
  active: Json;
  expected: Json[];
  lastActivations: OpRef[];
}

function activeIds(final: Json | undefined, name: string): Json[] {
  if (final === null || final === undefined || typeof final !== 'object' || Array.isArray(final)) return [];
  const v = final[name];
  return Array.isArray(v) ? v : v === null || v === undefined ? [] : [v];
}

/** The one-active checker's result. */
export interface OneActiveResult extends CheckResult {
  names?: number;
  twoOrMoreActive?: Capped<ActiveViolation>;
  noneActive?: Capped<ActiveViolation>;
  staleActive?: Capped<StaleActive>;
  /** `several-active`, `none-active`, `stale-active` (the active row is not a real-time-last activation) */
  anomalies: Anomaly<'several-active' | 'none-active' | 'stale-active'>[];
  notJudged?: Record<string, string>;
  noFinals?: true;
}

/** ctx.final: node → {name: [ids of active rows]}; activations are ops with f = `activate`, key = name, value = id. */
export function checkOneActive(history: PairedHistory, ctx: CheckContext, names: readonly string[]): OneActiveResult {
  const { finals, notJudged } = judgedFinals(ctx);
  if (finals.length === 0) {
    const none: OneActiveResult = { valid: 'unknown', anomalies: [], noFinals: true };
    if (Object.keys(notJudged).length > 0) none.notJudged = notJudged;
    return explained(none, explainOneActive);
  }
  const byName = new Map<string, Op[]>();
  for (const op of history.ops) {
    if (op.f !== 'activate' || op.key === undefined || op.type === 'fail') continue;
    const k = String(op.key);
    byName.set(k, [...(byName.get(k) ?? []), op]);
  }
  const twoActive = new CappedList<ActiveViolation>(200);
  const noneActive = new CappedList<ActiveViolation>(200);
  const stale = new CappedList<StaleActive>(200);
  const all = new Set<string>([...names, ...byName.keys()]);
  for (const [, f] of finals) if (f && typeof f === 'object' && !Array.isArray(f)) for (const k of Object.keys(f)) all.add(k);
  for (const name of [...all].sort()) {
    const acts = byName.get(name) ?? [];
    const last = possibleLast(acts, (op) => op.invokeValue);
    for (const [node, f] of finals) {
      const active = activeIds(f, name);
      if (active.length > 1) twoActive.add({ node, name, active });
      else if (active.length === 0 && acts.length > 0) noneActive.add({ node, name, active });
      else if (acts.length > 0 && !last.values.some((v) => JSON.stringify(v) === JSON.stringify(active[0]))) {
        stale.add({ node, name, active: active[0], expected: last.values.filter((v) => v !== null), lastActivations: last.ops.slice(0, 5).map(opRef) });
      }
    }
  }
  const valid = twoActive.count === 0 && noneActive.count === 0 && stale.count === 0;
  const out: OneActiveResult = { valid, names: all.size, twoOrMoreActive: twoActive.toJSON(), noneActive: noneActive.toJSON(), staleActive: stale.toJSON(), anomalies: [] };
  for (const t of out.twoOrMoreActive!.items) out.anomalies.push({ type: 'several-active', ops: [], keys: [t.name], nodes: [t.node], data: { active: t.active } });
  for (const n of out.noneActive!.items) out.anomalies.push({ type: 'none-active', ops: [], keys: [n.name], nodes: [n.node] });
  for (const x of out.staleActive!.items) {
    out.anomalies.push({ type: 'stale-active', ops: x.lastActivations.map((o) => o.index), keys: [x.name], nodes: [x.node], data: { active: x.active, expected: x.expected } });
  }
  if (Object.keys(notJudged).length > 0) out.notJudged = notJudged;
  return explained(out, explainOneActive);
}

/** The one-active result in words, rendered from its data. */
export function explainOneActive(r: OneActiveResult): Explanation {
  if (r.noFinals) return { reason: r.notJudged ? noneSettledReason(r.notJudged) : 'no final reads' };
  const reasons: string[] = [];
  const t = r.twoOrMoreActive?.items[0];
  if (t) reasons.push(`${r.twoOrMoreActive!.count} name(s) with several active rows (first: ${t.name} on ${t.node}: ids ${JSON.stringify(t.active)})`);
  const n = r.noneActive?.items[0];
  if (n) reasons.push(`${r.noneActive!.count} name(s) with no active row (first: ${n.name} on ${n.node})`);
  const s = r.staleActive?.items[0];
  if (s) reasons.push(`${r.staleActive!.count} name(s) whose active row is not the last activation (first: ${s.name} on ${s.node}: ${JSON.stringify(s.active)})`);
  return { reason: reasons.length > 0 ? reasons.join('; ') : undefined };
}

export function oneActiveChecker(names: readonly string[]): Checker<OneActiveResult> {
  return (history, ctx) => checkOneActive(history, ctx, names);
}
