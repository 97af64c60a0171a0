// The build's second step (after tsc): bundles the compiled command (dist/) into dist/cli/, one file per entry (the
// command, the search worker, the proxy's child process) and chunks shared between them, so a command loads a few
// files instead of every module it imports. Packages stay external but commander (what every command loads).
// Chunks of earlier builds that this one does not write are removed after it (a checkout built again and again kept them all).
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };

const OUT = 'dist/cli';

const result = await build({
  absWorkingDir: ROOT,
  // names that the modules find each other by (search-threads.ts, proxy/spawn.ts): beside the chunk that loads them
  entryPoints: {
    faultline: 'dist/src/cli/main.js',
    'search-worker': 'dist/checkers/search-worker.js',
    'proxy-main': 'dist/src/proxy/proxy-main.js',
  },
  outdir: OUT,
  chunkNames: 'chunk-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: Object.keys(pkg.dependencies).filter((name) => name !== 'commander'),
  // commander is CommonJS: its require() of node's modules needs a require in an ES module
  banner: { js: "import { createRequire as __faultlineRequire } from 'node:module'; const require = __faultlineRequire(import.meta.url);" },
  logLevel: 'warning',
  metafile: true,
});

const written = new Set(Object.keys(result.metafile.outputs).map((f) => join(ROOT, f)));
for (const f of readdirSync(join(ROOT, OUT))) {
  const p = join(ROOT, OUT, f);
  if (!written.has(p)) rmSync(p, { force: true });
}
