// `faultline serve`: a node:http server on 127.0.0.1 over a results directory: / lists the runs (?page=N,
// ?verdict=invalid|unknown|valid), /runs/<path>/
// is a run's report (rendered in memory when index.html was never written), /runs/<path>/<file> its files.
// Paths are resolved with symlinks followed (`latest`) and refused (403) when they leave the results directory.
// Only requests naming 127.0.0.1:PORT or localhost:PORT as Host are answered (421 otherwise: DNS rebinding);
// only regular files of the report's types are sent, read up to the size they had when opened, with
// passwords redacted; files that hold secrets (cluster.json, pgpass, keys, configuration) are refused.
import { realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, extname, join, resolve, sep } from 'node:path';
import { UserError, EXIT } from '../util/exit.js';
import { CHECKER_INPUTS, RUN_FILES } from '../store/index.js';
import { openRegular, readRegular, UnsafeFileError } from '../util/regular-file.js';
import { redactingStream, redactSecrets } from '../util/redact.js';
import type { HistoryChecker } from './ending.js';
import { buildReport } from './index.js';
import { findLatestLinks, findRuns, latestTarget, parseRunsView, renderRunsPage, type RunsCache } from './runs.js';

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

/** Files never served whatever their extension: they hold the cluster's password or keys. */
const SECRET_FILES = new Set(['cluster.json', 'pgpass', '.pgpass', 'pwfile']);

/** The files of a run that a report is rendered from: each must be a regular file (or absent). */
const RENDER_INPUTS = [RUN_FILES.history, RUN_FILES.test, RUN_FILES.results, RUN_FILES.status, ...CHECKER_INPUTS];

/**
 * Is `host` (a request's Host header) this server, 127.0.0.1:`port` or localhost:`port`? Anything else is a
 * page from another origin that rebound its name to 127.0.0.1. Pure.
 */
export function hostAllowed(host: string | undefined, port: number): boolean {
  if (!host) return false;
  const h = host.trim().toLowerCase();
  for (const name of ['127.0.0.1', 'localhost']) {
    if (h === `${name}:${port}`) return true;
    if (port === 80 && h === name) return true;
  }
  return false;
}

/** Why `file` (a real path inside the results directory) must not be served, or null. Pure. */
export function refusedFile(file: string): string | null {
  if (SECRET_FILES.has(basename(file))) return 'holds a secret';
  if (!(extname(file) in TYPES)) return 'not a report or result file';
  return null;
}

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

const HEADERS = { 'x-content-type-options': 'nosniff', 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' };

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, ...HEADERS });
  res.end(type.startsWith('text/') ? redactSecrets(body) : body);
}

/** Sends a regular file up to the size it had when opened; text is redacted on the way. */
async function sendFile(req: IncomingMessage, res: ServerResponse, file: string): Promise<void> {
  let opened;
  try {
    opened = await openRegular(file);
  } catch (err) {
    if (err instanceof UnsafeFileError) return send(res, 403, 'text/plain', `refused: ${err.reason}\n`);
    return send(res, 404, 'text/plain', 'not found\n');
  }
  const { handle, size } = opened;
  const type = TYPES[extname(file)] ?? 'application/octet-stream';
  res.writeHead(200, { 'content-type': type, ...HEADERS });
  if (req.method === 'HEAD' || size === 0) {
    await handle.close();
    return void res.end();
  }
  const body = handle.createReadStream({ start: 0, end: size - 1, autoClose: true });
  const out = type.startsWith('text/') || type.startsWith('application/json') || type.startsWith('image/svg') ? body.pipe(redactingStream()) : body;
  res.on('close', () => body.destroy());
  out.on('error', () => res.destroy());
  out.pipe(res);
}

/** HTML pages of a run read whole to add the link back to the list; larger ones are sent as they are. */
const MAX_PAGE = 64 * 1024 * 1024;

/** A run's page with a link back to the runs list at its top (only `faultline serve` has a list). Pure. */
export function withBackLink(html: string): string {
  const link = '<p class="back" style="max-width:1180px;margin:8px auto 0;padding:0 20px"><a id="back" href="/">← all runs</a></p>';
  return /<body[^>]*>/.test(html) ? html.replace(/<body[^>]*>/, (m) => `${m}${link}`) : `${link}${html}`;
}

/** The first render input of a run directory that exists but is not a regular file, or null. */
async function irregularInput(dir: string): Promise<string | null> {
  for (const f of RENDER_INPUTS) {
    const st = await stat(join(dir, f)).catch(() => null);
    if (st && !st.isFile()) return f;
  }
  return null;
}

/** The request handler over the results directory `root` (already a real path). */
export function reportHandler(root: string, check?: HistoryChecker): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const cache = new Map<string, Cached>();
  const entries: RunsCache = new Map();
  const rendered = async (dir: string): Promise<Map<string, string>> => {
    const st = await stat(join(dir, RUN_FILES.history));
    const key = `${st.mtimeMs}:${st.size}`;
    const hit = cache.get(dir);
    if (hit?.key === key) return hit.files;
    const files = await buildReport(dir, check ? { check } : {});
    cache.set(dir, { key, files });
    return files;
  };
  return async (req, res) => {
    const port = req.socket.localPort ?? 0;
    if (!hostAllowed(req.headers.host, port)) {
      return send(res, 421, 'text/plain', `refused: Host must be 127.0.0.1:${port} or localhost:${port}\n`);
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed\n');
    if (url.pathname === '/' || url.pathname === '/index.html') {
      const runs = await findRuns(root, undefined, entries);
      const page = renderRunsPage(root, runs, await findLatestLinks(root), parseRunsView(url.searchParams), (await latestTarget(root)) ?? undefined);
      return send(res, 200, TYPES['.html'] as string, page);
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
      if (!written) {
        const bad = await irregularInput(target);
        if (bad) return send(res, 403, 'text/plain', `refused: ${bad} is not a regular file\n`);
        return send(res, 200, TYPES['.html'] as string, withBackLink((await rendered(target)).get(RUN_FILES.index) ?? ''));
      }
      target = join(target, RUN_FILES.index);
    } else if (!st.isFile()) return send(res, 403, 'text/plain', 'refused: not a regular file\n');
    const why = refusedFile(target);
    if (why) return send(res, 403, 'text/plain', `refused: ${why}\n`);
    if (extname(target) === '.html' && req.method === 'GET') {
      const page = await readRegular(target, MAX_PAGE).catch(() => null);
      if (page !== null) return send(res, 200, TYPES['.html'] as string, withBackLink(page));
    }
    await sendFile(req, res, target);
  };
}

/** Serve the results directory `results` on 127.0.0.1:`port` (0: a free port). */
export async function startReportServer(results: string, port = 0, check?: HistoryChecker): Promise<ReportServer> {
  let root: string;
  try {
    root = await realpath(results);
  } catch {
    throw new UserError(`${results}: no such results directory`, EXIT.NO_INPUT);
  }
  const handle = reportHandler(root, check);
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
