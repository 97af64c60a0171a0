// The retries checker counts retried ops per client, reroutes, and retries that reached a healthy node.
import { describe, expect, it } from 'vitest';
import { retriesChecker } from '../../checkers/retries.js';
import { pairHistory } from '../../src/history/pair.js';
import type { HistoryEvent } from '../../src/history/types.js';

describe('retriesChecker', () => {
  it('counts retries, reroutes and their outcomes', () => {
    let i = 0;
    const e = (x: Partial<HistoryEvent>): HistoryEvent => ({ index: i, time: i++, process: 0, type: 'invoke', f: 'add', ...x }) as HistoryEvent;
    const events = [
      e({ process: 0, type: 'invoke', value: 1, node: 'n1' }),
      e({ process: 0, type: 'fail', value: 1, node: 'n1' }),
      e({ process: 0, type: 'invoke', value: 1, node: 'n2', retry: 1, retryOf: 0 }),
      e({ process: 0, type: 'ok', value: 1, node: 'n2' }),
      e({ process: 1, type: 'invoke', value: 2, node: 'n1' }),
      e({ process: 1, type: 'ok', value: 2, node: 'n1' }),
    ];
    const r = retriesChecker(pairHistory(events), { concurrency: 2 });
    expect(r).toMatchObject({ valid: true, retries: 1, retriesOk: 1, rerouted: 1, reroutedOk: 1, okByNode: { n2: 1 } });
  });
});
