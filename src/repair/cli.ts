// `faultline repair` implementation: probe the running cluster (subscriptions, server logs), plan the repair of
// every stuck subscription, print the SQL (dry run, the default) or run it with --apply and probe again.
import { EXIT, UsageError, UserError } from '../util/exit.js';
import { probeNodes, type ProbeNode } from '../cluster/replication-probe.js';
import { applyActions, type Applied } from './apply.js';
import { readClusterTargets } from './cluster-file.js';
import { REPAIR_STRATEGIES, planRepair, type RepairPlan, type RepairStrategy } from './plan.js';

export interface RepairOptions {
  dir: string;
  apply?: boolean;
  strategy?: string;
  subscription?: string;
  rounds?: number;
  json?: boolean;
}

async function inspect(nodes: readonly ProbeNode[], strategy: RepairStrategy, only?: string, topology?: string): Promise<RepairPlan> {
  const probe = await probeNodes(nodes, { steadyMs: 1500 });
  const down = Object.entries(probe.unreachable);
  if (down.length === nodes.length) throw new UserError(`no node answered: ${down.map(([n, e]) => `${n}: ${e}`).join('; ')}`, EXIT.UNAVAILABLE);
  // what the cluster is, not what its topology is called: repair needs logical subscriptions to repair
  if (topology !== undefined && probe.subscriptions.length === 0) {
    throw new UsageError(`repair applies to logical replication (logical-bidir): no node of this ${topology} cluster has a subscription`);
  }
  return planRepair(probe.subscriptions, probe.log, strategy, only);
}

function printPlan(plan: RepairPlan, apply: boolean): void {
  const w = (s: string): boolean => process.stdout.write(`${s}\n`);
  for (const h of plan.healthy) w(`-- ${h}: apply worker running`);
  for (const u of plan.unresolved) w(`-- ${u.node}/${u.subscription}: cannot plan a repair: ${u.why}`);
  for (const a of plan.actions) {
    w(`-- ${a.node}/${a.subscription}: ${a.conflict} on ${a.relation ?? '?'} key ${a.key ?? '?'}${a.finishedAt ? ` (remote transaction finished at ${a.finishedAt})` : ''}`);
    w(`-- strategy ${a.strategy}: ${a.consequence}`);
    w(`-- on ${a.node}:`);
    for (const s of a.sql) w(`${s};`);
  }
  if (plan.actions.length > 0 && !apply) w('-- dry run: nothing was changed; run again with --apply to execute this SQL');
}

export async function repairCommand(o: RepairOptions): Promise<number> {
  const strategy = (o.strategy ?? 'skip') as RepairStrategy;
  if (!REPAIR_STRATEGIES.includes(strategy)) throw new UsageError(`--strategy must be one of ${REPAIR_STRATEGIES.join(', ')}`);
  const rounds = o.rounds ?? 1;
  const { topology, nodes } = readClusterTargets(o.dir);
  let plan = await inspect(nodes, strategy, o.subscription, topology);
  const applied: Applied[] = [];
  const plans: RepairPlan[] = [plan];
  if (!o.json) printPlan(plan, o.apply === true);
  if (o.apply) {
    for (let round = 1; round <= rounds && plan.actions.length > 0; round++) {
      const done = await applyActions(nodes, plan.actions);
      applied.push(...done);
      if (!o.json) for (const d of done) process.stdout.write(`-- ${d.action.node}/${d.action.subscription}: ${d.ok ? 'applied' : `FAILED: ${d.error}`}\n`);
      // the apply worker retries after wal_retrieve_retry_interval; let it get past the fixed transaction
      await new Promise((r) => setTimeout(r, 2500));
      plan = await inspect(nodes, strategy, o.subscription);
      plans.push(plan);
      if (!o.json && plan.actions.length > 0) {
        process.stdout.write(`-- round ${round}: still stuck; next conflicts:\n`);
        printPlan(plan, true);
      }
    }
  }
  const stuck = plan.actions.length + plan.unresolved.length;
  if (o.json) process.stdout.write(`${JSON.stringify({ apply: o.apply === true, strategy, plans, applied: applied.map((a) => ({ ...a.action, ok: a.ok, error: a.error })), stuck }, null, 2)}\n`);
  else if (stuck === 0) process.stdout.write('-- every subscription is applying\n');
  return stuck === 0 ? EXIT.OK : EXIT.INVALID;
}
