// `faultline lab up` / `down`: hosts made of Linux network namespaces on a bridge, each with its own address, its
// own sshd (Debian openssh-server) and Debian's PostgreSQL run as an unprivileged user. State is recorded in the
// lab directory before each step, and `down` also sweeps by the names the lab owns, so a SIGKILLed `up` leaves
// nothing `down` cannot find.
import { execFile, spawn } from 'node:child_process';
import { chownSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync, rmdirSync, readlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { EXIT, UserError } from '../util/exit.js';
import { serverUser } from '../cluster/osuser.js';
import { makeDirs } from '../util/dirs.js';
import { isAlive, onCleanup, startTimeOf, waitGone } from '../util/processes.js';
import { ownedNames, planLab, type LabHostPlan, type LabPlan } from './plan.js';

const run = promisify(execFile);

export const STATE_FILE = 'lab.json';
export const SSHD = '/usr/sbin/sshd';
export const DEFAULT_PG_BIN = '/usr/lib/postgresql/15/bin';

export interface LabHostState extends LabHostPlan {
  sshdPid?: number;
  sshdStart?: number;
}

export interface LabState {
  version: 1;
  name: string;
  dir: string;
  bridge: string;
  subnet: string;
  controlAddress: string;
  pgBin: string;
  pgUser: string;
  createdRunSshd: boolean;
  hosts: LabHostState[];
  complete: boolean;
}

export class LabError extends UserError {
  constructor(message: string, code: number = EXIT.UNAVAILABLE) {
    super(message, code);
  }
}

/** The lab needs root (namespaces, a bridge, sshd): exit 77 otherwise. */
export function requireRoot(what: string): void {
  if ((process.getuid?.() ?? 0) !== 0) throw new LabError(`faultline lab ${what} needs root (network namespaces, a bridge and sshd); run it as root`, EXIT.NOPERM);
}

async function cmd(argv: string[], what: string): Promise<string> {
  try {
    const r = await run(argv[0], argv.slice(1), { encoding: 'utf8', timeout: 60_000 });
    return r.stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new LabError(`lab: ${what}: ${(e.stderr ?? '').trim() || e.message}`);
  }
}

async function quiet(argv: string[]): Promise<boolean> {
  try {
    await run(argv[0], argv.slice(1), { encoding: 'utf8', timeout: 60_000 });
    return true;
  } catch {
    return false;
  }
}

/** What the lab needs on this machine, with the Debian package that brings each; [] when all is there. */
export function missingTools(pgBin: string): string[] {
  const out: string[] = [];
  const has = (p: string): boolean => existsSync(p);
  if (!has('/usr/sbin/ip') && !has('/sbin/ip') && !has('/bin/ip')) out.push('ip (Debian package iproute2)');
  if (!has(SSHD)) out.push(`${SSHD} (Debian package openssh-server)`);
  if (!has('/usr/bin/ssh-keygen')) out.push('ssh-keygen (Debian package openssh-client)');
  if (!has(`${pgBin}/postgres`) || !has(`${pgBin}/initdb`)) out.push(`${pgBin}/postgres (Debian package postgresql-15, or --pg-bin)`);
  return out;
}

/** Whether nft or iptables is installed (partitions need one; the lab itself does not). */
export function packetFilterInstalled(): boolean {
  return ['/usr/sbin/nft', '/usr/sbin/iptables', '/sbin/iptables'].some((p) => existsSync(p));
}

function readState(dir: string): LabState | null {
  try {
    return JSON.parse(readFileSync(join(dir, STATE_FILE), 'utf8')) as LabState;
  } catch {
    return null;
  }
}

function writeState(s: LabState): void {
  writeFileSync(join(s.dir, STATE_FILE), JSON.stringify(s, null, 2) + '\n', { mode: 0o644 });
}

async function netnsList(): Promise<string[]> {
  const out = await cmd(['ip', 'netns', 'list'], 'list network namespaces').catch(() => '');
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0])
    .filter((n): n is string => !!n);
}

async function linkNames(): Promise<string[]> {
  const out = await cmd(['ip', '-j', 'link', 'show'], 'list links').catch(() => '[]');
  return (JSON.parse(out || '[]') as Array<{ ifname: string }>).map((l) => l.ifname);
}

