// The lab, for real (root, openssh-server, postgresql-15, nftables/iptables): lab up → ssh on each host →
// upload/download → PostgreSQL through SshRemote → a packet-filter partition blocks an established TCP
// connection and heal restores the same connection → Ctrl-C removes the rules → lab down leaves nothing; and
// lab down after a SIGKILLed lab up.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remoteFor } from '../../src/hosts/connect.js';
import { readHostsFile, type HostSpec } from '../../src/hosts/hosts-file.js';
import { ruleCounters, PacketFilter, type FilterBackend } from '../../src/hosts/packet-filter.js';
import { HostNode } from '../../src/hosts/pg-node.js';
import { DEFAULT_PG_BIN } from '../../src/lab/lab.js';
import type { SshRemote } from '../../src/remote/ssh.js';
import { isAlive } from '../../src/util/processes.js';
import { ensureBuilt, faultline, ROOT } from '../support/built-cli.js';
import { allGone, valueOf } from '../support/wait.js';

const root = process.getuid?.() === 0;
const missing = [
  ...(existsSync('/usr/sbin/sshd') ? [] : ['openssh-server']),
  ...(existsSync(`${DEFAULT_PG_BIN}/postgres`) ? [] : ['postgresql-15']),
];
const haveNft = existsSync('/usr/sbin/nft');
const haveIptables = existsSync('/usr/sbin/iptables');
const skip = !root ? 'not root' : missing.length ? `missing Debian package(s) ${missing.join(', ')} (apt-get install ${missing.join(' ')})` : null;
if (skip) console.warn(`test/lab/lab.integration.test.ts: skipped: ${skip}`);
if (!skip && !haveNft) console.warn('test/lab/lab.integration.test.ts: nft partition test skipped: apt-get install nftables');
if (!skip && !haveIptables) console.warn('test/lab/lab.integration.test.ts: iptables partition test skipped: apt-get install iptables');

// names and subnets of this test process's own (other checkouts may run the suite at the same time)
const LAB = `flt${process.pid % 100000}`;
const NET = `10.77.${1 + (process.pid % 250)}`;
const SUBNET = `${NET}.0/24`;
const KILL_LAB = `flk${process.pid % 100000}`;
const KILL_SUBNET = `10.78.${1 + (process.pid % 250)}.0/24`;
const DIR = `/run/faultline-lab/${LAB}`;

/** The first truthy value of `fn`; `what` names the condition (no deadline: a hang is ended by the test's own timeout). */
function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false> | T | null | undefined | false): Promise<T> {
  return valueOf(fn, { what });
}

function leftovers(name: string): { netns: string[]; links: string[]; dir: boolean } {
  const ns = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.split('\n').map((l) => l.split(' ')[0]).filter((n) => n.startsWith(`${name}-`));
  const links = (JSON.parse(spawnSync('ip', ['-j', 'link', 'show'], { encoding: 'utf8' }).stdout) as Array<{ ifname: string }>).map((l) => l.ifname).filter((n) => n === `${name}0` || new RegExp(`^${name}v[0-9]+$`).test(n));
  return { netns: ns, links, dir: existsSync(`/run/faultline-lab/${name}`) };
}

function sshdPids(dir: string): number[] {
  if (!existsSync(join(dir, 'lab.json'))) return [];
  const s = JSON.parse(readFileSync(join(dir, 'lab.json'), 'utf8')) as { hosts: Array<{ sshdPid?: number }> };
  return s.hosts.map((h) => h.sshdPid).filter((p): p is number => p !== undefined);
}

