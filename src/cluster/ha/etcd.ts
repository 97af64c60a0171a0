// etcd 3.4 (Debian etcd-server) as Patroni's DCS: the command line of one member as a pure function, and the member
// as a Daemon with a health wait. Peers reach each other through `dcs-peer-eK` links, so peer URLs are link ports.
import { mkdirSync, chownSync } from 'node:fs';
import { join } from 'node:path';
import type { OsUser } from '../osuser.js';
import { Daemon } from './daemon.js';
import type { Guard } from './guard.js';

export const ETCD = '/usr/bin/etcd';

export interface EtcdMemberSpec {
  name: string;
  /** where etcd listens for clients and for peers (direct ports) */
  clientPort: number;
  peerPort: number;
  /** the ports others use to reach it (its links): advertised in the cluster */
  advertisedClientPort: number;
  advertisedPeerPort: number;
}

/** etcd's arguments for `self` in a cluster of `members` (`self` included). No fsync: the DCS is not under test. */
export function etcdArgs(self: EtcdMemberSpec, members: readonly EtcdMemberSpec[], dataDir: string, token: string): string[] {
  const url = (p: number): string => `http://127.0.0.1:${p}`;
  return [
    '--name', self.name,
    '--data-dir', dataDir,
    '--listen-client-urls', url(self.clientPort),
    '--advertise-client-urls', url(self.advertisedClientPort),
    '--listen-peer-urls', url(self.peerPort),
    '--initial-advertise-peer-urls', url(self.advertisedPeerPort),
    '--initial-cluster', members.map((m) => `${m.name}=${url(m.advertisedPeerPort)}`).join(','),
    '--initial-cluster-state', 'new',
    '--initial-cluster-token', token,
    '--unsafe-no-fsync',
    '--heartbeat-interval', '100',
    '--election-timeout', '1000',
  ];
}

export class EtcdMember {
  readonly daemon: Daemon;

  constructor(
    readonly spec: EtcdMemberSpec,
    members: readonly EtcdMemberSpec[],
    dir: string,
    user: OsUser,
    guard: Guard,
    token: string,
  ) {
    const home = join(dir, spec.name);
    mkdirSync(home, { recursive: true, mode: 0o755 });
    if (!user.self) chownSync(home, user.uid, user.gid);
    this.daemon = new Daemon({ name: `etcd-${spec.name}`, command: ETCD, args: etcdArgs(spec, members, join(home, 'data'), token), cwd: home, logFile: join(home, 'etcd.log'), user }, guard);
  }

  /** true when the member answers /health with health true (direct port). */
  async healthy(): Promise<boolean> {
    try {
      const r = await fetch(`http://127.0.0.1:${this.spec.clientPort}/health`, { signal: AbortSignal.timeout(1000) });
      const body = (await r.json()) as { health?: string | boolean };
      return body.health === 'true' || body.health === true;
    } catch {
      return false;
    }
  }
}
