// "One active row per name" invariant (versioned-command workload): on every node each name must have exactly
// one active row, and it must be the one a real-time-last activation created. Reports names with two or none. Pure.
import type { Json, Key, Op, PairedHistory } from '../src/history/types.js';
import { possibleLast } from './logical-final.js';
import { CappedList, opRef, type OpRef } from './ref.js';
import type { CheckContext, CheckResult, Checker } from './types.js';
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

/** ctx.final: node → {name: [ids of active rows]}; activations are ops with f = `activate`, key = name, value = id. */
export function checkOneActive(history: PairedHistory, ctx: CheckContext, names: readonly string[]): CheckResult {
  const { finals, notJudged } = judgedFinals(ctx);
  if (finals.length === 0) return Object.keys(notJudged).length > 0 ? { valid: 'unknown', reason: noneSettledReason(notJudged), notJudged } : { valid: 'unknown', reason: 'no final reads' };
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
  const out: CheckResult = { valid, names: all.size, twoOrMoreActive: twoActive.toJSON(), noneActive: noneActive.toJSON(), staleActive: stale.toJSON() };
  if (Object.keys(notJudged).length > 0) out.notJudged = notJudged;
  const reasons: string[] = [];
  const t = twoActive.toJSON().items[0];
  if (t) reasons.push(`${twoActive.count} name(s) with several active rows (first: ${t.name} on ${t.node}: ids ${JSON.stringify(t.active)})`);
  const n = noneActive.toJSON().items[0];
  if (n) reasons.push(`${noneActive.count} name(s) with no active row (first: ${n.name} on ${n.node})`);
  const s = stale.toJSON().items[0];
  if (s) reasons.push(`${stale.count} name(s) whose active row is not the last activation (first: ${s.name} on ${s.node}: ${JSON.stringify(s.active)})`);
  if (reasons.length > 0) out.reason = reasons.join('; ');
  return out;
}

export function oneActiveChecker(names: readonly string[]): Checker {
  return (history, ctx) => checkOneActive(history, ctx, names);
}
