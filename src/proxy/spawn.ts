// Runs the proxy server as its own child process (its work stays off the caller's event loop).
// Compiled, it runs `node proxy-main.js` beside this module (dist/src/proxy/, or the bundle's dist/cli/); from TS
// sources `node --import tsx src/proxy/proxy-main.ts`.
import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface SpawnedProxy {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export interface SpawnProxyOptions {
  /** Append the child's stderr here (default: kept in memory, shown if start-up fails). */
  logFile?: string;
  /** How long to wait for the child to listen (default 15 s). */
  startTimeoutMs?: number;
}

function childCommand(): string[] {
  const self = fileURLToPath(import.meta.url);
  const here = dirname(self);
  if (self.endsWith('.ts')) {
    const tsx = createRequire(import.meta.url).resolve('tsx');
    return ['--import', pathToFileURL(tsx).href, join(here, 'proxy-main.ts')];
  }
  return [join(here, 'proxy-main.js')];
}

/** True if `pid` is gone (or a zombie nobody reaped yet). */
export function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

export async function spawnProxyServer(opts: SpawnProxyOptions = {}): Promise<SpawnedProxy> {
  const logFd = opts.logFile ? openSync(opts.logFile, 'a') : null;
  const child = spawn(process.execPath, childCommand(), {
    stdio: ['pipe', 'pipe', logFd ?? 'pipe'],
    env: { ...process.env },
  });
  if (logFd !== null) closeSync(logFd);
  const pid = child.pid;
  let exited = child.exitCode !== null;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString('utf8')).slice(-4000);
  });
  child.stdin?.on('error', () => {});

  const stop = async (): Promise<void> => {
    if (exited || pid === undefined) return;
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, 3000);
    await exit;
    clearTimeout(timer);
  };

  try {
    if (pid === undefined) throw new Error('could not start the proxy server process');
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error('proxy server did not start in time')), opts.startTimeoutMs ?? 15_000);
      child.stdout?.on('data', (c: Buffer) => {
        out += c.toString('utf8');
        const nl = out.indexOf('\n');
        if (nl < 0) return;
        clearTimeout(timer);
        try {
          const msg = JSON.parse(out.slice(0, nl)) as { url?: unknown };
          if (typeof msg.url !== 'string') throw new Error('no url');
          resolve(msg.url);
        } catch {
          reject(new Error(`proxy server printed an unexpected line: ${out.slice(0, nl)}`));
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`proxy server exited (${signal ?? code}) before listening${stderr ? `: ${stderr.trim()}` : ''}`));
      });
      child.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
    // do not keep the caller alive because of the child or its pipes
    child.stdout?.resume();
    child.unref();
    for (const s of [child.stdin, child.stdout, child.stderr]) (s as unknown as { unref?: () => void } | null)?.unref?.();
    return { url, pid, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
