// `single`: one node, the primary: the baseline every other topology is compared with.
import { primaryOf, startPrimary, waitReplayed } from '../streaming.js';
import { localNodes, planOf } from './plan.js';
import { defineTopology } from './types.js';

export const single = defineTopology({
  name: 'single',
  summary: 'one node, the primary: the baseline',
  options: [],
  nodeCount: { default: 1, min: 1, max: 1 },
  multiWriter: false,
  routing: 'fixed',
  checkers: [],
  plan: (opts, count) => planOf('single', localNodes(count, opts.sites), ['n1']),
  capabilities: () => ({
    kill: true,
    pause: true,
    stop: true,
    partition: true,
    'link-faults': true,
    promote: 'it has no standby to promote',
    subscriptions: 'it has no logical subscriptions',
    manager: 'it has no HA manager process: faultline runs the servers itself',
    dcs: 'it has no DCS or monitor',
    'stack-switchover': 'it has no HA stack with a switchover command of its own',
  }),
  async start(ctx) {
    await startPrimary(ctx, ctx.rec('n1'));
    return {
      writable: async () => primaryOf(ctx),
      waitForReplication: (ms) => waitReplayed(ctx, ms),
      api: {},
    };
  },
});