async function routesOverlap(subnetBase: string): Promise<string | null> {
  const out = await cmd(['ip', '-j', '-4', 'route', 'show'], 'list routes').catch(() => '[]');
  const prefix = subnetBase.split('.').slice(0, 3).join('.') + '.';
  for (const r of JSON.parse(out || '[]') as Array<{ dst: string; dev?: string }>) {
    if (r.dst === 'default') continue;
    const [addr, len] = r.dst.split('/');
    const l = len === undefined ? 32 : Number(len);
    if (l >= 24 ? addr.startsWith(prefix) : sameNet(addr, subnetBase, l)) return `${r.dst} dev ${r.dev ?? '?'}`;
  }
  return null;
}

function sameNet(a: string, b: string, len: number): boolean {
  const n = (s: string): number => s.split('.').reduce((x, o) => (x << 8) + Number(o), 0) >>> 0;
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return (n(a) & mask) === (n(b) & mask);
}

function sshdConfig(h: LabHostPlan, dir: string): string {
  return [
    '# written by faultline lab: this host only',
    `ListenAddress ${h.address}:22`,
    `HostKey ${h.dir}/ssh_host_ed25519_key`,
    `PidFile ${h.dir}/sshd.pid`,
    `AuthorizedKeysFile ${dir}/authorized_keys`,
    'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'UseDNS no',
    'PrintMotd no',
    'X11Forwarding no',
    'AllowTcpForwarding no',
    'PermitUserEnvironment no',
    'ClientAliveInterval 5',
    'ClientAliveCountMax 3',
    'Subsystem sftp internal-sftp',
    '',
  ].join('\n');
}

