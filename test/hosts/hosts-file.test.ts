// Hosts files: valid ones parse with defaults and resolved paths; bad ones fail with FILE:LINE: what was expected.
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/util/exit.js';
import { parseHostsFile, parseSshTarget } from '../../src/hosts/hosts-file.js';

const ctx = { baseDir: '/etc/fl', home: '/home/me' };
const parse = (text: string) => parseHostsFile(text, 'hosts.json', ctx);

function failure(text: string): InputError {
  try {
    parse(text);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error('expected an InputError');
}

const good = `{
  "defaults": { "key": "keys/id", "pgBin": "/usr/lib/postgresql/15/bin", "scratch": "/var/tmp/fl" },
  "hosts": [
    { "name": "n1", "ssh": "postgres@db1.example:2222", "site": "dc1" },
    { "name": "n2", "ssh": "root@10.0.0.2", "pgUser": "postgres", "knownHosts": "~/kh", "address": "10.0.1.2" },
    { "name": "n3", "ssh": "admin@[fd00::3]", "agent": true, "packetFilter": "iptables", "hostKeyChecking": "accept-new" }
  ]
}`;

describe('hosts file', () => {
  it('parses hosts, applies defaults and resolves local paths against the file and ~', () => {
    const f = parse(good);
    expect(f.hosts.map((h) => [h.name, h.user, h.host, h.port, h.site])).toEqual([
      ['n1', 'postgres', 'db1.example', 2222, 'dc1'],
      ['n2', 'root', '10.0.0.2', 22, 'a'],
      ['n3', 'admin', 'fd00::3', 22, 'a'],
    ]);
    expect(f.hosts[0]).toMatchObject({ key: '/etc/fl/keys/id', knownHosts: '/home/me/.ssh/known_hosts', hostKeyChecking: 'yes', pgUser: 'postgres', scratch: '/var/tmp/fl', packetFilter: 'auto' });
    expect(f.hosts[0].address).toBeUndefined();
    expect(f.hosts[1]).toMatchObject({ pgUser: 'postgres', knownHosts: '/home/me/kh', address: '10.0.1.2' });
    expect(f.hosts[2]).toMatchObject({ agent: 'env', address: 'fd00::3', packetFilter: 'iptables', hostKeyChecking: 'accept-new' });
  });

  it('parses user@host[:port]', () => {
    expect(parseSshTarget('a@b')).toEqual({ user: 'a', host: 'b', port: 22 });
    expect(parseSshTarget('a@[::1]:7')).toEqual({ user: 'a', host: '::1', port: 7 });
    for (const bad of ['b', '@b', 'a@', 'a@b:0', 'a@b:70000', 'a@::1', 'a@[x]:2', 'a b@c']) expect(parseSshTarget(bad)).toBeNull();
  });

  it('names the line and the setting of each mistake', () => {
    const cases: Array<[string, number, RegExp]> = [
      ['{"hosts": [', 1, /expected JSON/],
      ['[]', 1, /expected an object/],
      ['{"hosts": []}', 1, /hosts: expected a non-empty list/],
      ['{"host": []}', 1, /host: unknown setting \(did you mean "hosts"\?\)/],
      ['{\n"hosts": [\n{"name": "n1",\n "ssh": "nobody"}]}', 4, /hosts\[0\]\.ssh: expected "user@host\[:port\]"/],
      ['{\n"hosts": [\n{"name": "n1", "ssh": "u@h", "scratch": "/s", "pgBin": "/b"}]}', 3, /hosts\[0\]: expected "key" \(a private key file\) or "agent": true/],
      ['{"hosts": [{"name": "n1", "ssh": "u@h", "key": "k", "pgBin": "/b"}]}', 1, /expected "scratch"/],
      ['{"hosts": [{"name": "n1", "ssh": "u@h", "key": "k", "pgBin": "bin", "scratch": "/s"}]}', 1, /hosts\[0\]\.pgBin: expected an absolute path/],
      ['{"hosts": [{"name": "n1", "ssh": "u@h", "key": "k", "pgBin": "/b", "scratch": "/"}]}', 1, /not \/ itself/],
      ['{"hosts": [{"name": "n1", "ssh": "root@h", "key": "k", "pgBin": "/b", "scratch": "/s"}]}', 1, /hosts\[0\]\.ssh: PostgreSQL refuses to run as root/],
      ['{"hosts": [{"name": "n1", "ssh": "u@h", "key": "k", "pgBin": "/b", "scratch": "/s", "sites": "a"}]}', 1, /hosts\[0\].sites: unknown setting \(did you mean "site"\?\)/],
      ['{"hosts": [{"name": "1n", "ssh": "u@h", "key": "k", "pgBin": "/b", "scratch": "/s"}]}', 1, /hosts\[0\]\.name: expected a host name/],
      ['{"hosts": [{"name": "n1", "ssh": "u@h", "key": "k", "pgBin": "/b", "scratch": "/s", "address": "h"}]}', 1, /hosts\[0\]\.address: expected the IP address/],
      ['{"hosts": [{"name": "n1", "ssh": "u@h", "key": "k", "pgBin": "/b", "scratch": "/s", "hostKeyChecking": "off"}]}', 1, /expected "yes", "accept-new" or "no"/],
      ['{"defaults": {"name": "x"}, "hosts": [{}]}', 1, /defaults\.name: not a shared setting/],
      ['{"hosts": [\n{"name": "n1", "ssh": "u@h", "key": "k", "pgBin": "/b", "scratch": "/s"},\n{"name": "n1", "ssh": "u@g", "key": "k", "pgBin": "/b", "scratch": "/s"}]}', 3, /hosts\[1\]\.name: host name "n1" is already used by hosts\[0\]/],
      ['{"hosts": [\n{"name": "n1", "ssh": "u@h", "key": "k", "pgBin": "/b", "scratch": "/s"},\n{"name": "n2", "ssh": "v@h", "key": "k", "pgBin": "/b", "scratch": "/s"}]}', 3, /h:22 is already host "n1"/],
    ];
    for (const [text, line, what] of cases) {
      const e = failure(text);
      expect(e.line, text).toBe(line);
      expect(e.message, text).toMatch(what);
      expect(e.message.startsWith(`hosts.json:${line}: `)).toBe(true);
      expect(e.exitCode).toBe(65);
    }
  });
});
