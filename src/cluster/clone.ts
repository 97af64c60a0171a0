// Cloning a standby from a running primary without pg_basebackup: physical slot, pg_backup_start, a filtered copy
// of the data directory, pg_backup_stop → backup_label, standby.signal. Config files are written by the caller.
import { execFile } from 'node:child_process';
import { chown, mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type pg from 'pg';
import type { OsUser } from './osuser.js';
import type { PgServer } from './server.js';
import { withClient } from './sql.js';

/** Top-level entries never copied (or copied empty, for directories). */
const SKIP_FILES = new Set(['postmaster.pid', 'postmaster.opts', 'backup_label', 'backup_label.old', 'tablespace_map', 'standby.signal', 'recovery.signal', 'postgresql.auto.conf', 'postgresql.conf']);
const execFileAsync = promisify(execFile);
const EMPTY_DIRS = new Set(['pg_wal', 'pg_replslot', 'pg_stat_tmp', 'pg_dynshmem', 'pg_notify', 'pg_serial', 'pg_snapshots', 'pg_subtrans']);

/**
 * Copies the top-level entries of `src` into `dst` with `cp -a` (one process: far cheaper per file than fs calls,
 * keeps modes and, as root, the server user's ownership). Files the running server removes meanwhile are ignored.
 */
async function copyTree(src: string, dst: string, user: OsUser): Promise<void> {
  const entries = (await readdir(src)).filter((e) => !SKIP_FILES.has(e) && !EMPTY_DIRS.has(e));
  try {
    await execFileAsync('cp', ['-a', '--', ...entries.map((e) => join(src, e)), dst + '/'], { maxBuffer: 16 * 1024 * 1024 });
  } catch (err) {
    const stderr = String((err as { stderr?: string }).stderr ?? '');
    const lines = stderr.split('\n').filter((l) => l.trim() !== '');
    if (lines.length === 0 || !lines.every((l) => /No such file or directory/.test(l))) throw new Error(`copying ${src} failed: ${stderr.trim() || (err as Error).message}`);
  }
  for (const d of EMPTY_DIRS) {
    const st = await stat(join(src, d)).catch(() => null);
    if (!st) continue;
    await mkdir(join(dst, d), { mode: st.mode & 0o777 });
    if (!user.self) await chown(join(dst, d), user.uid, user.gid);
  }
}

/** Drops the slot if it exists (terminating a walsender still using it), then creates it reserving WAL now. */
export async function recreateSlot(c: pg.Client, slot: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const r = await c.query<{ active_pid: number | null }>('SELECT active_pid FROM pg_replication_slots WHERE slot_name = $1', [slot]);
    if (r.rowCount === 0) break;
    const activePid = r.rows[0]!.active_pid;
    if (activePid !== null) await c.query('SELECT pg_terminate_backend($1)', [activePid]);
    try {
      await c.query('SELECT pg_drop_replication_slot($1)', [slot]);
      break;
    } catch (err) {
      if (attempt > 50) throw err;
      await new Promise((r2) => setTimeout(r2, 100));
    }
  }
  await c.query('SELECT pg_create_physical_replication_slot($1, true)', [slot]);
}

/**
 * Copies `source` (running, reachable with `sourceAdmin`) into `target`'s (stopped) data directory as a standby
 * base backup, with a physical slot named `slot` on the source.
 */
export async function cloneInto(source: PgServer, sourceAdmin: pg.ClientConfig, target: PgServer, slot: string): Promise<void> {
  await withClient(sourceAdmin, async (c) => {
    await recreateSlot(c, slot);
    await c.query('SELECT pg_backup_start($1, true)', [`faultline clone ${slot}`]);
    let label: string;
    try {
      target.prepareDirs();
      await copyTree(source.dataDir, target.dataDir, target.spec.user);
      for (const sub of ['pg_wal/archive_status', 'pg_wal/summaries']) {
        await mkdir(join(target.dataDir, sub), { recursive: true, mode: 0o700 });
        if (!target.spec.user.self) await chown(join(target.dataDir, sub), target.spec.user.uid, target.spec.user.gid);
      }
    } finally {
      const r = await c.query<{ labelfile: string }>('SELECT labelfile FROM pg_backup_stop(false)');
      label = r.rows[0]!.labelfile;
    }
    target.writeDataFile('backup_label', label);
    target.writeDataFile('standby.signal', '');
  });
}
