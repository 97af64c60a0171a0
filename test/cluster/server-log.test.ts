// The cause line of a server log (pure): what a node that cannot start is reported with.
import { mkdtempSync, appendFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { causeOf, LogWatch } from '../../src/cluster/server-log.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-serverlog-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('causeOf', () => {
  it('the root cause: the first line no waiting cures, with its hint; a PANIC after it is its consequence', () => {
    const log = [
      '2026-12-01 11:56:28.377 UTC [12427] FATAL:  could not extend file "base/1/2675": wrote only 4096 of 8192 bytes at block 7',
      '2026-12-01 11:56:28.377 UTC [12427] HINT:  Check free disk space.',
      '2026-12-01 11:56:28.382 UTC [12427] PANIC:  cannot abort transaction 1, it was already committed',
    ].join('\n');
    expect(causeOf(log)).toEqual({ line: 'FATAL: could not extend file "base/1/2675": wrote only 4096 of 8192 bytes at block 7 (HINT: Check free disk space.)', hopeless: true });
  });

  it('a PANIC alone is hopeless; the probe\'s own FATALs are no cause; other FATALs are, without ending the wait', () => {
    expect(causeOf('x [1] PANIC:  could not locate a valid checkpoint record')).toEqual({ line: 'PANIC: could not locate a valid checkpoint record', hopeless: true });
    expect(causeOf('a [1] FATAL:  the database system is starting up\nb [2] FATAL:  the database system is not yet accepting connections')).toBeNull();
    expect(causeOf('a [1] FATAL:  could not connect to the primary server: refused\nb [2] FATAL:  the database system is starting up')).toEqual({
      line: 'FATAL: could not connect to the primary server: refused',
      hopeless: false,
    });
    expect(causeOf('w [9] FATAL:  could not write to log segment 000000010000000000000003 at offset 0, length 8192: No space left on device')?.hopeless).toBe(true);
    expect(causeOf('LOG:  database system is ready to accept connections')).toBeNull();
  });
});

describe('LogWatch', () => {
  it('sees only what the log gained since the watch began, line by line', () => {
    const f = join(dir, 'server.log');
    writeFileSync(f, 'old [1] PANIC:  from an earlier start\n');
    const w = new LogWatch(f);
    expect(w.poll()).toBeNull();
    appendFileSync(f, 'new [2] FATAL:  could not open file "x": Permission denied');
    expect(w.poll()).toEqual({ line: 'FATAL: could not open file "x": Permission denied', hopeless: true });
  });
});
