// split-brain: two nodes primary and both acknowledging writes at once. Two primaries come from the sampler (nodes
// certainly not in recovery during overlapping spans) or the history (a write acknowledged on one node inside another's
// certain primary span); acknowledged writes interleaving A, B, A without such proof are only possible.
import type { Op, PairedHistory } from '../src/history/types.js';
import { leftPrimary, primaryPeriods, roleSamples, type PrimaryPeriod, type RoleSample } from './primaries.js';
import type { Anomaly, CheckContext, CheckResult, Checker, Validity } from './types.js';

/** Writes named per side and per anomaly, at most (the counts are exact). */
export const SPLIT_BRAIN_CAP = 20;

export type SplitBrainEvidence = 'samples' | 'writes';

export type SideWrites = {
  node: string;
  /** ok writes acknowledged on this node entirely inside the interval */
  count: number;
  /** their invoke indexes, first SPLIT_BRAIN_CAP */
  writes: number[];
};

export type SplitBrainData = {
  /** ns since t0: the span during which both nodes were primary (or one acknowledged writes while the other was) */
  from: number;
  to: number;
  evidence: SplitBrainEvidence[];
  sides: [SideWrites, SideWrites];
};

export type SplitBrainAnomaly = Anomaly<'split-brain', SplitBrainData>;

export interface PossibleSplitBrain {
  nodes: [string, string];
  /** acknowledged writes in certain real-time order: on nodes[0], then nodes[1], then nodes[0] again */
  writes: [number, number, number];
}

export interface SplitBrainOptions {
  /** the sampler's samples (metrics.jsonl lines); without them only possible split brains are reported */
  samples?: readonly RoleSample[];
  /** which ops are writes (default: every op whose f is not read) */
  isWrite?: (op: Op) => boolean;
  /**
   * false when an op's node does not say which server took it (clients behind pgpool: every link leads to it):
   * two primaries come from the samples alone, and writes acknowledged during the overlap make it unknown
   */
  writesOnNode?: boolean;
}

export const defaultIsWrite = (op: Op): boolean => op.f !== 'read';

interface Window {
  a: string;
  b: string;
  from: number;
  to: number;
  evidence: Set<SplitBrainEvidence>;
}

const pairKey = (x: string, y: string): [string, string] => (x < y ? [x, y] : [y, x]);

/** Windows from overlapping primary periods of two nodes. */
function overlaps(periods: readonly PrimaryPeriod[]): Window[] {
  const out: Window[] = [];
  for (let i = 0; i < periods.length; i++) {
    for (let j = i + 1; j < periods.length; j++) {
      const p = periods[i]!;
      const q = periods[j]!;
      if (p.node === q.node) continue;
      const from = Math.max(p.from, q.from);
      const to = Math.min(p.to, q.to);
      if (from < to) {
        const [a, b] = pairKey(p.node, q.node);
        out.push({ a, b, from, to, evidence: new Set(['samples']) });
      }
    }
  }
  return out;
}

/** Windows from writes acknowledged on one node entirely inside another node's primary period. */
function writesInside(periods: readonly PrimaryPeriod[], writes: readonly Op[]): Window[] {
  const out: Window[] = [];
  for (const p of periods) {
    let from = Infinity;
    let to = -Infinity;
    const others = new Set<string>();
    for (const w of writes) {
      if (w.node === undefined || w.node === p.node || w.completeTime === null) continue;
      if (w.invokeTime >= p.from && w.completeTime <= p.to) {
        from = Math.min(from, w.invokeTime);
        to = Math.max(to, w.completeTime);
        others.add(w.node);
      }
    }
    for (const o of others) {
      const [a, b] = pairKey(p.node, o);
      out.push({ a, b, from, to, evidence: new Set(['writes']) });
    }
  }
  return out;
}

/** Merges overlapping windows of the same pair. */
function merge(windows: Window[]): Window[] {
  windows.sort((x, y) => (x.a !== y.a ? (x.a < y.a ? -1 : 1) : x.b !== y.b ? (x.b < y.b ? -1 : 1) : x.from - y.from));
  const out: Window[] = [];
  for (const w of windows) {
    const last = out[out.length - 1];
    if (last && last.a === w.a && last.b === w.b && w.from <= last.to) {
      last.to = Math.max(last.to, w.to);
      for (const e of w.evidence) last.evidence.add(e);
    } else out.push({ ...w, evidence: new Set(w.evidence) });
  }
  return out;
}

