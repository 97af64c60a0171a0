// System V shared memory a SIGKILLed postmaster leaves behind (a 56-byte segment, nattch 0). PostgreSQL removes
// a stale segment only when a server restarts in the same data directory, so a killed node that is re-cloned, or a
// run that ends with a node down, would leak one per kill (and the kernel's segment count is bounded).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface ShmSegment {
  shmid: number;
  /** creator's PID: the postmaster */
  cpid: number;
  nattch: number;
}

/** Parses the text of /proc/sysvipc/shm (a header line naming the columns, then one line per segment). */
export function parseSysvShm(text: string): ShmSegment[] {
  const [header, ...rows] = text.split('\n').filter((l) => l.trim() !== '');
  if (!header) return [];
  const cols = header.trim().split(/\s+/);
  const at = (name: string): number => cols.indexOf(name);
  const [iId, iCpid, iAtt] = [at('shmid'), at('cpid'), at('nattch')];
  if (iId < 0 || iCpid < 0 || iAtt < 0) return [];
  return rows.map((r) => {
    const f = r.trim().split(/\s+/);
    return { shmid: Number(f[iId]), cpid: Number(f[iCpid]), nattch: Number(f[iAtt]) };
  });
}

/** The segments created by one of `creators` that no process has attached any more. */
export function orphansOf(segments: readonly ShmSegment[], creators: ReadonlySet<number>): number[] {
  return segments.filter((s) => s.nattch === 0 && creators.has(s.cpid)).map((s) => s.shmid);
}

/** Removes the orphaned segments of these (dead) postmasters; best effort, returns the ids removed. */
export function removeOrphanSegments(creators: ReadonlySet<number>): number[] {
  let ids: number[];
  try {
    ids = orphansOf(parseSysvShm(readFileSync('/proc/sysvipc/shm', 'utf8')), creators);
  } catch {
    return []; // no /proc/sysvipc: nothing we can see
  }
  if (ids.length === 0) return [];
  const r = spawnSync('ipcrm', ids.flatMap((id) => ['-m', String(id)]), { stdio: 'ignore', timeout: 5000 });
  return r.status === 0 ? ids : [];
}
