// Example property (1): on a single node under kill -9 at generated times, every counter read and final value
// stays within the bounds the acknowledged increments allow.
import { describe } from 'vitest';
import { concurrency, countersWithinBounds, faultPlan, opMix, propertyTest, scenario, targets } from '../../src/properties/index.js';

describe('property: single + kill', () => {
  propertyTest('single + kill: counters stay within bounds', {
    experiment: { workload: 'counter-shared', topology: 'single', rate: 0, opTimeout: 2000, settle: 20 },
    cases: scenario({
      faults: faultPlan({ nemeses: ['kill'], minSteps: 1 }),
      targets: targets('one'),
      ops: opMix({ readFraction: [0.1, 0.5] }),
      concurrency: concurrency(2, 5),
    }),
    property: countersWithinBounds,
  });
});
