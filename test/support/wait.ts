// Waiting in tests: for a condition, never for a duration. No helper here has a deadline of its own: on a loaded
// machine a condition may take long to come true, and a real hang is ended by the test's own timeout (a wait
// named with `what` says on stderr, once a minute, what it is still waiting for).
import { isAlive } from '../../src/util/processes.js';

export interface WaitOptions {
  /** poll interval, ms (50) */
  everyMs?: number;
  /** what is awaited, for the "still waiting" note */
  what?: string;
}

/** Resolves with the first truthy value `fn` returns (a throw counts as not yet). */
export async function valueOf<T>(fn: () => T | null | undefined | false | Promise<T | null | undefined | false>, o: WaitOptions = {}): Promise<T> {
  const every = o.everyMs ?? 50;
  let polls = 0;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, every));
    if (o.what !== undefined && ++polls % Math.max(1, Math.round(60_000 / every)) === 0) process.stderr.write(`still waiting for ${o.what}\n`);
  }
}

/** Resolves true once `check` holds (a throw counts as not yet). */
export function eventually(check: () => unknown, o: WaitOptions = {}): Promise<true> {
  return valueOf(async () => ((await check()) ? (true as const) : false), o);
}

/** Resolves true once none of `pids` is alive (gone, or a zombie). */
export function allGone(pids: readonly number[]): Promise<true> {
  return eventually(() => pids.every((p) => !isAlive(p)), { everyMs: 20, what: `PIDs ${pids.join(', ')} to exit` });
}
