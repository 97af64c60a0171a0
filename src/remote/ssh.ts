// SshRemote: a host reached over SSH with the ssh2 package. One connection per host, reused by every command
// (at most maxSessions channels at once, as sshd's MaxSessions allows); key or agent authentication; host keys
// checked against known_hosts (yes / accept-new / no); keepalive. Every failure is a RemoteError naming the step.
import { readFileSync } from 'node:fs';
import ssh2, { type Client as SshClient, type ClientChannel, type ConnectConfig } from 'ssh2';
import type { RemoteStep } from './errors.js';
import { appendKnownHost, checkHostKey, knownHostsName, readKnownHosts, type HostKeyVerdict } from './known-hosts.js';
import { ScriptRemote, type RawProcess } from './script-remote.js';
import { shQuote } from './shell.js';

// ssh2 is CommonJS: its classes come from the default export
const { Client, utils } = ssh2;
type Client = SshClient;

export type HostKeyChecking = 'yes' | 'accept-new' | 'no';

export interface SshTarget {
  /** the host's name (hosts file) */
  name: string;
  host: string;
  port: number;
  user: string;
  /** private key file (OpenSSH format, unencrypted; use an agent for encrypted keys) */
  keyFile?: string;
  /** ssh-agent socket (SSH_AUTH_SOCK) */
  agent?: string;
  knownHosts: string;
  hostKeyChecking: HostKeyChecking;
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  /** how long the TCP connect + SSH handshake + authentication may take (default 20 s) */
  readyTimeoutMs?: number;
  /** channels open at once on the connection (default 10, OpenSSH's MaxSessions) */
  maxSessions?: number;
}

