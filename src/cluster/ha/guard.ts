// The HA stacks' watchdog: one `sh` per stack that blocks on a pipe only faultline holds. When faultline dies in any
// way the pipe closes and the guard SIGKILLs every daemon whose PID file is in its directory and immediate-stops
// (SIGQUIT) every postmaster named there, orphans of a killed manager included. Daemons register by writing files.
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { track } from '../../util/processes.js';

/**
 * `$1` is the guard directory: `*.pid` hold a daemon's PID, `*.pgdata` a data directory whose postmaster.pid names a
 * postmaster. On EOF: SIGCONT + SIGKILL to each daemon, SIGCONT + SIGQUIT to each postmaster, SIGKILL after 10 s.
 */
const GUARD = [
  'exec 3<&0 </dev/null',
  'd="$1"',
  'read -r _ <&3',
  'pms=""',
  'for f in "$d"/*.pid; do [ -f "$f" ] || continue; p=$(head -n1 "$f"); [ -n "$p" ] && kill -CONT "$p" 2>/dev/null; [ -n "$p" ] && kill -KILL "$p" 2>/dev/null; done',
  'for f in "$d"/*.pgdata; do [ -f "$f" ] || continue; pd=$(head -n1 "$f"); p=$(head -n1 "$pd/postmaster.pid" 2>/dev/null); [ -n "$p" ] || continue; kill -CONT "$p" 2>/dev/null; kill -QUIT "$p" 2>/dev/null; pms="$pms $p"; done',
  'n=0; while [ "$n" -lt 100 ]; do alive=""; for p in $pms; do kill -0 "$p" 2>/dev/null && alive=1; done; [ -z "$alive" ] && exit 0; sleep 0.1; n=$((n+1)); done',
  'for p in $pms; do kill -KILL "$p" 2>/dev/null; done',
].join('\n');

export class Guard {
  private child: ChildProcess | null = null;
  private untrack: (() => void) | null = null;

  constructor(readonly dir: string) {}

  start(): void {
    if (this.child) return;
    // the guard runs as faultline's own user so it can signal the server user's processes
    const child = spawn('sh', ['-c', GUARD, 'faultline-guard', this.dir], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
    child.unref();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    this.child = child;
    this.untrack = track({ name: 'ha guard', pid: child.pid!, stop: async () => this.fire(), killNow: () => this.fire() });
  }

  /** The daemon `name` runs as `pid` (killed when faultline dies); null forgets it. */
  daemon(name: string, pid: number | null): void {
    const f = join(this.dir, `${name}.pid`);
    if (pid === null) rmSync(f, { force: true });
    else writeFileSync(f, `${pid}\n`);
  }

  /** The postmaster of `dataDir` is stopped when faultline dies (whoever started it). */
  postmaster(name: string, dataDir: string): void {
    writeFileSync(join(this.dir, `${name}.pgdata`), `${dataDir}\n`);
  }

  /** Lets the guard kill everything registered now (faultline is going away without a clean stop). */
  fire(): void {
    this.child?.stdin?.destroy();
  }

  /** Ends the guard without it killing anything (a clean stop already did): it exits on the next read error. */
  close(): void {
    this.untrack?.();
    this.untrack = null;
    const c = this.child;
    this.child = null;
    if (c && c.exitCode === null) {
      try {
        process.kill(c.pid!, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
}
