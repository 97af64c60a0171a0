// Cycle search inside one strongly connected component: for each cycle anomaly (G0, G1c, G-single-item,
// G-nonadjacent-item, G2-item, and their -process / -realtime variants) a breadth-first search over (txn, path
// state) restricted to the relations that anomaly allows, under a step and time budget; and the naming of a cycle
// from the relations of its edges, as Elle names them.
import { stronglyConnected } from './scc.js';

/** Edge labels, as indexes into DEP_TYPES. */
const WW = 0;
const WR = 1;
const RW = 2;
const PROC = 3;
const RT = 4;

type Base = 'G0' | 'G1c' | 'G-single-item' | 'G-nonadjacent-item' | 'G2-item';
type Variant = '' | 'process' | 'realtime';

export interface CycleSpec {
  name: string;
  base: Base;
  variant: Variant;
}

const BASES: readonly Base[] = ['G0', 'G1c', 'G-single-item', 'G-nonadjacent-item', 'G2-item'];

/** Every cycle anomaly, in an order where an anomaly comes before those it implies. */
export const CYCLE_SPECS: readonly CycleSpec[] = (['', 'process', 'realtime'] as const).flatMap((variant) =>
  BASES.map((base) => ({ name: variant ? `${base}-${variant}` : base, base, variant })),
);

export const CYCLE_TYPES: readonly string[] = CYCLE_SPECS.map((s) => s.name);

/** Elle's name for a cycle with these edge labels (in cycle order): by its rw edges, then wr, then order edges. */
export function classifyCycle(labels: readonly number[]): string {
  let rw = 0;
  let wr = 0;
  let rt = 0;
  let proc = 0;
  let adjacent = false;
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (l === RW) {
      rw++;
      if (labels[(i + labels.length - 1) % labels.length] === RW && labels.length > 1) adjacent = true;
    } else if (l === WR) wr++;
    else if (l === RT) rt++;
    else if (l === PROC) proc++;
  }
  const base = rw === 1 ? 'G-single-item' : rw > 1 ? (adjacent ? 'G2-item' : 'G-nonadjacent-item') : wr > 0 ? 'G1c' : 'G0';
  return rt > 0 ? `${base}-realtime` : proc > 0 ? `${base}-process` : base;
}

/** One SCC as a local graph: vertices 0..n-1 (global ids in `global`), edges with a single label each. */
export interface LocalGraph {
  n: number;
  global: Int32Array;
  offsets: Int32Array;
  targets: Int32Array;
  labels: Uint8Array;
}

/** Restrict a labelled graph to the vertices of one component. `localOf` is scratch of size n, all -1. */
export function localGraph(members: Int32Array, offsets: Int32Array, targets: Int32Array, edgeLabels: Uint8Array, localOf: Int32Array): LocalGraph {
  const n = members.length;
  for (let i = 0; i < n; i++) localOf[members[i]] = i;
  const off = new Int32Array(n + 1);
  const tg: number[] = [];
  const lb: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = members[i];
    for (let e = offsets[v]; e < offsets[v + 1]; e++) {
      const w = localOf[targets[e]];
      if (w < 0) continue;
      tg.push(w);
      lb.push(edgeLabels[e]);
    }
    off[i + 1] = tg.length;
  }
  for (let i = 0; i < n; i++) localOf[members[i]] = -1;
  return { n, global: members, offsets: off, targets: Int32Array.from(tg), labels: Uint8Array.from(lb) };
}

/** A budget shared by the searches of one component: steps (deterministic) and a deadline (wall clock). */
export class Budget {
  private steps = 0;
  constructor(private readonly maxSteps: number, private readonly deadline: number) {}
  /** Spend n steps; false once the budget is gone. The clock is read every 4096 steps. */
  spend(n = 1): boolean {
    const before = this.steps;
    this.steps += n;
    if (this.steps > this.maxSteps) return false;
    if (this.steps >>> 12 !== before >>> 12 && performance.now() > this.deadline) return false;
    return true;
  }
}

export class SearchTimeout extends Error {}

// path state bits
const RW_COUNT = 3; // 0, 1, 2 (= two or more)
const LAST_RW = 4;
const FIRST_RW = 8;
const ADJ = 16;
const HAVE_WR = 32;
const HAVE_VAR = 64;
const STATES = 128;

