// quick stats of a txn run: per node kind, read-only txns, multi-key read-only, ok rates, verdict
import { readFileSync } from 'node:fs';
const dir = process.argv[2];
const test = JSON.parse(readFileSync(`${dir}/test.json`, 'utf8'));
const res = JSON.parse(readFileSync(`${dir}/results.json`, 'utf8'));
const primary = (test.nodes ?? []).find((n) => n.role === 'primary')?.name ?? 'n1';
const inv = new Map(); const st = { okRO: { p: 0, s: 0 }, okRO2: { p: 0, s: 0 }, okW: 0, fail: 0, info: 0, ok: 0 };
for (const line of readFileSync(`${dir}/history.jsonl`, 'utf8').split('\n')) {
  if (!line) continue; const e = JSON.parse(line); if (e.process === 'nemesis') continue;
  if (e.type === 'invoke') { inv.set(e.process, e); continue; }
  st[e.type]++;
  if (e.type !== 'ok') continue;
  const ro = e.value.every((m) => m[0] === 'r');
  const where = e.node === primary ? 'p' : 's';
  if (ro) { st.okRO[where]++; if (new Set(e.value.map((m) => m[1])).size >= 2) st.okRO2[where]++; } else st.okW++;
}
const t = res.checkers.txn;
console.log(JSON.stringify({ dir: dir.split('/').slice(-2).join('/'), valid: res.valid, anomalies: t.anomalyCounts, not: t.not, ...st, ops: st.ok + st.fail + st.info, durS: test.options.timeLimitS, c: test.options.concurrency }));
