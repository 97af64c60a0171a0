// Parsing /proc/sysvipc/shm and choosing the orphaned segments of killed postmasters (pure; the removal itself is
// exercised on a real killed server in control.test.ts).
import { describe, expect, it } from 'vitest';
import { orphansOf, orphansOfDataDir, parseSysvShm } from '../../src/cluster/ipc.js';

const TABLE = `       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid      atime      dtime      ctime                   rss                  swap
    496703    1245185   600                    56 23340 23428      0   999   995   999   995 1795309597 1795309597 1795309589                  4096                     0
    190959     720898   600                    56  3818  3934      2   999   995   999   995 1795308798 1795308798 1795308791                  4096                     0
         0         17   644               1048576   400   400      0     0     0     0     0          0          0 1795308000                     0                     0
`;

describe('System V segments', () => {
  it('are read by column name', () => {
    expect(parseSysvShm(TABLE)).toEqual([
      { key: 496703, shmid: 1245185, cpid: 23340, nattch: 0, cuid: 999 },
      { key: 190959, shmid: 720898, cpid: 3818, nattch: 2, cuid: 999 },
      { key: 0, shmid: 17, cpid: 400, nattch: 0, cuid: 0 },
    ]);
    expect(parseSysvShm('')).toEqual([]);
    expect(parseSysvShm('no such columns\n1 2 3\n')).toEqual([]);
  });

  it('are orphans only when detached and created by one of the given postmasters', () => {
    const segs = parseSysvShm(TABLE);
    expect(orphansOf(segs, new Set([23340, 3818]))).toEqual([1245185]);
    expect(orphansOf(segs, new Set([999]))).toEqual([]);
  });

  // issue 12 item 6: initdb's backend PANICs on a full disk and leaves its segment, keyed from the data dir's inode
  it('of a failed initdb: detached, keyed at or just above the data directory inode, the server user\'s, creator gone', () => {
    const segs = parseSysvShm(TABLE);
    const dead = () => false;
    expect(orphansOfDataDir(segs, 496703, 999, dead)).toEqual([1245185]);
    expect(orphansOfDataDir(segs, 496700, 999, dead)).toEqual([1245185]); // key taken: the next free one above
    expect(orphansOfDataDir(segs, 496704, 999, dead)).toEqual([]); // below the inode: not this directory's
    expect(orphansOfDataDir(segs, 496703, 1000, dead)).toEqual([]); // another user's
    expect(orphansOfDataDir(segs, 496703, 999, (pid) => pid === 23340)).toEqual([]); // its creator still runs
    expect(orphansOfDataDir(segs, 190959, 999, dead)).toEqual([]); // attached
  });
});
