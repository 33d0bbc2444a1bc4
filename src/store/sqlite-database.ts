import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import { SqliteDialect, type CompiledQuery, type DatabaseConnection, type Driver, type QueryResult, type SqliteDatabase, type SqliteDialectConfig, type SqliteStatement } from 'kysely';

/**
 * How long SQLite itself waits for a lock, per statement. node:sqlite runs synchronously, so this
 * wait blocks the whole process (API, health, loops): it is kept short, and the longer wait for a
 * lock another program holds is done by RetryingSqliteDialect, asynchronously.
 */
export const SQLITE_BUSY_TIMEOUT_MS = 100;
/** How long a statement waits in all for a lock before DATABASE_BUSY (what busy_timeout was). */
export const SQLITE_LOCK_WAIT_MS = 5_000;
const SQLITE_BUSY = 5;

/**
 * Kysely's SQLite dialect with a statement retried while the file is locked (plain SQLITE_BUSY,
 * the case SQLite's own busy handler retries), with pauses that leave the event loop free. A
 * BUSY_SNAPSHOT (517: the transaction read an older state) is not retried: only the transaction
 * run again could fix it, and the caller sees DATABASE_BUSY.
 */
export class RetryingSqliteDialect extends SqliteDialect {
  readonly #waitMs: number;
  constructor(config: SqliteDialectConfig, waitMs = SQLITE_LOCK_WAIT_MS) {
    super(config);
    this.#waitMs = waitMs;
  }
  override createDriver(): Driver {
    const inner = super.createDriver();
    const waitMs = this.#waitMs;
    const wrapped = new WeakMap<DatabaseConnection, DatabaseConnection>();
    const unwrap = new WeakMap<DatabaseConnection, DatabaseConnection>();
    const wrap = (connection: DatabaseConnection): DatabaseConnection => {
      let outer = wrapped.get(connection);
      if (!outer) {
        outer = {
          executeQuery: <R>(query: CompiledQuery) => retryWhileLocked(() => connection.executeQuery<R>(query), waitMs),
          streamQuery: <R>(query: CompiledQuery, chunkSize?: number) => connection.streamQuery<R>(query, chunkSize),
        };
        wrapped.set(connection, outer);
        unwrap.set(outer, connection);
      }
      return outer;
    };
    return {
      init: () => inner.init(),
      acquireConnection: async () => wrap(await inner.acquireConnection()),
      beginTransaction: (c, settings) => inner.beginTransaction(c, settings),
      commitTransaction: (c) => inner.commitTransaction(c),
      rollbackTransaction: (c) => inner.rollbackTransaction(c),
      savepoint: inner.savepoint && ((c, name, compile) => inner.savepoint!(c, name, compile)),
      rollbackToSavepoint: inner.rollbackToSavepoint && ((c, name, compile) => inner.rollbackToSavepoint!(c, name, compile)),
      releaseSavepoint: inner.releaseSavepoint && ((c, name, compile) => inner.releaseSavepoint!(c, name, compile)),
      releaseConnection: (c) => inner.releaseConnection(unwrap.get(c) ?? c),
      destroy: () => inner.destroy(),
    };
  }
}

async function retryWhileLocked<R>(run: () => Promise<QueryResult<R>>, waitMs: number): Promise<QueryResult<R>> {
  const giveUpAt = Date.now() + waitMs;
  for (let pause = 20; ; pause = Math.min(pause * 2, 250)) {
    try {
      return await run();
    } catch (err) {
      const errcode = (err as { errcode?: unknown }).errcode;
      if (errcode !== SQLITE_BUSY || Date.now() + pause > giveUpAt) throw err;
      await sleep(pause);
    }
  }
}

/**
 * Adapts Node's built-in node:sqlite to the better-sqlite3 subset Kysely's SqliteDialect uses,
 * so the embedded database needs no native build.
 */
export function openSqlite(path: string): SqliteDatabase {
  const db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode = WAL');
  // WAL with NORMAL sync keeps every commit durable against a process crash (kill -9);
  // only a power loss can lose the last commits.
  db.exec('PRAGMA synchronous = NORMAL');
  // A checkpoint (copying the WAL into the database file, two fsyncs) every ≈ 40 MB of WAL rather
  // than SQLite's 4 MB: synchronization writes every message body and attachment, and at 4 MB
  // the checkpoints' fsyncs were half the time its commits took (bench/sync, 10,000 messages:
  // 231 commits 3.4 s → 1.8 s). Commits stay as durable; the WAL file grows to ≈ 40 MB before it is reused.
  db.exec('PRAGMA wal_autocheckpoint = 10000');
  db.exec(`PRAGMA busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  db.exec('PRAGMA foreign_keys = ON');
  const prepared = new Map<string, SqliteStatement>();
  return {
    close: () => db.close(),
    // Kysely prepares every query it runs; compiling the same SQL again costs more than running
    // it. node:sqlite resets a statement before each run, and Kysely runs one query at a time on
    // this connection, so a statement can be reused. The cache is bounded: IN lists vary in length.
    prepare: (sql) => {
      // SQLite ends a transaction itself on some errors (a full disk, an I/O error); the ROLLBACK
      // Kysely then sends would fail and hide the error that matters, so it is skipped.
      if (/^\s*rollback\s*$/i.test(sql)) return rollbackIfOpen(db);
      let stmt = prepared.get(sql);
      if (stmt) {
        prepared.delete(sql);
      } else {
        stmt = wrapStatement(db.prepare(sql));
        if (prepared.size >= STATEMENT_CACHE_SIZE) prepared.delete(prepared.keys().next().value!);
      }
      prepared.set(sql, stmt);
      return stmt;
    },
  };
}

const STATEMENT_CACHE_SIZE = 200;

function rollbackIfOpen(db: DatabaseSync): SqliteStatement {
  const run = () => {
    if (db.isTransaction) db.exec('ROLLBACK');
    return { changes: 0, lastInsertRowid: 0 };
  };
  return { reader: false, all: () => [], run, iterate: () => [][Symbol.iterator]() };
}

function wrapStatement(stmt: StatementSync): SqliteStatement {
  const reader = stmt.columns().length > 0;
  return {
    reader,
    all: (params) => stmt.all(...toSqlite(params)),
    run: (params) => {
      const { changes, lastInsertRowid } = stmt.run(...toSqlite(params));
      return { changes, lastInsertRowid };
    },
    iterate: (params) => stmt.iterate(...toSqlite(params)) as IterableIterator<unknown>,
  };
}

function toSqlite(params: ReadonlyArray<unknown>): SQLInputValue[] {
  return params.map((p) => {
    if (typeof p === 'boolean') return p ? 1 : 0;
    if (p === undefined) return null;
    return p as SQLInputValue;
  });
}
