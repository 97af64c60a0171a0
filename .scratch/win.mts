import { ConfigCache } from '../checkers/bitset.ts';
import { loadHistory } from '../src/history/load.ts';
import { checkLinearizability } from '../checkers/linearizability.ts';
import { getModel } from '../checkers/models.ts';
const hist = new Map<number, number>();
const orig = (ConfigCache.prototype as any).store;
(ConfigCache.prototype as any).store = function (words: Uint32Array, s: string) {
  let lo = 0; while (lo < words.length && words[lo] === 0xffffffff) lo++;
  let hi = words.length - 1; while (hi >= lo && words[hi] === 0) hi--;
  const w = hi - lo + 1; const b = w <= 0 ? 0 : 2 ** Math.ceil(Math.log2(w));
  hist.set(b, (hist.get(b) ?? 0) + 1);
  return orig.call(this, words, s);
};
const l = await loadHistory(process.argv[2]);
const t = performance.now();
const r = checkLinearizability(l.history, getModel('cas-register'), {});
console.log(r.valid, r.configurations, performance.now() - t);
console.log([...hist].sort((a, b) => a[0] - b[0]));
