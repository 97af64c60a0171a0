// Node control on a real streaming cluster: kill (every process of the node gone), start, pause (no answer,
// every process stopped), resume, fast stop and restart; nothing is left behind.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../../src/cluster/index.js';
import { parseSysvShm } from '../../src/cluster/ipc.js';
import { descendants } from '../../src/util/processes.js';
import { gone, seesCount, sql, until } from './helpers.js';

function procState(pid: number): string {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return s.slice(s.lastIndexOf(')') + 2, s.lastIndexOf(')') + 3);
}

describe('node control', () => {
  let c: Cluster;
  const seen = new Set<number>();
  const remember = () => {
    for (const n of c.nodes) if (n.pid) [n.pid, ...descendants(n.pid)].forEach((p) => seen.add(p));
  };

  beforeAll(async () => {
    c = await startCluster({ topology: 'streaming-async', nodes: 2 });
    await sql(c.clientConfig('n1'), 'CREATE TABLE t (id int PRIMARY KEY)');
    remember();
  });
  afterEach(async () => {
    for (const n of c.nodes) if (n.state === 'paused') await c.resume(n.name);
  });
  afterAll(async () => {
    await c?.stop();
    expect([...seen].filter((p) => !gone(p))).toEqual([]);
  });

  it('kill sends SIGKILL to the postmaster and all its children; start brings the node back', async () => {
    const pm = c.node('n2').pid!;
    const tree = [pm, ...descendants(pm)];
    expect(tree.length).toBeGreaterThan(3);
    await c.kill('n2');
    expect(c.node('n2').state).toBe('killed');
    expect(c.node('n2').pid).toBeNull();
    expect(tree.filter((p) => !gone(p))).toEqual([]);
    // the killed postmaster's System V segment is removed, and it made no /dev/shm segments (dsm type mmap)
    expect(parseSysvShm(readFileSync('/proc/sysvipc/shm', 'utf8')).filter((s) => s.cpid === pm)).toEqual([]);
    expect(readdirSync(join(c.dir, 'n2', 'data', 'pg_dynshmem')).length).toBeGreaterThan(0);
    await expect(sql(c.adminConfig('n2'), 'SELECT 1', [], 2000)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await sql(c.clientConfig('n1'), 'INSERT INTO t VALUES (1)');
    await c.start('n2');
    remember();
    expect(c.node('n2').state).toBe('running');
    expect(await seesCount(c, 'n2', 't', 1)).toBe(true);
  });

  it('pause stops every process of the node (no answers); resume continues', async () => {
    const pm = c.node('n2').pid!;
    await c.pause('n2');
    expect(c.node('n2').state).toBe('paused');
    const tree = [pm, ...descendants(pm)];
    // signals are delivered asynchronously: wait until every process shows state T (stopped)
    expect(await until(() => tree.filter((p) => !gone(p)).map(procState).every((s) => s === 'T'))).toBe(true);
    await expect(sql(c.clientConfig('n2'), 'SELECT 1', [], 1000)).rejects.toThrow(/timeout/i);
    await sql(c.clientConfig('n1'), 'INSERT INTO t VALUES (2)');
    await c.resume('n2');
    expect(c.node('n2').state).toBe('running');
    expect(await until(() => tree.filter((p) => !gone(p)).map(procState).every((s) => s !== 'T'))).toBe(true);
    expect(await seesCount(c, 'n2', 't', 2)).toBe(true);
  });

  it('stopNode is a fast shutdown; restart of the primary keeps its data', async () => {
    const pm = c.node('n1').pid!;
    await c.stopNode('n1');
    expect(c.node('n1').state).toBe('stopped');
    expect(gone(pm)).toBe(true);
    await c.start('n1');
    await c.restart('n1');
    remember();
    expect(c.node('n1').pid).not.toBe(pm);
    await sql(c.clientConfig('n1'), 'INSERT INTO t VALUES (3)');
    expect(await seesCount(c, 'n2', 't', 3)).toBe(true);
    expect(readFileSync(c.node('n1').logFile!, 'utf8')).toMatch(/database system is ready to accept connections/);
  });

  it('a killed primary restarts with crash recovery', async () => {
    await c.kill('n1');
    await c.start('n1');
    remember();
    expect(await seesCount(c, 'n1', 't', 3)).toBe(true);
    expect(readFileSync(c.node('n1').logFile!, 'utf8')).toMatch(/not properly shut down|automatic recovery/);
  });
});
