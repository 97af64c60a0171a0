// faultline's own version, read from package.json (works from the TypeScript sources and from dist/).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function faultlineVersion(): string {
  if (cached !== undefined) return cached;
  cached = '0.0.0';
  for (const up of ['../../package.json', '../../../package.json']) {
    const p = fileURLToPath(new URL(up, import.meta.url));
    if (!existsSync(p)) continue;
    try {
      const pkg = JSON.parse(readFileSync(p, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'faultline' && typeof pkg.version === 'string') {
        cached = pkg.version;
        break;
      }
    } catch {
      // keep looking
    }
  }
  return cached;
}
