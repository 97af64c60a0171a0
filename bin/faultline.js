#!/usr/bin/env node
// The installed `faultline` command: runs the compiled, bundled CLI (build with `npm run build`: tsc, then tools/bundle.ts).
import('../dist/cli/faultline.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli/faultline.js')) {
    process.stderr.write('faultline: the compiled CLI is missing; run `npm run build` (npm install does it)\n');
    process.exit(70);
  }
  throw err;
});
