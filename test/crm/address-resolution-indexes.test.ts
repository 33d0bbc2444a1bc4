// Resolving From/To/Cc to records never reads a whole table: each lookup address resolution runs
// (the very query builders it uses) is planned on the lower(…) expression indexes, on both
// dialects. PostgreSQL is asked with sequential scans priced out (enable_seqscan = off): on an
// almost empty test table a scan is rightly cheaper, and the question here is whether the index
// can serve the query's expression at all, which it cannot when the shapes differ.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql, type Compilable } from 'kysely';
import { queueLookup, recordLookup, userLookup } from '../../src/crm/address-resolution.ts';
import { DIALECTS, createTestEnv, skipUnless, type TestEnv } from '../fixtures/context.ts';

const CHUNK = ['ana@contoso.test', 'lee@tailspin.test', 'buyer@fabrikam.test'];

for (const dialect of DIALECTS) {
  describe(`address resolution uses the lower(email) indexes (${dialect})`, { skip: await skipUnless(dialect) }, () => {
    let env: TestEnv;
    before(async () => { env = await createTestEnv(dialect); });
    after(async () => { await env?.cleanup(); });

    /** The plan's lines: SQLite's EXPLAIN QUERY PLAN details, PostgreSQL's EXPLAIN text. */
    async function plan(query: Compilable): Promise<string[]> {
      const compiled = query.compile();
      return env.ctx.db.connection().execute(async (conn) => {
        if (dialect === 'postgres') await sql`set enable_seqscan = off`.execute(conn);
        try {
          const prefix = dialect === 'sqlite' ? 'explain query plan ' : 'explain ';
          const result = await conn.executeQuery<Record<string, unknown>>({ ...compiled, sql: prefix + compiled.sql });
          return result.rows.map((r) => String(r.detail ?? r['QUERY PLAN']));
        } finally {
          if (dialect === 'postgres') await sql`reset enable_seqscan`.execute(conn);
        }
      });
    }

    const assertIndexed = (lines: string[], table: string, indexes: string[]) => {
      const text = lines.join('\n');
      for (const index of indexes) assert.match(text, new RegExp(`\\b${index}\\b`), `${table} lookup uses ${index}:\n${text}`);
      assert.doesNotMatch(text, dialect === 'sqlite' ? new RegExp(`\\bSCAN ${table}\\b`) : /Seq Scan/, `${table} lookup reads no whole table:\n${text}`);
    };

    for (const table of ['contact', 'account', 'lead'] as const) {
      it(`${table}s: email1, email2 and email3 each through its own index`, async () => {
        assertIndexed(await plan(recordLookup(env.ctx.db, table, CHUNK)), table, ['email1', 'email2', 'email3'].map((c) => `${table}_${c}_lower_idx`));
      });
    }

    it('users and queues: lower(email)', async () => {
      assertIndexed(await plan(userLookup(env.ctx.db, CHUNK)), 'app_user', ['app_user_email_lower_idx']);
      assertIndexed(await plan(queueLookup(env.ctx.db, CHUNK)), 'queue', ['queue_email_lower_idx']);
    });
  });
}
