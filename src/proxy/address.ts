// `host:port` addresses as Toxiproxy writes them: parsing (with `[v6]:port`), formatting a bound address, and
// the listen policy: loopback only unless the server allows remote listeners. `localhost` listens on
// 127.0.0.1 (as Toxiproxy's IPv4-first resolution does) and is the only name accepted without --allow-remote.
import { isIP } from 'node:net';

export interface HostPort {
  host: string;
  port: number;
}

/** Parses `host:port` (port 0..65535; empty host = all interfaces); null when malformed. */
export function parseHostPort(s: string): HostPort | null {
  if (s.length === 0 || s.length > 300) return null;
  let host: string;
  let portStr: string;
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    if (close < 0 || s[close + 1] !== ':') return null;
    host = s.slice(1, close);
    if (isIP(host) !== 6) return null;
    portStr = s.slice(close + 2);
  } else {
    const colon = s.lastIndexOf(':');
    if (colon < 0) return null;
    host = s.slice(0, colon);
    if (host.includes(':')) return null; // bare IPv6 must be bracketed
    portStr = s.slice(colon + 1);
  }
  if (!/^[0-9]{1,5}$/.test(portStr)) return null;
  const port = Number(portStr);
  if (port > 65535) return null;
  if (host.length > 0 && isIP(host) === 0 && !/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(host)) return null;
  return { host, port };
}

/** The host to hand to node:net for listening / connecting. */
export function netHost(host: string): string {
  if (host === 'localhost') return '127.0.0.1';
  if (host === '') return '0.0.0.0';
  return host;
}

/** `127.0.0.1:5432` or `[::1]:5432`. */
export function formatHostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Is `host` a loopback address (127.0.0.0/8, ::1) or `localhost`? Never resolves a name. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(h);
  return false;
}

/** Why a server without --allow-remote must not listen on `hp`, or null when it may. Pure. */
export function listenRefusal(hp: HostPort, allowRemote: boolean): string | null {
  if (allowRemote || isLoopbackHost(hp.host)) return null;
  const shown = hp.host === '' ? `:${hp.port} (every interface)` : formatHostPort(hp.host, hp.port);
  return `listen address ${shown} is not a loopback address (127.0.0.1, ::1 or localhost); start the server with --allow-remote to listen elsewhere`;
}
