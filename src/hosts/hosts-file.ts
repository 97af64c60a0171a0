// The hosts file (--hosts FILE, JSON): which machines a run uses and how to reach them. Parsed and checked here
// (shape only; preflight checks the hosts themselves); errors are FILE:LINE: what was expected (exit 65).
import { isIP } from 'node:net';
import { homedir } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import { findNodeAtLocation, parseTree, type Node, type ParseError } from 'jsonc-parser';
import { EXIT, InputError, UserError } from '../util/exit.js';
import type { HostKeyChecking } from '../remote/ssh.js';
import { didYouMean } from '../util/suggest.js';
import { readFileSync } from 'node:fs';

export type PacketFilterChoice = 'auto' | 'nft' | 'iptables';

export interface HostSpec {
  name: string;
  /** login user, host (name or address) and SSH port, from "ssh": "user@host[:port]" */
  user: string;
  host: string;
  port: number;
  site: string;
  /** private key file (absolute), or the agent: a socket path, or "env" for SSH_AUTH_SOCK */
  key?: string;
  agent?: string;
  knownHosts: string;
  hostKeyChecking: HostKeyChecking;
  /** PostgreSQL's bin directory on the host */
  pgBin: string;
  /** a directory on the host faultline may create its files in */
  scratch: string;
  /** the OS user PostgreSQL runs as (the login user unless given; required when the login is root) */
  pgUser: string;
  /** the address other hosts reach this one at (default: host, when it is an IP address; else resolved) */
  address?: string;
  packetFilter: PacketFilterChoice;
}

export interface HostsFile {
  file: string;
  hosts: HostSpec[];
}

const HOST_KEYS = ['name', 'ssh', 'site', 'key', 'agent', 'knownHosts', 'hostKeyChecking', 'pgBin', 'scratch', 'pgUser', 'address', 'packetFilter'] as const;
const DEFAULT_KEYS = HOST_KEYS.filter((k) => k !== 'name' && k !== 'ssh' && k !== 'address');
const TOP_KEYS = ['hosts', 'defaults'];
const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/;
const SITE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;
const USER = /^[a-z_][a-z0-9_.-]*\$?$/i;

type Path = Array<string | number>;

class Checker {
  constructor(
    readonly file: string,
    private readonly text: string,
    private readonly root: Node,
  ) {}

  lineOf(path: Path): number {
    for (let p = path; ; p = p.slice(0, -1)) {
      const n = p.length === 0 ? this.root : findNodeAtLocation(this.root, p);
      if (n) {
        // for a property value, point at its key's line
        const at = n.parent?.type === 'property' ? n.parent.offset : n.offset;
        return this.text.slice(0, at).split('\n').length;
      }
      if (p.length === 0) return 1;
    }
  }

  fail(path: Path, what: string): never {
    throw new InputError(this.file, this.lineOf(path), `${pathText(path)}${what}`);
  }
}