describe.skipIf(skip !== null)('faultline lab', () => {
  let hosts: HostSpec[] = [];
  const remotes = new Map<string, SshRemote>();
  let sshd: number[] = [];
  const local = mkdtempSync(join(tmpdir(), 'fl-lab-'));
  const remote = (name: string): SshRemote => {
    let r = remotes.get(name);
    if (!r) {
      r = remoteFor(hosts.find((h) => h.name === name) as HostSpec);
      remotes.set(name, r);
    }
    return r;
  };

  beforeAll(() => {
    ensureBuilt();
    faultline(['lab', 'down', '--name', LAB, '--quiet']);
    const up = faultline(['lab', 'up', '--hosts', '3', '--sites', '2', '--name', LAB, '--subnet', SUBNET, '--out', join(local, 'hosts.json')]);
    expect(up.stderr).toMatch(new RegExp(`lab ${LAB} is up: 3 host\\(s\\)`));
    expect(up.status).toBe(0);
    expect(JSON.parse(up.stdout)).toEqual(JSON.parse(readFileSync(join(local, 'hosts.json'), 'utf8')));
    hosts = readHostsFile(join(DIR, 'hosts.json')).hosts;
    sshd = sshdPids(DIR);
  });

  afterAll(async () => {
    await Promise.all([...remotes.values()].map((r) => r.close().catch(() => undefined)));
    faultline(['lab', 'down', '--name', LAB, '--quiet']);
    rmSync(local, { recursive: true, force: true });
  });

  it('up made 3 hosts on 2 sites, each with its own address, namespace and sshd; a second up is refused', () => {
    expect(hosts.map((h) => [h.name, h.site, h.address, h.user, h.pgUser])).toEqual([
      ['n1', 'a', `${NET}.11`, 'root', 'faultline'],
      ['n2', 'b', `${NET}.12`, 'root', 'faultline'],
      ['n3', 'a', `${NET}.13`, 'root', 'faultline'],
    ]);
    expect(leftovers(LAB).netns.sort()).toEqual([`${LAB}-n1`, `${LAB}-n2`, `${LAB}-n3`]);
    expect(sshd.length).toBe(3);
    expect(sshd.every(isAlive)).toBe(true);
    const again = faultline(['lab', 'up', '--hosts', '1', '--name', LAB, '--subnet', SUBNET]);
    expect(again.status).toBe(69);
    expect(again.stderr).toMatch(new RegExp(`a lab named ${LAB} is up .*faultline lab down --name ${LAB}`));
  });

  it('hosts check passes every step on every host (with the packet filter)', () => {
    const r = faultline(['hosts', 'check', '--hosts', join(DIR, 'hosts.json'), '--partitions', '--json']);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as { ok: boolean; hosts: Array<{ ok: boolean; steps: Array<{ step: string }>; postgres: string }> };
    expect(report.ok).toBe(true);
    expect(report.hosts[0].steps.map((s) => s.step)).toEqual(['connect', 'user', 'pg-bin', 'scratch', 'address', 'packet-filter']);
    expect(report.hosts[0].postgres).toMatch(/^postgres \(PostgreSQL\) 15\./);
  });

  it('ssh exec runs inside each host, on one reused connection (more commands at once than sshd has sessions)', async () => {
    const nets = new Set<string>();
    for (const h of hosts) {
      const r = await remote(h.name).exec({ sh: 'ip -br -4 addr show dev eth0; readlink /proc/self/ns/net' }, { check: true });
      expect(r.stdout).toContain(`${h.address}/24`);
      nets.add(r.stdout.trim().split('\n')[1]);
    }
    expect(nets.size).toBe(3);
    const before = (readFileSync(join(DIR, 'n1', 'sshd.log'), 'utf8').match(/Accepted publickey/g) ?? []).length;
    const many = await Promise.all(Array.from({ length: 25 }, (_, i) => remote('n1').exec(['sh', '-c', `sleep 0.2; echo ${i}`], { check: true })));
    expect(many.map((r) => Number(r.stdout))).toEqual(Array.from({ length: 25 }, (_, i) => i));
    const after = (readFileSync(join(DIR, 'n1', 'sshd.log'), 'utf8').match(/Accepted publickey/g) ?? []).length;
    expect(after).toBe(before);
  });

  it('upload and download through SSH, as the PostgreSQL user, keep bytes and modes', async () => {
    const h = hosts[1];
    const data = randomBytes(1 << 20);
    const path = `${h.scratch}/blob`;
    await remote(h.name).upload(data, path, { mode: 0o640, user: h.pgUser });
    const st = statSync(path); // the hosts share this machine's file system
    expect(st.mode & 0o777).toBe(0o640);
    expect((await remote(h.name).exec(['stat', '-c', '%U', path])).stdout.trim()).toBe(h.pgUser);
    await remote(h.name).download(path, join(local, 'blob'));
    expect(readFileSync(join(local, 'blob')).equals(data)).toBe(true);
    await expect(remote(h.name).download(`${h.scratch}/none`, join(local, 'none'))).rejects.toThrow(`host n2 (root@${NET}.12:22): download: `);
  });

  it('an exec timeout over SSH kills the remote process group', async () => {
    const pidFile = `${hosts[0].scratch}/bg.pid`;
    const r = await remote('n1').exec({ sh: `sleep 1000 & echo $! > ${pidFile}; wait` }, { timeoutMs: 500 });
    expect(r.timedOut).toBe(true);
    expect(await allGone([Number(readFileSync(pidFile, 'utf8'))])).toBe(true);
  });

  it('a process spawned over SSH stops when its owner is SIGKILLed (the connection closes, the watchdog acts)', async () => {
    const t = remote('n3').target;
    const owner = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../support/remote-owner.ts', import.meta.url)), JSON.stringify(t)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    owner.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const pid = await waitFor('the remote PID', () => (/^[0-9]+\n/.test(out) ? Number(out.trim()) : null));
    expect(isAlive(pid)).toBe(true);
    owner.kill('SIGKILL');
    expect(await allGone([pid])).toBe(true);
  });

  it('connection errors name the host and the step', async () => {
    const h = hosts[0];
    const badKey = { ...h, knownHosts: join(local, 'other_known_hosts') };
    const { writeFileSync } = await import('node:fs');
    writeFileSync(badKey.knownHosts, `${h.address} ssh-ed25519 ${Buffer.from('\0\0\0\x0bssh-ed25519\0\0\0\x04abcd', 'latin1').toString('base64')}\n`);
    await expect(remoteFor(badKey).connect()).rejects.toThrow(new RegExp(`^host n1 \\(root@${NET}\\.11:22\\): host-key: the ssh-ed25519 host key does not match .*other_known_hosts:1`));
    await expect(remoteFor({ ...h, knownHosts: join(local, 'empty') }).connect()).rejects.toThrow(new RegExp(`host-key: ${NET}\\.11 is not in .*empty: add it`));
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(local, 'stranger')]);
    await expect(remoteFor({ ...h, key: join(local, 'stranger') }).connect()).rejects.toThrow(/: auth: All configured authentication methods failed/);
    await expect(remoteFor({ ...h, key: join(local, 'nothing') }).connect()).rejects.toThrow(/: key: cannot read key file/);
    await expect(remoteFor({ ...h, name: 'gone', host: `${NET}.99`, address: `${NET}.99` }, { readyTimeoutMs: 3_000 }).connect()).rejects.toThrow(/^host gone .*: connect: /);
    // the same through the CLI, before any workload: exit 69, one line per failing host
    writeFileSync(
      join(local, 'bad-hosts.json'),
      JSON.stringify({ hosts: [{ name: 'n1', ssh: `root@${h.address}`, key: h.key, knownHosts: h.knownHosts, pgBin: '/usr/lib/postgresql/99/bin', pgUser: 'faultline', scratch: h.scratch }] }),
    );
    const r = faultline(['hosts', 'check', '--hosts', join(local, 'bad-hosts.json')]);
    expect(r.status).toBe(69);
    expect(r.stderr).toContain(`faultline: host n1 (root@${NET}.11:22): pg-bin: /usr/lib/postgresql/99/bin/postgres is missing`);
  });

  it('runs PostgreSQL on a host through SshRemote: initdb, config, start, pause, kill, restart, stop, log, remove', async () => {
    const h = hosts[0];
    const node = new HostNode({ name: 'n1', remote: remote('n1'), pgBin: h.pgBin, user: h.pgUser, dir: `${h.scratch}/pg`, listen: h.address as string, port: 5432 });
    await node.prepare();
    await node.initdb({ password: 'secret-pw' });
    await node.writeConfig({ fsync: 'off', shared_buffers: '16MB' });
    await node.writeHba(['local all all trust', `host all all ${SUBNET} scram-sha-256`]);
    await node.start();
    const query = async (): Promise<string> => {
      const c = new pg.Client({ host: h.address, port: 5432, user: 'postgres', password: 'secret-pw', database: 'postgres', connectionTimeoutMillis: 30_000 });
      await c.connect();
      try {
        return (await c.query<{ a: string }>('select inet_server_addr()::text as a')).rows[0].a;
      } finally {
        await c.end();
      }
    };
    expect(await query()).toBe(`${h.address}/32`);
    await node.pause();
    const stat = (pid: number) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1][0];
    await waitFor('the postmaster stopped', () => stat(node.pid as number) === 'T');
    await node.resume();
    await waitFor('the postmaster resumed', () => stat(node.pid as number) !== 'T');
    const pid = node.pid as number;
    await node.kill();
    expect(isAlive(pid)).toBe(false);
    await node.start();
    expect(await query()).toBe(`${h.address}/32`);
    await node.stop('fast');
    expect(node.running).toBe(false);
    await node.fetchLog(join(local, 'n1.log'));
    expect(readFileSync(join(local, 'n1.log'), 'utf8')).toMatch(/database system is ready to accept connections/);
    expect(statSync(join(local, 'n1.log')).mode & 0o777).toBe(0o600);
    await node.remove();
    expect(existsSync(`${h.scratch}/pg`)).toBe(false);
  });

  const partitionCase = (backend: FilterBackend, client: 'n2' | 'n3', available: boolean) =>
    it.skipIf(!available)(`a ${backend} partition blocks an established connection (${client} → n1) and heal restores the same connection`, async () => {
      const server = hosts[0];
      const peer = hosts.find((x) => x.name === client) as HostSpec;
      const node = new HostNode({ name: 'n1', remote: remote('n1'), pgBin: server.pgBin, user: server.pgUser, dir: `${server.scratch}/pg-${backend}`, listen: server.address as string, port: 5433 });
      await node.prepare();
      await node.initdb();
      await node.writeConfig({ fsync: 'off' });
      await node.writeHba(['local all all trust', `host all all ${SUBNET} trust`]);
      await node.start();
      // one psql session on the client host, asking every 0.2 s on the same connection
      const script = `${peer.scratch}/watch.sql`;
      await remote(client).upload(Buffer.from("select 'tick', pg_backend_pid() \\watch 0.2\n"), script, { user: peer.pgUser });
      const ticks: number[] = [];
      let buf = '';
      const psql = await remote(client).spawn([`${peer.pgBin}/psql`, '-X', '-At', '-h', server.address as string, '-p', '5433', '-U', 'postgres', '-d', 'postgres', '-f', script], {
        user: peer.pgUser,
        onStdout: (b) => {
          buf += b.toString();
          for (const m of buf.matchAll(/^tick\|([0-9]+)$/gm)) ticks.push(Number(m[1]));
          buf = buf.slice(buf.lastIndexOf('\n') + 1);
        },
      });
      await waitFor('two ticks', () => ticks.length >= 2);
      const backendPid = ticks[0];
      expect(new Set(ticks)).toEqual(new Set([backendPid]));
      const filter = new PacketFilter(
        [server, peer].map((x) => ({ name: x.name, remote: remote(x.name), choice: backend })),
        Object.fromEntries(hosts.map((x) => [x.name, x.address as string])),
      );
      const applied = await filter.apply({ n1: [client], [client]: ['n1'] });
      expect(applied.labels).toContain(`${client}: drop output to n1 (${server.address})`);
      expect(filter.backendOf('n1')).toBe(backend);
      const dropped = async (): Promise<number> => (await ruleCounters(remote(client), backend)).filter((c) => c.peer === 'n1').reduce((s, c) => s + c.packets, 0);
      // psql's next query has been sent and dropped: it now waits on the established connection
      const first = await waitFor('a dropped packet', async () => ((await dropped()) >= 1 ? await dropped() : null));
      const seen = ticks.length;
      // TCP retransmits the query (same connection): each retransmission is dropped too, and no answer arrives
      const later = await waitFor('retransmissions dropped', async () => {
        const d = await dropped();
        return d >= first + 3 ? d : null;
      });
      const ss = await remote(client).exec(['ss', '-tni', 'dst', `${server.address}:5433`]);
      console.log(`${backend}: ${later} packets from ${client} to n1 dropped while ${ticks.length - seen} answers arrived; ss on ${client}: ${ss.stdout.replace(/\s+/g, ' ').trim()}`);
      expect(ticks.length).toBe(seen);
      expect(psql.running).toBe(true);
      // the control node's SSH line is never cut: commands still run on both hosts
      expect((await remote('n1').exec(['true'])).code).toBe(0);
      await filter.heal();
      await waitFor('a tick after heal', () => ticks.length > seen);
      expect(ticks[ticks.length - 1]).toBe(backendPid); // the same backend: the same TCP connection, resumed
      expect((await ruleCounters(remote(client), backend)).length).toBe(0);
      await psql.signal('TERM');
      await psql.exited;
      await node.remove();
    });
  partitionCase('nft', 'n2', haveNft);
  partitionCase('iptables', 'n3', haveIptables);

  it.skipIf(!haveNft && !haveIptables)('Ctrl-C removes the rules; the next run sweeps what a SIGKILL left', async () => {
    const owner = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../support/partition-owner.ts', import.meta.url)), join(DIR, 'hosts.json'), JSON.stringify({ n2: ['n3'], n3: ['n2'] })], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    owner.stdout.on('data', (b: Buffer) => (out += b.toString()));
    owner.stderr.on('data', (b: Buffer) => (err += b.toString()));
    await waitFor('rules applied', () => /applied 4/.test(out));
    const backend: FilterBackend = haveNft ? 'nft' : 'iptables';
    expect((await ruleCounters(remote('n2'), backend)).length).toBe(2);
    const exited = new Promise<number | null>((r) => owner.once('exit', (code) => r(code)));
    owner.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(err).toMatch(/stopped everything after SIGINT/);
    expect((await ruleCounters(remote('n2'), backend)).length).toBe(0);
    expect((await ruleCounters(remote('n3'), backend)).length).toBe(0);
    // SIGKILL leaves the rules; the next run's prepare() sweeps them
    const owner2 = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../support/partition-owner.ts', import.meta.url)), join(DIR, 'hosts.json'), JSON.stringify({ n2: ['n3'] })], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out2 = '';
    owner2.stdout.on('data', (b: Buffer) => (out2 += b.toString()));
    await waitFor('rules applied', () => /applied 2/.test(out2));
    owner2.kill('SIGKILL');
    expect((await ruleCounters(remote('n2'), backend)).length).toBe(2);
    const next = new PacketFilter(hosts.map((x) => ({ name: x.name, remote: remote(x.name) })), Object.fromEntries(hosts.map((x) => [x.name, x.address as string])));
    await next.prepare();
    expect((await ruleCounters(remote('n2'), backend)).length).toBe(0);
  });

  it('lab down removes the namespaces, bridge, veths, every process in them, and the lab directory', async () => {
    // something left running inside a host, as a crashed run would
    const stray = spawn('ip', ['netns', 'exec', `${LAB}-n2`, 'sleep', '1000'], { detached: true, stdio: 'ignore' });
    stray.unref();
    await waitFor('the stray process', () => spawnSync('ip', ['netns', 'pids', `${LAB}-n2`], { encoding: 'utf8' }).stdout.includes(String(stray.pid)));
    await Promise.all([...remotes.values()].map((r) => r.close()));
    remotes.clear();
    const r = faultline(['lab', 'down', '--name', LAB]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`lab ${LAB}: removed [4-9] process\\(es\\), 3 namespace\\(s\\)`));
    expect(leftovers(LAB)).toEqual({ netns: [], links: [], dir: false });
    expect(await allGone([...sshd, stray.pid as number])).toBe(true);
  });
});