function side(node: string, w: Window, writes: readonly Op[]): SideWrites {
  const inside = writes.filter((op) => op.node === node && op.completeTime !== null && op.invokeTime >= w.from && op.completeTime <= w.to);
  return { node, count: inside.length, writes: inside.slice(0, SPLIT_BRAIN_CAP).map((op) => op.invokeIndex) };
}

/** Index of the last element of sorted `xs` below `x` (by key), or -1. */
function lastBelow<T>(xs: readonly T[], key: (t: T) => number, x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (key(xs[mid]!) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** A, B, A interleavings of acknowledged writes (certain by real time) that no anomaly or sample explains. */
function interleavings(writes: readonly Op[], anomalies: readonly SplitBrainAnomaly[], samples: readonly RoleSample[] | undefined): PossibleSplitBrain[] {
  const byNode = new Map<string, Op[]>();
  for (const w of writes) {
    if (w.node === undefined || w.completeTime === null) continue;
    const l = byNode.get(w.node);
    if (l) l.push(w);
    else byNode.set(w.node, [w]);
  }
  const byComplete = new Map<string, Op[]>();
  const byInvoke = new Map<string, Op[]>();
  for (const [n, l] of byNode) {
    byComplete.set(n, [...l].sort((x, y) => x.completeTime! - y.completeTime!));
    byInvoke.set(n, [...l].sort((x, y) => x.invokeTime - y.invokeTime));
  }
  const covered = (a: string, b: string, from: number, to: number): boolean =>
    anomalies.some((an) => an.nodes!.includes(a) && an.nodes!.includes(b) && an.data!.from <= to && an.data!.to >= from);
  const out: PossibleSplitBrain[] = [];
  const seen = new Set<string>();
  const nodes = [...byNode.keys()].sort();
  for (const a of nodes) {
    const ac = byComplete.get(a)!;
    const ai = byInvoke.get(a)!;
    for (const b of nodes) {
      if (a === b || seen.has(`${a}|${b}`)) continue;
      for (const wb of byNode.get(b)!) {
        const i = lastBelow(ac, (o) => o.completeTime!, wb.invokeTime);
        if (i < 0) continue;
        const j = lastBelow(ai, (o) => o.invokeTime, wb.completeTime! + 1) + 1;
        if (j >= ai.length) continue;
        const w1 = ac[i]!;
        const w2 = ai[j]!;
        if (covered(a, b, w1.completeTime!, w2.invokeTime)) continue;
        if (samples && leftPrimary(samples, a, w1.completeTime!, w2.invokeTime) === true) continue;
        out.push({ nodes: [a, b], writes: [w1.invokeIndex, wb.invokeIndex, w2.invokeIndex] });
        seen.add(`${a}|${b}`);
        break;
      }
    }
  }
  return out;
}

export interface SplitBrainResult extends CheckResult {
  valid: Validity;
  anomalies: SplitBrainAnomaly[];
  /** the sampler's certain primary spans per node */
  primaryPeriods: PrimaryPeriod[];
  /** two primaries at once of which at most one acknowledged writes inside the overlap (not a split brain) */
  primaryOverlaps: SplitBrainData[];
  /** interleaved acknowledgements the samples neither prove nor explain (first per ordered pair of nodes) */
  possible: PossibleSplitBrain[];
  samples: number;
  reason?: string;
}

/** The split-brain checker: valid false when proven, unknown when only possible, true otherwise. */
export function checkSplitBrain(history: PairedHistory, opts: SplitBrainOptions = {}): SplitBrainResult {
  const isWrite = opts.isWrite ?? defaultIsWrite;
  const writes = history.ops.filter((op) => op.type === 'ok' && isWrite(op));
  const samples = opts.samples ?? [];
  const periods = primaryPeriods(samples);
  if (opts.writesOnNode === false) return unattributed(periods, writes, samples.length);
  const windows = merge([...overlaps(periods), ...writesInside(periods, writes)]);
  const found: SplitBrainAnomaly[] = windows.map((w) => {
    const sides: [SideWrites, SideWrites] = [side(w.a, w, writes), side(w.b, w, writes)];
    const evidence = (['samples', 'writes'] as const).filter((e) => w.evidence.has(e));
    return {
      type: 'split-brain',
      ops: [...sides[0].writes, ...sides[1].writes].sort((x, y) => x - y),
      nodes: [w.a, w.b],
      data: { from: w.from, to: w.to, evidence, sides },
    };
  });
  // a split brain is both sides taking writes: two primaries of which one acknowledged nothing (its commits hung
  // waiting for a synchronous standby, or no client went there) are reported, not judged
  const anomalies = found.filter((a) => a.data!.sides.every((x) => x.count > 0));
  const twoPrimaries = found.filter((a) => !anomalies.includes(a));
  const possible = interleavings(writes, anomalies, opts.samples);
  const valid: Validity = anomalies.length > 0 ? false : possible.length > 0 ? 'unknown' : true;
  const result: SplitBrainResult = { valid, anomalies, primaryOverlaps: twoPrimaries.map((o) => o.data!), possible, primaryPeriods: periods, samples: samples.length };
  if (anomalies.length > 0) {
    const a = anomalies[0]!;
    const [s, t] = a.data!.sides;
    result.reason = `${a.nodes!.join(' and ')} were both primary for ${((a.data!.to - a.data!.from) / 1e6).toFixed(0)} ms (${a.data!.evidence.join(', ')}); writes acknowledged inside: ${s.count} on ${s.node}, ${t.count} on ${t.node}`;
  } else if (twoPrimaries.length > 0) {
    const o = twoPrimaries[0]!.data!;
    const took = o.sides.filter((x) => x.count > 0).map((x) => x.node);
    result.reason = `${o.sides[0].node} and ${o.sides[1].node} were both primary for ${((o.to - o.from) / 1e6).toFixed(0)} ms, but writes were acknowledged ${took.length ? `on ${took.join(', ')} only` : 'on neither'}`;
  }
  if (anomalies.length === 0 && possible.length > 0) {
    const p = possible[0]!;
    result.reason = `writes acknowledged on ${p.nodes[0]}, then ${p.nodes[1]}, then ${p.nodes[0]} again (invokes ${p.writes.join(', ')}), and ${samples.length === 0 ? 'no samples' : 'the samples do not'} prove or explain it`;
  }
  return result;
}

/**
 * Two primaries from the samples alone, when the history cannot say which server took a write: an overlap during which
 * writes were acknowledged (somewhere) is unknown, one without is only reported.
 */
function unattributed(periods: PrimaryPeriod[], writes: readonly Op[], samples: number): SplitBrainResult {
  const windows = merge(overlaps(periods));
  const data = windows.map((w): SplitBrainData & { writesInside: number } => {
    const inside = writes.filter((op) => op.completeTime !== null && op.invokeTime >= w.from && op.completeTime <= w.to).length;
    const none = (node: string): SideWrites => ({ node, count: 0, writes: [] });
    return { from: w.from, to: w.to, evidence: ['samples'], sides: [none(w.a), none(w.b)], writesInside: inside };
  });
  const open = data.filter((d) => d.writesInside > 0);
  const result: SplitBrainResult = { valid: open.length > 0 ? 'unknown' : true, anomalies: [], primaryOverlaps: data, possible: [], primaryPeriods: periods, samples };
  const o = open[0] ?? data[0];
  if (o) {
    const both = `${o.sides[0].node} and ${o.sides[1].node} were both primary for ${((o.to - o.from) / 1e6).toFixed(0)} ms (samples)`;
    result.reason = o.writesInside > 0
      ? `${both}; ${o.writesInside} writes were acknowledged meanwhile, and the history does not say which server took each (clients reach the pooler only): whether both sides took writes is unknown`
      : `${both}; no write was acknowledged meanwhile`;
  }
  return result;
}

/** The checker seam's shape: samples come through the context's extra field `samples`. */
export function splitBrainChecker(history: PairedHistory, ctx: CheckContext & { samples?: readonly RoleSample[] } = {}): SplitBrainResult {
  return checkSplitBrain(history, ctx.samples ? { samples: ctx.samples } : {});
}

/** The checker over the sampler's metrics.jsonl lines (as parsed), for a run or `faultline check`. */
export function splitBrainOn(metrics: readonly Record<string, unknown>[], opts: Pick<SplitBrainOptions, 'writesOnNode'> = {}): Checker {
  const samples = roleSamples(metrics);
  return (history) => checkSplitBrain(history, { samples, ...opts });
}
