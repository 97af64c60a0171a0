// `faultline run --hosts` on a lab (root, openssh-server, postgresql-15, nftables or iptables): a bad host fails
// the preflight with one line naming the host and the step (exit 69, no op in the history); Ctrl-C in the middle
// of a partitioned run leaves no DROP rule, no postgres and no run directory on any host; after a SIGKILL the
// hosts' watchdogs remove the same, and lab down leaves no namespace, bridge, veth or sshd.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PG_BIN } from '../../src/lab/lab.js';
import { isAlive, waitGone } from '../../src/util/processes.js';
import { ensureBuilt, faultline, ROOT } from '../support/built-cli.js';

const root = process.getuid?.() === 0;
const missing = [
  ...(existsSync('/usr/sbin/sshd') ? [] : ['openssh-server']),
  ...(existsSync(`${DEFAULT_PG_BIN}/postgres`) ? [] : ['postgresql-15']),
  ...(existsSync('/usr/sbin/nft') || existsSync('/usr/sbin/iptables') ? [] : ['nftables']),
];
const skip = !root ? 'not root' : missing.length ? `missing Debian package(s) ${missing.join(', ')} (apt-get install ${missing.join(' ')})` : null;
if (skip) console.warn(`test/lab/hosts-run.integration.test.ts: skipped: ${skip}`);

// this test process's own lab (other checkouts may run the suite at the same time)
const LAB = `flr${process.pid % 100000}`;
const NET = `10.79.${1 + (process.pid % 250)}`;
const DIR = `/run/faultline-lab/${LAB}`;

interface LabHost {
  name: string;
  netns: string;
  scratch: string;
  sshdPid?: number;
}

async function waitFor<T>(what: string, fn: () => T | null | undefined | false, limitMs = 180_000, why: () => string = () => ''): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}${why() ? `: ${why()}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function labHosts(): LabHost[] {
  return (JSON.parse(readFileSync(join(DIR, 'lab.json'), 'utf8')) as { hosts: LabHost[] }).hosts;
}

/** What a run left on a host: faultline's DROP rules, processes in its namespace but sshd's listener, run directories. */
function onHost(h: LabHost): { rules: string[]; processes: string[]; runDirs: string[] } {
  const sh = (cmd: string): string => spawnSync('ip', ['netns', 'exec', h.netns, 'sh', '-c', cmd], { encoding: 'utf8' }).stdout;
  const rules = [
    ...sh('nft list table inet faultline 2>/dev/null').split('\n').filter((l) => /\bdrop\b/.test(l)),
    ...sh('iptables -w -S FAULTLINE 2>/dev/null; ip6tables -w -S FAULTLINE 2>/dev/null').split('\n').filter((l) => /-j DROP/.test(l)),
  ].map((l) => l.trim());
  const pids = spawnSync('ip', ['netns', 'pids', h.netns], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l !== '').map(Number);
  const processes = pids
    .filter((p) => p !== h.sshdPid && isAlive(p))
    .map((p) => {
      try {
        return `${p} ${readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ').trim()}`;
      } catch {
        return '';
      }
    })
    .filter((l) => l !== '');
  const runDirs = existsSync(h.scratch) ? readdirSync(h.scratch).filter((d) => d.startsWith('faultline-')) : [];
  return { rules, processes, runDirs };
}

function everyHost(): Record<string, ReturnType<typeof onHost>> {
  return Object.fromEntries(labHosts().map((h) => [h.name, onHost(h)]));
}

const CLEAN = { rules: [], processes: [], runDirs: [] };

