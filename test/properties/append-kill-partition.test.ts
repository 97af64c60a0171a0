// Example property (5): Elle's list-append transactions on a single node at SERIALIZABLE, under kill -9 and client
// partitions at generated times: the transactional checker finds the history serializable. Transactions cut off
// before COMMIT fail, those whose COMMIT was in flight are info (they may or may not have committed): neither may
// make up an anomaly.
import { describe } from 'vitest';
import { allOf, checkerValid, concurrency, faultPlan, opMix, propertyTest, scenario } from '../../src/properties/index.js';

describe('property: append on single + kill/partition', () => {
  propertyTest('append at serializable on single + kill/partition: the history is serializable', {
    experiment: { workload: 'append', topology: 'single', isolation: 'serializable', rate: 0, opTimeout: 2000, settle: 20 },
    cases: scenario({
      faults: faultPlan({ nemeses: ['kill', 'partition'], minSteps: 1 }),
      ops: opMix({ readFraction: [0.3, 0.7], keys: [2, 8] }),
      concurrency: concurrency(2, 6),
    }),
    property: allOf({ ...checkerValid('txn'), name: 'the transactions are serializable' }, checkerValid('stats')),
  });
});
