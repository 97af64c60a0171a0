// The transactional checker: index the txns, infer the dependency graph (list-append or rw-register), add process
// or realtime order when a requested model needs it, find strongly connected components and the cycle anomalies
// in each, and judge everything found against the consistency-model lattice, as Elle does.
import type { Json, Key, PairedHistory } from '../../src/history/types.js';
import type { CheckContext } from '../types.js';
import { explainAppendStep, inferAppend } from './append.js';
import { AnomalyCollector, txnView } from './collect.js';
import { Arena, type Alloc } from './arena.js';
import { anyCycle, Budget, classifyCycle, CYCLE_SPECS, localGraph, Searcher, SearchTimeout, type FoundCycle, type LocalGraph } from './cycles.js';
import { buildGraph, DEP_TYPES, EdgeBuffer, labelOf, PROCESS, REALTIME, type DepGraph } from './graph.js';
import { boundary, impliedAnomalies, isKnownAnomaly, isKnownModel, needsOrderEdges, prohibitedAnomalies, UNKNOWN_ANOMALIES } from './lattice.js';
import { txnOpProblem, uniqueWritesProblem } from './micro-ops.js';
import { addProcessEdges, addRealtimeEdges } from './order.js';
import { explainRegisterStep, inferRegister } from './register.js';
import { stronglyConnected } from './scc.js';
import { buildTable, type TxnTable } from './table.js';
import type { TxnModel, TxnOptions, TxnResult, TxnStep } from './types.js';

export const DEFAULT_MODELS: readonly string[] = ['strict-serializable'];
export const DEFAULT_CYCLE_SEARCH_MS = 1000;

/** Which relation explains an edge when it has several (Elle's explainer order for each model). */
const PRIORITY: Readonly<Record<TxnModel, readonly number[]>> = {
  'list-append': [0, 1, 2, 3, 4],
  'rw-register': [1, 0, 2, 3, 4],
};

/** A bad option name: the checker's caller (the CLI validates first) gets a plain error. */
export function optionProblem(opts: TxnOptions): string | null {
  for (const m of opts.consistencyModels ?? []) if (!isKnownModel(m)) return `unknown consistency model ${JSON.stringify(m)}`;
  for (const a of opts.anomalies ?? []) if (!isKnownAnomaly(a)) return `unknown anomaly ${JSON.stringify(a)}`;
  return null;
}

/** The first op that is not a well-formed txn of the model, or writes a value twice; null when all are fine. */
export function historyProblem(model: TxnModel, history: PairedHistory): string | null {
  const unique = uniqueWritesProblem(model);
  for (const op of history.ops) {
    const p = txnOpProblem(model, op) ?? unique(op);
    if (p) return `op invoked at index ${op.invokeIndex}: ${p.what}`;
  }
  return null;
}

interface Explainer {
  (from: number, to: number, rel: 'ww' | 'wr' | 'rw'): TxnStep | null;
}

/** Explain every edge of a found cycle as a typed step. */
function stepsOf(t: TxnTable, cycle: readonly number[], labels: readonly number[], explain: Explainer): TxnStep[] {
  return cycle.map((a, i) => {
    const b = cycle[(i + 1) % cycle.length] as number;
    const type = DEP_TYPES[labels[i] as number] as TxnStep['type'];
    const base = { from: t.invokeIndex[a] as number, to: t.invokeIndex[b] as number, type };
    if (type === 'process') return { ...base, process: t.process[a] as number };
    if (type === 'realtime') {
      const op = t.ops[a];
      const next = t.ops[b];
      const gap = op && next && op.completeTime !== null ? next.invokeTime - op.completeTime : undefined;
      return { ...base, fromCompleteIndex: t.completeIndex[a] as number, toInvokeIndex: t.invokeIndex[b] as number, ...(gap === undefined ? {} : { gapNs: gap }) };
    }
    return explain(a, b, type) ?? base;
  });
}

function cycleAnomaly(t: TxnTable, type: string, cycle: number[], labels: number[], explain: Explainer) {
  const steps = stepsOf(t, cycle, labels, explain);
  const keys: Key[] = [];
  for (const s of steps) if (s.key !== undefined && !keys.includes(s.key)) keys.push(s.key);
  return { type, ops: cycle.map((i) => t.invokeIndex[i] as number), keys, data: { steps, txns: cycle.map((i) => txnView(t, i)) } as unknown as Json };
}

/** Search one component for every cycle anomaly not already implied by one found there. */
function searchComponent(t: TxnTable, lg: LocalGraph, budget: Budget, kinds: number, explain: Explainer, out: AnomalyCollector): void {
  const searcher = new Searcher(lg, budget);
  const skip = new Set<string>();
  const searched: string[] = [];
  let foundAny = false;
  const record = (type: string, c: FoundCycle): void => {
    // start the cycle at its earliest txn: a stable, readable order
    const cycle = c.vertices.map((v) => lg.global[v] as number);
    const first = cycle.indexOf(Math.min(...cycle));
    const rotate = <T>(xs: T[]): T[] => [...xs.slice(first), ...xs.slice(0, first)];
    out.add(cycleAnomaly(t, type, rotate(cycle), rotate(c.labels), explain));
  };
  for (const spec of CYCLE_SPECS) {
    if (skip.has(spec.name)) continue;
    if (spec.variant === 'process' && !(kinds & PROCESS)) continue;
    if (spec.variant === 'realtime' && !(kinds & REALTIME)) continue;
    let c: FoundCycle | null;
    try {
      c = searcher.find(spec);
    } catch (err) {
      if (!(err instanceof SearchTimeout)) throw err;
      out.add({ type: 'cycle-search-timeout', ops: [...lg.global.slice(0, 10)].map((i) => t.invokeIndex[i] as number), data: { sccSize: lg.n, searching: spec.name, searched } });
      if (!foundAny) {
        const fallback = anyCycle(lg);
        record(classifyCycle(fallback.labels), fallback);
      }
      return;
    }
    searched.push(spec.name);
    if (!c) continue;
    foundAny = true;
    record(spec.name, c);
    for (const a of impliedAnomalies([spec.name])) skip.add(a);
  }
}

