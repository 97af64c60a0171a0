// Routing of read-only ops (--read-from): the routed node, the primary, the standbys, or both (even clients on
// the primary, odd ones on the standbys); writes always go where the routing mode sends them.
import { describe, expect, it } from 'vitest';
import { makeRouter, type ReadFrom } from '../../src/runner/routing.js';
import type { WorkloadOp } from '../../workloads/types.js';

const read: WorkloadOp = { f: 'txn', value: [['r', 1, null]], write: false };
const write: WorkloadOp = { f: 'txn', value: [['append', 1, 1]], write: true };

function picks(readFrom: ReadFrom, standbys: string[], op: WorkloadOp, mode: 'primary' | 'fixed' = 'primary'): string[] {
  const view = { nodes: () => ['n1', ...standbys], primary: () => 'n1', standbys: () => standbys };
  const r = makeRouter(mode, readFrom, view);
  return [0, 1, 2, 3, 4, 5].map((c) => r.pick(c, op));
}

describe('read-from', () => {
  it('writes go to the primary whatever read-from says', () => {
    for (const rf of ['same', 'primary', 'standbys', 'both'] as const) expect(picks(rf, ['n2', 'n3'], write)).toEqual(Array(6).fill('n1'));
  });
  it('same: reads where the routing sends them (fixed: client i → node i mod n)', () => {
    expect(picks('same', ['n2'], read, 'fixed')).toEqual(['n1', 'n2', 'n1', 'n2', 'n1', 'n2']);
  });
  it('primary: reads on the primary even with fixed routing', () => {
    expect(picks('primary', ['n2'], read, 'fixed')).toEqual(Array(6).fill('n1'));
  });
  it('standbys: reads spread over the standbys', () => {
    expect(picks('standbys', ['n2', 'n3'], read)).toEqual(['n2', 'n3', 'n2', 'n3', 'n2', 'n3']);
  });
  it('both: even clients read on the primary, odd clients on the standbys in turn', () => {
    expect(picks('both', ['n2', 'n3'], read)).toEqual(['n1', 'n2', 'n1', 'n3', 'n1', 'n2']);
    expect(picks('both', ['n2'], read)).toEqual(['n1', 'n2', 'n1', 'n2', 'n1', 'n2']);
  });
  it('without standbys (single, or all of them down) reads stay on the primary', () => {
    for (const rf of ['standbys', 'both'] as const) expect(picks(rf, [], read)).toEqual(Array(6).fill('n1'));
  });
});