/** Waits for a free channel slot; FIFO. */
class Slots {
  private free: number;
  private waiting: Array<() => void> = [];
  constructor(n: number) {
    this.free = n;
  }
  async take(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((r) => this.waiting.push(r));
  }
  give(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

type Lost = (why: string) => void;

export class SshRemote extends ScriptRemote {
  readonly name: string;
  readonly login: string;
  readonly where: string;
  private conn: Promise<Client> | null = null;
  private readonly slots: Slots;
  private readonly onLost = new Set<Lost>();
  private closing = false;

  constructor(readonly target: SshTarget) {
    super();
    this.name = target.name;
    this.login = target.user;
    this.where = `${target.user}@${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
    this.slots = new Slots(target.maxSessions ?? 8);
  }

  /** Connects (or reuses the connection): the steps key, connect, host-key and auth fail here. */
  async connect(): Promise<void> {
    await this.client();
  }

  private client(): Promise<Client> {
    if (!this.conn) {
      this.conn = this.open();
      this.conn.catch(() => {
        this.conn = null;
      });
    }
    return this.conn;
  }

  private open(): Promise<Client> {
    const t = this.target;
    const config: ConnectConfig = {
      host: t.host,
      port: t.port,
      username: t.user,
      keepaliveInterval: t.keepaliveIntervalMs ?? 5_000,
      keepaliveCountMax: t.keepaliveCountMax ?? 3,
      readyTimeout: t.readyTimeoutMs ?? 20_000,
    };
    if (t.keyFile !== undefined) {
      let key: Buffer;
      try {
        key = readFileSync(t.keyFile);
      } catch (err) {
        return Promise.reject(this.fail('key', `cannot read key file ${t.keyFile}: ${(err as Error).message}`));
      }
      const parsed = utils.parseKey(key);
      if (parsed instanceof Error) {
        const encrypted = /passphrase|encrypted/i.test(parsed.message);
        return Promise.reject(
          this.fail('key', encrypted ? `key file ${t.keyFile} is encrypted: load it into ssh-agent and give "agent" instead` : `key file ${t.keyFile} is not a private key: ${parsed.message}`),
        );
      }
      config.privateKey = key;
    }
    if (t.agent !== undefined) config.agent = t.agent;
    if (config.privateKey === undefined && config.agent === undefined) {
      return Promise.reject(this.fail('key', 'no key file and no agent to authenticate with'));
    }
    let verdict: HostKeyVerdict | null = null;
    let hostKeyError: string | null = null;
    config.hostVerifier = (blob: Buffer): boolean => {
      if (t.hostKeyChecking === 'no') return true;
      let text: string;
      try {
        text = readKnownHosts(t.knownHosts);
      } catch (err) {
        hostKeyError = `cannot read ${t.knownHosts}: ${(err as Error).message}`;
        return false;
      }
      verdict = checkHostKey(text, t.host, t.port, blob);
      if (verdict.status === 'match') return true;
      if (verdict.status === 'unknown' && t.hostKeyChecking === 'accept-new') {
        try {
          appendKnownHost(t.knownHosts, t.host, t.port, blob);
          return true;
        } catch (err) {
          hostKeyError = `cannot add the host key to ${t.knownHosts}: ${(err as Error).message}`;
          return false;
        }
      }
      const name = knownHostsName(t.host, t.port);
      if (verdict.status === 'mismatch') hostKeyError = `the ${verdict.type} host key does not match ${t.knownHosts}:${verdict.line} for ${name} (the host was reinstalled, or someone is in between)`;
      else if (verdict.status === 'revoked') hostKeyError = `the host key is marked @revoked in ${t.knownHosts}:${verdict.line}`;
      else
        hostKeyError = `${name} is not in ${t.knownHosts}${verdict.otherTypes.length ? ` for this key type (it lists ${verdict.otherTypes.join(', ')})` : ''}: add it (ssh-keyscan -p ${t.port} ${t.host} >> ${t.knownHosts}) or set "hostKeyChecking": "accept-new"`;
      return false;
    };
    return new Promise<Client>((resolve, reject) => {
      const c = new Client();
      let ready = false;
      c.on('ready', () => {
        ready = true;
        resolve(c);
      });
      c.on('error', (err: Error & { level?: string }) => {
        if (ready) {
          this.lost(`connection error: ${err.message}`);
          return;
        }
        reject(this.classify(err, hostKeyError));
      });
      c.on('close', () => {
        if (!ready) reject(this.fail('connect', hostKeyError ?? 'the connection closed during the handshake'));
        else this.lost('the connection closed');
      });
      c.connect(config);
    });
  }

  private classify(err: Error & { level?: string }, hostKeyError: string | null): Error {
    if (hostKeyError !== null) return this.fail('host-key', hostKeyError);
    switch (err.level) {
      case 'client-authentication':
        return this.fail('auth', `${err.message} (user ${this.target.user}${this.target.keyFile ? `, key ${this.target.keyFile}` : ''}${this.target.agent ? ', agent' : ''})`);
      case 'agent':
        return this.fail('auth', `ssh-agent: ${err.message}`);
      case 'client-timeout':
        return this.fail('connect', `no SSH handshake within ${this.target.readyTimeoutMs ?? 20_000} ms`);
      case 'client-dns':
        return this.fail('connect', `cannot resolve ${this.target.host}: ${err.message}`);
      default:
        return this.fail('connect', err.message);
    }
  }

  private lost(why: string): void {
    this.conn = null;
    for (const f of [...this.onLost]) f(why);
  }

  protected async start(script: string, step: RemoteStep): Promise<RawProcess> {
    const client = await this.client();
    await this.slots.take();
    let released = false;
    const release = (): void => {
      if (!released) {
        released = true;
        this.slots.give();
      }
    };
    let ch: ClientChannel | null = null;
    // sshd may still count a session whose close we have seen (MaxSessions): an open refused for that is retried
    for (let attempt = 0; ch === null; attempt++) {
      try {
        ch = await new Promise<ClientChannel>((resolve, reject) => {
          client.exec(`exec /bin/sh -c ${shQuote(script)}`, (err, channel) => (err ? reject(err) : resolve(channel)));
        });
      } catch (err) {
        const refused = /open failed|administratively prohibited/i.test((err as Error).message);
        if (!refused || attempt >= 100) {
          release();
          throw this.fail(step, `cannot open a channel: ${(err as Error).message}`);
        }
        await new Promise((r) => setTimeout(r, 20 + 10 * attempt));
      }
    }
    const channel = ch;
    let forceEnd: (() => void) | null = null;
    const done = new Promise<{ code: number | null; signal: string | null; lost: boolean }>((resolve) => {
      let code: number | null = null;
      let signal: string | null = null;
      let settled = false;
      const finish = (lost: boolean): void => {
        if (settled) return;
        settled = true;
        this.onLost.delete(onLost);
        release();
        resolve({ code, signal, lost });
      };
      const onLost: Lost = () => finish(true);
      this.onLost.add(onLost);
      forceEnd = () => finish(code === null && signal === null);
      channel.on('exit', (c: number | null, s?: string) => {
        code = typeof c === 'number' ? c : null;
        signal = s ?? null;
      });
      channel.on('close', () => finish(code === null && signal === null));
    });
    return {
      stdin: channel,
      stdout: channel,
      stderr: channel.stderr,
      done,
      // sshd closes its side only when the command's output closes: stop waiting for it
      abandon: () => {
        channel.close();
        forceEnd?.();
      },
    };
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const conn = this.conn;
    this.conn = null;
    if (!conn) return;
    const c = await conn.catch(() => null);
    if (!c) return;
    await new Promise<void>((resolve) => {
      c.once('close', () => resolve());
      c.end();
    });
    this.closing = false;
  }
}