/** Sorted, for stable output. */
const sorted = (s: Iterable<string>): string[] => [...s].sort();

/**
 * Check a transactional history (ops with f "txn") against the consistency models and anomalies of `opts`.
 * ctx.timeLimitMs bounds the whole cycle search: components searched after it ran out are "unknown".
 */
export function checkTxn(model: TxnModel, history: PairedHistory, opts: TxnOptions = {}, ctx: CheckContext = {}): TxnResult {
  const consistencyModels = [...(opts.consistencyModels ?? DEFAULT_MODELS)];
  const asked = [...(opts.anomalies ?? [])];
  const bad = optionProblem(opts);
  if (bad) throw new TypeError(bad);
  const base = { model, consistencyModels, anomalyTypes: [] as string[], anomalies: [], anomalyCounts: {}, txns: 0, edges: 0, sccs: 0, largestScc: 0 };

  const prohibited = prohibitedAnomalies(consistencyModels, asked);
  const reportable = new Set([...prohibited, ...UNKNOWN_ANOMALIES]);
  // one arena for the big arrays (see arena.ts), sized from the history: about 128 bytes a micro-op
  let mops = 0;
  for (const op of history.ops) mops += Array.isArray(op.invokeValue) ? op.invokeValue.length : 0;
  const arena = new Arena(Math.max(1 << 20, 128 * mops + 64 * history.ops.length));
  const t = buildTable(model, history, arena);
  if (t.problem) return { ...base, valid: 'unknown', error: t.problem, reason: t.problem };
  const out = new AnomalyCollector(opts.maxPerType ?? 100);
  const edges = new EdgeBuffer(2 * ((t.mopStart[t.n] as number) + t.n) + 1024, arena);
  let explain: Explainer;
  if (model === 'list-append') {
    const idx = inferAppend(t, edges, arena, out);
    explain = (a, b, rel) => explainAppendStep(t, idx, a, b, rel);
  } else {
    const idx = inferRegister(t, opts, edges, out);
    explain = (a, b, rel) => explainRegisterStep(t, idx, a, b, rel);
  }
  if (t.problem) return { ...base, valid: 'unknown', error: t.problem, reason: t.problem };
  const order = needsOrderEdges(reportable);
  if (order === 'realtime') addRealtimeEdges(t, edges, arena);
  else if (order === 'process') addProcessEdges(t, edges);
  const graph = buildGraph(t.n, edges, arena);
  if (graph.edgeCount === 0) out.add({ type: 'empty-transaction-graph', ops: [] });
  const comps = searchCycles(t, graph, PRIORITY[model], opts, ctx, explain, arena, out);

  const found = out.types();
  const reported = found.filter((a) => reportable.has(a));
  const valid = reported.length === 0 ? true : reported.some((a) => prohibited.has(a)) ? false : 'unknown';
  const anomalyTypes = sorted(reported);
  const result: TxnResult = {
    ...base,
    valid,
    anomalyTypes,
    anomalies: anomalyTypes.flatMap((a) => out.byType.get(a) ?? []),
    anomalyCounts: Object.fromEntries(anomalyTypes.map((a) => [a, out.counts.get(a) ?? 0])),
    txns: t.n,
    edges: graph.edgeCount,
    sccs: comps.count,
    largestScc: comps.largest,
  };
  const other = sorted(found.filter((a) => !reportable.has(a)));
  if (other.length > 0) result.otherAnomalyTypes = other;
  if (valid !== true) {
    const b = boundary(found);
    result.not = b.not;
    result.alsoNot = b.alsoNot;
    const counts = anomalyTypes.map((a) => `${a} (${out.counts.get(a) ?? 0})`).join(', ');
    result.reason = b.not.length > 0 ? `${counts}; not ${b.not.join(', ')}` : counts;
  }
  return result;
}

/** SCCs of the whole graph, then the cycle search in each, within the per-component and overall budgets. */
function searchCycles(t: TxnTable, graph: DepGraph, priority: readonly number[], opts: TxnOptions, ctx: CheckContext, explain: Explainer, alloc: Alloc, out: AnomalyCollector): { count: number; largest: number } {
  const labels = alloc.u8(graph.edgeCount);
  let kinds = 0;
  for (let e = 0; e < graph.edgeCount; e++) {
    labels[e] = labelOf(graph.rels[e] as number, priority);
    kinds |= graph.rels[e] as number;
  }
  const comps = stronglyConnected(graph, undefined, alloc);
  const overall = ctx.timeLimitMs !== undefined && ctx.timeLimitMs > 0 ? performance.now() + ctx.timeLimitMs : Infinity;
  const perScc = opts.cycleSearchMs ?? DEFAULT_CYCLE_SEARCH_MS;
  const localOf = alloc.i32(graph.n).fill(-1);
  let largest = 0;
  for (const members of comps.list) {
    largest = Math.max(largest, members.length);
    const lg = localGraph(members, graph.offsets, graph.targets, labels, localOf);
    const budget = new Budget(opts.cycleSearchSteps ?? Infinity, Math.min(overall, performance.now() + perScc));
    searchComponent(t, lg, budget, kinds, explain, out);
  }
  return { count: comps.list.length, largest };
}
