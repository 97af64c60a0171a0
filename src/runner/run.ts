// One experiment end to end: start the cluster, set up the workload, run clients and the nemesis,
// heal, wait for replication, take final reads on every node, check, write results and the report.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { compose, mergeValidity } from '../../checkers/compose.js';
import { retriesChecker } from '../../checkers/retries.js';
import { latencyChecker } from '../../checkers/latency.js';
import type { CheckResult, Checker, FinalReads } from '../../checkers/types.js';
import { makeNemesis, type NemesisOptions } from '../../nemesis/index.js';
import { healAll, runPlan, runSchedule } from '../../nemesis/schedule.js';
import type { Nemesis, NemesisContext } from '../../nemesis/types.js';
import { makeWorkload } from '../../workloads/index.js';
import type { Workload } from '../../workloads/types.js';
import type pg from 'pg';
import { startCluster } from '../cluster/cluster.js';
import { withClient } from '../cluster/sql.js';
import type { Cluster, ClusterOptions, TableSnapshot } from '../cluster/types.js';
import { MonotonicClock } from '../history/clock.js';
import { loadHistory } from '../history/load.js';
import type { Json } from '../history/types.js';
import type { FinalFile } from '../history/final-reads.js';
import { HistoryWriter } from '../history/writer.js';
import { onCleanup } from '../util/processes.js';
import { faultlineVersion } from '../util/version.js';
import { Client } from './client.js';
import { convergenceChecker } from '../../checkers/convergence.js';
import { replicationChecker } from '../../checkers/replication.js';
import { probeReplication, readMetrics } from './replication-probe.js';
import { makeProgress } from './progress.js';
import { RUN_FILES, type RunResults, type RunStatus, type TestDescription } from './results.js';
import { Rng, randomSeed } from './rng.js';
import { makeRouter } from './routing.js';
import { CLUSTER_KEYS, RUN_HISTORY_WRITE, type RunOptions, type RunOutcome } from './config.js';
import { copyRedacted, createRunDir, writeJson } from './store.js';
import { redactSecrets } from '../util/redact.js';
import { summarize } from './summary.js';

const FAULTLINE_VERSION = faultlineVersion();

export async function runTest(o: RunOptions): Promise<RunOutcome> {
  const seed = o.seed ?? randomSeed();
  const rng = new Rng(seed);
  const name = o.name ?? `${o.customWorkload?.name ?? o.workload}-${o.nemesis.length ? o.nemesis.join('+') : 'none'}-${o.topology}`;
  const dir = createRunDir(o.resultsDir, name);
  const t0 = process.hrtime.bigint();
  const clock = new MonotonicClock(t0);
  const writer = new HistoryWriter(join(dir, RUN_FILES.history), { ...RUN_HISTORY_WRITE, clock });
  const progress = makeProgress(o.timeLimitS, o.progress);
  // how the run ended (status.json): running until one of checked / interrupted / could not start / failed
  let mainStarted = 0;
  const status = (s: Omit<RunStatus, 'at' | 'pid'>): void => {
    const elapsedS = mainStarted > 0 && s.state !== 'checked' ? Math.round((Date.now() - mainStarted) / 100) / 10 : undefined;
    writeJson(join(dir, RUN_FILES.status), { at: new Date().toISOString(), pid: process.pid, ...(elapsedS !== undefined ? { elapsedS } : {}), ...s });
  };
  status({ state: 'running' });
  const log = (line: string): void => progress.log(redactSecrets(line));
  const workload = o.customWorkload ?? makeWorkload(o.workload, { keys: o.keys, readFraction: o.readFraction });
  const nemeses = o.nemesis.map((n) => makeNemesis(n, nemesisOptions(o))).filter((n): n is Nemesis => n !== null);

  let stopped = false;
  let stopNow: () => void = () => undefined;
  const stopping = new Promise<void>((r) => (stopNow = r));
  const stop = (): void => {
    stopped = true;
    stopNow();
  };
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
    cluster = await startCluster(clusterOptions(o, o.keep ? join(dir, 'cluster') : undefined));
    const c = cluster;
    const test = describeTest(o, name, seed, c, workload);
    writeJson(join(dir, RUN_FILES.test), test);

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

    // heal, let replication catch up, final reads on every node
    if (o.progress) process.stderr.write('faultline: healing and waiting for replication…\n');
    await healAll(nemeses, nctx, writer);
    await c.healAll();
    await restartDownNodes(c, writer, log);
    const caughtUp = await c.waitForReplication(o.settleS * 1000).catch(() => false);
    const final = await finalReads(c, workload);
    writeJson(join(dir, RUN_FILES.final), final); // `faultline check --final auto` reads it back
    const snapshot = await c.snapshot(workload.tables).catch((err: unknown): TableSnapshot[] => {
      log(`convergence snapshot failed: ${String(err)}`);
      return [];
    });
    const logical = c.topology === 'logical-bidir';
    const probe = logical ? await probeReplication(c, { t0Ns: t0 }).catch(() => null) : null;
    await sampler.stop();
    writer.close();

    // check what is on disk, as `faultline check` would
    const loaded = await loadHistory(join(dir, RUN_FILES.history));
    const checkers: Record<string, Checker> = {
      ...workload.checkers(),
      retries: retriesChecker,
      latency: latencyChecker,
      convergence: convergenceChecker(snapshot, caughtUp),
      ...(logical ? { replication: replicationChecker(readMetrics(join(dir, RUN_FILES.metrics)), probe) } : {}),
    };
    const checked = compose(checkers)(loaded.history, { final: final.reads, concurrency: o.concurrency });
    const perChecker: Record<string, CheckResult> = {};
    for (const k of Object.keys(checkers)) perChecker[k] = checked[k] as CheckResult;
    if (Object.keys(final.errors).length > 0) perChecker['final-reads'] = { valid: true, errors: final.errors };
    const results: RunResults = {
      valid: mergeValidity(Object.values(perChecker).map((r) => r.valid)),
      checkers: perChecker,
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
    if (!interrupted) status({ state: cluster === null ? 'could not start' : 'failed', error: redactSecrets(err instanceof Error ? err.message : String(err)) });
    throw err;
  } finally {
    stop();
    writer.close();
    unCleanup();
    if (cluster) await cluster.stop().catch(() => undefined);
  }
}

