// The Debian packages an HA stack needs, found by their files; a missing one is a one-line error naming the
// `apt-get install` line (exit 69). Tests ask `missingPackages` to skip with the package named.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { EXIT, UserError } from '../../util/exit.js';

export type HaStack = 'patroni' | 'pg-auto-failover' | 'pgpool';

/** Debian's PostgreSQL server binaries: the HA stacks need pg_basebackup, pg_rewind and pg_controldata. */
export const DEBIAN_PG_BIN = '/usr/lib/postgresql/15/bin';

/** The major.minor of Debian's PostgreSQL the stacks run ('unknown' when `postgres --version` says none). */
export function debianPgVersion(): string {
  return /([0-9]+\.[0-9]+)/.exec(execFileSync(`${DEBIAN_PG_BIN}/postgres`, ['--version'], { encoding: 'utf8' }))?.[1] ?? 'unknown';
}

interface Need {
  pkg: string;
  file: string;
}

const PG: Need[] = [
  { pkg: 'postgresql-15', file: `${DEBIAN_PG_BIN}/postgres` },
  { pkg: 'postgresql-15', file: `${DEBIAN_PG_BIN}/pg_basebackup` },
  { pkg: 'postgresql-15', file: `${DEBIAN_PG_BIN}/pg_rewind` },
];

export const NEEDS: Record<HaStack, readonly Need[]> = {
  patroni: [{ pkg: 'patroni', file: '/usr/bin/patroni' }, { pkg: 'patroni', file: '/usr/bin/patronictl' }, { pkg: 'etcd-server', file: '/usr/bin/etcd' }, { pkg: 'etcd-client', file: '/usr/bin/etcdctl' }, ...PG],
  'pg-auto-failover': [{ pkg: 'postgresql-15-auto-failover', file: '/usr/lib/postgresql/15/lib/pgautofailover.so' }, { pkg: 'pg-auto-failover-cli', file: '/usr/bin/pg_autoctl' }, ...PG],
  pgpool: [{ pkg: 'pgpool2', file: '/usr/sbin/pgpool' }, { pkg: 'pgpool2', file: '/usr/sbin/pcp_attach_node' }, ...PG],
};

/** Every package the HA stacks use, in the order of the README's and .ci/run's install line. */
export const ALL_HA_PACKAGES = ['patroni', 'etcd-server', 'etcd-client', 'pgpool2', 'postgresql-15', 'postgresql-15-auto-failover', 'pg-auto-failover-cli'];

function executable(file: string): boolean {
  try {
    accessSync(file, file.endsWith('.so') ? constants.R_OK : constants.X_OK);
    return true;
  } catch {
    return existsSync(file) && file.endsWith('.so');
  }
}

/** The packages of `stack` whose files are missing (empty: all there). */
export function missingPackages(stack: HaStack): string[] {
  return [...new Set(NEEDS[stack].filter((n) => !executable(n.file)).map((n) => n.pkg))];
}

/** Throws the one-line error (exit 69) naming what to install when a package of `stack` is missing. */
export function requirePackages(stack: HaStack): void {
  const missing = missingPackages(stack);
  if (missing.length === 0) return;
  throw new UserError(`topology ${stack} needs Debian's ${missing.join(', ')}: apt-get install ${missing.join(' ')}`, EXIT.UNAVAILABLE);
}
