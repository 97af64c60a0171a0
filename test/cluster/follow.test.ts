// followPrimary, the primary-following shared by the HA topologies: roles, announcements, one poll at a time, stop.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { followPrimary } from '../../src/cluster/ha/follow.js';
import type { ClusterCtx } from '../../src/cluster/internal.js';

function fakeCtx(names: string[]) {
  const recs = new Map(names.map((n) => [n, { node: { name: n, role: 'standby' as string } }]));
  const changes: string[] = [];
  let persisted = 0;
  const ctx = { recs, primaryChanged: (n: string) => changes.push(n), persist: () => void persisted++ } as unknown as ClusterCtx;
  return { ctx, changes, roles: () => names.map((n) => recs.get(n)!.node.role), persisted: () => persisted };
}

afterEach(() => vi.useRealTimers());

describe('followPrimary', () => {
  it('adopts the first, then what the stack reports; null changes nothing; nothing after stop', async () => {
    vi.useFakeTimers();
    const f = fakeCtx(['n1', 'n2', 'n3']);
    let reported: string | null = null;
    const p = followPrimary(f.ctx, 'n1', async () => reported, { everyMs: 10 });
    expect([p.current, f.roles(), f.changes, f.persisted()]).toEqual(['n1', ['primary', 'standby', 'standby'], ['n1'], 1]);
    await vi.advanceTimersByTimeAsync(30);
    expect(f.changes).toEqual(['n1']);
    reported = 'n2';
    await vi.advanceTimersByTimeAsync(30);
    expect([p.current, f.roles(), f.changes]).toEqual(['n2', ['standby', 'primary', 'standby'], ['n1', 'n2']]);
    p.adopt('n2');
    p.adopt('n3');
    expect(f.changes).toEqual(['n1', 'n2', 'n3']);
    await p.stop();
    reported = 'n1';
    await vi.advanceTimersByTimeAsync(30);
    expect([p.current, f.changes]).toEqual(['n3', ['n1', 'n2', 'n3']]);
  });

  it('announceFirst: false sets the roles of the first without a change of primary', async () => {
    const f = fakeCtx(['n1', 'n2']);
    const p = followPrimary(f.ctx, 'n2', async () => null, { announceFirst: false });
    expect([p.current, f.roles(), f.changes, f.persisted()]).toEqual(['n2', ['standby', 'primary'], [], 0]);
    await p.stop();
  });

  it('one poll at a time: a slow answer is not overtaken', async () => {
    vi.useFakeTimers();
    const f = fakeCtx(['n1', 'n2']);
    let inFlight = 0;
    let most = 0;
    const p = followPrimary(f.ctx, 'n1', async () => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 50));
      inFlight--;
      return 'n2';
    }, { everyMs: 10 });
    await vi.advanceTimersByTimeAsync(200);
    const stopping = p.stop(); // waits for the answer in flight
    await vi.advanceTimersByTimeAsync(50);
    await stopping;
    expect(most).toBe(1);
    expect(f.changes).toEqual(['n1', 'n2']);
  });
});
