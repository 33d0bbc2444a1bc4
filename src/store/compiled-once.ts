// Statements a hot path runs thousands of times with the same shape (synchronization's inserts of
// a message's activity and processing record): Kysely builds and compiles the SQL once per dialect
// and shape, and each run only passes its parameters. In bench/sync, building them was about a
// tenth of the main thread's CPU a message (visiting the 25 columns of an activity every time).
import { CompiledQuery, type Compilable, type Kysely, type QueryResult } from 'kysely';
import type { Database } from './tables.ts';

const cache = new WeakMap<object, Map<string, string>>();

/**
 * Runs `build()`'s query with these parameters. `parameters` must be what it compiles to, in
 * order; the first compile of each `shape` checks it, and a query whose parameters differ (or a
 * value left undefined, which Kysely leaves out) is compiled as usual every time, never cached.
 */
export async function executeCompiledOnce<R>(db: Kysely<Database>, shape: string, parameters: readonly unknown[], build: () => Compilable<R>): Promise<QueryResult<R>> {
  // The executor's adapter stands for the dialect; a transaction shares its database's.
  const adapter = db.getExecutor().adapter;
  const cacheable = !parameters.includes(undefined);
  const sql = cacheable ? cache.get(adapter)?.get(shape) : undefined;
  if (sql !== undefined) return db.executeQuery<R>(CompiledQuery.raw(sql, [...parameters]));
  const compiled = build().compile();
  if (cacheable && compiled.parameters.length === parameters.length && compiled.parameters.every((p, i) => p === parameters[i])) {
    let byShape = cache.get(adapter);
    if (!byShape) cache.set(adapter, (byShape = new Map()));
    byShape.set(shape, compiled.sql);
  }
  return db.executeQuery<R>(compiled);
}
