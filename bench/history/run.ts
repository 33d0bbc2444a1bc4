// Email history paging on a large table: the time of a page deep in the history against the
// time of the first page (the baseline), per filter, on each dialect. Flat means ratio ≈ 1.
// Usage: npm run bench:history [-- --n 1000000] [--dialect sqlite|postgres|both]
import { parseArgs } from 'node:util';
import { sql, type Kysely } from 'kysely';
import { listHistory, type HistoryFilter } from '../../src/outbound/email.repository.ts';
import type { Database } from '../../src/store/tables.ts';
import { createTestEnv, skipUnless, type TestDialect } from '../../test/fixtures/context.ts';

const { values } = parseArgs({ options: { n: { type: 'string', default: '1000000' }, dialect: { type: 'string', default: 'both' } } });
const N = Number(values.n);
const dialects: TestDialect[] = values.dialect === 'both' ? ['sqlite', 'postgres'] : [values.dialect as TestDialect];

async function seed(db: Kysely<Database>, dialect: TestDialect) {
  // Rows as the distributor leaves them: four statuses, 50 senders, one row per millisecond.
  const row = (g: string) => sql.raw(`'<m>', 'batch', 'smtp',
    case ${g} % 4 when 0 then 'sent' when 1 then 'failed' when 2 then 'expired' else 'cancelled' end, null,
    'User' || (${g} % 50) || '@example.test', null, '[]', '[]', '[]', 'Invoice ' || ${g}, 4096, 1, 0, ${g}, null, null,
    ${g} + 1000, ${g}, ${g}, null, null, null, null, null, null`);
  if (dialect === 'postgres') {
    await sql`insert into email select md5(g::text), ${row('g')} from generate_series(1, ${N}) g`.execute(db);
    await sql`analyze email`.execute(db);
  } else {
    await sql`with recursive s(g) as (select 1 union all select g + 1 from s where g < ${N}) insert into email select hex(randomblob(16)), ${row('g')} from s`.execute(db);
    await sql`analyze`.execute(db);
  }
}

async function pageMs(db: Kysely<Database>, filter: HistoryFilter, repeat = 20): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < repeat; i++) await listHistory(db, filter);
  return (performance.now() - start) / repeat;
}

const FILTERS: Record<string, Omit<HistoryFilter, 'limit'>> = {
  'no filter': {},
  'status failed': { status: ['failed'] },
  'one sender': { sender: 'user7@example.test' },
  'date range': { from: 1000, to: N },
};

for (const dialect of dialects) {
  if (await skipUnless(dialect)) continue;
  const env = await createTestEnv(dialect);
  const t0 = performance.now();
  await seed(env.ctx.db, dialect);
  console.log(`\n${dialect}: ${N.toLocaleString()} emails seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  console.log('filter          first page   page at the middle   ratio (middle ÷ first)');
  for (const [name, filter] of Object.entries(FILTERS)) {
    const first = await pageMs(env.ctx.db, { ...filter, limit: 50 });
    const middle = await pageMs(env.ctx.db, { ...filter, limit: 50, before: { createdAt: Math.floor(N / 2), id: 'z' } });
    console.log(`${name.padEnd(15)} ${first.toFixed(2).padStart(7)} ms ${middle.toFixed(2).padStart(14)} ms ${(middle / first).toFixed(2).padStart(14)}×`);
  }
  await env.cleanup();
}
