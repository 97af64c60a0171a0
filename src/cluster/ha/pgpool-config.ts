// pgpool-II 4.3 configuration as pure functions (tested): pgpool.conf with one backend per node (reached through its
// `pool-nK` link), pool_hba.conf, pool_passwd (TEXT password: pgpool authenticates to the backends with it), pcp.conf,
// and the failover_command script that promotes pgpool's new main node (only when the failed node was the primary).
import { createHash } from 'node:crypto';

export interface PgpoolInput {
  dir: string;
  port: number;
  pcpPort: number;
  /** backends in node order: the port pgpool connects to (the node's pool link) and the node's name */
  backends: readonly { name: string; port: number }[];
  user: string;
  password: string;
  /** processes pgpool pre-forks (each serves one client connection) */
  children: number;
  /** path of the failover script, or null: pgpool then promotes nothing */
  failoverScript: string | null;
}

const q = (v: string): string => `'${v.replace(/'/g, "''")}'`;

export function pgpoolConf(c: PgpoolInput): string {
  const lines: string[] = [
    `backend_clustering_mode = 'streaming_replication'`,
    `listen_addresses = '127.0.0.1'`,
    `port = ${c.port}`,
    `socket_dir = ${q(c.dir)}`,
    `wd_ipc_socket_dir = ${q(c.dir)}`,
    `pcp_listen_addresses = '127.0.0.1'`,
    `pcp_port = ${c.pcpPort}`,
    `pcp_socket_dir = ${q(c.dir)}`,
    `pid_file_name = ${q(`${c.dir}/pgpool.pid`)}`,
    `logdir = ${q(c.dir)}`,
    `num_init_children = ${c.children}`,
    `max_pool = 1`,
    `load_balance_mode = on`,
    `enable_pool_hba = on`,
    `pool_passwd = ${q(`${c.dir}/pool_passwd`)}`,
    `allow_clear_text_frontend_auth = off`,
    `sr_check_period = 1`,
    `sr_check_user = ${q(c.user)}`,
    `sr_check_password = ''`,
    `health_check_period = 1`,
    `health_check_timeout = 2`,
    `health_check_user = ${q(c.user)}`,
    `health_check_password = ''`,
    `health_check_max_retries = 2`,
    `health_check_retry_delay = 1`,
    `failover_on_backend_error = on`,
    `search_primary_node_timeout = 0`,
    `failover_command = ${q(c.failoverScript ? `${c.failoverScript} %d %P %m %H %r` : '')}`,
    `use_watchdog = off`,
    `log_min_messages = warning`,
  ];
  c.backends.forEach((b, i) => {
    lines.push(`backend_hostname${i} = '127.0.0.1'`, `backend_port${i} = ${b.port}`, `backend_weight${i} = 1`, `backend_flag${i} = 'ALLOW_TO_FAILOVER'`, `backend_application_name${i} = ${q(b.name)}`);
  });
  return lines.join('\n') + '\n';
}

export function poolHba(): string {
  return 'host all all 127.0.0.1/32 scram-sha-256\n';
}

/** pool_passwd: the user's password in pgpool's TEXT form (the file is 0600 in the run directory). */
export function poolPasswd(user: string, password: string): string {
  return `${user}:TEXT${password}\n`;
}

/** pcp.conf: user:md5(password) */
export function pcpConf(user: string, password: string): string {
  return `${user}:${createHash('md5').update(password).digest('hex')}\n`;
}

/**
 * The failover_command script: `$1` failed node id, `$2` old primary id, `$3` new main id, `$4`/`$5` its host and port.
 * A standby's failure promotes nothing; the primary's promotes the new main node (pg_promote through its pool link).
 */
export function failoverScript(psql: string, passfile: string, user: string): string {
  return [
    '#!/bin/sh',
    '# pgpool failover_command: promote the new main node when the primary failed',
    '[ "$1" = "$2" ] || exit 0',
    '[ "$3" -ge 0 ] 2>/dev/null || exit 0',
    `PGPASSFILE=${q(passfile)} exec ${psql} "host=$4 port=$5 user=${user} dbname=postgres connect_timeout=5" -Atc "SELECT pg_promote(true, 60)"`,
    '',
  ].join('\n');
}
