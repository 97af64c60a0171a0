// Secrets out of text: passwords in connection URLs (`postgres://user:PASSWORD@…`), libpq conninfo
// (`password=…`), JSON (`"password": "…"`) and every secret this process registered, replaced by [redacted].
// Used on everything faultline writes to a run directory, prints, or `faultline serve` sends.
import { StringDecoder } from 'node:string_decoder';
import { Transform } from 'node:stream';

export const REDACTED = '[redacted]';

const secrets = new Set<string>();

/** Remember a secret (a cluster's password) so every later redactSecrets() call removes it verbatim. */
export function registerSecret(secret: string): void {
  if (secret.length >= 6) secrets.add(secret);
}

/** Forget a secret registered before (its cluster is gone). */
export function forgetSecret(secret: string): void {
  secrets.delete(secret);
}

const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@"'<>]*):([^\s@/"'<>]+)@/gi;
const CONNINFO_PASSWORD = /\b(password\s*=\s*)(''[^']*''|'(?:[^'\\]|\\.)*'|[^\s'"]+)/gi;
const JSON_PASSWORD = /("password"\s*:\s*)"(?:[^"\\]|\\.)*"/gi;
const ENV_PASSWORD = /\b(PGPASSWORD=)\S+/g;

/** `text` with every password it carries replaced by [redacted]. Pure apart from the registered secrets. */
export function redactSecrets(text: string, extra: Iterable<string> = []): string {
  let out = text
    .replace(URL_PASSWORD, `$1:${REDACTED}@`)
    .replace(CONNINFO_PASSWORD, `$1${REDACTED}`)
    .replace(JSON_PASSWORD, `$1"${REDACTED}"`)
    .replace(ENV_PASSWORD, `$1${REDACTED}`);
  for (const s of [...secrets, ...extra]) if (s.length >= 6 && out.includes(s)) out = out.split(s).join(REDACTED);
  return out;
}

/** A connection URL without its password (the user name, host, port, database and parameters stay). */
export function urlWithoutPassword(url: string): string {
  try {
    const u = new URL(url);
    if (!u.password) return url;
    u.password = '';
    return u.toString();
  } catch {
    return redactSecrets(url);
  }
}

/**
 * A stream that redacts text line by line (a line longer than 1 MiB is redacted in 1 MiB pieces).
 * For serving files whose size is unknown in advance.
 */
export function redactingStream(): Transform {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      pending += decoder.write(chunk);
      const cut = pending.lastIndexOf('\n');
      if (cut < 0 && pending.length < MAX_PIECE) return done();
      const upTo = cut >= 0 ? cut + 1 : pending.length;
      const out = pending.slice(0, upTo);
      pending = pending.slice(upTo);
      done(null, redactSecrets(out));
    },
    flush(done) {
      done(null, redactSecrets(pending + decoder.end()));
    },
  });
}

const MAX_PIECE = 1 << 20;
