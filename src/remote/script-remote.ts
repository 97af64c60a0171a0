// What every Remote does the same way: exec, spawn, upload and download as sh scripts over a "start a script"
// primitive (a local child process, or an SSH exec channel), so both implementations run the same code.
import { createReadStream, createWriteStream, rmSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { RemoteError, tail, type RemoteStep } from './errors.js';
import { execScript, killScript, PidMarker, shJoin, shQuote, signalOfStatus, spawnScript } from './shell.js';
import type {
  Command,
  ExecOptions,
  ExecResult,
  ExitStatus,
  Remote,
  RemoteProcess,
  SignalName,
  SignalScope,
  SpawnOptions,
  TransferOptions,
} from './types.js';

/** A started script: its three streams and how it ended (`lost` when the line to the host went away first). */
export interface RawProcess {
  stdin: Writable;
  stdout: Readable;
  stderr: Readable;
  done: Promise<{ code: number | null; signal: string | null; lost: boolean }>;
  /** stop listening (drop the channel or the child's pipes); the script's own watchdog does the rest */
  abandon(): void;
}

const DEFAULT_MAX_OUTPUT = 16 * 1024 * 1024;

function describe(cmd: Command): string {
  const text = 'sh' in cmd ? (cmd as { sh: string }).sh.split('\n')[0] : shJoin(cmd as readonly string[]);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

class Collector {
  private parts: Buffer[] = [];
  private size = 0;
  truncated = false;
  constructor(private readonly max: number) {}
  add(b: Buffer): void {
    if (this.size >= this.max) {
      this.truncated = true;
      return;
    }
    const room = this.max - this.size;
    const kept = b.length > room ? b.subarray(0, room) : b;
    if (kept.length < b.length) this.truncated = true;
    this.parts.push(kept);
    this.size += kept.length;
  }
  text(): string {
    return Buffer.concat(this.parts).toString('utf8');
  }
}

export abstract class ScriptRemote implements Remote {
  abstract readonly name: string;
  abstract readonly login: string;
  abstract readonly where: string;

  /** Starts `script` under /bin/sh as the login user, as a process-group leader, with piped stdio. */
  protected abstract start(script: string, step: RemoteStep): Promise<RawProcess>;
  abstract close(): Promise<void>;

  protected fail(step: RemoteStep, detail: string): RemoteError {
    return new RemoteError(this.name, this.where, step, detail);
  }

  async exec(cmd: Command, opts: ExecOptions = {}): Promise<ExecResult> {
    return this.run(cmd, opts, 'exec');
  }

  private async run(cmd: Command, opts: ExecOptions, step: RemoteStep): Promise<ExecResult> {
    const script = execScript(this.login, cmd, opts);
    if (opts.signal?.aborted) return { code: null, signal: null, stdout: '', stderr: '', timedOut: false, aborted: true, truncated: false };
    const raw = await this.start(script, step);
    const max = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
    const out = new Collector(max);
    const err = new Collector(max);
    const marker = new PidMarker();
    let timedOut = false;
    let aborted = false;
    let stopping = false;
    let killSent = false;
    const killGroup = (): void => {
      const pid = marker.pid;
      if (!stopping || killSent || pid === null) return;
      killSent = true;
      // a new channel: SIGKILL the command's process group (the exec shell leads it)
      void this.startAndWait(killScript(this.login, opts.user, pid, 'KILL', 'group')).catch(() => undefined);
    };
    const stop = (): void => {
      if (stopping) return;
      stopping = true;
      // the PID may not have arrived yet (a slow host): then the kill goes as soon as it does
      killGroup();
      const t = setTimeout(() => raw.abandon(), 10_000);
      t.unref();
    };
    raw.stdout.on('data', (b: Buffer) => {
      opts.onStdout?.(b);
      if (opts.stdoutTo) {
        if (!opts.stdoutTo.write(b)) {
          raw.stdout.pause();
          opts.stdoutTo.once('drain', () => raw.stdout.resume());
        }
      } else out.add(b);
    });
    raw.stderr.on('data', (b: Buffer) => {
      const mine = marker.feed(b);
      killGroup();
      if (mine.length > 0) {
        opts.onStderr?.(mine);
        err.add(mine);
      }
    });
    raw.stdin.on('error', () => undefined);
    const input = opts.stdin;
    if (input === undefined) raw.stdin.end();
    else if (typeof input === 'string' || Buffer.isBuffer(input)) raw.stdin.end(input);
    else (input as Readable).pipe(raw.stdin);
    const timer =
      opts.timeoutMs !== undefined
        ? setTimeout(() => {
            timedOut = true;
            stop();
          }, opts.timeoutMs)
        : null;
    const onAbort = (): void => {
      aborted = true;
      stop();
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    let ended: { code: number | null; signal: string | null; lost: boolean };
    try {
      ended = await raw.done;
    } finally {
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    }
    const rest = marker.flush();
    if (rest.length > 0) err.add(rest);
    const stderr = err.text();
    if (ended.lost && !timedOut && !aborted) {
      throw this.fail(step, `the connection was lost while running ${describe(cmd)}${stderr ? `: ${tail(stderr)}` : ''}`);
    }
    const result: ExecResult = {
      code: ended.code,
      signal: ended.signal?.replace(/^SIG/, '') ?? signalOfStatus(ended.code),
      stdout: out.text(),
      stderr,
      timedOut,
      aborted,
      truncated: out.truncated || err.truncated,
    };
    if (opts.check && result.code !== 0) {
      const why = timedOut ? `timed out after ${opts.timeoutMs} ms` : aborted ? 'stopped' : `exited ${result.code ?? result.signal}`;
      throw this.fail(step, `${describe(cmd)} ${why}${stderr.trim() ? `: ${tail(stderr)}` : ''}`);
    }
    return result;
  }

  async spawn(cmd: Command, opts: SpawnOptions = {}): Promise<RemoteProcess> {
    const script = spawnScript(this.login, cmd, opts);
    const raw = await this.start(script, 'spawn');
    const marker = new PidMarker();
    const early: Buffer[] = [];
    let resolvePid!: (pid: number) => void;
    const pidKnown = new Promise<number>((r) => (resolvePid = r));
    raw.stdout.on('data', (b: Buffer) => opts.onStdout?.(b));
    raw.stderr.on('data', (b: Buffer) => {
      const mine = marker.feed(b);
      if (marker.pid !== null) resolvePid(marker.pid);
      if (mine.length > 0) {
        if (early.length < 64) early.push(mine);
        opts.onStderr?.(mine);
      }
    });
    raw.stdin.on('error', () => undefined);
    let running = true;
    const exited: Promise<ExitStatus> = raw.done.then(
      (d) => {
        running = false;
        return { code: d.code, signal: d.signal?.replace(/^SIG/, '') ?? signalOfStatus(d.code), lost: d.lost };
      },
      () => {
        running = false;
        return { code: null, signal: null, lost: true };
      },
    );
    const first = await Promise.race([pidKnown, exited]);
    if (typeof first !== 'number') {
      throw this.fail('spawn', `${describe(cmd)} did not start (${first.lost ? 'connection lost' : `exit ${first.code}`})${early.length ? `: ${tail(Buffer.concat(early).toString('utf8'))}` : ''}`);
    }
    const pid = first;
    const user = opts.user;
    const self = this;
    return {
      pid,
      exited,
      get running() {
        return running;
      },
      async signal(sig: SignalName, scope: SignalScope = 'process'): Promise<boolean> {
        if (!running) return false;
        const k = await self.startAndWait(killScript(self.login, user, pid, sig, scope));
        return k.code === 0;
      },
    };
  }

  /** Runs a ready-made script (no marker parsing), for signals: exit code, or a RemoteError when the line is lost. */
  private async startAndWait(script: string): Promise<{ code: number | null }> {
    const k = await this.start(script, 'signal');
    k.stdin.end();
    k.stdout.resume();
    k.stderr.resume();
    const d = await k.done;
    if (d.lost) throw this.fail('signal', 'the connection was lost while sending a signal');
    return d;
  }

  async upload(src: string | Buffer, remotePath: string, opts: TransferOptions = {}): Promise<void> {
    const mode = (opts.mode ?? 0o600).toString(8);
    if (!/^[0-7]{1,4}$/.test(mode)) throw this.fail('upload', `not a file mode: ${mode}`);
    const d = shQuote(remotePath);
    const script = [
      'umask 077',
      `t=${d}.fl-tmp.$$`,
      `trap 'rm -f "$t"' EXIT`,
      `cat > "$t" && chmod ${mode} "$t" && mv -f "$t" ${d} && trap - EXIT`,
    ].join('\n');
    const stdin = typeof src === 'string' ? createReadStream(src) : src;
    if (typeof src === 'string') {
      await new Promise<void>((resolve, reject) => {
        (stdin as Readable).once('open', () => resolve());
        (stdin as Readable).once('error', (e) => reject(this.fail('upload', `cannot read ${src}: ${e.message}`)));
      });
    }
    await this.run({ sh: script }, { user: opts.user, stdin, check: true }, 'upload');
  }

  async download(remotePath: string, localPath: string, opts: TransferOptions = {}): Promise<void> {
    const file = createWriteStream(localPath, { mode: opts.mode ?? 0o600 });
    await new Promise<void>((resolve, reject) => {
      file.once('open', () => resolve());
      file.once('error', (e) => reject(this.fail('download', `cannot write ${localPath}: ${e.message}`)));
    });
    try {
      await this.run(['cat', '--', remotePath], { user: opts.user, stdoutTo: file, check: true }, 'download');
      await new Promise<void>((resolve, reject) => {
        file.once('error', reject);
        file.end(() => resolve());
      });
    } catch (e) {
      file.destroy();
      rmSync(localPath, { force: true });
      throw e;
    }
  }
}
