// The unprivileged OS user PostgreSQL runs as when faultline runs as root (initdb/postgres refuse root).
// Created with useradd --system on first use, reused when present.
import { execFileSync } from 'node:child_process';

export interface OsUser {
  name: string;
  uid: number;
  gid: number;
  /** true when the tool itself runs as this user (no uid switch needed) */
  self: boolean;
}

function lookup(name: string): { uid: number; gid: number } | null {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return { uid, gid };
  } catch {
    return null;
  }
}

/** When root: the named unprivileged user (created if missing). Otherwise: the current user. */
export function serverUser(name = 'faultline'): OsUser {
  const uid = process.getuid?.() ?? 0;
  if (uid !== 0) return { name: process.env.USER ?? String(uid), uid, gid: process.getgid?.() ?? 0, self: true };
  let found = lookup(name);
  if (!found) {
    try {
      execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', name], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
    } catch (err) {
      // another process may have created it at the same moment
      found = lookup(name);
      if (!found) throw new Error(`cannot create OS user ${name}: ${(err as Error).message}`);
    }
    found = found ?? lookup(name);
    if (!found) throw new Error(`OS user ${name} not found after useradd`);
  }
  if (found.uid === 0) throw new Error(`OS user ${name} is root; PostgreSQL refuses to run as root`);
  return { name, uid: found.uid, gid: found.gid, self: false };
}
