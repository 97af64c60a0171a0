// Parsing /proc/sysvipc/shm and choosing the orphaned segments of killed postmasters (pure; the removal itself is
// exercised on a real killed server in control.test.ts).
import { describe, expect, it } from 'vitest';
import { orphansOf, parseSysvShm } from '../../src/cluster/ipc.js';

const TABLE = `       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid      atime      dtime      ctime                   rss                  swap
    496703    1245185   600                    56 23340 23428      0   999   995   999   995 1795309597 1795309597 1795309589                  4096                     0
    190959     720898   600                    56  3818  3934      2   999   995   999   995 1795308798 1795308798 1795308791                  4096                     0
         0         17   644               1048576   400   400      0     0     0     0     0          0          0 1795308000                     0                     0
`;

describe('System V segments', () => {
  it('are read by column name', () => {
    expect(parseSysvShm(TABLE)).toEqual([
      { shmid: 1245185, cpid: 23340, nattch: 0 },
      { shmid: 720898, cpid: 3818, nattch: 2 },
      { shmid: 17, cpid: 400, nattch: 0 },
    ]);
    expect(parseSysvShm('')).toEqual([]);
    expect(parseSysvShm('no such columns\n1 2 3\n')).toEqual([]);
  });

  it('are orphans only when detached and created by one of the given postmasters', () => {
    const segs = parseSysvShm(TABLE);
    expect(orphansOf(segs, new Set([23340, 3818]))).toEqual([1245185]);
    expect(orphansOf(segs, new Set([999]))).toEqual([]);
  });
});
