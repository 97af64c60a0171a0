// `faultline lab up|down` and `faultline hosts check`: implementations behind the command definitions.
import { writeFileSync } from 'node:fs';
import { EXIT } from '../util/exit.js';
import { readHostsFile } from '../hosts/hosts-file.js';
import { preflight, preflightErrors } from '../hosts/preflight.js';
import { labDown, labUp, packetFilterInstalled } from './lab.js';

export async function labUpCommand(o: { hosts: number; sites?: number; name?: string; subnet?: string; dir?: string; pgBin?: string; out?: string; quiet?: boolean }): Promise<number> {
  const r = await labUp({ ...o, log: o.quiet ? undefined : (l) => process.stderr.write(`faultline: ${l}\n`) });
  if (o.out) writeFileSync(o.out, r.text, { mode: 0o644 });
  process.stdout.write(r.text);
  if (!o.quiet) {
    process.stderr.write(`faultline: lab ${r.state.name} is up: ${r.state.hosts.length} host(s); hosts file ${r.hostsFile}${o.out ? ` and ${o.out}` : ''}\n`);
    if (!packetFilterInstalled()) process.stderr.write('faultline: no nft or iptables on this machine: partitions on the lab need apt-get install nftables (or iptables)\n');
    process.stderr.write(`faultline: remove it with: faultline lab down${r.state.name !== 'flab' ? ` --name ${r.state.name}` : ''}\n`);
  }
  return EXIT.OK;
}

export async function labDownCommand(o: { name?: string; dir?: string; quiet?: boolean }): Promise<number> {
  const r = await labDown(o);
  if (!o.quiet) {
    const parts = [
      `${r.processes.length} process(es)`,
      `${r.namespaces.length} namespace(s)`,
      `${r.links.length} link(s)`,
      r.dir ? `directory ${r.dir}` : 'no directory',
    ];
    process.stderr.write(`faultline: lab ${r.name}: removed ${parts.join(', ')}\n`);
  }
  return EXIT.OK;
}

export async function hostsCheckCommand(o: { hosts: string; partitions?: boolean; json?: boolean }): Promise<number> {
  const file = readHostsFile(o.hosts);
  const { report, remotes } = await preflight(file.hosts, { partitions: o.partitions });
  await Promise.all([...remotes.values()].map((r) => r.close().catch(() => undefined)));
  if (o.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else {
    for (const h of report.hosts) {
      process.stdout.write(`${h.host} (${h.where}): ${h.ok ? 'ok' : 'FAILED'}\n`);
      for (const s of h.steps) process.stdout.write(`  ${s.ok ? 'ok  ' : 'FAIL'} ${s.step}: ${s.detail}\n`);
    }
  }
  for (const line of preflightErrors(report)) process.stderr.write(`faultline: ${line}\n`);
  return report.ok ? EXIT.OK : EXIT.UNAVAILABLE;
}
