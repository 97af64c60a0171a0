// The multi-host read-write choice (libpq's target_session_attrs=read-write): first read-write host in list order,
// skipping unreachable and read-only ones; null when none; probes stop at the first read-write host.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firstReadWrite, multiHostUri, type SessionState } from '../../src/cluster/ha/multihost.js';

describe('multi-host read-write routing', () => {
  it('takes the first read-write host in order and probes no further', async () => {
    const probed: string[] = [];
    const states: Record<string, SessionState> = { a: 'unreachable', b: 'read-only', c: 'read-write', d: 'read-write' };
    const h = await firstReadWrite(['a', 'b', 'c', 'd'], async (x) => (probed.push(x), states[x]!));
    expect(h).toBe('c');
    expect(probed).toEqual(['a', 'b', 'c']);
    expect(await firstReadWrite(['a', 'b'], async (x) => states[x]!)).toBeNull();
  });

  it('agrees with a plain scan on any states', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom<SessionState>('read-write', 'read-only', 'unreachable'), { maxLength: 6 }), async (states) => {
        const got = await firstReadWrite(states.map((_, i) => i), async (i) => states[i]!);
        const want = states.indexOf('read-write');
        return got === (want < 0 ? null : want);
      }),
    );
  });

  it('renders the list as a libpq URI', () => {
    expect(multiHostUri([{ host: '127.0.0.1', port: 5 }, { host: '127.0.0.1', port: 6 }], 'postgres', 'postgres')).toBe('postgres://postgres@127.0.0.1:5,127.0.0.1:6/postgres?target_session_attrs=read-write');
  });
});
