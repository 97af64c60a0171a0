// `npm run bench [-- NAME...]`: runs every bench/*.bench.ts (or those whose name contains NAME) in turn.
// Each bench prints its own table, with ratios against a baseline measured in the same run; nothing is asserted.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((n) => f.includes(n)))
  .sort();

for (const f of files) {
  process.stdout.write(`\n## ${f.replace('.bench.ts', '')}\n\n`);
  const mod = (await import(pathToFileURL(join(here, f)).href)) as { default: () => Promise<void> };
  await mod.default();
}