function maskOf(spec: CycleSpec): number {
  let m = 1 << WW;
  if (spec.base !== 'G0') m |= 1 << WR;
  if (spec.base === 'G-single-item' || spec.base === 'G-nonadjacent-item' || spec.base === 'G2-item') m |= 1 << RW;
  if (spec.variant === 'process') m |= 1 << PROC;
  if (spec.variant === 'realtime') m |= 1 << RT;
  return m;
}

/** The label a cycle of this spec must contain, used as the first edge of every candidate path. */
function anchorOf(spec: CycleSpec): number {
  if (spec.base !== 'G0' && spec.base !== 'G1c') return RW;
  if (spec.variant === 'process') return PROC;
  if (spec.variant === 'realtime') return RT;
  return spec.base === 'G1c' ? WR : WW;
}

/** Take an edge labelled l from path state s; -1 when this spec forbids it. `first`: the path's first edge. */
function step(spec: CycleSpec, s: number, l: number, first: boolean): number {
  let n = s;
  if (l === RW) {
    const c = s & RW_COUNT;
    if (spec.base === 'G-single-item' && c >= 1) return -1;
    if (spec.base === 'G-nonadjacent-item' && s & LAST_RW) return -1;
    if (s & LAST_RW) n |= ADJ;
    n = (n & ~RW_COUNT) | Math.min(2, c + 1);
    n |= LAST_RW;
    if (first) n |= FIRST_RW;
  } else {
    n &= ~LAST_RW;
    if (l === WR) n |= HAVE_WR;
    if (l === PROC || l === RT) n |= HAVE_VAR;
  }
  return n;
}

/** Does a closed path in state s (its last edge just taken) make a cycle of this spec? */
function accepts(spec: CycleSpec, s: number): boolean {
  const c = s & RW_COUNT;
  const wrap = (s & LAST_RW) !== 0 && (s & FIRST_RW) !== 0;
  if (spec.variant !== '' && (s & HAVE_VAR) === 0) return false;
  switch (spec.base) {
    case 'G0':
      return true;
    case 'G1c':
      return (s & HAVE_WR) !== 0;
    case 'G-single-item':
      return c === 1;
    case 'G-nonadjacent-item':
      return c === 2 && !wrap;
    case 'G2-item':
      return c === 2 && ((s & ADJ) !== 0 || wrap);
  }
}

export interface FoundCycle {
  /** local vertices in cycle order (the first is not repeated at the end) */
  vertices: number[];
  /** labels[i]: the edge from vertices[i] to vertices[i+1] (the last one closes the cycle) */
  labels: number[];
}

/** Split a closed walk at repeated vertices into simple cycles. */
function simpleCycles(vs: number[], ls: number[]): FoundCycle[] {
  const at = new Map<number, number>();
  for (let i = 0; i < vs.length; i++) {
    const j = at.get(vs[i] as number);
    if (j !== undefined) {
      const inner = { vertices: vs.slice(j, i), labels: ls.slice(j, i) };
      const outer = { vertices: [...vs.slice(0, j), ...vs.slice(i)], labels: [...ls.slice(0, j), ...ls.slice(i)] };
      return [...simpleCycles(inner.vertices, inner.labels), ...simpleCycles(outer.vertices, outer.labels)];
    }
    at.set(vs[i] as number, i);
  }
  return [{ vertices: vs, labels: ls }];
}

/** Reusable scratch for the searches of one component. */
export class Searcher {
  private stamp: Int32Array;
  private gen = 0;
  private qv = new Int32Array(1024);
  private qs = new Int32Array(1024);
  private qp = new Int32Array(1024);
  private ql = new Uint8Array(1024);

  constructor(private readonly g: LocalGraph, private readonly budget: Budget) {
    this.stamp = new Int32Array(g.n * STATES);
  }

