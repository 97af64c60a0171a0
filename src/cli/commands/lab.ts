// `faultline lab up|down` and `faultline hosts check`: command-line definitions; implementations load lazily.
import { InvalidArgumentError, type Command } from 'commander';

const LAB_HELP = `
Hosts for trying faultline's remote mode on one machine: each host is a Linux network namespace on a bridge
(<name>0, default flab0) with its own address in a private /24 (default 10.77.0.0/24: the bridge is .1, hosts
.11, .12, …), its own sshd (Debian openssh-server) with a fresh host key, a fresh client key pair, and Debian's
PostgreSQL (postgresql-15) run as the unprivileged user "faultline" in a per-host scratch directory. Traffic
stays between this machine and its namespace hosts (no route out, no forwarding).

lab up prints the hosts file (and writes it to <dir>/hosts.json, and to --out). lab down removes every process
in the lab's namespaces, the namespaces, veths, bridge and the lab directory; it also finds them by name after
a crashed or SIGKILLed lab up.

Needs: root, and apt-get install openssh-server nftables iptables postgresql-15
Exit status: 0 done, 64 bad usage, 69 a step failed (or a lab of that name exists), 77 not root.`;

const HOSTS_HELP = `
Checks every host of a hosts file, step by step: connect, host key (known_hosts), auth, the login and
PostgreSQL users, the PostgreSQL bin directory (postgres --version), a writable scratch directory, and with
--partitions the packet filter (nft or iptables as root).

Exit status: 0 every host passed, 65 malformed hosts file (FILE:LINE), 66 unreadable, 69 a host failed a step.`;

function count(max: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!/^[0-9]+$/.test(v.trim()) || n < 1 || n > max) throw new InvalidArgumentError(`expected an integer from 1 to ${max}`);
    return n;
  };
}

export function registerLab(program: Command): void {
  const lab = program.command('lab').description('hosts made of network namespaces, each with sshd and PostgreSQL (root only)').addHelpText('after', LAB_HELP);
  lab
    .command('up')
    .description('create N namespace hosts and print their hosts file')
    .requiredOption('--hosts <n>', 'how many hosts (1 to 32)', count(32))
    .option('--sites <n>', 'sites a, b, … assigned round robin', count(26))
    .option('--name <name>', 'lab name: prefix of the bridge, namespaces and veths (default flab)')
    .option('--subnet <cidr>', 'private /24 for the hosts (default 10.77.0.0/24)')
    .option('--dir <dir>', 'lab directory (default /run/faultline-lab/<name>)')
    .option('--pg-bin <dir>', "PostgreSQL's bin directory (default /usr/lib/postgresql/15/bin)")
    .option('--out <file>', 'also write the hosts file here')
    .option('--quiet', 'print only the hosts file')
    .addHelpText('after', LAB_HELP)
    .action(async (opts: { hosts: number; sites?: number; name?: string; subnet?: string; dir?: string; pgBin?: string; out?: string; quiet?: boolean }) => {
      const { labUpCommand } = await import('../../lab/cli.js');
      process.exitCode = await labUpCommand(opts);
    });
  lab
    .command('down')
    .description('remove a lab (also what a crashed lab up left)')
    .option('--name <name>', 'lab name (default flab)')
    .option('--dir <dir>', 'lab directory (default /run/faultline-lab/<name>)')
    .option('--quiet', 'print nothing')
    .action(async (opts: { name?: string; dir?: string; quiet?: boolean }) => {
      const { labDownCommand } = await import('../../lab/cli.js');
      process.exitCode = await labDownCommand(opts);
    });
  for (const c of lab.commands) c.exitOverride();
  lab.exitOverride();

  const hosts = program.command('hosts').description('hosts files: check that every host is usable');
  hosts
    .command('check')
    .description('connect to every host of a hosts file and check each step')
    .requiredOption('--hosts <file>', 'hosts file (JSON)')
    .option('--partitions', 'also check the packet filter (partitions need root on the hosts)')
    .option('--json', 'print the report as JSON')
    .addHelpText('after', HOSTS_HELP)
    .action(async (opts: { hosts: string; partitions?: boolean; json?: boolean }) => {
      const { hostsCheckCommand } = await import('../../lab/cli.js');
      process.exitCode = await hostsCheckCommand(opts);
    });
  for (const c of hosts.commands) c.exitOverride();
  hosts.exitOverride();
}
