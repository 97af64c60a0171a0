// Test helper: applies a grudge with PacketFilter on hosts of a hosts file, prints "applied", and waits; the test
// then sends SIGINT (Ctrl-C), which must remove the rules before the process exits.
import { remoteFor } from '../../src/hosts/connect.js';
import { readHostsFile } from '../../src/hosts/hosts-file.js';
import { PacketFilter } from '../../src/hosts/packet-filter.js';

const [file, grudgeJson] = process.argv.slice(2);
const hosts = readHostsFile(file).hosts;
const filter = new PacketFilter(
  hosts.map((h) => ({ name: h.name, remote: remoteFor(h), choice: h.packetFilter })),
  Object.fromEntries(hosts.map((h) => [h.name, h.address as string])),
);
const applied = await filter.apply(JSON.parse(grudgeJson) as Record<string, string[]>);
process.stdout.write(`applied ${applied.rules.length}\n`);
await new Promise(() => undefined);
