// One experiment end to end: start the cluster, set up the workload, run clients and the nemesis, heal, settle
// (every node caught up with the primary and showing a marker written after healing, or reported as behind),
// take final reads and the convergence snapshot at that moment, check, write results and the report.
// A run that cannot record its history stops the cluster and fails with a RunIoError (exit 74).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suiteNames } from '../../checkers/suite.js';
import type { FinalReads, FinalSettlement } from '../../checkers/types.js';
import { makeNemesis, type NemesisOptions } from '../../nemesis/index.js';
import { NEMESIS_NEEDS } from '../../nemesis/names.js';
import { healAll, runPlan, runSchedule } from '../../nemesis/schedule.js';
import type { Nemesis, NemesisContext } from '../../nemesis/types.js';
import { makeWorkload, workloadOptions } from '../../workloads/index.js';
import type { Workload } from '../../workloads/types.js';
import type pg from 'pg';
import { startCluster } from '../cluster/cluster.js';
import { withClient } from '../cluster/sql.js';
import type { Cluster, ClusterOptions, Settlement } from '../cluster/types.js';
import { MARKER_DDL, MARKER_TABLE, unsettledNodes } from '../cluster/settle.js';
import { MonotonicClock } from '../history/clock.js';
import type { Json } from '../history/types.js';
import type { FinalFile } from '../history/final-reads.js';
import { HistoryWriter } from '../history/writer.js';
import { onCleanup } from '../util/processes.js';
import { faultlineVersion } from '../util/version.js';
import { Client } from './client.js';
import { probeReplication } from '../cluster/replication-probe.js';
import { makeProgress } from './progress.js';
import { judgeStoredRun, suiteFor } from './judge.js';
import { Rng, randomSeed } from '../util/rng.js';
import { makeRouter } from './routing.js';
import { RUN_HISTORY_WRITE, type RunOptions, type RunOutcome } from './config.js';
import { checkRun, clusterOptionsOf } from './options.js';
import {
  copyRedacted,
  createRunDir,
  ioReason,
  linkLatest,
  RUN_FILES,
  RunIoError,
  writeJson,
  type ReplicationFile,
  type RunResults,
  type RunStatus,
  type SnapshotFile,
  type TestDescription,
} from '../store/index.js';
import { redactSecrets } from '../util/redact.js';
import { summarize } from './summary.js';

const FAULTLINE_VERSION = faultlineVersion();