async function waitListening(address: string, port: number, deadlineMs: number, pid: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: address, port });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (!isAlive(pid)) throw new LabError(`lab: sshd for ${address} exited (see its log in the lab directory)`);
    if (Date.now() > deadline) throw new LabError(`lab: sshd on ${address}:22 did not listen within ${deadlineMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The hosts file for a lab (every field spelled out per host). */
export function labHostsFile(s: LabState): { hosts: Array<Record<string, string>> } {
  return {
    hosts: s.hosts.map((h) => ({
      name: h.name,
      ssh: `root@${h.address}:22`,
      site: h.site,
      key: join(s.dir, 'id_ed25519'),
      knownHosts: join(s.dir, 'known_hosts'),
      pgBin: s.pgBin,
      pgUser: s.pgUser,
      scratch: h.scratch,
      address: h.address,
    })),
  };
}

export interface LabUpOptions {
  hosts: number;
  sites?: number;
  name?: string;
  subnet?: string;
  dir?: string;
  pgBin?: string;
  /** progress lines (stderr) */
  log?: (line: string) => void;
}

export interface LabUpResult {
  state: LabState;
  hostsFile: string;
  text: string;
}

export async function labUp(opts: LabUpOptions): Promise<LabUpResult> {
  requireRoot('up');
  let plan: LabPlan;
  try {
    plan = planLab(opts);
  } catch (err) {
    throw new UserError((err as Error).message, EXIT.USAGE);
  }
  const log = opts.log ?? (() => undefined);
  const pgBin = opts.pgBin ?? DEFAULT_PG_BIN;
  const missing = missingTools(pgBin);
  if (missing.length > 0) throw new LabError(`faultline lab needs ${missing.join(', ')}; install with: apt-get install openssh-server postgresql-15 nftables iptables`);
  const owned = ownedNames(plan.name);
  const leftovers = [
    ...(existsSync(join(plan.dir, STATE_FILE)) ? [join(plan.dir, STATE_FILE)] : []),
    ...(await netnsList()).filter((n) => owned.netns.test(n)),
    ...(await linkNames()).filter((n) => n === owned.bridge || owned.veth.test(n)),
  ];
  if (leftovers.length > 0) throw new LabError(`a lab named ${plan.name} is up or was left behind (${leftovers.slice(0, 4).join(', ')}); run: faultline lab down --name ${plan.name}`);
  const clash = await routesOverlap(plan.controlAddress);
  if (clash) throw new LabError(`the lab's subnet ${plan.subnet} overlaps a route of this machine (${clash}); pick another with --subnet`);
  if (existsSync(plan.dir) && readdirSync(plan.dir).length > 0) throw new LabError(`the lab directory ${plan.dir} exists and is not empty; remove it or pick another --dir`);
  const user = serverUser();
  makeDirs(plan.dir, 0o755);
  const state: LabState = {
    version: 1,
    name: plan.name,
    dir: plan.dir,
    bridge: plan.bridge,
    subnet: plan.subnet,
    controlAddress: plan.controlAddress,
    pgBin,
    pgUser: user.name,
    createdRunSshd: false,
    hosts: [],
    complete: false,
  };
  writeState(state);
  const undo = onCleanup(async () => {
    await labDown({ name: plan.name, dir: plan.dir }).catch(() => undefined);
  });
  try {
    await cmd(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', `faultline-lab-${plan.name}`, '-f', join(plan.dir, 'id_ed25519')], 'make the client key');
    writeFileSync(join(plan.dir, 'authorized_keys'), readFileSync(join(plan.dir, 'id_ed25519.pub')), { mode: 0o644 });
    if (!existsSync('/run/sshd')) {
      mkdirSync('/run/sshd', { mode: 0o755 });
      state.createdRunSshd = true;
      writeState(state);
    }
    log(`lab ${plan.name}: bridge ${plan.bridge} ${plan.controlAddress}/24`);
    await cmd(['ip', 'link', 'add', plan.bridge, 'type', 'bridge'], `create bridge ${plan.bridge}`);
    await cmd(['ip', 'addr', 'add', `${plan.controlAddress}/24`, 'dev', plan.bridge], `address bridge ${plan.bridge}`);
    await cmd(['ip', 'link', 'set', plan.bridge, 'up'], `bring up ${plan.bridge}`);
    const known: string[] = [];
    const stallAfter = Number(process.env.FAULTLINE_TEST_LAB_STALL_AFTER ?? NaN);
    for (const h of plan.hosts) {
      const hs: LabHostState = { ...h };
      state.hosts.push(hs);
      writeState(state);
      await cmd(['ip', 'netns', 'add', h.netns], `create namespace ${h.netns}`);
      await cmd(['ip', 'link', 'add', h.veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', h.netns], `create veth ${h.veth}`);
      await cmd(['ip', 'link', 'set', h.veth, 'master', plan.bridge, 'up'], `attach ${h.veth}`);
      await cmd(['ip', '-n', h.netns, 'addr', 'add', `${h.address}/24`, 'dev', 'eth0'], `address ${h.name}`);
      await cmd(['ip', '-n', h.netns, 'link', 'set', 'eth0', 'up'], `bring up ${h.name} eth0`);
      await cmd(['ip', '-n', h.netns, 'link', 'set', 'lo', 'up'], `bring up ${h.name} lo`);
      makeDirs(h.dir, 0o755);
      makeDirs(h.scratch, 0o700);
      chownSync(h.scratch, user.uid, user.gid);
      await cmd(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', `faultline-lab-${h.name}`, '-f', join(h.dir, 'ssh_host_ed25519_key')], `make ${h.name}'s host key`);
      const pub = readFileSync(join(h.dir, 'ssh_host_ed25519_key.pub'), 'utf8').trim().split(/\s+/);
      known.push(`${h.address} ${pub[0]} ${pub[1]}`);
      writeFileSync(join(h.dir, 'sshd_config'), sshdConfig(h, plan.dir), { mode: 0o644 });
      // -D: sshd stays this process's child until `up` exits, then belongs to init; its PID is known at once
      const child = spawn('ip', ['netns', 'exec', h.netns, SSHD, '-D', '-f', join(h.dir, 'sshd_config'), '-E', join(h.dir, 'sshd.log')], {
        detached: true,
        stdio: 'ignore',
      });
      child.unref();
      if (child.pid === undefined) throw new LabError(`lab: cannot start sshd for ${h.name}`);
      hs.sshdPid = child.pid;
      hs.sshdStart = startTimeOf(child.pid) ?? undefined;
      writeState(state);
      log(`lab ${plan.name}: ${h.name} ${h.address} (site ${h.site}, namespace ${h.netns}, sshd ${child.pid})`);
      if (state.hosts.length === stallAfter) {
        process.stderr.write(`faultline: lab up: stalled after ${stallAfter} host(s) (FAULTLINE_TEST_LAB_STALL_AFTER)\n`);
        await new Promise(() => setInterval(() => undefined, 1 << 30)); // held until killed
      }
    }
    writeFileSync(join(plan.dir, 'known_hosts'), known.join('\n') + '\n', { mode: 0o644 });
    for (const h of state.hosts) await waitListening(h.address, 22, 60_000, h.sshdPid as number);
    const hostsFile = join(plan.dir, 'hosts.json');
    const text = JSON.stringify(labHostsFile(state), null, 2) + '\n';
    writeFileSync(hostsFile, text, { mode: 0o644 });
    state.complete = true;
    writeState(state);
    undo();
    return { state, hostsFile, text };
  } catch (err) {
    undo();
    await labDown({ name: plan.name, dir: plan.dir }).catch(() => undefined);
    throw err;
  }
}

export interface LabDownResult {
  name: string;
  processes: number[];
  namespaces: string[];
  links: string[];
  dir: string | null;
}

function isSshd(pid: number): boolean {
  try {
    return readlinkSync(`/proc/${pid}/exe`) === SSHD;
  } catch {
    return false;
  }
}

/** Removes a lab: every process in its namespaces, the namespaces, veths and bridge, its sshd, its directory. */
export async function labDown(opts: { name?: string; dir?: string } = {}): Promise<LabDownResult> {
  requireRoot('down');
  const name = opts.name ?? 'flab';
  if (!/^[a-z][a-z0-9]{0,7}$/.test(name)) throw new UserError(`--name must be 1 to 8 lower-case letters and digits; got ${JSON.stringify(name)}`, EXIT.USAGE);
  const dir = opts.dir ?? `/run/faultline-lab/${name}`;
  const state = readState(dir);
  const owned = ownedNames(name);
  const namespaces = [...new Set([...(await netnsList()).filter((n) => owned.netns.test(n)), ...(state?.hosts ?? []).map((h) => h.netns).filter((n) => owned.netns.test(n))])];
  const live = new Set(await netnsList());
  // processes: the sshd recorded (same PID and start time) and everything living in the lab's namespaces
  const pids = new Set<number>();
  for (const h of state?.hosts ?? []) {
    if (h.sshdPid !== undefined && isAlive(h.sshdPid) && isSshd(h.sshdPid) && (h.sshdStart === undefined || startTimeOf(h.sshdPid) === h.sshdStart)) pids.add(h.sshdPid);
  }
  for (const ns of namespaces.filter((n) => live.has(n))) {
    const out = await cmd(['ip', 'netns', 'pids', ns], `list processes in ${ns}`).catch(() => '');
    for (const p of out.split('\n').map((l) => Number(l.trim())).filter((p) => Number.isInteger(p) && p > 1 && p !== process.pid)) pids.add(p);
  }
  const killed = [...pids];
  for (const p of killed) {
    try {
      process.kill(p, 'SIGCONT');
      process.kill(p, 'SIGTERM');
    } catch {
      // gone
    }
  }
  if (!(await waitGone(killed, 10_000))) {
    for (const p of killed) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await waitGone(killed, 10_000);
  }
  for (const ns of namespaces.filter((n) => live.has(n))) await cmd(['ip', 'netns', 'del', ns], `delete namespace ${ns}`);
  const links = (await linkNames()).filter((n) => owned.veth.test(n) || n === owned.bridge);
  for (const l of links.filter((n) => n !== owned.bridge)) await quiet(['ip', 'link', 'del', l]);
  if (links.includes(owned.bridge)) await cmd(['ip', 'link', 'del', owned.bridge], `delete bridge ${owned.bridge}`);
  let removedDir: string | null = null;
  if (state !== null || (existsSync(dir) && dir === `/run/faultline-lab/${name}`)) {
    rmSync(dir, { recursive: true, force: true });
    removedDir = dir;
    if (dir === `/run/faultline-lab/${name}`) {
      try {
        rmdirSync(dirname(dir));
      } catch {
        // another lab's directory is still there
      }
    }
  }
  // /run/sshd (sshd's privilege-separation directory, made when missing) stays: another sshd may chroot into it
  return { name, processes: killed, namespaces, links, dir: removedDir };
}
