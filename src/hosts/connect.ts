// From a hosts-file entry to a Remote: an SshRemote with the entry's key or agent, known_hosts and checking.
import { RemoteError } from '../remote/errors.js';
import { SshRemote } from '../remote/ssh.js';
import type { HostSpec } from './hosts-file.js';

export interface ConnectOptions {
  readyTimeoutMs?: number;
  keepaliveIntervalMs?: number;
  env?: NodeJS.ProcessEnv;
}

export function remoteFor(h: HostSpec, opts: ConnectOptions = {}): SshRemote {
  let agent: string | undefined;
  if (h.agent === 'env') {
    agent = (opts.env ?? process.env).SSH_AUTH_SOCK;
    if (!agent && h.key === undefined) {
      throw new RemoteError(h.name, `${h.user}@${h.host}:${h.port}`, 'key', '"agent": true but SSH_AUTH_SOCK is not set (start ssh-agent, or give "key")');
    }
  } else agent = h.agent;
  return new SshRemote({
    name: h.name,
    host: h.host,
    port: h.port,
    user: h.user,
    keyFile: h.key,
    agent,
    knownHosts: h.knownHosts,
    hostKeyChecking: h.hostKeyChecking,
    readyTimeoutMs: opts.readyTimeoutMs,
    keepaliveIntervalMs: opts.keepaliveIntervalMs,
  });
}
