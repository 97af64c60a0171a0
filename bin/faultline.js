#!/usr/bin/env node
// The installed `faultline` command: runs the compiled CLI (build with `npm run build`).
import('../dist/src/cli/main.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/src/cli/main.js')) {
    process.stderr.write('faultline: the compiled CLI is missing; run `npm run build` (npm install does it)\n');
    process.exit(70);
  }
  throw err;
});
