// Process hygiene: a registry of every child process the tool starts, stopped on exit, SIGINT, SIGTERM and crashes;
// plus /proc helpers (descendants, liveness) used to kill, pause and resume a whole process tree.
import { readdirSync, readFileSync } from 'node:fs';

/** A tracked child process: `stop` is the graceful path, `killNow` the synchronous last resort (used in 'exit'). */
export interface TrackedProcess {
  readonly name: string;
  readonly pid: number;
  stop(): Promise<void>;
  killNow(): void;
}

/** A cleanup; `signal` is the one that started the shutdown (absent when stopAll is called directly). */
type Cleanup = (signal?: NodeJS.Signals) => Promise<void>;

const tracked = new Set<TrackedProcess>();
const cleanups: Cleanup[] = [];
let installed = false;
let shuttingDown = false;

/** Tracks a process until the returned function is called (call it once the process has exited). */
export function track(p: TrackedProcess): () => void {
  install();
  tracked.add(p);
  return () => {
    tracked.delete(p);
  };
}

/** Registers an async cleanup run (last registered first) on SIGINT/SIGTERM before tracked processes are stopped. */
export function onCleanup(fn: Cleanup): () => void {
  install();
  cleanups.push(fn);
  return () => {
    const i = cleanups.indexOf(fn);
    if (i >= 0) cleanups.splice(i, 1);
  };
}

/** Processes currently tracked (for tests and diagnostics). */
export function trackedProcesses(): readonly TrackedProcess[] {
  return [...tracked];
}

/** Runs every cleanup, then stops every tracked process; never throws. */
export async function stopAll(signal?: NodeJS.Signals): Promise<void> {
  for (const fn of [...cleanups].reverse()) {
    try {
      await fn(signal);
    } catch {
      // keep going: the point is to leave nothing behind
    }
  }
  cleanups.length = 0;
  await Promise.all(
    [...tracked].map(async (p) => {
      try {
        await p.stop();
      } catch {
        p.killNow();
      }
    }),
  );
}

function killAllNow(): void {
  for (const p of tracked) {
    try {
      p.killNow();
    } catch {
      // already gone
    }
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  // 'exit' also runs when an uncaught exception or unhandled rejection ends the process.
  process.on('exit', killAllNow);
  const onSignal = (signal: NodeJS.Signals, code: number) => {
    if (shuttingDown) {
      killAllNow();
      process.exit(code);
    }
    shuttingDown = true;
    const anything = tracked.size > 0 || cleanups.length > 0;
    const force = setTimeout(() => {
      killAllNow();
      process.exit(code);
    }, 30_000);
    force.unref();
    void stopAll(signal).finally(() => {
      if (anything) process.stderr.write(`faultline: stopped everything after ${signal}\n`);
      process.exit(code);
    });
  };
  process.on('SIGINT', () => onSignal('SIGINT', 130));
  process.on('SIGTERM', () => onSignal('SIGTERM', 143));
}

/** True while /proc/PID exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** The process's start time in clock ticks since boot (/proc/PID/stat field 22): with the PID, names one process. */
export function startTimeOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  } catch {
    return null;
  }
}

function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[1]);
  } catch {
    return null;
  }
}

/** Every live descendant of `pid` (children, grandchildren, …), found by scanning /proc. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    const child = Number(entry);
    const parent = parentOf(child);
    if (parent === null) continue;
    const list = children.get(parent);
    if (list) list.push(child);
    else children.set(parent, [child]);
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const p = queue.shift() as number;
    for (const c of children.get(p) ?? []) {
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

/** Sends `signal` to `pid` and all its descendants; returns the PIDs signalled. Missing processes are ignored. */
export function signalTree(pid: number, signal: NodeJS.Signals): number[] {
  const pids = [pid, ...descendants(pid)];
  const hit: number[] = [];
  for (const p of pids) {
    try {
      process.kill(p, signal);
      hit.push(p);
    } catch {
      // exited meanwhile
    }
  }
  return hit;
}

/** Resolves true once every PID is gone, false after `timeoutMs`. */
export async function waitGone(pids: readonly number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (pids.every((p) => !isAlive(p))) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
}
