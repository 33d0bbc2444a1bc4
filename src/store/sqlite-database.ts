import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

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
  db.exec('PRAGMA busy_timeout = 5000');
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
