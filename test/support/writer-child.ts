// Test helper process: appends invoke/ok pairs to the history file given as argv[2] forever (until killed);
// argv[3] = 'batched' writes as a run does (batches; this loop never yields, so only full buffers are written).
import { HistoryWriter } from '../../src/history/writer.js';
import { RUN_HISTORY_WRITE } from '../../src/runner/config.js';

const w = new HistoryWriter(process.argv[2], process.argv[3] === 'batched' ? RUN_HISTORY_WRITE : {});
let n = 0;
for (;;) {
  const p = n % 5;
  w.append({ process: p, type: 'invoke', f: 'add', value: n });
  w.append({ process: p, type: 'ok', f: 'add', value: n, node: 'n1', payload: 'x'.repeat(n % 300) });
  n++;
}
