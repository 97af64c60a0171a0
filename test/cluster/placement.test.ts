// Placement on hosts (--hosts FILE), pure: one node per host in the file's order with the host's site, and the
// options that cannot apply on hosts refused before anything starts; the configuration a node on a host gets.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hbaConf, postgresqlConf } from '../../src/cluster/config.js';
import { resolveCluster } from '../../src/cluster/options.js';
import { toRunOptions } from '../../src/runner/options.js';

const dir = mkdtempSync(join(tmpdir(), 'fl-placement-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function hostsFile(sites: string[], name = 'hosts.json'): string {
  const file = join(dir, name);
  const hosts = sites.map((site, i) => ({ name: `h${i + 1}`, ssh: `root@10.9.0.${11 + i}`, site, pgUser: 'faultline' }));
  writeFileSync(file, JSON.stringify({ defaults: { key: 'id', pgBin: '/usr/lib/postgresql/15/bin', scratch: '/srv/scratch' }, hosts }, null, 2));
  return file;
}

describe('placement on hosts', () => {
  it('puts node i on host i of the file, with that host’s site', () => {
    const file = hostsFile(['dc1', 'dc2', 'dc1', 'dc2']);
    const r = resolveCluster({ topology: 'streaming-async', hosts: file });
    expect(r.placement).not.toBeNull();
    expect([...r.placement!.nodes].map(([n, h]) => [n, h.name, h.site])).toEqual([
      ['n1', 'h1', 'dc1'],
      ['n2', 'h2', 'dc2'],
      ['n3', 'h3', 'dc1'],
    ]);
    expect(r.placement!.hosts.map((h) => h.name)).toEqual(['h1', 'h2', 'h3']);
    expect(resolveCluster({ topology: 'single' }).placement).toBeNull();
  });

  it('refuses what cannot apply on hosts, naming the option', () => {
    const file = hostsFile(['a', 'b'], 'two.json');
    expect(() => resolveCluster({ topology: 'streaming-async', hosts: file })).toThrow(/^topology streaming-async with 3 nodes needs 3 hosts \(one node per host: .*\); .*two\.json has 2$/);
    expect(() => resolveCluster({ topology: 'logical-bidir', hosts: file, wanLatencyMs: 50, sites: 2 })).toThrow(/^--wan-latency does not apply with --hosts/);
    expect(() => resolveCluster({ topology: 'single', hosts: file, tls: true })).toThrow(/^--tls is not supported with --hosts/);
    expect(() => resolveCluster({ topology: 'single', hosts: file, pgBin: '/x' })).toThrow(/^--pg-bin does not apply with --hosts/);
    for (const t of ['patroni', 'pgpool', 'pg-auto-failover'] as const) expect(() => resolveCluster({ topology: t, hosts: file })).toThrow(new RegExp(`^--hosts runs single, streaming-async, streaming-sync, logical-bidir; topology ${t} does not run on hosts yet$`));
    expect(() => resolveCluster({ topology: 'logical-bidir', hosts: file, nodes: 2, sites: 1 })).toThrow(/^--sites 1: with --hosts the sites are the hosts file's \(2 among the 2 hosts used: a, b\)/);
    expect(resolveCluster({ topology: 'logical-bidir', hosts: file, sites: 2 }).placement!.hosts.length).toBe(2);
    expect(() => toRunOptions({ topology: 'logical-bidir', hosts: file, nemesis: 'partition', cut: 'refuse' }, '')).toThrow(/^--cut refuse is not supported with --hosts/);
  });

  it('a bad hosts file is refused before anything starts, with FILE:LINE (65) or unreadable (66)', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{\n  "hosts": [\n    {"name": "h1", "ssh": "nobody"}\n  ]\n}\n');
    expect(() => toRunOptions({ topology: 'single', hosts: bad }, '')).toThrow(expect.objectContaining({ exitCode: 65, message: expect.stringMatching(/bad\.json:3: hosts\[0\]\.ssh: expected "user@host\[:port\]"/) }));
    expect(() => toRunOptions({ topology: 'single', hosts: join(dir, 'none.json') }, '')).toThrow(expect.objectContaining({ exitCode: 66 }));
  });

  it('a node on a host listens on its address, with its socket in its directory; pg_hba admits the hosts and the control node', () => {
    const conf = postgresqlConf({ port: 25432, topology: {}, tls: null, extra: {}, listen: { address: '10.9.0.11', socketDir: '/srv/scratch/faultline-x/n1' } });
    expect(conf).toContain("listen_addresses = '10.9.0.11'");
    expect(conf).toContain("unix_socket_directories = '/srv/scratch/faultline-x/n1'");
    expect(postgresqlConf({ port: 1, topology: {}, tls: null, extra: {} })).toContain("listen_addresses = '127.0.0.1'");
    const hba = hbaConf(false, ['10.9.0.11', '10.9.0.12', '10.9.0.1', '10.9.0.1']).split('\n').filter((l) => !l.startsWith('#') && l !== '');
    expect(hba).toEqual([
      'host all all 10.9.0.11/32 scram-sha-256',
      'host all all 10.9.0.12/32 scram-sha-256',
      'host all all 10.9.0.1/32 scram-sha-256',
      'host replication all 10.9.0.11/32 scram-sha-256',
      'host replication all 10.9.0.12/32 scram-sha-256',
      'host replication all 10.9.0.1/32 scram-sha-256',
    ]);
  });
});