export async function runTest(o: RunOptions): Promise<RunOutcome> {
  // an impossible cluster, or a nemesis the topology cannot carry, is refused before anything is made (exit 64)
  const { topology } = checkRun(o);
  const seed = o.seed ?? randomSeed();
  const rng = new Rng(seed);
  const name = o.name ?? `${o.customWorkload?.name ?? o.workload}-${o.nemesis.length ? o.nemesis.join('+') : 'none'}-${o.topology}`;
  const dir = createRunDir(o.resultsDir, name);
  const t0 = process.hrtime.bigint();
  const clock = new MonotonicClock(t0);
  const progress = makeProgress(o.timeLimitS, o.progress);
  // how the run ended (status.json): running until one of checked / interrupted / could not start / failed
  let mainStarted = 0;
  const status = (s: Omit<RunStatus, 'at' | 'pid'>): void => {
    const elapsedS = mainStarted > 0 && s.state !== 'checked' ? Math.round((Date.now() - mainStarted) / 100) / 10 : undefined;
    writeJson(join(dir, RUN_FILES.status), { at: new Date().toISOString(), pid: process.pid, ...(elapsedS !== undefined ? { elapsedS } : {}), ...s });
  };
  status({ state: 'running' });
  const log = (line: string): void => progress.log(redactSecrets(line));
  const workload = o.customWorkload ?? makeWorkload(o.workload, workloadOptions(o));
  const nemeses = o.nemesis.map((n) => makeNemesis(n, nemesisOptions(o))).filter((n): n is Nemesis => n !== null);
  let stopped = false;
  let stopNow: () => void = () => undefined;
  const stopping = new Promise<void>((r) => (stopNow = r));
  const stop = (): void => {
    stopped = true;
    stopNow();
  };
  // a history that cannot be written ends the run: clients and nemesis stop, the cluster is stopped below
  let ioFailure: Error | null = null;
  const historyFile = join(dir, RUN_FILES.history);
  let writer: HistoryWriter;
  try {
    writer = new HistoryWriter(historyFile, {
      ...RUN_HISTORY_WRITE,
      clock,
      onError: (err) => {
        ioFailure ??= err;
        stop();
      },
    });
  } catch (err) {
    throw new RunIoError(`cannot create ${historyFile}: ${ioReason(err)}`);
  }
  // then test.json (without the cluster, not started yet), then `latest`: a run killed in its first second
  // leaves an (empty) history and a test.json `faultline check` can name the model of; `latest` never points at less
  writeJson(join(dir, RUN_FILES.test), describeTest(o, name, seed, null, workload, topology.checkers));
  linkLatest(dir);
  const ioError = (): RunIoError =>
    new RunIoError(
      `cannot record the run: writing ${historyFile} failed (${ioReason(ioFailure)}); the run and its cluster were stopped; ` +
        `the history keeps the ${linesIn(historyFile)} events written before, as whole lines (faultline check ${dir})`,
    );
  // Ctrl-C: stop clients, close the history (checkable as written), then the process registry stops servers
  let interrupted = false;
  const unCleanup = onCleanup(async (signal) => {
    interrupted = true;
    progress.stop();
    stop();
    writer.close();
    status({ state: 'interrupted', ...(signal ? { signal } : {}) });
  });

  let cluster: Cluster | null = null;
  try {
    if (o.progress) process.stderr.write(`faultline: ${name}: starting ${o.topology} cluster…\n`);
    cluster = await startCluster({ ...clusterOptions(o, o.keep ? join(dir, 'cluster') : undefined), logDir: join(dir, RUN_FILES.nodeLogs) });
    const c = cluster;
    const test = describeTest(o, name, seed, c, workload, topology.checkers);
    writeJson(join(dir, RUN_FILES.test), test); // again, with the nodes

    await setupWorkload(c, workload);
    const sampler = c.startSampler(join(dir, RUN_FILES.metrics), t0);

    // main phase: clients and nemesis together for the time limit
    const counts = { ok: 0, fail: 0, info: 0 };
    let unique = 0;
    const drained = new Set<string>();
    const routingView = {
      nodes: () => c.nodes.map((n) => n.name),
      primary: () => c.primary()?.name,
      standbys: () => c.nodes.filter((n) => n.role === 'standby').map((n) => n.name),
      drained: () => drained,
    };
    const router = makeRouter(o.routing, o.readFrom, routingView);
    const clients = Array.from({ length: o.concurrency }, (_, i) =>
      new Client({
        client: i,
        concurrency: o.concurrency,
        workload,
        writer,
        onOutcome: (t) => counts[t]++,
        router,
        rng: rng.fork(`client-${i}`),
        connectionFor: (node) => c.clientConfig(node),
        opTimeoutMs: o.opTimeoutMs,
        meanIntervalMs: o.rate > 0 ? (1000 * o.concurrency) / o.rate : 0,
        maxRetries: o.routing === 'any' ? Math.max(o.maxRetries, 1) : 0,
        unique: () => unique++,
        stopped: () => stopped,
      }),
    );
    let fault: string | null = null;
    const nctx: NemesisContext = {
      cluster: c,
      rng: rng.fork('nemesis'),
      targets: o.targets,
      log,
      routing: { drain: (n) => void drained.add(n), undrain: (n) => void drained.delete(n) },
    };
    const started = Date.now();
    mainStarted = started;
    const ticker = setInterval(() => progress.update((Date.now() - started) / 1000, counts, fault), 250);
    const timer = setTimeout(stop, o.timeLimitS * 1000);
    const scheduleOpts = { stopped: () => stopped, stopping, onChange: (f: string | null) => (fault = f) };
    const nemesisDone = o.plan
      ? runPlan(o.plan, nemeses, nctx, writer, scheduleOpts)
      : runSchedule(nemeses, nctx, writer, { ...scheduleOpts, mode: o.schedule, intervalS: o.nemesisIntervalS });
    await Promise.all([...clients.map((cl) => cl.run()), nemesisDone]);
    clearTimeout(timer);
    clearInterval(ticker);
    progress.update(o.timeLimitS, counts, null);
    progress.stop();
    if (ioFailure) throw ioError();

    // heal, then one settled moment: every node caught up (or reported behind), then final reads and snapshot
    if (o.progress) process.stderr.write('faultline: healing and waiting for replication…\n');
    await healAll(nemeses, nctx, writer);
    await c.healAll();
    await restartDownNodes(c, writer, log);
    const settlement = await c.settle(o.settleS * 1000).catch((err: unknown): Settlement => settleFailed(c, o.settleS * 1000, err));
    const settled = finalSettlement(settlement);
    for (const [n, why] of Object.entries(settled.unsettled ?? {})) log(`${n} has not settled: ${why}`);
    const final: FinalFile = { ...(await finalReads(c, workload)), settlement: settlement as unknown as Json };
    // every input the checkers read is stored: `faultline check RUN_DIR` judges these files as the run does below
    const snapshot = await c.snapshot(workload.tables).then(
      (tables): SnapshotFile => ({ tables }),
      (err: unknown): SnapshotFile => {
        log(`convergence snapshot failed: ${String(err)}`);
        return { tables: [], error: `the snapshot failed: ${err instanceof Error ? err.message : String(err)}` };
      },
    );
    writeJson(join(dir, RUN_FILES.final), final);
    writeJson(join(dir, RUN_FILES.snapshot), snapshot);
    await c.fetchLogs(); // servers on hosts: their logs, for the probe and nodes/
    // the inputs of the checkers the topology adds (logical-bidir: the replication probe; the samples are metrics.jsonl)
    if (topology.checkers.includes('replication')) {
      const replication = await probeReplication(c, { t0Ns: t0 }).then(
        (probe): ReplicationFile => ({ probe }),
        (err: unknown): ReplicationFile => ({ probe: null, error: `the probe failed: ${err instanceof Error ? err.message : String(err)}` }),
      );
      writeJson(join(dir, RUN_FILES.replication), replication);
    }
    await sampler.stop();
    writer.close();
    if (ioFailure) throw ioError();

    // judge what is on disk, with the suite and the reading `faultline check RUN_DIR` uses
    const { result: judged } = await judgeStoredRun(dir, suiteFor(workload, topology.checkers), test);
    const results: RunResults = {
      valid: judged.valid,
      checkers: judged.checkers,
      summary: [],
      durationMs: Number((process.hrtime.bigint() - t0) / 1_000_000n),
    };
    results.summary = summarize(results, workload.name);
    writeJson(join(dir, RUN_FILES.results), results);
    status({ state: 'checked', valid: results.valid });
    copyNodeLogs(c, dir);
    if (o.report) await writeRunReport(dir, log);
    return { dir, results, test };
  } catch (err) {
    progress.stop();
    try {
      if (!interrupted) status({ state: cluster === null ? 'could not start' : 'failed', error: redactSecrets(err instanceof Error ? err.message : String(err)) });
    } catch {
      // a full disk cannot take the status either: the error below says what failed
    }
    throw err;
  } finally {
    stop();
    writer.close();
    unCleanup();
    if (cluster) await cluster.stop().catch(() => undefined);
  }
}

