// Strongly connected components of a CSR graph (Tarjan's algorithm, iterative: no recursion limit on big
// graphs). Only components of two or more vertices are returned: the graph has no self-edges.
import { HEAP, type Alloc } from './arena.js';

export interface Csr {
  n: number;
  offsets: Int32Array;
  targets: Int32Array;
}

export interface Components {
  /** per vertex: its component's number, or -1 when it is alone */
  of: Int32Array;
  /** the non-trivial components, each a list of vertices in ascending order */
  list: Int32Array[];
}

/** `allow[e]` (when given) keeps edge e (an index into targets) in the graph. */
export function stronglyConnected(g: Csr, allow?: Uint8Array, alloc: Alloc = HEAP): Components {
  const { n, offsets, targets } = g;
  const index = alloc.i32(n).fill(-1);
  const low = alloc.i32(n);
  const onStack = alloc.u8(n);
  const stack = alloc.i32(n);
  const callV = alloc.i32(n);
  const callE = alloc.i32(n);
  const of = alloc.i32(n).fill(-1);
  const list: Int32Array[] = [];
  let sp = 0;
  let next = 0;
  for (let s = 0; s < n; s++) {
    if (index[s] !== -1) continue;
    let top = 0;
    callV[0] = s;
    callE[0] = offsets[s];
    index[s] = low[s] = next++;
    stack[sp++] = s;
    onStack[s] = 1;
    while (top >= 0) {
      const v = callV[top];
      const e = callE[top];
      if (e < offsets[v + 1]) {
        callE[top] = e + 1;
        if (allow !== undefined && allow[e] === 0) continue;
        const w = targets[e];
        if (index[w] === -1) {
          index[w] = low[w] = next++;
          stack[sp++] = w;
          onStack[w] = 1;
          top++;
          callV[top] = w;
          callE[top] = offsets[w];
        } else if (onStack[w] === 1 && index[w] < low[v]) {
          low[v] = index[w];
        }
        continue;
      }
      if (low[v] === index[v]) {
        if (stack[sp - 1] === v) {
          // the usual case: a vertex alone (no allocation)
          onStack[v] = 0;
          sp--;
        } else {
          let size = 0;
          for (let i = sp - 1; i >= 0; i--) {
            size++;
            if (stack[i] === v) break;
          }
          const members = stack.slice(sp - size, sp);
          for (const m of members) onStack[m] = 0;
          sp -= size;
          members.sort();
          for (const m of members) of[m] = list.length;
          list.push(members);
        }
      }
      top--;
      if (top >= 0) {
        const u = callV[top];
        if (low[v] < low[u]) low[u] = low[v];
      }
    }
  }
  return { of, list };
}
