// The real differences between the two dialects, and nothing else.
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './tables.ts';
import { openSqlite, RetryingSqliteDialect } from './sqlite-database.ts';

export type DialectName = 'sqlite' | 'postgres';

export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: DialectName;
  close(): Promise<void>;
}

// pg returns int8 as text to avoid losing precision; our bigints are epoch milliseconds and
// counters, which fit a JavaScript number exactly.
pg.types.setTypeParser(20, (v) => Number(v));

export interface StoreOptions {
  readonly databaseUrl?: string;
  readonly dataDir: string;
  /**
   * Told when a PostgreSQL connection fails outside a query (the server restarted, the network
   * dropped). The pool drops that connection and opens a new one when it is needed; the queries
   * that were running on it fail with their own error.
   */
  readonly onConnectionError?: (err: Error) => void;
}

export function openStore(options: StoreOptions): Store {
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl, max: 10,
      // While the server is away a request fails within seconds, instead of waiting for ever.
      connectionTimeoutMillis: 5_000,
      // Connections left idle are closed, so a failover does not leave a pool of dead ones.
      idleTimeoutMillis: 30_000,
      keepAlive: true,
    });
    const onError = (err: Error) => options.onConnectionError?.(err);
    // pg emits 'error' on the pool for an idle connection, and on the client for one that is in
    // use but between queries. Without a listener either one ends the process.
    pool.on('error', onError);
    pool.on('connect', (client) => client.on('error', onError));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: 'postgres', close: () => db.destroy() };
  }
  // Only Mailroom's own user may read the data folder, the database and its WAL (SQLite gives the
  // WAL and shared-memory files the database file's permissions).
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  chmodSync(options.dataDir, 0o700);
  const file = join(options.dataDir, 'mailroom.db');
  closeSync(openSync(file, 'a', 0o600));
  chmodSync(file, 0o600);
  const db = new Kysely<Database>({ dialect: new RetryingSqliteDialect({ database: openSqlite(file) }) });
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}

/** Column type of raw message bytes. */
export const blobType = (dialect: DialectName) => (dialect === 'postgres' ? 'bytea' : 'blob');
/** Column type of epoch-millisecond timestamps and large counters. */
export const bigintType = (dialect: DialectName) => (dialect === 'postgres' ? 'bigint' : 'integer');
