// Checks request bodies of the API and turns them into typed inputs, or throws a 400 ApiError
// with a message that says what is wrong. Unknown JSON fields are ignored, as Toxiproxy does.
import { listenRefusal, parseHostPort } from './address.js';
import { ATTRIBUTES, isToxicType, parseStream, type Stream, type ToxicType } from './catalog.js';
import { badRequest, forbidden } from './errors.js';
import type { ProxyConfig } from './proxy.js';

type Obj = Record<string, unknown>;
const MAX_NAME = 256;

function asObject(body: unknown): Obj {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('bad request body: expected a JSON object');
  return body as Obj;
}

function optString(o: Obj, key: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw badRequest(`bad request body: field ${key} must be a string`);
  return v;
}

function optBoolean(o: Obj, key: string): boolean | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw badRequest(`bad request body: field ${key} must be true or false`);
  return v;
}

function checkName(name: string, what: string): void {
  if (name.length > MAX_NAME) throw badRequest(`${what} name is longer than ${MAX_NAME} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[/\u0000-\u001f\u007f]/.test(name)) throw badRequest(`${what} name must not contain '/' or control characters`);
}

/** What the server allows beyond Toxiproxy's own checks. */
export interface ListenPolicy {
  /** listen on non-loopback addresses and host names (`--allow-remote`) */
  allowRemote: boolean;
}

const LOOPBACK_ONLY: ListenPolicy = { allowRemote: false };

function checkListen(listen: string, policy: ListenPolicy): void {
  const hp = parseHostPort(listen);
  if (!hp) throw badRequest(`invalid listen address: ${JSON.stringify(listen)} (expected host:port)`);
  const refused = listenRefusal(hp, policy.allowRemote);
  if (refused) throw forbidden(refused);
}

/** Body of `POST /proxies` (and one element of `/populate`). */
export function parseProxyCreate(body: unknown, policy: ListenPolicy = LOOPBACK_ONLY): ProxyConfig {
  const o = asObject(body);
  const name = optString(o, 'name');
  const upstream = optString(o, 'upstream');
  const listen = optString(o, 'listen');
  const enabled = optBoolean(o, 'enabled');
  if (!name) throw badRequest('missing required field: name');
  if (!upstream) throw badRequest('missing required field: upstream');
  checkName(name, 'proxy');
  // the upstream is not checked (Toxiproxy accepts any text and fails at connect time: the client is closed)
  const l = listen || '127.0.0.1:0';
  checkListen(l, policy);
  return { name, listen: l, upstream, enabled: enabled ?? true };
}

export interface ProxyUpdate {
  listen?: string;
  upstream?: string;
  enabled?: boolean;
}

/** Body of `POST`/`PATCH /proxies/{name}`: omitted (or empty) fields keep their value. */
export function parseProxyUpdate(body: unknown, policy: ListenPolicy = LOOPBACK_ONLY): ProxyUpdate {
  const o = asObject(body);
  const out: ProxyUpdate = {};
  const listen = optString(o, 'listen');
  const upstream = optString(o, 'upstream');
  const enabled = optBoolean(o, 'enabled');
  if (listen) {
    checkListen(listen, policy);
    out.listen = listen;
  }
  if (upstream) out.upstream = upstream;
  if (enabled !== undefined) out.enabled = enabled;
  return out;
}

function parseToxicity(o: Obj): number | undefined {
  const v = o.toxicity;
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) {
    throw badRequest(`invalid toxicity: ${JSON.stringify(v)} (expected a number from 0 to 1)`);
  }
  return v;
}

/** Validates the attributes object for `type`; returns only known attributes that were given. */
function parseAttributes(type: ToxicType, v: unknown): Record<string, number> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw badRequest('bad request body: attributes must be a JSON object');
  const limits = ATTRIBUTES[type];
  const out: Record<string, number> = {};
  for (const [key, max] of Object.entries(limits)) {
    const a = (v as Obj)[key];
    if (a === undefined || a === null) continue;
    if (typeof a !== 'number' || !Number.isInteger(a) || a < 0 || a > max) {
      throw badRequest(`invalid attribute ${key} for ${type}: ${JSON.stringify(a)} (expected an integer from 0 to ${max})`);
    }
    out[key] = a;
  }
  return out;
}

export interface ToxicCreate {
  name: string;
  type: ToxicType;
  /** as given (Toxiproxy shows it as given) */
  stream: string;
  direction: Stream;
  toxicity: number;
  attributes: Record<string, number>;
}

/** Body of `POST /proxies/{name}/toxics`, with Toxiproxy's defaults filled in. */
export function parseToxicCreate(body: unknown): ToxicCreate {
  const o = asObject(body);
  // omitted or null: downstream; an empty string is invalid, as in Toxiproxy (it decodes "" over the default)
  const streamIn = o.stream === undefined || o.stream === null ? 'downstream' : o.stream;
  const direction = parseStream(streamIn);
  if (direction === null) throw badRequest('stream was invalid, can be either upstream or downstream');
  if (!isToxicType(o.type)) throw badRequest('invalid toxic type');
  const type = o.type;
  const name = optString(o, 'name') || `${type}_${streamIn as string}`;
  checkName(name, 'toxic');
  const toxicity = parseToxicity(o) ?? 1;
  const given = parseAttributes(type, o.attributes);
  const attributes: Record<string, number> = {};
  for (const key of Object.keys(ATTRIBUTES[type])) attributes[key] = given[key] ?? 0;
  return { name, type, stream: streamIn as string, direction, toxicity, attributes };
}

export interface ToxicUpdate {
  attributes: Record<string, number>;
  toxicity: number | undefined;
}

/** Body of `POST`/`PATCH /proxies/{name}/toxics/{toxic}`: only attributes (merged) and toxicity. */
export function parseToxicUpdate(type: ToxicType, body: unknown): ToxicUpdate {
  const o = asObject(body);
  return { attributes: parseAttributes(type, o.attributes), toxicity: parseToxicity(o) };
}