function pathText(path: Path): string {
  if (path.length === 0) return '';
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s === '' ? p : `.${p}`;
  return `${s}: `;
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** "user@host[:port]", host may be [v6]: returns the parts, or null. */
export function parseSshTarget(s: string): { user: string; host: string; port: number } | null {
  const m = /^([^@\s]+)@(\[[0-9A-Fa-f:.]+\]|[^:@\s[\]]+)(?::([0-9]{1,5}))?$/.exec(s);
  if (!m || !USER.test(m[1])) return null;
  const host = m[2].startsWith('[') ? m[2].slice(1, -1) : m[2];
  if (m[2].startsWith('[') && isIP(host) !== 6) return null;
  const port = m[3] === undefined ? 22 : Number(m[3]);
  if (port < 1 || port > 65535) return null;
  return { user: m[1], host, port };
}

export interface ParseContext {
  /** relative key and known_hosts paths are taken from here (the hosts file's directory) */
  baseDir: string;
  /** default known_hosts: ~/.ssh/known_hosts */
  home?: string;
}

export function parseHostsFile(text: string, file: string, ctx: ParseContext): HostsFile {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  let data: unknown;
  try {
    data = JSON.parse(text) as unknown;
  } catch (err) {
    const at = errors[0]?.offset ?? text.length;
    throw new InputError(file, text.slice(0, at).split('\n').length, `expected JSON: ${(err as Error).message}`);
  }
  if (!root) throw new InputError(file, 1, 'expected a hosts object');
  const c: Checker = new Checker(file, text, root);
  if (!isObject(data)) c.fail([], `expected an object {"hosts": [...]}; got ${show(data)}`);
  for (const k of Object.keys(data)) if (!TOP_KEYS.includes(k)) c.fail([k], `unknown setting${didYouMean(k, TOP_KEYS)}; expected "hosts" or "defaults"`);
  const defaults = data.defaults ?? {};
  if (!isObject(defaults)) c.fail(['defaults'], `expected an object of settings shared by every host; got ${show(defaults)}`);
  for (const k of Object.keys(defaults)) {
    if (!(DEFAULT_KEYS as readonly string[]).includes(k)) c.fail(['defaults', k], `not a shared setting${didYouMean(k, DEFAULT_KEYS)}; expected one of ${DEFAULT_KEYS.join(', ')}`);
  }
  const list = data.hosts;
  if (!Array.isArray(list) || list.length === 0) c.fail(['hosts'], `expected a non-empty list of hosts; got ${show(list)}`);
  const hosts: HostSpec[] = [];
  const seen = new Map<string, number>();
  const home = ctx.home ?? homedir();
  list.forEach((raw: unknown, i: number) => {
    const at: Path = ['hosts', i];
    if (!isObject(raw)) c.fail(at, `expected a host object {"name": ..., "ssh": "user@host"}; got ${show(raw)}`);
    for (const k of Object.keys(raw)) if (!(HOST_KEYS as readonly string[]).includes(k)) c.fail([...at, k], `unknown setting${didYouMean(k, HOST_KEYS)}`);
    const get = (k: (typeof HOST_KEYS)[number]): { value: unknown; path: Path } =>
      raw[k] !== undefined ? { value: raw[k], path: [...at, k] } : { value: (defaults as Record<string, unknown>)[k], path: ['defaults', k] };
    const str = (k: (typeof HOST_KEYS)[number], required: boolean, what: string): string | undefined => {
      const { value, path } = get(k);
      if (value === undefined) {
        if (required) c.fail(at, `expected "${k}" (${what})`);
        return undefined;
      }
      if (typeof value !== 'string' || value === '') c.fail(path, `expected ${what}; got ${show(value)}`);
      return value;
    };
    const name = str('name', true, 'a host name: letters, digits, - and _, starting with a letter') as string;
    if (!NAME.test(name)) c.fail([...at, 'name'], `expected a host name of letters, digits, - and _ starting with a letter (at most 32); got ${show(name)}`);
    if (seen.has(name)) c.fail([...at, 'name'], `host name ${show(name)} is already used by hosts[${seen.get(name)}]`);
    seen.set(name, i);
    const sshText = str('ssh', true, 'the login as "user@host[:port]"') as string;
    const target = parseSshTarget(sshText);
    if (!target) c.fail([...at, 'ssh'], `expected "user@host[:port]" (an IPv6 host in brackets); got ${show(sshText)}`);
    const site = str('site', false, 'a site name (letters, digits, - and _)') ?? 'a';
    if (!SITE.test(site)) c.fail(get('site').path, `expected a site name of letters, digits, - and _; got ${show(site)}`);
    const local = (k: 'key' | 'knownHosts', p: string): string => (isAbsolute(p) ? p : p.startsWith('~/') ? resolve(home, p.slice(2)) : resolve(ctx.baseDir, p));
    const keyText = str('key', false, 'the private key file');
    const agentValue = get('agent');
    let agent: string | undefined;
    if (agentValue.value !== undefined && agentValue.value !== false) {
      if (agentValue.value === true) agent = 'env';
      else if (typeof agentValue.value === 'string' && isAbsolute(agentValue.value)) agent = agentValue.value;
      else c.fail(agentValue.path, `expected true (use SSH_AUTH_SOCK) or the agent's socket path; got ${show(agentValue.value)}`);
    }
    if (keyText === undefined && agent === undefined) c.fail(at, 'expected "key" (a private key file) or "agent": true');
    const knownText = str('knownHosts', false, 'a known_hosts file');
    const checking = str('hostKeyChecking', false, '"yes", "accept-new" or "no"') ?? 'yes';
    if (!['yes', 'accept-new', 'no'].includes(checking)) c.fail(get('hostKeyChecking').path, `expected "yes", "accept-new" or "no"; got ${show(checking)}`);
    const remoteDir = (k: 'pgBin' | 'scratch', what: string): string => {
      const v = str(k, true, what) as string;
      if (!v.startsWith('/') || v.includes('\0') || /(^|\/)\.\.(\/|$)/.test(v)) c.fail(get(k).path, `expected an absolute path on the host (no ..); got ${show(v)}`);
      const clean = v.replace(/\/+$/, '');
      if (clean === '') c.fail(get(k).path, 'expected a directory below /, not / itself');
      return clean;
    };
    const pgBin = remoteDir('pgBin', "the host's PostgreSQL bin directory (e.g. /usr/lib/postgresql/15/bin)");
    const scratch = remoteDir('scratch', 'a directory on the host faultline may write in');
    const pgUser = str('pgUser', false, 'an OS user name') ?? target.user;
    if (!USER.test(pgUser)) c.fail(get('pgUser').path, `expected an OS user name; got ${show(pgUser)}`);
    if (pgUser === 'root') {
      c.fail(raw.pgUser !== undefined || (defaults as Record<string, unknown>).pgUser !== undefined ? get('pgUser').path : [...at, 'ssh'], 'PostgreSQL refuses to run as root: log in as its user, or set "pgUser" to the unprivileged user it runs as');
    }
    const address = str('address', false, 'an IP address');
    if (address !== undefined && isIP(address) === 0) c.fail([...at, 'address'], `expected the IP address other hosts reach this one at; got ${show(address)}`);
    const filter = str('packetFilter', false, '"auto", "nft" or "iptables"') ?? 'auto';
    if (!['auto', 'nft', 'iptables'].includes(filter)) c.fail(get('packetFilter').path, `expected "auto", "nft" or "iptables"; got ${show(filter)}`);
    hosts.push({
      name,
      user: target.user,
      host: target.host,
      port: target.port,
      site,
      ...(keyText !== undefined ? { key: local('key', keyText) } : {}),
      ...(agent !== undefined ? { agent } : {}),
      knownHosts: knownText !== undefined ? local('knownHosts', knownText) : resolve(home, '.ssh/known_hosts'),
      hostKeyChecking: checking as HostKeyChecking,
      pgBin,
      scratch,
      pgUser,
      ...(address !== undefined ? { address } : isIP(target.host) ? { address: target.host } : {}),
      packetFilter: filter as PacketFilterChoice,
    });
  });
  // two entries for one SSH endpoint are one machine: a packet filter could not cut them apart
  const endpoints = new Map<string, string>();
  hosts.forEach((h, i) => {
    const key = `${h.host}:${h.port}`;
    const other = endpoints.get(key);
    if (other !== undefined) c.fail(['hosts', i, 'ssh'], `${h.host}:${h.port} is already host ${show(other)}; one entry per machine`);
    endpoints.set(key, h.name);
  });
  return { file, hosts };
}

/** Reads and parses a hosts file: unreadable is exit 66, malformed exit 65. */
export function readHostsFile(file: string): HostsFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(`${file}: cannot read the hosts file: ${(err as Error).message}`, EXIT.NO_INPUT);
  }
  return parseHostsFile(text, file, { baseDir: dirname(resolve(file)) });
}
