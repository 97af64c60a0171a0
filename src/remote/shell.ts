// POSIX sh text every Remote runs: quoting, the prefix that runs a command as another OS user (setpriv from root,
// sudo -n otherwise), the exec script (prints its process group first) and the spawn script (a watchdog on stdin).
import type { Command, RunAs, SignalName } from './types.js';

/** Marker line the scripts print on stderr before anything else: `FLPID <pid>`. */
export const PID_MARKER = 'FLPID ';

/** Quotes one word for a POSIX shell. NUL bytes cannot be passed to a program and are refused. */
export function shQuote(s: string): string {
  if (s.includes('\0')) throw new Error('a command argument contains a NUL byte');
  if (s !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function shJoin(argv: readonly string[]): string {
  return argv.map(shQuote).join(' ');
}

/** The command as sh text (a script runs in its own `/bin/sh -c`, so `exec` of it keeps one PID). */
export function commandText(cmd: Command): string {
  if ('sh' in cmd) return `/bin/sh -c ${shQuote((cmd as { sh: string }).sh)}`;
  const argv = cmd as readonly string[];
  if (argv.length === 0) throw new Error('empty command');
  return shJoin(argv);
}

const USER_NAME = /^[a-z_][a-z0-9_.-]*\$?$/i;

/**
 * How to become `user` when logged in as `login`: nothing, setpriv (root to anyone: no fork, the PID stays),
 * `sudo -n` (to root, or to another user). Returns sh text: lines to run first, and a prefix for the command.
 */
export function becomeUser(login: string, user: string | undefined): { pre: string; prefix: string } {
  if (user === undefined || user === login) return { pre: '', prefix: '' };
  if (!USER_NAME.test(user)) throw new Error(`not an OS user name: ${JSON.stringify(user)}`);
  if (login === 'root') {
    const q = shQuote(user);
    return {
      pre: `fl_uid=$(id -u ${q} 2>/dev/null) && fl_gid=$(id -g ${q} 2>/dev/null) || { echo "no OS user ${user} on this host" >&2; exit 126; }\n`,
      prefix: 'setpriv --reuid="$fl_uid" --regid="$fl_gid" --init-groups -- ',
    };
  }
  if (user === 'root') return { pre: '', prefix: 'sudo -n -- ' };
  return { pre: '', prefix: `sudo -n -u ${shQuote(user)} -- ` };
}

function envText(env: RunAs['env']): string {
  const entries = Object.entries(env ?? {});
  if (entries.length === 0) return '';
  for (const [k] of entries) if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`not an environment variable name: ${JSON.stringify(k)}`);
  return `env ${entries.map(([k, v]) => shQuote(`${k}=${v}`)).join(' ')} `;
}

function cwdText(login: string, run: RunAs): string {
  const cwd = run.cwd ?? (run.user !== undefined && run.user !== login ? '/' : undefined);
  return cwd === undefined ? '' : `cd ${shQuote(cwd)} || exit 126\n`;
}

/** The full command line with user switch and environment: `PREFIX env K=V CMD`. */
function invocation(login: string, cmd: Command, run: RunAs): { pre: string; line: string } {
  const who = becomeUser(login, run.user);
  return { pre: who.pre, line: `${who.prefix}${envText(run.env)}${commandText(cmd)}` };
}

/**
 * The exec script: prints `FLPID $$` (the shell is a process-group leader: sshd's session, or a detached
 * local child) so a timeout can SIGKILL the whole group, then execs the command with the caller's stdin.
 */
export function execScript(login: string, cmd: Command, run: RunAs = {}): string {
  const inv = invocation(login, cmd, run);
  return `printf '${PID_MARKER}%s\\n' "$$" >&2\n${cwdText(login, run)}${inv.pre}exec ${inv.line}\n`;
}

/** sh function printing PID and all its descendants (from ps), one per line. */
const TREE_FN = [
  'fl_tree() {',
  "  ps -e -o pid= -o ppid= 2>/dev/null | awk -v root=\"$1\" '{ parent[$1] = $2 } END {",
  '    if (!(root in parent)) exit; seen[root] = 1; n = 1; print root',
  '    while (n > 0) { n = 0; for (p in parent) if (!(p in seen) && (parent[p] in seen)) { seen[p] = 1; n++; print p } }',
  "  }'",
  '}',
].join('\n');

/** A script that sends `sig` to `pid` (process), its process group (group), or it and its descendants (tree); exit 1 if none got it. */
export function signalScript(pid: number, sig: SignalName, scope: 'process' | 'tree' | 'group'): string {
  if (!Number.isInteger(pid) || pid <= 1) throw new Error(`not a PID to signal: ${pid}`);
  if (scope === 'process') return `kill -s ${sig} ${pid}`;
  if (scope === 'group') return `kill -s ${sig} -- -${pid}`;
  return `${TREE_FN}\npids=$(fl_tree ${pid})\nkill -0 ${pid} 2>/dev/null || exit 1\nkill -s ${sig} $pids 2>/dev/null\nexit 0\n`;
}

/** The exec script for a signal as `user` (root may need sudo; another user runs kill as itself). */
export function killScript(login: string, user: string | undefined, pid: number, sig: SignalName, scope: 'process' | 'tree' | 'group'): string {
  return execScript(login, { sh: signalScript(pid, sig, scope) }, { user });
}

/**
 * The spawn script (the same one locally and over SSH). Stdin is faultline's line to the host: the command gets
 * /dev/null, a watchdog holds stdin, and when it reaches EOF (faultline exited or was SIGKILLed, or the
 * connection dropped) it resumes the process tree, sends `orphanSignal`, and SIGKILLs the tree after the grace
 * time. Prints `FLPID <pid>` on stderr once the command runs in the background; exits with its status.
 */
export function spawnScript(
  login: string,
  cmd: Command,
  run: RunAs & { stdoutPath?: string; stderrPath?: string; orphanSignal?: SignalName; orphanGraceMs?: number } = {},
): string {
  const inv = invocation(login, cmd, run);
  const out = run.stdoutPath !== undefined ? ` >>${shQuote(run.stdoutPath)}` : '';
  const err = run.stderrPath !== undefined ? ` 2>>${shQuote(run.stderrPath)}` : '';
  const sig = run.orphanSignal ?? 'TERM';
  const ticks = Math.max(1, Math.ceil((run.orphanGraceMs ?? 10_000) / 100));
  // the watchdog's kills run as the command's user (root may go through sudo), like RemoteProcess.signal
  const who = becomeUser(login, run.user);
  const asUser = who.prefix;
  return [
    'exec 3<&0 </dev/null',
    cwdText(login, run).trimEnd(),
    inv.pre.trimEnd(),
    TREE_FN,
    `${inv.line} 3<&-${out}${err} &`,
    'pid=$!',
    `printf '${PID_MARKER}%s\\n' "$pid" >&2`,
    '(',
    '  read -r _ <&3',
    "  trap '' TERM",
    '  pids=$(fl_tree "$pid")',
    `  [ -n "$pids" ] && ${asUser}kill -s CONT $pids 2>/dev/null`,
    `  ${asUser}kill -s ${sig} "$pid" 2>/dev/null`,
    '  n=0',
    `  while kill -0 "$pid" 2>/dev/null && [ "$n" -lt ${ticks} ]; do sleep 0.1; n=$((n+1)); done`,
    `  [ -n "$pids" ] && ${asUser}kill -s KILL $pids $(fl_tree "$pid") 2>/dev/null`,
    ') >/dev/null 2>&1 &',
    'w=$!',
    'exec 3<&-',
    'wait "$pid"',
    'rc=$?',
    'kill "$w" 2>/dev/null',
    'exit "$rc"',
  ]
    .filter((l) => l !== '')
    .join('\n');
}

const SIGNALS: Record<number, string> = { 1: 'HUP', 2: 'INT', 3: 'QUIT', 6: 'ABRT', 9: 'KILL', 10: 'USR1', 12: 'USR2', 13: 'PIPE', 14: 'ALRM', 15: 'TERM' };

/** The signal a shell's 128+N status names (a program may also exit 129..159 itself: this is the shell's reading). */
export function signalOfStatus(code: number | null): string | null {
  if (code === null || code <= 128 || code >= 160) return null;
  return SIGNALS[code - 128] ?? `SIG${code - 128}`;
}

/**
 * Splits the `FLPID n` marker line off the front of a stderr stream: feed chunks, get the PID once and the rest.
 */
export class PidMarker {
  private head = Buffer.alloc(0);
  pid: number | null = null;
  done = false;

  /** Returns the bytes that belong to the command's own stderr (empty while the marker line is incomplete). */
  feed(chunk: Buffer): Buffer {
    if (this.done) return chunk;
    this.head = Buffer.concat([this.head, chunk]);
    const nl = this.head.indexOf(10);
    if (nl < 0) {
      if (this.head.length > 64) return this.giveUp();
      return Buffer.alloc(0);
    }
    const line = this.head.subarray(0, nl).toString('utf8');
    const rest = this.head.subarray(nl + 1);
    this.done = true;
    this.head = Buffer.alloc(0);
    if (line.startsWith(PID_MARKER) && /^[0-9]+$/.test(line.slice(PID_MARKER.length))) {
      this.pid = Number(line.slice(PID_MARKER.length));
      return rest;
    }
    return Buffer.concat([Buffer.from(line + '\n'), rest]);
  }

  /** Bytes held back when the stream ended without a marker. */
  flush(): Buffer {
    return this.done ? Buffer.alloc(0) : this.giveUp();
  }

  private giveUp(): Buffer {
    this.done = true;
    const h = this.head;
    this.head = Buffer.alloc(0);
    return h;
  }
}
