// external topology: nodes given by connection URLs in a JSON file, with optional shell commands per node.
// File format:
//   { "nodes": [ { "name": "n1", "url": "postgres://user:pw@host:5432/db", "site": "a", "role": "primary",
//                  "commands": { "kill": "…", "start": "…", "stop": "…", "pause": "…", "resume": "…" } } ] }
// `site` (default "a") and `role` ("primary" | "standby" | "peer" | "external", default "external") and every
// command are optional; a control operation without a command fails. Commands run with `sh -c`, with
// FAULTLINE_NODE set to the node name.
import { exec } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import type { DownReason, Endpoint, NodeProcess } from './process.js';
import type { NodeRole } from './types.js';

const execAsync = promisify(exec);

export type ExternalCommand = 'kill' | 'start' | 'stop' | 'pause' | 'resume';
const COMMANDS: readonly ExternalCommand[] = ['kill', 'start', 'stop', 'pause', 'resume'];
const ROLES: readonly NodeRole[] = ['primary', 'standby', 'peer', 'external'];

export interface ExternalNodeSpec {
  name: string;
  url: string;
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  site: string;
  role: NodeRole;
  commands: Partial<Record<ExternalCommand, string>>;
}

function fail(file: string, what: string): never {
  throw new Error(`${file}: ${what}`);
}

export function parseExternalFile(file: string): ExternalNodeSpec[] {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    fail(file, `cannot read JSON: ${(err as Error).message}`);
  }
  const nodes = (doc as { nodes?: unknown }).nodes;
  if (!Array.isArray(nodes) || nodes.length === 0) fail(file, 'expected {"nodes": [ … ]} with at least one node');
  const seen = new Set<string>();
  return nodes.map((n: unknown, i: number): ExternalNodeSpec => {
    const o = n as Record<string, unknown>;
    const name = o.name;
    if (typeof name !== 'string' || !/^[a-z][a-z0-9_]*$/i.test(name)) fail(file, `nodes[${i}].name must be an identifier`);
    if (seen.has(name)) fail(file, `duplicate node name ${name}`);
    seen.add(name);
    if (typeof o.url !== 'string') fail(file, `nodes[${i}].url must be a postgres:// URL`);
    let u: URL;
    try {
      u = new URL(o.url);
    } catch {
      fail(file, `nodes[${i}].url is not a URL`);
    }
    if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') fail(file, `nodes[${i}].url must start with postgres://`);
    const role = o.role ?? 'external';
    if (!ROLES.includes(role as NodeRole)) fail(file, `nodes[${i}].role must be one of ${ROLES.join(', ')}`);
    const site = o.site ?? 'a';
    if (typeof site !== 'string') fail(file, `nodes[${i}].site must be a string`);
    const commands: Partial<Record<ExternalCommand, string>> = {};
    const cmds = (o.commands ?? {}) as Record<string, unknown>;
    for (const [k, v] of Object.entries(cmds)) {
      if (!COMMANDS.includes(k as ExternalCommand)) fail(file, `nodes[${i}].commands.${k}: unknown (known: ${COMMANDS.join(', ')})`);
      if (typeof v !== 'string') fail(file, `nodes[${i}].commands.${k} must be a string`);
      commands[k as ExternalCommand] = v;
    }
    return {
      name,
      url: o.url,
      host: u.hostname.replace(/^\[|\]$/g, ''),
      port: Number(u.port || 5432),
      user: decodeURIComponent(u.username || 'postgres'),
      password: decodeURIComponent(u.password),
      database: decodeURIComponent(u.pathname.replace(/^\//, '') || 'postgres'),
      site,
      role: role as NodeRole,
      commands,
    };
  });
}

export async function runExternalCommand(spec: ExternalNodeSpec, cmd: ExternalCommand): Promise<void> {
  const line = spec.commands[cmd];
  if (!line) throw new Error(`external node ${spec.name} has no "${cmd}" command`);
  try {
    await execAsync(line, { env: { ...process.env, FAULTLINE_NODE: spec.name }, timeout: 120_000 });
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new Error(`${cmd} command for ${spec.name} failed: ${e.stderr?.trim() || e.message}`);
  }
}

/**
 * An external node as a NodeProcess: faultline does not run its server; control operations run the node's commands
 * (an operation without one throws) and its state is what the last command made it.
 */
export class ExternalNode implements NodeProcess {
  readonly logFile = null;
  readonly pid = null;
  readonly initdbOutput = null;
  private state: 'running' | 'paused' | DownReason = 'running';

  constructor(readonly spec: ExternalNodeSpec) {}

  get name(): string {
    return this.spec.name;
  }
  get endpoint(): Endpoint {
    return { host: this.spec.host, port: this.spec.port, user: this.spec.user, password: this.spec.password, database: this.spec.database };
  }
  get running(): boolean {
    return this.state === 'running' || this.state === 'paused';
  }
  get paused(): boolean {
    return this.state === 'paused';
  }
  get downReason(): DownReason {
    return this.state === 'running' || this.state === 'paused' ? 'stopped' : this.state;
  }

  private unmanaged(what: string): never {
    throw new Error(`external node ${this.spec.name} is not run by faultline: cannot ${what}`);
  }
  initdb(): Promise<void> {
    this.unmanaged('initdb');
  }
  writeFile(): Promise<void> {
    this.unmanaged('write its configuration');
  }
  cloneFrom(): Promise<void> {
    this.unmanaged('clone it');
  }

  async start(): Promise<void> {
    await runExternalCommand(this.spec, 'start');
    this.state = 'running';
  }
  async stop(): Promise<void> {
    await runExternalCommand(this.spec, 'stop');
    this.state = 'stopped';
  }
  async kill(): Promise<void> {
    await runExternalCommand(this.spec, 'kill');
    this.state = 'killed';
  }
  async pause(): Promise<void> {
    await runExternalCommand(this.spec, 'pause');
    this.state = 'paused';
  }
  async resume(): Promise<void> {
    await runExternalCommand(this.spec, 'resume');
    this.state = 'running';
  }
}