describe.skipIf(skip !== null)('faultline lab down after a SIGKILLed lab up', () => {
  it('finds and removes what the killed up had made', async () => {
    ensureBuilt();
    faultline(['lab', 'down', '--name', KILL_LAB, '--quiet']);
    const up = spawn(process.execPath, [join(ROOT, 'bin/faultline.js'), 'lab', 'up', '--hosts', '3', '--name', KILL_LAB, '--subnet', KILL_SUBNET], {
      env: { ...process.env, FAULTLINE_TEST_LAB_STALL_AFTER: '2' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    up.stderr.on('data', (b: Buffer) => (err += b.toString()));
    await waitFor('lab up to stall', () => /stalled after 2 host/.test(err));
    const made = leftovers(KILL_LAB);
    expect(made.netns.sort()).toEqual([`${KILL_LAB}-n1`, `${KILL_LAB}-n2`]);
    const sshd = sshdPids(`/run/faultline-lab/${KILL_LAB}`);
    expect(sshd.length).toBe(2);
    expect(up.exitCode).toBeNull(); // still running, stalled mid-way
    const exited = new Promise((r) => up.once('exit', r));
    up.kill('SIGKILL');
    await exited;
    expect(sshd.every(isAlive)).toBe(true);
    const down = faultline(['lab', 'down', '--name', KILL_LAB]);
    expect(down.status).toBe(0);
    expect(leftovers(KILL_LAB)).toEqual({ netns: [], links: [], dir: false });
    expect(await allGone(sshd)).toBe(true);
  });

  it('refuses a user who is not root: exit 77', async () => {
    const { serverUser } = await import('../../src/cluster/osuser.js');
    const u = serverUser();
    const r = spawnSync('setpriv', [`--reuid=${u.uid}`, `--regid=${u.gid}`, '--init-groups', process.execPath, join(ROOT, 'bin/faultline.js'), 'lab', 'up', '--hosts', '1'], { encoding: 'utf8', cwd: '/' });
    if (r.status !== 77 && /Cannot find module|EACCES/.test(r.stderr)) {
      console.warn(`not-root check skipped: ${u.name} cannot read the checkout`);
      return;
    }
    expect(r.stderr).toMatch(/faultline lab up needs root/);
    expect(r.status).toBe(77);
  });
});
