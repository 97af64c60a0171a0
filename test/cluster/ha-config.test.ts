// The HA stacks' generated configuration, pure: Patroni's YAML (etcd3 through the member's links, timings, sync mode),
// etcd's command line, pgpool.conf with and without a failover_command, pool_passwd/pcp.conf, the package check's line.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { etcdArgs } from '../../src/cluster/ha/etcd.js';
import { NEEDS, requirePackages, missingPackages } from '../../src/cluster/ha/packages.js';
import { patroniYaml, PATRONI_DEFAULT_TIMINGS } from '../../src/cluster/ha/patroni-config.js';
import { failoverScript, pcpConf, pgpoolConf, poolPasswd } from '../../src/cluster/ha/pgpool-config.js';
import { autoctlEnv, nodeArgs } from '../../src/cluster/ha/autoctl.js';

const member = {
  scope: 'faultline', name: 'n2', dir: '/d/n2', dataDir: '/d/n2/data', pgBin: '/usr/lib/postgresql/15/bin', pgPort: 11, apiPort: 12, peerPgPort: 21, peerApiPort: 22,
  dcsHosts: ['127.0.0.1:31', '127.0.0.1:32'], password: 'pw', timings: { ttl: 10, loopWait: 2, retryTimeout: 3 }, synchronous: true,
};

describe('Patroni configuration', () => {
  it('reaches etcd 3 through its own links without discovery, publishes its peer links, carries the timings', () => {
    const c = parse(patroniYaml(member)) as Record<string, any>;
    expect(c.etcd3).toEqual({ hosts: ['127.0.0.1:31', '127.0.0.1:32'], use_proxies: true, protocol: 'http' });
    expect(c.etcd).toBeUndefined();
    expect(c.restapi).toEqual({ listen: '127.0.0.1:12', connect_address: '127.0.0.1:22' });
    expect(c.postgresql.listen).toBe('127.0.0.1:11');
    expect(c.postgresql.connect_address).toBe('127.0.0.1:21');
    expect(c.bootstrap.dcs).toMatchObject({ ttl: 10, loop_wait: 2, retry_timeout: 3, synchronous_mode: true });
    expect(c.postgresql.parameters.unix_socket_directories).toBe('');
    expect(c.postgresql.authentication.replication.username).toBe('replicator');
  });
  it("defaults to Patroni's own timings", () => {
    expect(PATRONI_DEFAULT_TIMINGS).toEqual({ ttl: 30, loopWait: 10, retryTimeout: 10 });
  });
});

describe('etcd', () => {
  it('advertises the peer link ports in the initial cluster', () => {
    const members = [
      { name: 'e1', clientPort: 1, peerPort: 2, advertisedClientPort: 1, advertisedPeerPort: 102 },
      { name: 'e2', clientPort: 3, peerPort: 4, advertisedClientPort: 3, advertisedPeerPort: 104 },
    ];
    const a = etcdArgs(members[1]!, members, '/d/e2/data', 'tok');
    expect(a[a.indexOf('--initial-cluster') + 1]).toBe('e1=http://127.0.0.1:102,e2=http://127.0.0.1:104');
    expect(a[a.indexOf('--listen-peer-urls') + 1]).toBe('http://127.0.0.1:4');
    expect(a[a.indexOf('--initial-advertise-peer-urls') + 1]).toBe('http://127.0.0.1:104');
  });
});

describe('pgpool', () => {
  const base = { dir: '/d/pgpool', port: 5, pcpPort: 6, backends: [{ name: 'n1', port: 7 }, { name: 'n2', port: 8 }], user: 'postgres', password: 'pw', children: 32 };
  it('lists every backend through its link; failover_command only when asked', () => {
    const without = pgpoolConf({ ...base, failoverScript: null });
    expect(without).toContain("backend_port1 = 8\n");
    expect(without).toContain("backend_application_name0 = 'n1'");
    expect(without).toContain("failover_command = ''");
    expect(without).toContain("socket_dir = '/d/pgpool'");
    const with_ = pgpoolConf({ ...base, failoverScript: '/d/pgpool/failover.sh' });
    expect(with_).toContain("failover_command = '/d/pgpool/failover.sh %d %P %m %H %r'");
  });
  it('pool_passwd holds the TEXT password, pcp.conf its md5; the script promotes only when the primary failed', () => {
    expect(poolPasswd('postgres', 'pw')).toBe('postgres:TEXTpw\n');
    expect(pcpConf('postgres', 'pw')).toBe(`postgres:${createHash('md5').update('pw').digest('hex')}\n`);
    const s = failoverScript('/usr/lib/postgresql/15/bin/psql', '/d/pgpool/pgpass', 'postgres');
    expect(s.split('\n')[2]).toBe('[ "$1" = "$2" ] || exit 0');
    expect(s).toContain('SELECT pg_promote(true, 60)');
  });
});

describe('pg_auto_failover', () => {
  it('registers a node under its own loopback address, sockets in its home', () => {
    const a = nodeArgs({ dataDir: '/d/n1/data', home: '/d/n1', name: 'n1', port: 9, hostname: '127.0.0.2', monitorUri: 'postgres://autoctl_node@127.0.0.1:4/pg_auto_failover' });
    expect(a[a.indexOf('--hostname') + 1]).toBe('127.0.0.2');
    expect(a[a.indexOf('--listen') + 1]).toBe('127.0.0.1');
    expect(autoctlEnv('/d/n1')).toMatchObject({ PG_REGRESS_SOCK_DIR: '/d/n1', PGHOST: '/d/n1' });
  });
});

describe('packages', () => {
  it('names the apt-get line for what is missing (exit 69)', () => {
    for (const stack of Object.keys(NEEDS) as (keyof typeof NEEDS)[]) {
      const missing = missingPackages(stack);
      if (missing.length === 0) expect(() => requirePackages(stack)).not.toThrow();
      else expect(() => requirePackages(stack)).toThrow(new RegExp(`apt-get install ${missing.join(' ')}`));
    }
  });
});
