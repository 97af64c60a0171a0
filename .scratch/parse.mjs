import { readFileSync } from 'node:fs';
const t0 = performance.now();
const buf = readFileSync(process.argv[2]);
const t1 = performance.now();
const text = buf.toString('utf8');
const t2 = performance.now();
let n = 0, start = 0, keep = [];
for (;;) { let e = text.indexOf('\n', start); if (e < 0) break; const o = JSON.parse(text.slice(start, e)); if (o.index >= 0) n++; if (process.argv[3]) keep.push(o); start = e + 1; }
const t3 = performance.now();
console.log({ read: t1 - t0, decode: t2 - t1, parse: t3 - t2, n });
