// `faultline serve`: a node:http server on 127.0.0.1 over a results directory: / lists the runs (?page=N,
// ?verdict=invalid|unknown|valid), /runs/<path>/
// is a run's report (rendered in memory when index.html was never written), /runs/<path>/<file> its files.
// Paths are resolved with symlinks followed (`latest`) and refused (403) when they leave the results directory.
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import { UserError, EXIT } from '../cli/exit.js';
import { RUN_FILES } from '../runner/results.js';
import { buildReport } from './index.js';
import { findLatestLinks, findRuns, parseRunsView, renderRunsPage, type RunsCache } from './runs.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
  '.jsonl': 'text/plain; charset=utf-8',
  '.log': 'text/plain; charset=utf-8',
  '.edn': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png',
};

/** Why a request path is refused, or the path segments below the results directory. Pure. */
export function parseRunPath(urlPath: string): { segments: string[] } | { refused: string } {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return { refused: 'bad percent-encoding' };
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return { refused: 'bad character in path' };
  const segments = decoded.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.some((s) => s === '..')) return { refused: 'path traversal' };
  return { segments };
}

/** Is `child` (a real path) `root` or inside it? */
export function isInside(root: string, child: string): boolean {
  return child === root || child.startsWith(root.endsWith(sep) ? root : root + sep);
}

interface Cached {
  key: string;
  files: Map<string, string>;
}

export interface ReportServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' });
  res.end(body);
}

/** The request handler over the results directory `root` (already a real path). */
export function reportHandler(root: string): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const cache = new Map<string, Cached>();
  const entries: RunsCache = new Map();
  const rendered = async (dir: string): Promise<Map<string, string>> => {
    const st = await stat(join(dir, RUN_FILES.history));
    const key = `${st.mtimeMs}:${st.size}`;
    const hit = cache.get(dir);
    if (hit?.key === key) return hit.files;
    const files = await buildReport(dir);
    cache.set(dir, { key, files });
    return files;
  };
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed\n');
    if (url.pathname === '/' || url.pathname === '/index.html') {
      const runs = await findRuns(root, undefined, entries);
      return send(res, 200, TYPES['.html'] as string, renderRunsPage(root, runs, await findLatestLinks(root), parseRunsView(url.searchParams)));
    }
    if (url.pathname === '/favicon.ico') return send(res, 204, 'text/plain', '');
    const raw = (req.url ?? '/').split('?')[0] as string;
    if (!raw.startsWith('/runs/')) return send(res, 404, 'text/plain', 'not found\n');
    const parsed = parseRunPath(raw.slice('/runs/'.length));
    if ('refused' in parsed) return send(res, 403, 'text/plain', `refused: ${parsed.refused}\n`);
    let target: string;
    try {
      target = await realpath(resolve(root, ...parsed.segments));
    } catch {
      return send(res, 404, 'text/plain', 'not found\n');
    }
    if (!isInside(root, target)) return send(res, 403, 'text/plain', 'refused: outside the results directory\n');
    const st = await stat(target);
    if (st.isDirectory()) {
      if (!raw.endsWith('/')) {
        res.writeHead(301, { location: `${raw}/` });
        return void res.end();
      }
      const hasHistory = await stat(join(target, RUN_FILES.history)).then(
        () => true,
        () => false,
      );
      if (!hasHistory) return send(res, 404, 'text/plain', 'not a run directory\n');
      const written = await stat(join(target, RUN_FILES.index)).then(
        () => true,
        () => false,
      );
      if (!written) return send(res, 200, TYPES['.html'] as string, (await rendered(target)).get(RUN_FILES.index) ?? '');
      target = join(target, RUN_FILES.index);
    } else if (!st.isFile()) return send(res, 404, 'text/plain', 'not found\n');
    const type = TYPES[extname(target)] ?? 'application/octet-stream';
    res.writeHead(200, { 'content-type': type, 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(target).pipe(res);
  };
}

/** Serve the results directory `results` on 127.0.0.1:`port` (0: a free port). */
export async function startReportServer(results: string, port = 0): Promise<ReportServer> {
  let root: string;
  try {
    root = await realpath(results);
  } catch {
    throw new UserError(`${results}: no such results directory`, EXIT.NO_INPUT);
  }
  const handle = reportHandler(root);
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, 'text/plain', `error: ${err instanceof Error ? err.message : String(err)}\n`);
      else res.end();
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => ok());
  }).catch((err: NodeJS.ErrnoException) => {
    throw new UserError(`cannot listen on 127.0.0.1:${port}: ${err.code ?? err.message}`, EXIT.UNAVAILABLE);
  });
  const addr = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${addr.port}/`,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
