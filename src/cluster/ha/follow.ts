// Follows the primary an HA stack reports (Patroni's leader, pg_auto_failover's read-write node, pgpool's main node):
// polls it one call at a time, and when it moves sets every node's role and tells the cluster. Shared by the stacks.
import type { ClusterCtx } from '../internal.js';

/** How often the stacks are asked for their primary. */
export const PRIMARY_POLL_MS = 250;

export interface PrimaryFollower {
  /** the primary last adopted */
  readonly current: string | null;
  /** take `name` as the primary now (a switchover or failover made and waited for); nothing when it already is */
  adopt(name: string): void;
  /** stop polling, waiting for the poll in flight */
  stop(): Promise<void>;
}

export interface FollowOptions {
  /** announce `first` as a change of primary (bumps the generation, persists); pgpool's start does not */
  announceFirst?: boolean;
  everyMs?: number;
}

/** Adopts `first`, then every primary `find` reports (null: none known now, nothing changes) until stop(). */
export function followPrimary(ctx: ClusterCtx, first: string, find: () => Promise<string | null>, o: FollowOptions = {}): PrimaryFollower {
  let current: string | null = null;
  let stopped = false;
  const setRoles = (name: string): void => {
    current = name;
    for (const r of ctx.recs.values()) r.node.role = r.node.name === name ? 'primary' : 'standby';
  };
  const adopt = (name: string): void => {
    if (name === current) return;
    setRoles(name);
    ctx.primaryChanged(name);
    ctx.persist();
  };
  if (o.announceFirst === false) setRoles(first);
  else adopt(first);
  let polling: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    polling = polling.then(async () => {
      if (stopped) return;
      const p = await find();
      if (p && !stopped) adopt(p);
    });
  }, o.everyMs ?? PRIMARY_POLL_MS);
  timer.unref();
  return {
    get current() {
      return current;
    },
    adopt,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await polling.catch(() => undefined);
    },
  };
}
