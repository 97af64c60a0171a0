// Per-cluster TLS material: a CA and one server certificate for 127.0.0.1/localhost signed by it (selfsigned, EC P-256).
// Files are written into the run directory; the key is owned by the server user with mode 0600 as PostgreSQL requires.
import { chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import type { TlsFiles } from './config.js';
import type { OsUser } from './osuser.js';

export interface TlsMaterial extends TlsFiles {
  caPem: string;
}

export async function makeTls(dir: string, user: OsUser): Promise<TlsMaterial> {
  const tlsDir = join(dir, 'tls');
  mkdirSync(tlsDir, { recursive: true, mode: 0o755 });
  const notAfter = new Date(Date.now() + 365 * 86_400_000);
  const ca = await generate([{ name: 'commonName', value: 'faultline test CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const server = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notAfterDate: notAfter,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] },
    ],
  });
  const caFile = join(tlsDir, 'ca.crt');
  const certFile = join(tlsDir, 'server.crt');
  const keyFile = join(tlsDir, 'server.key');
  writeFileSync(caFile, ca.cert, { mode: 0o644 });
  writeFileSync(certFile, server.cert, { mode: 0o644 });
  writeFileSync(keyFile, server.private, { mode: 0o600 });
  if (!user.self) chownSync(keyFile, user.uid, user.gid);
  return { caFile, certFile, keyFile, caPem: ca.cert };
}
