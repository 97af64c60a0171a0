// RemoteError: a failure on a host, typed with the host and the step that failed (connect, host key, auth, exec…),
// so messages read "host n2 (root@10.77.0.12:22): auth: …" and the CLI leaves with exit 69.
import { EXIT, UserError } from '../util/exit.js';

export type RemoteStep =
  | 'key'
  | 'connect'
  | 'host-key'
  | 'auth'
  | 'exec'
  | 'spawn'
  | 'signal'
  | 'upload'
  | 'download'
  | 'user'
  | 'pg-bin'
  | 'scratch'
  | 'address'
  | 'packet-filter'
  | 'postgres';

export class RemoteError extends UserError {
  constructor(
    readonly host: string,
    readonly where: string,
    readonly step: RemoteStep,
    readonly detail: string,
  ) {
    super(`host ${host} (${where}): ${step}: ${detail}`, EXIT.UNAVAILABLE);
    this.name = 'RemoteError';
  }
}

/** The last lines of a command's output, on one line, for an error message. */
export function tail(text: string, lines = 3): string {
  const kept = text.trim().split('\n').filter((l) => l.trim() !== '').slice(-lines);
  return kept.join(' | ').slice(0, 600);
}
