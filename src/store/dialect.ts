// The real differences between the two dialects, and nothing else.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './tables.ts';
import { openSqlite } from './sqlite-database.ts';

export type DialectName = 'sqlite' | 'postgres';

export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: DialectName;
  close(): Promise<void>;
}

// pg returns int8 as text to avoid losing precision; our bigints are epoch milliseconds and
// counters, which fit a JavaScript number exactly.
pg.types.setTypeParser(20, (v) => Number(v));

export function openStore(options: { databaseUrl?: string; dataDir: string }): Store {
  if (options.databaseUrl) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 10 });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: 'postgres', close: () => db.destroy() };
  }
  mkdirSync(options.dataDir, { recursive: true });
  const file = join(options.dataDir, 'mailroom.db');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: openSqlite(file) }) });
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}

/** Column type of raw message bytes. */
export const blobType = (dialect: DialectName) => (dialect === 'postgres' ? 'bytea' : 'blob');
/** Column type of epoch-millisecond timestamps and large counters. */
export const bigintType = (dialect: DialectName) => (dialect === 'postgres' ? 'bigint' : 'integer');