  private push(len: number, v: number, s: number, parent: number, label: number): number {
    if (len === this.qv.length) {
      const grow = <T extends Int32Array | Uint8Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(a.length * 2);
        b.set(a);
        return b;
      };
      this.qv = grow(this.qv);
      this.qs = grow(this.qs);
      this.qp = grow(this.qp);
      this.ql = grow(this.ql);
    }
    this.qv[len] = v;
    this.qs[len] = s;
    this.qp[len] = parent;
    this.ql[len] = label;
    return len + 1;
  }

  /** A simple cycle of this spec through the component, or null; throws SearchTimeout when the budget runs out. */
  find(spec: CycleSpec): FoundCycle | null {
    const g = this.g;
    const mask = maskOf(spec);
    const anchor = anchorOf(spec);
    // only edges whose two ends are strongly connected by allowed edges can be on such a cycle
    const allow = new Uint8Array(g.targets.length);
    for (let e = 0; e < allow.length; e++) allow[e] = (mask >> g.labels[e]) & 1;
    if (!this.budget.spend(allow.length)) throw new SearchTimeout();
    const sub = stronglyConnected({ n: g.n, offsets: g.offsets, targets: g.targets }, allow);
    if (sub.list.length === 0) return null;
    for (let s = 0; s < g.n; s++) {
      const c = sub.of[s];
      if (c < 0) continue;
      let anchored = false;
      for (let e = g.offsets[s]; e < g.offsets[s + 1]; e++) if (allow[e] && g.labels[e] === anchor && sub.of[g.targets[e]] === c) anchored = true;
      if (!anchored) continue;
      const found = this.from(spec, s, allow, anchor, sub.of);
      if (found) return found;
    }
    return null;
  }

  /** BFS over (vertex, state) from s, the first edge labelled `anchor`, back to s. */
  private from(spec: CycleSpec, s: number, allow: Uint8Array, anchor: number, comp: Int32Array): FoundCycle | null {
    const g = this.g;
    const gen = ++this.gen;
    const c = comp[s];
    let len = this.push(0, s, 0, -1, 0);
    for (let head = 0; head < len; head++) {
      const v = this.qv[head];
      const st = this.qs[head];
      const first = head === 0;
      if (!this.budget.spend(g.offsets[v + 1] - g.offsets[v] + 1)) throw new SearchTimeout();
      for (let e = g.offsets[v]; e < g.offsets[v + 1]; e++) {
        if (allow[e] === 0) continue;
        const l = g.labels[e];
        if (first && l !== anchor) continue;
        const w = g.targets[e];
        if (comp[w] !== c) continue;
        const n = step(spec, st, l, first);
        if (n < 0) continue;
        if (w === s) {
          if (!accepts(spec, n)) continue;
          const cycle = this.path(head, l);
          for (const piece of simpleCycles(cycle.vertices, cycle.labels)) if (classifyCycle(piece.labels) === spec.name) return piece;
          continue;
        }
        const key = w * STATES + n;
        if (this.stamp[key] === gen) continue;
        this.stamp[key] = gen;
        len = this.push(len, w, n, head, l);
      }
    }
    return null;
  }

  /** The walk from the start to queue entry `head`, closed by an edge labelled `last`. */
  private path(head: number, last: number): FoundCycle {
    const vs: number[] = [];
    const ls: number[] = [last];
    for (let i = head; i >= 0; i = this.qp[i]) {
      vs.push(this.qv[i]);
      if (this.qp[i] >= 0) ls.push(this.ql[i]);
    }
    vs.reverse();
    ls.reverse();
    return { vertices: vs, labels: ls };
  }
}

/** Some cycle of a strongly connected component (any relations): the fallback when a search ran out of budget. */
export function anyCycle(g: LocalGraph): FoundCycle {
  const onPath = new Int32Array(g.n).fill(-1);
  const vs: number[] = [];
  const ls: number[] = [];
  let v = 0;
  for (;;) {
    onPath[v] = vs.length;
    vs.push(v);
    // every vertex of an SCC has an out-edge inside it
    let e = g.offsets[v];
    for (let f = g.offsets[v]; f < g.offsets[v + 1]; f++) {
      if (onPath[g.targets[f]] >= 0) {
        e = f;
        break;
      }
    }
    const w = g.targets[e];
    ls.push(g.labels[e]);
    if (onPath[w] >= 0) return { vertices: vs.slice(onPath[w]), labels: ls.slice(onPath[w]) };
    v = w;
  }
}