/** The history's partition events, once the first one with its rules is written. */
function partitionStarted(results: string): boolean {
  const runs = join(results, 'set-partition-streaming-async');
  if (!existsSync(runs)) return false;
  return readdirSync(runs)
    .filter((d) => d !== 'latest')
    .some((d) => {
      const f = join(runs, d, 'history.jsonl');
      return existsSync(f) && /"f":"start-partition","value":\{[^\n]*"rules":\["n\d: drop/.test(readFileSync(f, 'utf8'));
    });
}

describe.skipIf(skip !== null)('faultline run --hosts on a lab', () => {
  const local = mkdtempSync(join(tmpdir(), 'fl-hosts-run-'));
  const hostsFile = join(DIR, 'hosts.json');
  let children: ChildProcess[] = [];

  beforeAll(() => {
    ensureBuilt();
    faultline(['lab', 'down', '--name', LAB, '--quiet']);
    const up = faultline(['lab', 'up', '--hosts', '3', '--sites', '2', '--name', LAB, '--subnet', `${NET}.0/24`, '--quiet']);
    expect(up.status, up.stderr).toBe(0);
  });

  afterAll(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    faultline(['lab', 'down', '--name', LAB, '--quiet']);
    rmSync(local, { recursive: true, force: true });
  });

  /** `faultline run` of a partitioned set workload on the lab's three hosts, in the background. */
  function startRun(results: string): { results: string; child: ChildProcess; stderr: () => string; exited: Promise<{ code: number | null; signal: string | null }> } {
    const args = ['run', '-w', 'set', '-t', 'streaming-async', '-n', 'partition', '--partition', 'site-split', '--nemesis-interval', '2', '--time-limit', '600', '--hosts', hostsFile, '--results', results, '--no-report'];
    const child = spawn(process.execPath, [join(ROOT, 'bin/faultline.js'), ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(child);
    let err = '';
    child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    const exited = new Promise<{ code: number | null; signal: string | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
    return { results, child, stderr: () => err, exited };
  }

  /** Waits until the run's partition is in the history and in force: DROP rules, a postgres on each host, the run's directories. */
  async function inForce(run: ReturnType<typeof startRun>): Promise<void> {
    const results = run.results;
    await waitFor('a partition by packet filter in the history', () => partitionStarted(results) || run.child.exitCode !== null, 240_000, () => `${run.stderr().slice(-2000)} ${JSON.stringify(everyHost())}`);
    expect(run.child.exitCode, run.stderr()).toBeNull();
    await waitFor('the rules in force on a host, a postgres and the run directory on each', () => {
      if (run.child.exitCode !== null) return true;
      const now = Object.values(everyHost());
      return now.some((h) => h.rules.length > 0) && now.every((h) => h.processes.some((p) => /postgres/.test(p)) && h.runDirs.length === 1);
    }, 120_000, () => `${run.stderr().slice(-2000)} ${JSON.stringify(everyHost())}`);
    expect(run.child.exitCode, run.stderr()).toBeNull();
  }

  it('a bad host fails the preflight: one line naming the host and the step, exit 69, no op run', () => {
    const spec = JSON.parse(readFileSync(hostsFile, 'utf8')) as { hosts: Array<Record<string, unknown>> };
    const cases: Array<[string, (h: Array<Record<string, unknown>>) => void, RegExp]> = [
      ['unreachable', (h) => Object.assign(h[1]!, { ssh: `root@${NET}.99:22`, address: `${NET}.99` }), new RegExp(`^faultline: host n2 \\(root@${NET}\\.99:22\\): connect: `)],
      ['pg-bin', (h) => Object.assign(h[2]!, { pgBin: '/usr/lib/postgresql/99/bin' }), /^faultline: host n3 \(root@[0-9.]+:22\): pg-bin: \/usr\/lib\/postgresql\/99\/bin\/postgres is missing/],
    ];
    for (const [name, edit, line] of cases) {
      const copy = structuredClone(spec);
      edit(copy.hosts);
      const file = join(local, `${name}.json`);
      writeFileSync(file, JSON.stringify(copy));
      const results = join(local, `bad-${name}`);
      const r = faultline(['run', '-w', 'set', '-t', 'streaming-async', '-n', 'partition', '--time-limit', '5', '--hosts', file, '--results', results, '--no-report', '-q']);
      expect(r.status, r.stderr).toBe(69);
      const lines = r.stderr.trim().split('\n');
      expect(lines.length, r.stderr).toBe(1);
      expect(lines[0]).toMatch(line);
      const runDir = join(results, 'set-partition-streaming-async', 'latest');
      expect(readFileSync(join(runDir, 'history.jsonl'), 'utf8')).toBe('');
      expect(JSON.parse(readFileSync(join(runDir, 'status.json'), 'utf8')).state).toBe('could not start');
    }
    expect(everyHost()).toEqual({ n1: CLEAN, n2: CLEAN, n3: CLEAN });
  }, 180_000);

  it('Ctrl-C in the middle of a partitioned run leaves no DROP rule, no postgres and no run directory on any host', async () => {
    const results = join(local, 'sigint');
    const run = startRun(results);
    await inForce(run);
    run.child.kill('SIGINT');
    expect(await run.exited).toEqual({ code: 130, signal: null });
    expect(run.stderr()).toMatch(/stopped everything after SIGINT/);
    expect(everyHost()).toEqual({ n1: CLEAN, n2: CLEAN, n3: CLEAN });
    const runDir = join(results, 'set-partition-streaming-async', 'latest');
    expect(JSON.parse(readFileSync(join(runDir, 'status.json'), 'utf8')).state).toBe('interrupted');
    const check = faultline(['check', runDir, '--json']); // the history as written is checkable
    const checked = JSON.parse(check.stdout) as { error?: string; ops: number };
    expect(checked.error, check.stderr).toBeUndefined();
    expect(checked.ops).toBeGreaterThan(0);
  }, 300_000);

  it('after a SIGKILLed run the hosts clean up by themselves; lab down leaves no namespace, bridge, veth or sshd', async () => {
    const results = join(local, 'sigkill');
    const run = startRun(results);
    await inForce(run);
    run.child.kill('SIGKILL');
    expect((await run.exited).signal).toBe('SIGKILL');
    // the watchdogs on the hosts: the guard sweeps the rules, postgres gets SIGQUIT, the holder removes the directory
    await waitFor('the hosts to clean up after the killed run', () => {
      const now = everyHost();
      return Object.values(now).every((h) => h.rules.length === 0 && h.processes.length === 0 && h.runDirs.length === 0);
    }, 180_000, () => JSON.stringify(everyHost()));
    const sshd = labHosts().map((h) => h.sshdPid).filter((p): p is number => p !== undefined);
    expect(sshd.length).toBe(3);
    const down = faultline(['lab', 'down', '--name', LAB]);
    expect(down.status, down.stderr).toBe(0);
    const netns = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.startsWith(`${LAB}-`));
    const links = (JSON.parse(spawnSync('ip', ['-j', 'link', 'show'], { encoding: 'utf8' }).stdout) as Array<{ ifname: string }>).map((l) => l.ifname).filter((n) => n.startsWith(LAB));
    expect({ netns, links, dir: existsSync(DIR) }).toEqual({ netns: [], links: [], dir: false });
    expect(await waitGone(sshd, 30_000)).toBe(true);
    children = [];
  }, 420_000);
});
