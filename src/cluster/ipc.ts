// System V shared memory a SIGKILLed postmaster leaves behind (a 56-byte segment, nattch 0). PostgreSQL removes
// a stale segment only when a server restarts in the same data directory, so a killed node that is re-cloned, or a
// run that ends with a node down, would leak one per kill (and the kernel's segment count is bounded). An initdb
// whose backend PANICs (a full disk) leaves one too: PostgreSQL keys it from the data directory's inode.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface ShmSegment {
  /** the IPC key (PostgreSQL: the data directory's inode number, or the next free one above it) */
  key: number;
  shmid: number;
  /** creator's PID: the postmaster */
  cpid: number;
  nattch: number;
  /** creator's uid */
  cuid: number;
}

/** Parses the text of /proc/sysvipc/shm (a header line naming the columns, then one line per segment). */
export function parseSysvShm(text: string): ShmSegment[] {
  const [header, ...rows] = text.split('\n').filter((l) => l.trim() !== '');
  if (!header) return [];
  const cols = header.trim().split(/\s+/);
  const at = (name: string): number => cols.indexOf(name);
  const [iKey, iId, iCpid, iAtt, iCuid] = [at('key'), at('shmid'), at('cpid'), at('nattch'), at('cuid')];
  if (iId < 0 || iCpid < 0 || iAtt < 0) return [];
  return rows.map((r) => {
    const f = r.trim().split(/\s+/);
    return { key: iKey < 0 ? -1 : Number(f[iKey]), shmid: Number(f[iId]), cpid: Number(f[iCpid]), nattch: Number(f[iAtt]), cuid: iCuid < 0 ? -1 : Number(f[iCuid]) };
  });
}

/** The segments created by one of `creators` that no process has attached any more. */
export function orphansOf(segments: readonly ShmSegment[], creators: ReadonlySet<number>): number[] {
  return segments.filter((s) => s.nattch === 0 && creators.has(s.cpid)).map((s) => s.shmid);
}

/** How many keys above a data directory's inode PostgreSQL may have tried (it takes the next free one). */
const KEY_SPAN = 64;

/**
 * The segments a server in the data directory with inode `ino` created as `uid` that nobody has attached any
 * more, and whose creator is gone: what a backend that PANICked during initdb leaves behind.
 */
export function orphansOfDataDir(segments: readonly ShmSegment[], ino: number, uid: number, alive: (pid: number) => boolean): number[] {
  const base = ino % 2 ** 32;
  return segments
    .filter((s) => {
      const key = s.key >>> 0;
      return s.nattch === 0 && s.cuid === uid && key >= base && key < base + KEY_SPAN && !alive(s.cpid);
    })
    .map((s) => s.shmid);
}

function readSegments(): ShmSegment[] | null {
  try {
    return parseSysvShm(readFileSync('/proc/sysvipc/shm', 'utf8'));
  } catch {
    return null; // no /proc/sysvipc: nothing we can see
  }
}

/** Removes the orphaned segments of these (dead) postmasters; best effort, returns the ids removed. */
export function removeOrphanSegments(creators: ReadonlySet<number>): number[] {
  const segments = readSegments();
  return segments === null ? [] : ipcrm(orphansOf(segments, creators));
}

/** Removes what a failed initdb in the data directory with inode `ino` left (see orphansOfDataDir); best effort. */
export function removeDataDirSegments(ino: number, uid: number, alive: (pid: number) => boolean): number[] {
  const segments = readSegments();
  return segments === null ? [] : ipcrm(orphansOfDataDir(segments, ino, uid, alive));
}

function ipcrm(ids: number[]): number[] {
  if (ids.length === 0) return [];
  const r = spawnSync('ipcrm', ids.flatMap((id) => ['-m', String(id)]), { stdio: 'ignore', timeout: 5000 });
  return r.status === 0 ? ids : [];
}
