// LocalRemote: this machine as a host (today's behaviour): scripts run as child processes under /bin/sh, each
// the leader of its own process group; optionally as another OS user (setpriv when faultline is root).
import { spawn } from 'node:child_process';
import { userInfo } from 'node:os';
import type { RemoteStep } from './errors.js';
import { ScriptRemote, type RawProcess } from './script-remote.js';

export interface LocalRemoteOptions {
  /** the host's name in messages (default "local") */
  name?: string;
  /** extra environment for every command (PATH etc. are inherited) */
  env?: Readonly<Record<string, string>>;
}

export class LocalRemote extends ScriptRemote {
  readonly name: string;
  readonly login: string;
  readonly where = 'local';
  private readonly children = new Set<RawProcess>();

  constructor(private readonly opts: LocalRemoteOptions = {}) {
    super();
    this.name = opts.name ?? 'local';
    this.login = userInfo().username;
  }

  protected async start(script: string, step: RemoteStep): Promise<RawProcess> {
    const child = spawn('/bin/sh', ['-c', script], {
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...this.opts.env },
    });
    const done = new Promise<{ code: number | null; signal: string | null; lost: boolean }>((resolve, reject) => {
      child.once('error', (e) => reject(this.fail(step, `cannot start /bin/sh: ${e.message}`)));
      child.once('close', (code, signal) => resolve({ code, signal: signal ? signal.replace(/^SIG/, '') : null, lost: false }));
    });
    const raw: RawProcess = {
      stdin: child.stdin,
      stdout: child.stdout,
      stderr: child.stderr,
      done,
      abandon: () => {
        child.stdin.destroy();
        child.stdout.destroy();
        child.stderr.destroy();
      },
    };
    this.children.add(raw);
    void done.finally(() => this.children.delete(raw)).catch(() => undefined);
    return raw;
  }

  /** Closes every spawned process's line (its watchdog then stops it) and waits for them to end. */
  async close(): Promise<void> {
    const open = [...this.children];
    for (const c of open) c.stdin.end();
    await Promise.all(open.map((c) => c.done.catch(() => undefined)));
  }
}