/** The checkers' view of a settlement: the primary the others settled against, and who had not settled (why). */
function finalSettlement(s: Settlement): FinalSettlement {
  const out: FinalSettlement = {};
  if (s.primary !== null) out.primary = s.primary;
  const unsettled = unsettledNodes(s);
  if (Object.keys(unsettled).length > 0) out.unsettled = unsettled;
  return out;
}

/** The settle step itself failed (a bug, or every connection refused): every node counts as not settled. */
function settleFailed(c: Cluster, timeoutMs: number, err: unknown): Settlement {
  const reason = `the settle step failed: ${err instanceof Error ? err.message : String(err)}`;
  return {
    settled: false,
    primary: null,
    marker: '',
    timeoutMs,
    waitedMs: 0,
    nodes: Object.fromEntries(c.nodes.map((n) => [n.name, { state: 'unreachable' as const, role: null, reason }])),
  };
}

function nemesisOptions(o: RunOptions): NemesisOptions {
  return { partition: o.partition, cut: o.cut };
}

/** `keepLink`: where a kept cluster's directory goes (--keep), as a link when the server user cannot reach it. */
function clusterOptions(o: RunOptions, keepLink: string | undefined): ClusterOptions {
  return { ...clusterOptionsOf(o), keepLink, keep: o.keep, ...(o.hosts !== undefined ? { partitions: o.nemesis.some((n) => NEMESIS_NEEDS[n].includes('partition')) } : {}) };
}

/** test.json: written before the cluster starts (c null: no nodes yet), and again with the cluster's description. */
function describeTest(o: RunOptions, name: string, seed: number, c: Cluster | null, workload: Workload, topologyCheckers: readonly string[]): TestDescription {
  const d = c?.describe();
  return {
    name,
    workload: o.customWorkload?.name ?? o.workload,
    ...(workload.model !== undefined ? { model: workload.model } : {}),
    topology: o.topology,
    checkers: suiteNames(suiteFor(workload, topologyCheckers)),
    nemesis: o.nemesis,
    seed,
    startedAt: new Date().toISOString(),
    options: { ...o, seed, workload: o.customWorkload?.name ?? o.workload, customWorkload: undefined } as unknown as Record<string, unknown>,
    ...(c && d ? { pgVersion: c.pgVersion, nodes: d.nodes.map((n) => ({ ...n })) } : {}),
    faultlineVersion: FAULTLINE_VERSION,
  };
}

