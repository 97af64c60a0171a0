// Watches a server log while the server starts: keeps the line that explains a failure (the last PANIC, else the
// last FATAL that is not about the start-up probe itself), and tells a hopeless start (a PANIC, a full disk, a
// permission error) from a slow one, so a node that cannot start says why at once instead of timing out.
import { closeSync, openSync, readSync, statSync } from 'node:fs';

/** FATALs the readiness probe itself causes while the server starts: not a cause. */
const PROBE_NOISE = /the database system is (starting up|not yet accepting connections|shutting down|in recovery mode)/;
/** FATALs no waiting will cure. */
const HOPELESS = /No space left on device|Check free disk space|Permission denied|Disk quota exceeded|Read-only file system/;
const LEVEL = /\b(PANIC|FATAL):\s+(.*)$/;
const HINT = /\bHINT:\s+(.*)$/;

/**
 * The cause line of a log's text, or null. Pure. The first hopeless line (a PANIC, or a FATAL no waiting cures:
 * the root cause, a PANIC that follows it is its consequence), else the last FATAL that is not the probe's;
 * with the HINT line that follows it.
 */
export function causeOf(text: string): { line: string; hopeless: boolean } | null {
  const lines = text.split('\n');
  let hopeless: string | null = null;
  let fatal: string | null = null;
  for (let i = 0; i < lines.length && hopeless === null; i++) {
    const m = LEVEL.exec(lines[i]!);
    if (!m) continue;
    const hint = HINT.exec(lines[i + 1] ?? '');
    const line = `${m[1]}: ${m[2]!.trim()}${hint ? ` (HINT: ${hint[1]!.trim()})` : ''}`;
    if (m[1] === 'PANIC' || HOPELESS.test(line)) hopeless = line;
    else if (!PROBE_NOISE.test(m[2]!)) fatal = line;
  }
  if (hopeless !== null) return { line: hopeless, hopeless: true };
  return fatal === null ? null : { line: fatal, hopeless: false };
}

/** Reads what a log file gained since the watch began (bounded per read), and keeps its cause line. */
export class LogWatch {
  private offset: number;
  private carry = '';
  private seen = '';

  constructor(private readonly file: string) {
    this.offset = sizeOf(file);
  }

  /** Reads what is new; returns the cause so far (null: none yet). */
  poll(): { line: string; hopeless: boolean } | null {
    const size = sizeOf(this.file);
    if (size < this.offset) this.offset = 0; // replaced
    if (size > this.offset) {
      const len = Math.min(size - this.offset, 1 << 20);
      const buf = Buffer.alloc(len);
      let fd: number | null = null;
      try {
        fd = openSync(this.file, 'r');
        const n = readSync(fd, buf, 0, len, this.offset);
        this.offset += n;
        const text = this.carry + buf.subarray(0, n).toString('utf8');
        const nl = text.lastIndexOf('\n');
        this.carry = text.slice(nl + 1);
        // keep only the lines that can be causes (a start-up log is short, but a crash loop is not)
        const lines = text.slice(0, nl + 1).split('\n').filter((l) => LEVEL.test(l) || HINT.test(l));
        this.seen = [...this.seen.split('\n').filter((l) => l !== ''), ...lines].slice(-50).join('\n');
      } catch {
        // unreadable for now
      } finally {
        if (fd !== null) closeSync(fd);
      }
    }
    return causeOf(`${this.seen}\n${this.carry}`);
  }
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
