// `npm run readme-tables`: rewrites the README's generated tables (run options, topologies) from the option table
// and the topology registry (src/cli/readme-tables.ts); test/cli/readme-tables.test.ts fails when they differ.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { updateReadme } from '../src/cli/readme-tables.js';

const file = join(import.meta.dirname, '..', 'README.md');
const before = readFileSync(file, 'utf8');
const after = updateReadme(before);
if (after !== before) writeFileSync(file, after);
process.stdout.write(after === before ? 'README.md: tables up to date\n' : 'README.md: tables rewritten\n');
