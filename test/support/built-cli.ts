// Test helper: runs the built `faultline` CLI (node bin/faultline.js), rebuilding dist/ first when it is
// older than the TypeScript sources (tsc emits even when files elsewhere in the tree have type errors).
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = join(ROOT, 'dist/cli/faultline.js');

function newest(dir: string): number {
  let t = 0;
  if (!existsSync(dir)) return t;
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, d.name);
    if (d.isDirectory()) t = Math.max(t, newest(p));
    else if (d.name.endsWith('.ts')) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

/** Build dist/ (and its bundle) unless the bundle is newer than every source file; throws when the build fails. */
export function ensureBuilt(): void {
  const sources = Math.max(...['src', 'checkers', 'workloads', 'nemesis'].map((d) => newest(join(ROOT, d))));
  if (existsSync(MAIN) && statSync(MAIN).mtimeMs >= sources) return;
  // as `npm run build`: tsc, then the bundle of what it compiled
  const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' });
  const bundle = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'tools/bundle.ts')], { cwd: ROOT, encoding: 'utf8' });
  if (!existsSync(MAIN) || statSync(MAIN).mtimeMs < sources) throw new Error(`build failed:\n${tsc.stdout}${tsc.stderr}${bundle.stdout}${bundle.stderr}`);
}

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Run `faultline ARGS…` with optional stdin text. */
export function faultline(args: string[], input?: string, cwd: string = ROOT): CliRun {
  const r: SpawnSyncReturns<string> = spawnSync(process.execPath, [join(ROOT, 'bin/faultline.js'), ...args], {
    cwd,
    input,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
