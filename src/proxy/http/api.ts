// The Toxiproxy HTTP API: routes a request to the registry and writes Toxiproxy's status codes and bodies.
// 403 for browser user agents, 404 for unknown paths (trailing slash too), 405 (empty) for wrong methods.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../errors.js';
import { toxicJson } from '../model.js';
import { PopulateError, type Registry } from '../registry.js';
import { parseJson, readBody } from './body.js';
import { sendEmpty, sendError, sendJson, sendRaw, sendText } from './respond.js';

export const VERSION = '2.12.0+faultline';

type Handler = (ctx: { req: IncomingMessage; res: ServerResponse; params: string[]; body: () => Promise<unknown> }) => Promise<void> | void;
type Route = { pattern: string[]; methods: Record<string, Handler> };

/** Patterns: literal segments, or `*` for a parameter. */
function routes(reg: Registry): Route[] {
  return [
    {
      pattern: ['version'],
      // exactly Toxiproxy's bytes: its charset parameter and trailing newline
      methods: { GET: ({ res }) => sendRaw(res, 200, `{"version": ${JSON.stringify(VERSION)}}\n`, 'application/json;charset=utf-8') },
    },
    {
      pattern: ['proxies'],
      methods: {
        GET: ({ res }) => sendJson(res, 200, reg.list()),
        POST: async ({ res, body }) => sendJson(res, 201, await reg.create(await body())),
      },
    },
    {
      pattern: ['proxies', '*'],
      methods: {
        GET: ({ res, params }) => sendJson(res, 200, reg.get(params[0]).json()),
        POST: updateProxy(reg),
        PATCH: updateProxy(reg),
        DELETE: async ({ res, params }) => {
          await reg.remove(params[0]);
          sendEmpty(res, 204);
        },
      },
    },
    {
      pattern: ['proxies', '*', 'toxics'],
      methods: {
        GET: ({ res, params }) => sendJson(res, 200, reg.get(params[0]).toxicsJson()),
        POST: async ({ res, params, body }) => {
          reg.get(params[0]);
          sendJson(res, 200, await reg.addToxic(params[0], await body()));
        },
      },
    },
    {
      pattern: ['proxies', '*', 'toxics', '*'],
      methods: {
        GET: ({ res, params }) => sendJson(res, 200, toxicJson(reg.get(params[0]).findToxic(params[1]))),
        POST: updateToxic(reg),
        PATCH: updateToxic(reg),
        DELETE: async ({ res, params }) => {
          await reg.removeToxic(params[0], params[1]);
          sendEmpty(res, 204);
        },
      },
    },
    {
      pattern: ['reset'],
      methods: {
        POST: async ({ res }) => {
          await reg.reset();
          sendEmpty(res, 204);
        },
      },
    },
    {
      pattern: ['populate'],
      methods: { POST: async ({ res, body }) => sendJson(res, 201, { proxies: await reg.populate(await body()) }) },
    },
  ];
}

function updateProxy(reg: Registry): Handler {
  return async ({ res, params, body }) => {
    reg.get(params[0]);
    sendJson(res, 200, await reg.update(params[0], await body()));
  };
}

function updateToxic(reg: Registry): Handler {
  return async ({ res, params, body }) => {
    reg.get(params[0]).findToxic(params[1]);
    sendJson(res, 200, await reg.updateToxic(params[0], params[1], await body()));
  };
}

function splitPath(url: string): string[] | null {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (!path.startsWith('/')) return null;
  const segs = path.slice(1).split('/');
  try {
    return segs.map((s) => {
      if (s.length === 0) throw new Error('empty segment');
      return decodeURIComponent(s);
    });
  } catch {
    return null;
  }
}

function match(pattern: string[], segs: string[]): string[] | null {
  if (pattern.length !== segs.length) return null;
  const params: string[] = [];
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '*') params.push(segs[i]);
    else if (pattern[i] !== segs[i]) return null;
  }
  return params;
}

/** The request listener for node:http. Never throws: every failure becomes an HTTP error response. */
export function createApiHandler(reg: Registry): (req: IncomingMessage, res: ServerResponse) => void {
  const table = routes(reg);
  return (req, res) => {
    void handle(table, req, res).catch((e: unknown) => {
      try {
        if (!res.headersSent) sendError(res, new ApiError(500, e instanceof Error ? e.message : String(e)));
        else res.destroy();
      } catch {
        res.destroy();
      }
    });
  };
}

async function handle(table: Route[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  req.on('error', () => {});
  const ua = req.headers['user-agent'];
  if (typeof ua === 'string' && ua.startsWith('Mozilla/')) {
    req.resume();
    return sendText(res, 403, 'User agent not allowed\n');
  }
  const segs = splitPath(req.url ?? '/');
  let route: Route | undefined;
  let params: string[] | null = null;
  if (segs) {
    for (const r of table) {
      params = match(r.pattern, segs);
      if (params) {
        route = r;
        break;
      }
    }
  }
  if (!route || !params) {
    req.resume();
    return sendText(res, 404, '404 page not found\n');
  }
  const h = route.methods[req.method ?? ''];
  if (!h) {
    req.resume();
    return sendEmpty(res, 405);
  }
  let bodyRead: Promise<unknown> | null = null;
  const body = (): Promise<unknown> => (bodyRead ??= readBody(req).then(parseJson));
  try {
    await h({ req, res, params, body });
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    if (e.status === 413) res.setHeader('Connection', 'close');
    if (bodyRead === null) req.resume();
    if (e instanceof PopulateError) sendError(res, e, { proxies: e.proxies });
    else sendError(res, e);
  }
}