function nemesisOptions(o: RunOptions): NemesisOptions {
  return { partition: o.partition, cut: o.cut };
}

/** `keepLink`: where a kept cluster's directory goes (--keep), as a link when the server user cannot reach it. */
function clusterOptions(o: RunOptions, keepLink: string | undefined): ClusterOptions {
  const passed = Object.fromEntries(CLUSTER_KEYS.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
  return { ...(passed as Pick<ClusterOptions, (typeof CLUSTER_KEYS)[number]>), topology: o.topology, keepLink, keep: o.keep };
}

function describeTest(o: RunOptions, name: string, seed: number, c: Cluster, workload: Workload): TestDescription {
  const d = c.describe();
  return {
    name,
    workload: o.customWorkload?.name ?? o.workload,
    ...(workload.model !== undefined ? { model: workload.model } : {}),
    topology: o.topology,
    nemesis: o.nemesis,
    seed,
    startedAt: new Date().toISOString(),
    options: { ...o, seed, workload: o.customWorkload?.name ?? o.workload, customWorkload: undefined } as unknown as Record<string, unknown>,
    pgVersion: c.pgVersion,
    nodes: d.nodes.map((n) => ({ ...n })),
    faultlineVersion: FAULTLINE_VERSION,
  };
}

/** Schema on every writable node; logical-bidir subscribes after the tables exist. */
async function setupWorkload(c: Cluster, workload: Workload): Promise<void> {
  const writable = c.topology === 'logical-bidir' || c.topology === 'external' ? c.nodes : [c.primary() ?? c.nodes[0]];
  for (const n of writable) await withAdmin(c, n.name, (db) => workload.setup(db));
  if (c.topology === 'logical-bidir') await c.subscribeAll();
  await c.waitForReplication(30_000).catch(() => false);
}

/** A short-lived admin connection straight to the node (bypassing its proxy). */
function withAdmin<T>(c: Cluster, node: string, fn: (db: pg.Client) => Promise<T>): Promise<T> {
  return withClient({ ...c.adminConfig(node), connectionTimeoutMillis: 10_000, query_timeout: 60_000 }, fn);
}

async function restartDownNodes(c: Cluster, writer: HistoryWriter, log: (s: string) => void): Promise<void> {
  for (const n of c.nodes) {
    if (n.role === 'external') continue;
    if (n.state === 'paused') await c.resume(n.name);
    if (n.state === 'killed' || n.state === 'stopped') {
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


