// known_hosts as OpenSSH reads it: plain and hashed (|1|salt|hash) host patterns, [host]:port for other ports,
// * and ? wildcards, ! negation, @revoked; a host key is checked against it, and accept-new appends to it.
import { createHmac } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

export type HostKeyVerdict =
  | { status: 'match'; line: number }
  | { status: 'mismatch'; line: number; type: string }
  | { status: 'revoked'; line: number }
  | { status: 'unknown'; otherTypes: string[] };

interface Entry {
  line: number;
  marker: '' | '@revoked' | '@cert-authority';
  patterns: string;
  type: string;
  key: Buffer;
}

/** The name a known_hosts line lists for host:port ("host" on 22, "[host]:port" otherwise). */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** The key type inside an SSH public-key blob (its first string). */
export function keyType(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const n = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + n).toString('latin1');
}

function parse(text: string): Entry[] {
  const out: Entry[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const f = line.split(/\s+/);
    let marker: Entry['marker'] = '';
    if (f[0] === '@revoked' || f[0] === '@cert-authority') marker = f.shift() as Entry['marker'];
    if (f.length < 3) return;
    const key = Buffer.from(f[2], 'base64');
    if (key.length === 0) return;
    out.push({ line: i + 1, marker, patterns: f[0], type: f[1], key });
  });
  return out;
}

function glob(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return re.test(name);
}

function hashedMatch(pattern: string, name: string): boolean {
  const m = /^\|1\|([^|]+)\|([^|]+)$/.exec(pattern);
  if (!m) return false;
  const mac = createHmac('sha1', Buffer.from(m[1], 'base64')).update(name).digest();
  return mac.equals(Buffer.from(m[2], 'base64'));
}

/** Whether a comma-separated pattern list names `name` (a negated match wins over any positive one). */
export function patternsMatch(patterns: string, name: string): boolean {
  if (patterns.startsWith('|')) return hashedMatch(patterns, name);
  let positive = false;
  for (const p of patterns.split(',')) {
    if (p.startsWith('!')) {
      if (glob(p.slice(1), name)) return false;
    } else if (glob(p, name)) positive = true;
  }
  return positive;
}

/** Checks a host key (the raw blob the server sent) against known_hosts text for host:port. */
export function checkHostKey(text: string, host: string, port: number, blob: Buffer): HostKeyVerdict {
  const name = knownHostsName(host, port);
  const type = keyType(blob);
  const entries = parse(text).filter((e) => e.marker !== '@cert-authority' && patternsMatch(e.patterns, name));
  const revoked = entries.find((e) => e.marker === '@revoked' && e.key.equals(blob));
  if (revoked) return { status: 'revoked', line: revoked.line };
  const plain = entries.filter((e) => e.marker === '');
  const same = plain.find((e) => e.key.equals(blob));
  if (same) return { status: 'match', line: same.line };
  const sameType = plain.find((e) => e.type === type);
  if (sameType) return { status: 'mismatch', line: sameType.line, type };
  return { status: 'unknown', otherTypes: [...new Set(plain.map((e) => e.type))] };
}

/** Reads known_hosts ('' when the file does not exist). */
export function readKnownHosts(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
}

/** The known_hosts line for a host key. */
export function knownHostsLine(host: string, port: number, blob: Buffer): string {
  return `${knownHostsName(host, port)} ${keyType(blob)} ${blob.toString('base64')}`;
}

/** Appends a host key (accept-new), creating the file (0600) and its directory (0700) when missing. */
export function appendKnownHost(file: string, host: string, port: number, blob: Buffer): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const text = readKnownHosts(file);
  const sep = text === '' || text.endsWith('\n') ? '' : '\n';
  appendFileSync(file, `${sep}${knownHostsLine(host, port, blob)}\n`, { mode: 0o600 });
}
