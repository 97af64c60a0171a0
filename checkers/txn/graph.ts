// The dependency graph between transactions, in typed arrays: an edge buffer the inference appends to, then a
// compressed adjacency (CSR) with one entry per ordered pair holding the set of relations as bits.
import { HEAP, type Alloc } from './arena.js';
import type { DepType } from './types.js';

/** Relation bits. */
export const WW = 1;
export const WR = 2;
export const RW = 4;
export const PROCESS = 8;
export const REALTIME = 16;

export const DEP_TYPES: readonly DepType[] = ['ww', 'wr', 'rw', 'process', 'realtime'];
/** bit of each DepType, by its index in DEP_TYPES */
export const DEP_BITS: readonly number[] = [WW, WR, RW, PROCESS, REALTIME];

/** Edges as parallel growable arrays: from, to, relation bit. */
export class EdgeBuffer {
  src: Int32Array;
  dst: Int32Array;
  rel: Uint8Array;
  length = 0;

  /** `capacity`: a guess of the edge count (growing means copying every array) */
  constructor(capacity = 1 << 14, private readonly alloc: Alloc = HEAP) {
    const c = Math.max(16, capacity);
    this.src = alloc.i32(c);
    this.dst = alloc.i32(c);
    this.rel = alloc.u8(c);
  }

  add(from: number, to: number, rel: number): void {
    if (from === to) return;
    if (this.length === this.src.length) this.grow();
    const i = this.length++;
    this.src[i] = from;
    this.dst[i] = to;
    this.rel[i] = rel;
  }

  private grow(): void {
    const n = Math.ceil(this.src.length * 1.5);
    const src = this.alloc.i32(n);
    src.set(this.src);
    const dst = this.alloc.i32(n);
    dst.set(this.dst);
    const rel = this.alloc.u8(n);
    rel.set(this.rel);
    this.src = src;
    this.dst = dst;
    this.rel = rel;
  }
}

/** Out-adjacency: the targets of vertex v are targets[offsets[v] .. offsets[v+1]), with their relation bits. */
export interface DepGraph {
  n: number;
  offsets: Int32Array;
  targets: Int32Array;
  rels: Uint8Array;
  /** number of distinct ordered pairs */
  edgeCount: number;
}

/** Build the adjacency of n vertices from a buffer: one entry per (from, to) pair, its bits OR-ed together. */
export function buildGraph(n: number, buf: EdgeBuffer, alloc: Alloc = HEAP): DepGraph {
  const offsets = alloc.i32(n + 1);
  const m = buf.length;
  const { src, dst, rel } = buf;
  for (let i = 0; i < m; i++) offsets[src[i] + 1]++;
  for (let v = 0; v < n; v++) offsets[v + 1] += offsets[v];
  const fill = alloc.i32(n);
  fill.set(offsets.subarray(0, n));
  const targets = alloc.i32(m);
  const rels = alloc.u8(m);
  for (let i = 0; i < m; i++) {
    const at = fill[src[i]]++;
    targets[at] = dst[i];
    rels[at] = rel[i];
  }
  // merge duplicate pairs in place: slot[w] remembers where w landed for the current source
  const slot = alloc.i32(n).fill(-1);
  const owner = alloc.i32(n).fill(-1);
  let out = 0;
  const newOffsets = alloc.i32(n + 1);
  for (let v = 0; v < n; v++) {
    newOffsets[v] = out;
    for (let i = offsets[v]; i < offsets[v + 1]; i++) {
      const w = targets[i];
      if (owner[w] === v) {
        rels[slot[w]] |= rels[i];
        continue;
      }
      owner[w] = v;
      slot[w] = out;
      targets[out] = w;
      rels[out] = rels[i];
      out++;
    }
  }
  newOffsets[n] = out;
  return { n, offsets: newOffsets, targets: targets.subarray(0, out), rels: rels.subarray(0, out), edgeCount: out };
}

/**
 * The relation an edge is explained by: the first of `priority` (indexes into DEP_TYPES) among its bits. Elle
 * explains a pair by the first explainer that can (list-append: ww, wr, rw; rw-register: wr, ww, rw; then process,
 * realtime), and names a cycle by the explained relations; the search uses the same single label per edge.
 */
export function labelOf(bits: number, priority: readonly number[]): number {
  for (const t of priority) if (bits & DEP_BITS[t]) return t;
  return -1;
}
