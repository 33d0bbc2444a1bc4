// Email history retention: the distributor purges finished emails, with their content, attempts and
// idempotency keys, once they are older than the retention period (0 means 30 days). Emails still
// in the queue are never purged, however old.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import pg from 'pg';
import { runDistributorPass } from '../../src/outbound/distributor.ts';
import { readParameters, toPublic, updateParameters } from '../../src/outbound/email-parameters.ts';
import { purgeHistory } from '../../src/outbound/email.repository.ts';
import { cancelEmail, getEmail, queueEmail } from '../../src/outbound/outbound.service.ts';
import { DIALECTS, ManualClock, skipUnless } from '../fixtures/context.ts';
import { PERMANENT, TEMPORARY, useOutboundWorld } from '../fixtures/outbound-world.ts';

const DAY = 86_400_000;
const MINUTE = 60_000;

for (const dialect of DIALECTS) {
  describe(`email history retention on ${dialect}`, { skip: await skipUnless(dialect) }, () => {
    const clock = new ManualClock();
    const world = useOutboundWorld(dialect, { clock });

    beforeEach(async () => {
      world.answer(undefined);
      await updateParameters(world.ctx, { historyRetentionDays: 0, expirationDays: 0 });
    });

    /** Which of these emails still exist, and whether anything of the others is left behind. */
    async function stored(ids: readonly string[]) {
      const db = world.ctx.db;
      const emails = (await db.selectFrom('email').select('id').where('id', 'in', ids).execute()).map((r) => r.id);
      const content = (await db.selectFrom('email_content').select('email_id').where('email_id', 'in', ids).execute()).map((r) => r.email_id);
      const attempts = [...new Set((await db.selectFrom('email_attempt').select('email_id').where('email_id', 'in', ids).execute()).map((r) => r.email_id))];
      const keys = (await db.selectFrom('idempotency_key').select('email_id').where('email_id', 'in', ids).execute()).map((r) => r.email_id);
      return { emails: emails.sort(), content: content.sort(), attempts: attempts.sort(), keys: keys.sort() };
    }

    /** One email in each finished state, plus one still waiting (it has a year before it expires). */
    async function finishedAndWaiting(tag: string) {
      const q = async (subject: string, key?: string) =>
        (await queueEmail(world.ctx, world.alice, { to: 'bob@fabrikam.test', subject: `${tag}: ${subject}`, body: 'x' }, key ? { idempotencyKey: `${tag}-${key}` } : {})).email.id;
      const sent = await q('sent', 'sent');
      await runDistributorPass(world.ctx, world.providers);
      world.answer(PERMANENT);
      const failed = await q('failed');
      await runDistributorPass(world.ctx, world.providers);
      const cancelled = await q('cancelled');
      await cancelEmail(world.ctx, world.alice, cancelled);
      world.answer(TEMPORARY);
      await updateParameters(world.ctx, { expirationDays: 365 });
      const waiting = await q('waiting', 'waiting');
      await runDistributorPass(world.ctx, world.providers);
      for (const [id, status] of [[sent, 'sent'], [failed, 'failed'], [cancelled, 'cancelled'], [waiting, 'waiting']] as const) {
        assert.equal((await getEmail(world.ctx, world.alice, id)).status, status);
      }
      return { finished: [sent, failed, cancelled].sort(), waiting };
    }

    it('keeps 30 days of history when the retention is 0, and never purges a waiting email', async () => {
      assert.equal(toPublic(await readParameters(world.ctx)).effective.historyRetentionDays, 30);
      const { finished, waiting } = await finishedAndWaiting('default');
      const all = [...finished, waiting].sort();

      clock.advance(30 * DAY - MINUTE);
      await runDistributorPass(world.ctx, world.providers);
      assert.deepEqual((await stored(all)).emails, all);

      clock.advance(2 * MINUTE);
      await runDistributorPass(world.ctx, world.providers);
      assert.deepEqual(await stored(all), { emails: [waiting], content: [waiting], attempts: [waiting], keys: [waiting] });

      // A year on, still waiting: never purged while it is in the queue.
      clock.advance(300 * DAY);
      await runDistributorPass(world.ctx, world.providers);
      assert.equal((await getEmail(world.ctx, world.alice, waiting)).status, 'waiting');
      assert.deepEqual((await stored([waiting])).content, [waiting]);
      await cancelEmail(world.ctx, world.alice, waiting);
    });

    it('keeps the set number of days of history', async () => {
      const { finished, waiting } = await finishedAndWaiting('seven-days');
      await updateParameters(world.ctx, { historyRetentionDays: 7 });
      const all = [...finished, waiting].sort();
      clock.advance(7 * DAY - MINUTE);
      await runDistributorPass(world.ctx, world.providers);
      assert.deepEqual((await stored(all)).emails, all);
      clock.advance(2 * MINUTE);
      await runDistributorPass(world.ctx, world.providers);
      assert.deepEqual(await stored(all), { emails: [waiting], content: [waiting], attempts: [waiting], keys: [waiting] });
      await cancelEmail(world.ctx, world.alice, waiting);
    });

    it('counts the retention from when an email finished, so an email that just expired stays in history', async () => {
      world.answer(TEMPORARY);
      const { email } = await queueEmail(world.ctx, world.alice, { to: 'bob@fabrikam.test', subject: 'Expires after 30 days', body: 'x' });
      // The distributor was off for the whole expiration period; the next pass expires it.
      clock.set(email.expiresAt);
      assert.equal((await runDistributorPass(world.ctx, world.providers)).expired, 1);
      assert.deepEqual((await stored([email.id])).emails, [email.id]);
      const view = await getEmail(world.ctx, world.alice, email.id);
      assert.equal(view.status, 'expired');
      assert.equal(view.failure?.code, 'EXPIRED');

      clock.advance(30 * DAY - MINUTE);
      await runDistributorPass(world.ctx, world.providers);
      assert.deepEqual((await stored([email.id])).emails, [email.id]);
      clock.advance(2 * MINUTE);
      assert.ok((await runDistributorPass(world.ctx, world.providers)).purged >= 1);
      assert.deepEqual(await stored([email.id]), { emails: [], content: [], attempts: [], keys: [] });
    });

    it('does not purge an email that is resent while the purge runs', { skip: dialect === 'sqlite' && 'SQLite runs one writer at a time, so a resend cannot land inside a purge' }, async () => {
      world.answer(PERMANENT);
      const { email } = await queueEmail(world.ctx, world.alice, { to: 'bob@fabrikam.test', subject: 'Resent during the purge', body: 'x' });
      await runDistributorPass(world.ctx, world.providers);
      clock.advance(31 * DAY);
      // Another session holds the row while it resends the email; the purge has to wait for it.
      const other = new pg.Client({ connectionString: world.env.config.databaseUrl });
      await other.connect();
      try {
        await other.query('BEGIN');
        await other.query('SELECT id FROM email WHERE id = $1 FOR UPDATE', [email.id]);
        const purge = purgeHistory(world.ctx.db, clock.now() - 30 * DAY);
        await waitUntilBlocked(other);
        // What a resend writes: back in the queue, due now, a new expiry.
        await other.query(`UPDATE email SET status = 'waiting', next_attempt_at = $2, expires_at = $3, updated_at = $2 WHERE id = $1`,
          [email.id, clock.now(), clock.now() + 30 * DAY]);
        await other.query('COMMIT');
        await purge;
      } finally {
        await other.end();
      }
      assert.deepEqual(await stored([email.id]), { emails: [email.id], content: [email.id], attempts: [email.id], keys: [] });
      world.answer(undefined);
      assert.equal((await runDistributorPass(world.ctx, world.providers)).sent, 1);
    });
  });
}

/** Waits (bounded) until some other session of this database waits for a lock. */
async function waitUntilBlocked(client: pg.Client): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const { rows } = await client.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'`,
    );
    if (rows[0].n > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('the purge never waited for the locked row');
}
