// The cluster's one secret file: a libpq passfile (`pgpass`, mode 0600) in the cluster directory, one line per
// node port. Client URLs name it (`?passfile=…`) instead of carrying the password, so psql and libpq use it
// as is; `cluster status` and `repair` read the password back from it.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';

export const PASSFILE = 'pgpass';

export interface PassEntry {
  host: string;
  /** a port number, or `*` */
  port: string;
  database: string;
  user: string;
  password: string;
}

const escape = (s: string): string => s.replace(/\\/g, '\\\\').replace(/:/g, '\\:');

/** The passfile's text (libpq's format: host:port:database:user:password, `\` escapes `:` and `\`). Pure. */
export function formatPassfile(entries: readonly PassEntry[]): string {
  return entries.map((e) => [e.host, e.port, e.database, e.user, e.password].map(escape).join(':') + '\n').join('');
}

/** Parses a passfile's text (comments and malformed lines skipped). Pure. */
export function parsePassfile(text: string): PassEntry[] {
  const out: PassEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const fields: string[] = [''];
    for (let i = 0; i < line.length; i++) {
      const c = line[i] as string;
      if (c === '\\' && i + 1 < line.length) fields[fields.length - 1] += line[++i];
      else if (c === ':') fields.push('');
      else fields[fields.length - 1] += c;
    }
    if (fields.length !== 5) continue;
    const [host, port, database, user, password] = fields as [string, string, string, string, string];
    out.push({ host, port, database, user, password });
  }
  return out;
}

/** Writes the passfile with mode 0600 (created so: never readable by others, even for a moment). */
export function writePassfile(file: string, entries: readonly PassEntry[]): void {
  writeFileSync(file, formatPassfile(entries), { mode: 0o600, flag: 'w' });
  chmodSync(file, 0o600); // a file that existed before keeps its mode otherwise
}

export function readPassfile(file: string): PassEntry[] {
  return parsePassfile(readFileSync(file, 'utf8'));
}

/** The password for `user` at `port`, as libpq would pick it (first matching line; `*` matches anything). */
export function passwordFor(entries: readonly PassEntry[], port: number, user: string): string | undefined {
  const m = (field: string, v: string): boolean => field === '*' || field === v;
  return entries.find((e) => m(e.port, String(port)) && m(e.user, user))?.password;
}
