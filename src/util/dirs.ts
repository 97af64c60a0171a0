// mkdir -p that cannot hang: Node's recursive mkdirSync loops forever where a parent exists but refuses a child
// with ENOENT (seen on /proc, e.g. `--results /proc/x`), so parents are made one level at a time.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** Creates `dir` and its missing parents (parents 0755, `dir` itself with `mode`); an existing one is fine. */
export function makeDirs(dir: string, mode = 0o755): void {
  if (existsSync(dir)) return;
  const parent = dirname(dir);
  if (parent !== dir) makeDirs(parent);
  try {
    mkdirSync(dir, { mode });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}