/**
 * Schema on every writable node the topology names (the primary, every peer; external: the nodes not in
 * recovery), after emptying the workload's tables left by an earlier run (TRUNCATE: a table keeps its place in
 * any replication set); then the topology is told the tables (and the settle marker table) exist: logical-bidir
 * subscribes to them.
 */
async function setupWorkload(c: Cluster, workload: Workload): Promise<void> {
  const writable = await c.writableNodes();
  if (writable.length === 0) throw new Error(`no writable node to create the ${workload.name} workload's tables on (${c.nodes.map((n) => n.name).join(', ')}: in recovery)`);
  for (const n of writable) {
    await withAdmin(c, n.name, async (db) => {
      await emptyTables(db, [...workload.tables, MARKER_TABLE]);
      await workload.setup(db);
      await db.query(MARKER_DDL);
    });
  }
  await c.schemaReady();
  await c.waitForReplication(30_000).catch(() => false);
}

/** TRUNCATE the tables that exist (an earlier run's rows would otherwise be read as this run's). */
async function emptyTables(db: pg.Client, tables: readonly string[]): Promise<void> {
  for (const t of tables) {
    const r = await db.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [t]);
    if (r.rows[0]!.t !== null) await db.query(`TRUNCATE ${t.split('.').map((p) => db.escapeIdentifier(p)).join('.')} RESTART IDENTITY`);
  }
}

/** A short-lived admin connection straight to the node (bypassing its proxy). */
function withAdmin<T>(c: Cluster, node: string, fn: (db: pg.Client) => Promise<T>): Promise<T> {
  return withClient({ ...c.adminConfig(node), connectionTimeoutMillis: 10_000, query_timeout: 60_000 }, fn);
}

/** After healing: resume paused nodes, restart stopped ones, re-clone standbys failover left on an old timeline. */
async function restartDownNodes(c: Cluster, writer: HistoryWriter, log: (s: string) => void): Promise<void> {
  for (const n of c.nodes) {
    if (n.role === 'external') continue;
    if (n.state === 'paused') await c.resume(n.name);
    if (n.state === 'killed' || n.state === 'stopped' || n.state === 'exited') {
      writer.append({ process: 'nemesis', type: 'invoke', f: 'restart' });
      try {
        await c.start(n.name);
        writer.append({ process: 'nemesis', type: 'info', f: 'restart', value: { nodes: [n.name] } });
      } catch (err) {
        log(`could not restart ${n.name}: ${String(err)}`);
        writer.append({ process: 'nemesis', type: 'info', f: 'restart', error: String(err) });
      }
    }
  }
  // a standby failover could not reach (it may hold WAL past the fork) but that kept running is re-cloned:
  // left alone it would follow no primary and be read as if it had caught up
  let started = false;
  try {
    const nodes = await c.rejoinStale(() => {
      started = true;
      writer.append({ process: 'nemesis', type: 'invoke', f: 'rejoin' });
    });
    if (started) writer.append({ process: 'nemesis', type: 'info', f: 'rejoin', value: { nodes } });
  } catch (err) {
    log(`could not re-clone a stale standby: ${String(err)}`);
    if (started) writer.append({ process: 'nemesis', type: 'info', f: 'rejoin', error: String(err) });
  }
}

async function finalReads(c: Cluster, workload: Workload): Promise<FinalFile> {
  const reads: FinalReads = {};
  const errors: Record<string, string> = {};
  for (const n of c.nodes) {
    try {
      reads[n.name] = (await withAdmin(c, n.name, (db) => workload.final(db))) as Json;
    } catch (err) {
      errors[n.name] = err instanceof Error ? err.message : String(err);
    }
  }
  return { reads, errors };
}

/** Lines in a file (0 when unreadable). */
function linesIn(file: string): number {
  try {
    const b = readFileSync(file);
    let n = 0;
    for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) n++;
    return n;
  } catch {
    return 0;
  }
}

function copyNodeLogs(c: Cluster, dir: string): void {
  const out = join(dir, RUN_FILES.nodeLogs);
  for (const n of c.nodes) {
    if (!n.logFile || !existsSync(n.logFile)) continue;
    mkdirSync(out, { recursive: true });
    try {
      copyRedacted(n.logFile, join(out, `${n.name}.log`));
    } catch {
      // a missing log is not worth failing the run
    }
  }
}

/** Writes the HTML/SVG report into a run directory; a report failure is logged, never thrown. */
export async function writeRunReport(dir: string, log: (s: string) => void): Promise<void> {
  try {
    const { writeReport } = await import('../report/index.js');
    await writeReport(dir);
  } catch (err) {
    log(`report: ${err instanceof Error ? err.message : String(err)}`);
  }
}


