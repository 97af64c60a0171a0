// Test helper: a faultline-like owner process. Spawns a tied process through a Remote (local, or the SSH
// host given as JSON in argv[2]) and prints its PID; the test then SIGKILLs this process.
import { LocalRemote } from '../../src/remote/local.js';
import { SshRemote, type SshTarget } from '../../src/remote/ssh.js';
import type { Remote } from '../../src/remote/types.js';

const target = process.argv[2] ? (JSON.parse(process.argv[2]) as SshTarget) : null;
const remote: Remote = target ? new SshRemote(target) : new LocalRemote();
const p = await remote.spawn({ sh: 'sleep 1000 & sleep 1000; wait' }, { orphanSignal: 'TERM', orphanGraceMs: 2_000 });
process.stdout.write(`${p.pid}\n`);
await new Promise(() => undefined);
