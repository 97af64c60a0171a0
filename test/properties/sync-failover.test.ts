// Example property (2): streaming-sync with synchronous_commit = remote_apply over two sites under failover at
// generated times: no acknowledged write is lost (the promoted standby applied everything acknowledged).
import { describe } from 'vitest';
import { concurrency, faultPlan, noLostWrites, propertyTest, scenario } from '../../src/properties/index.js';

describe('property: streaming-sync remote_apply + failover', () => {
  propertyTest('streaming-sync remote_apply + failover: no acknowledged write is lost', {
    experiment: { workload: 'set', topology: 'streaming-sync', syncCommit: 'remote_apply', nodes: 3, sites: 2, wanLatency: 50, rate: 200, settle: 20 },
    cases: scenario({
      faults: faultPlan({ nemeses: ['failover'], minSteps: 1, maxSteps: 2 }),
      concurrency: concurrency(2, 5),
    }),
    property: noLostWrites,
  });
});
