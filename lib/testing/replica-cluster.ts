// A throw-away PostgreSQL primary and its streaming replica, made the way an operator makes one: initdb, then
// pg_basebackup -R from the primary. Both run from the Debian PostgreSQL binaries on ports of their own, in a
// temporary folder, so the test owns every setting and copies nothing of the shared test server.
import { execFileSync } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './free-port';

const BIN = '/usr/lib/postgresql/15/bin';

/** PostgreSQL refuses to run as root: as root the tools run as `postgres`; otherwise as whoever we are. */
function runAs(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
  return { uid, gid };
}

/** Whether this machine has the Debian PostgreSQL 15 binaries to make one. */
export function canRunReplicaCluster(): boolean {
  return ['initdb', 'pg_ctl', 'pg_basebackup'].every((b) => existsSync(path.join(BIN, b)));
}

export type ReplicaCluster = {
  primaryUrl: (database: string) => string;
  replicaUrl: (database: string) => string;
  /** Runs SQL on the replica as its superuser (pausing and resuming replay). */
  onReplica: (sql: string) => Promise<void>;
  /** Resolves once the replica has replayed everything the primary had written when it was called. */
  caughtUp: () => Promise<void>;
  stopReplica: () => void;
  stop: () => void;
};

export async function startReplicaCluster(): Promise<ReplicaCluster> {
  const user = runAs();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'custodian-replica-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const run = (bin: string, args: string[]) =>
    execFileSync(path.join(BIN, bin), args, { cwd: dir, stdio: 'pipe', ...(user ?? {}) });
  const primaryDir = path.join(dir, 'primary');
  const replicaDir = path.join(dir, 'replica');
  const [primaryPort, replicaPort] = [await freePort(), await freePort()];
  const settings = (port: number) =>
    `\nport = ${port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '${dir}'\n` +
    // A test cluster: durability is not what is tested, speed is welcome.
    'fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n';

  run('initdb', ['-D', primaryDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']);
  appendFileSync(primaryDir + '/postgresql.conf', settings(primaryPort) + 'wal_level = replica\nmax_wal_senders = 4\n');
  const started: string[] = [];
  const start = (data: string) => {
    run('pg_ctl', ['-D', data, '-l', data + '.log', '-w', 'start']);
    started.push(data);
  };
  const stopOne = (data: string) => {
    if (!started.includes(data)) return;
    run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    started.splice(started.indexOf(data), 1);
  };
  try {
    start(primaryDir);
    // -R writes standby.signal and primary_conninfo: the copy starts as a streaming replica of the primary.
    run('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres', '-D', replicaDir, '-R']);
    appendFileSync(replicaDir + '/postgresql.conf', settings(replicaPort) + 'hot_standby = on\n');
    start(replicaDir);
  } catch (error) {
    started.forEach(stopOne);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  const url = (port: number) => (database: string) => `postgresql://postgres@127.0.0.1:${port}/${database}`;
  const query = async <T>(port: number, sql: string): Promise<T[]> => {
    const client = new pg.Client({ connectionString: url(port)('postgres') });
    await client.connect();
    try {
      return (await client.query(sql)).rows as T[];
    } finally {
      await client.end();
    }
  };
  return {
    primaryUrl: url(primaryPort),
    replicaUrl: url(replicaPort),
    onReplica: async (sql) => void (await query(replicaPort, sql)),
    caughtUp: async () => {
      // The insert position, not pg_current_wal_lsn() (what is written so far): commits here are asynchronous
      // (synchronous_commit = off), so a transaction that has returned may still sit in the WAL buffers.
      const [primary] = await query<{ lsn: string }>(primaryPort, 'SELECT pg_current_wal_insert_lsn()::text AS lsn');
      const lsn = primary!.lsn;
      for (let i = 0; i < 200; i++) {
        const [row] = await query<{ done: boolean }>(
          replicaPort,
          `SELECT pg_last_wal_replay_lsn() >= '${lsn}'::pg_lsn AS done`,
        );
        if (row?.done) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`The replica did not replay up to ${lsn} within 10 s.`);
    },
    stopReplica: () => stopOne(replicaDir),
    stop: () => {
      [...started].reverse().forEach(stopOne);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
