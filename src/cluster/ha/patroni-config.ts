// Patroni 3 configuration of one member as a pure function (tested), rendered to YAML: the etcd3 section (etcd 3.4
// has no v2 API) through the member's own DCS links with use_proxies, addresses others see as link ports, DCS timings.
import { stringify } from 'yaml';

export interface DcsTimings {
  /** leader key TTL, s (Patroni's default 30) */
  ttl: number;
  /** seconds between HA loop runs (default 10) */
  loopWait: number;
  /** DCS and PostgreSQL operation retry timeout, s (default 10) */
  retryTimeout: number;
}

export const PATRONI_DEFAULT_TIMINGS: DcsTimings = { ttl: 30, loopWait: 10, retryTimeout: 10 };

export interface PatroniMemberInput {
  scope: string;
  name: string;
  /** member directory (the pgpass lives there), data directory below it */
  dir: string;
  dataDir: string;
  pgBin: string;
  /** direct ports: PostgreSQL and the REST API */
  pgPort: number;
  apiPort: number;
  /** what other members connect to: this member's peer links */
  peerPgPort: number;
  peerApiPort: number;
  /** host:port of every etcd member as this member reaches it (its dcs links) */
  dcsHosts: readonly string[];
  password: string;
  timings: DcsTimings;
  /** synchronous_mode (Patroni keeps synchronous_standby_names itself) */
  synchronous: boolean;
  /** extra PostgreSQL parameters (every member) */
  parameters?: Readonly<Record<string, string | number>>;
}

/** The Patroni configuration object of one member. */
export function patroniConfig(m: PatroniMemberInput): Record<string, unknown> {
  const auth = { username: 'postgres', password: m.password };
  return {
    scope: m.scope,
    namespace: '/faultline/',
    name: m.name,
    log: { level: 'INFO', format: '%(asctime)s %(levelname)s: %(message)s' },
    restapi: { listen: `127.0.0.1:${m.apiPort}`, connect_address: `127.0.0.1:${m.peerApiPort}` },
    etcd3: { hosts: [...m.dcsHosts], use_proxies: true, protocol: 'http' },
    bootstrap: {
      dcs: {
        ttl: m.timings.ttl,
        loop_wait: m.timings.loopWait,
        retry_timeout: m.timings.retryTimeout,
        maximum_lag_on_failover: 1048576,
        synchronous_mode: m.synchronous,
        postgresql: {
          use_pg_rewind: true,
          use_slots: true,
          parameters: { wal_level: 'replica', hot_standby: 'on', max_wal_senders: 10, max_replication_slots: 10, wal_keep_size: '256MB', wal_log_hints: 'on', max_connections: 60 },
        },
      },
      initdb: [{ encoding: 'UTF8' }, { locale: 'C' }],
      pg_hba: ['host all all 127.0.0.1/32 scram-sha-256', 'host replication replicator 127.0.0.1/32 scram-sha-256'],
    },
    postgresql: {
      listen: `127.0.0.1:${m.pgPort}`,
      connect_address: `127.0.0.1:${m.peerPgPort}`,
      data_dir: m.dataDir,
      bin_dir: m.pgBin,
      pgpass: `${m.dir}/pgpass`,
      authentication: { superuser: auth, replication: { username: 'replicator', password: m.password }, rewind: auth },
      parameters: {
        unix_socket_directories: '',
        shared_buffers: '32MB',
        dynamic_shared_memory_type: 'mmap',
        wal_receiver_status_interval: '1s',
        password_encryption: 'scram-sha-256',
        ...m.parameters,
      },
    },
    tags: { nofailover: false, noloadbalance: false, clonefrom: false, nosync: false },
  };
}

/** The member's patroni.yml text. */
export function patroniYaml(m: PatroniMemberInput): string {
  return stringify(patroniConfig(m), { lineWidth: 0 });
}
