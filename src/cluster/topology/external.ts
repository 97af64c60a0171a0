// `external`: nodes faultline does not run, from a JSON file of connection URLs (see src/cluster/external.ts);
// only client links go through the proxies; node control runs the file's shell commands, so what a nemesis may
// do follows from the commands every node has. Tables are created on the nodes not in recovery.
import { existsSync } from 'node:fs';
import { EXIT, UserError } from '../../util/exit.js';
import { STRING, type OptionSpec } from '../../util/option-spec.js';
import { ExternalNode, parseExternalFile, type ExternalCommand, type ExternalNodeSpec } from '../external.js';
import { refreshSubscriptions } from '../logical.js';
import { ClusterOptionError } from '../option-error.js';
import { query } from '../sql.js';
import { planOf } from './plan.js';
import { defineTopology, type CapabilityReport } from './types.js';

declare module '../types.js' {
  interface ClusterOptions {
    /** external topology: path of the JSON file describing the nodes (see src/cluster/external.ts). */
    externalFile?: string;
  }
}

const OPTIONS: readonly OptionSpec[] = [{ key: 'external', field: 'externalFile', arg: 'file', type: STRING, help: 'JSON file with the nodes (connection URLs, sites, roles, control commands)', cluster: true }];

interface ExternalData {
  file: string;
  specs: ExternalNodeSpec[];
}

/** true when every node has each command, else which nodes lack the first missing one. */
function commands(d: ExternalData, needed: readonly ExternalCommand[]): true | string {
  for (const cmd of needed) {
    const without = d.specs.filter((n) => !n.commands[cmd]).map((n) => n.name);
    if (without.length > 0) return `it needs a "${cmd}" command for every node; ${without.join(', ')} ha${without.length === 1 ? 's' : 've'} none in ${d.file}`;
  }
  return true;
}

export const external = defineTopology({
  name: 'external',
  summary: 'nodes from a JSON file of connection URLs (any PostgreSQL-speaking system), with optional shell commands per node for kill / start / stop / pause / resume',
  options: OPTIONS,
  nodeCount: 'from its file',
  multiWriter: false,
  routing: 'fixed',
  checkers: [],
  plan(opts) {
    const file = opts.externalFile;
    if (!file) throw new ClusterOptionError('topology external needs a nodes file (--external FILE)');
    if (!existsSync(file)) throw new UserError(`${file}: no such nodes file (--external)`, EXIT.NO_INPUT);
    let specs: ExternalNodeSpec[];
    try {
      specs = parseExternalFile(file);
    } catch (err) {
      throw new UserError(err instanceof Error ? err.message : String(err), EXIT.DATA);
    }
    const nodes = specs.map((s) => {
      const process = new ExternalNode(s);
      return { name: s.name, site: s.site, attached: { endpoint: process.endpoint, process, role: s.role } };
    });
    return planOf('external', nodes, [], {}, { file, specs } satisfies ExternalData);
  },
  capabilities(plan): CapabilityReport {
    const d = plan.data as ExternalData;
    return {
      kill: commands(d, ['kill', 'start']),
      pause: commands(d, ['pause', 'resume']),
      stop: commands(d, ['stop', 'start']),
      partition:
        d.specs.length === 1 ? true : "faultline carries only the clients' links to external nodes, not their replication: there is nothing to cut between them",
      'link-faults': true,
      promote: "faultline does not manage the external nodes' replication: it cannot promote one",
      subscriptions: true,
      manager: "faultline does not know the external nodes' HA manager",
      dcs: 'it has no DCS or monitor',
      'stack-switchover': 'it has no HA stack with a switchover command of its own',
    };
  },
  async start(ctx) {
    return {
      // the nodes not marked standby in the file that are not in recovery
      async writable() {
        const out: string[] = [];
        for (const r of ctx.recs.values()) {
          if (r.node.role === 'standby') continue;
          const [row] = await query<{ r: boolean }>({ ...ctx.adminConfig(r.node.name), connectionTimeoutMillis: 10_000, query_timeout: 60_000 }, 'SELECT pg_is_in_recovery() AS r');
          if (!row!.r) out.push(r.node.name);
        }
        return out;
      },
      // faultline sees none of the external nodes' replication
      waitForReplication: async () => false,
      api: {
        subscriptions: {
          subscribeAll: async () => {
            throw new Error("the external nodes' subscriptions are not faultline's to create");
          },
          refresh: (node) => refreshSubscriptions(ctx.adminConfig(node)),
        },
      },
    };
  },
});
