// Test helper process: appends invoke/ok pairs to the history file given as argv[2] forever (until killed).
import { HistoryWriter } from '../../src/history/writer.js';

const w = new HistoryWriter(process.argv[2]);
let n = 0;
for (;;) {
  const p = n % 5;
  w.append({ process: p, type: 'invoke', f: 'add', value: n });
  w.append({ process: p, type: 'ok', f: 'add', value: n, node: 'n1', payload: 'x'.repeat(n % 300) });
  n++;
}
