// Email throttling: a per-minute limit per provider, shared by every worker through the database;
// an email held back is deferred to the next minute, and after ten deferrals goes out regardless.
import assert from 'node:assert/strict';
import { before, beforeEach, describe, it } from 'node:test';
import { runDistributorPass } from '../../src/outbound/distributor.ts';
import { readParameters, toPublic, updateParameters } from '../../src/outbound/email-parameters.ts';
import { getEmail } from '../../src/outbound/outbound.service.ts';
import { MAX_DEFERRALS } from '../../src/outbound/retry-policy.ts';
import { DIALECTS, ManualClock, skipUnless } from '../fixtures/context.ts';
import { pointSmtpAt } from '../fixtures/mailroom.ts';
import { useOutboundWorld, type Peer } from '../fixtures/outbound-world.ts';
import { arrivals, messageIdsOf, queueMany, statusCounts } from './helpers.ts';

const MINUTE = 60_000;

for (const dialect of DIALECTS) {
  describe(`email throttling on ${dialect}`, { skip: await skipUnless(dialect) }, () => {
    // Start on a minute boundary, a little after it, so "this minute" is unambiguous.
    const clock = new ManualClock(Date.UTC(2026, 10, 23, 9, 0, 5));
    const world = useOutboundWorld(dialect, { clock, workerId: 'worker-a' });
    let peer: Peer;
    before(async () => { peer = await world.peer('worker-b'); });
    beforeEach(() => {
      // Every test starts in a fresh minute of its own.
      clock.set((Math.floor(clock.now() / MINUTE) + 10) * MINUTE + 5_000);
    });

    const sentCount = async (ids: readonly string[]) =>
      (await messageIdsOf(world.ctx, ids)).filter((r) => arrivals(world.smtp.mails).has(r.message_id)).length;

    it('sends 3 of 10 in this minute with a limit of 3, and defers the rest to the next minute', async () => {
      await pointSmtpAt(world.ctx, world.smtp, {}, { throttle: { smtp: 3 } });
      const ids = await queueMany(world.ctx, world.alice, 10, 'Throttled');
      const first = await runDistributorPass(world.ctx, world.providers);
      assert.equal(first.sent, 3);
      assert.equal(first.deferred, 7);
      assert.equal(await sentCount(ids), 3);
      const nextMinute = (Math.floor(clock.now() / MINUTE) + 1) * MINUTE;
      const deferred = await world.ctx.db.selectFrom('email').selectAll().where('id', 'in', ids).where('status', '=', 'deferred').execute();
      assert.equal(deferred.length, 7);
      for (const row of deferred) {
        assert.equal(row.next_attempt_at, nextMinute);
        assert.equal(row.deferrals, 1);
        assert.equal(row.attempts, 0, 'a deferral is not a try');
      }

      // Later in the same minute nothing more goes out.
      clock.set(nextMinute - 1);
      assert.equal((await runDistributorPass(world.ctx, world.providers)).sent, 0);

      const perMinute: number[] = [];
      while ((await sentCount(ids)) < 10) {
        clock.set((Math.floor(clock.now() / MINUTE) + 1) * MINUTE);
        perMinute.push((await runDistributorPass(world.ctx, world.providers)).sent);
      }
      assert.deepEqual(perMinute, [3, 3, 1]);
      const last = await getEmail(world.ctx, world.alice, ids.find((id) => deferred.some((d) => d.id === id))!);
      assert.equal(last.status, 'sent');
      const rows = await world.ctx.db.selectFrom('email').select(['deferrals', 'attempts']).where('id', 'in', ids).execute();
      assert.deepEqual(rows.map((r) => r.deferrals).sort(), [0, 0, 0, 1, 1, 1, 2, 2, 2, 3]);
      assert.ok(rows.every((r) => r.attempts === 1));
    });

    it(`sends an email regardless after ${MAX_DEFERRALS} deferrals`, async () => {
      await pointSmtpAt(world.ctx, world.smtp, {}, { throttle: { smtp: 1 } });
      const ids = await queueMany(world.ctx, world.alice, MAX_DEFERRALS + 2, 'Deferred often');
      const perMinute: number[] = [];
      for (let minute = 0; minute < MAX_DEFERRALS; minute++) {
        perMinute.push((await runDistributorPass(world.ctx, world.providers)).sent);
        clock.set((Math.floor(clock.now() / MINUTE) + 1) * MINUTE);
      }
      assert.deepEqual(perMinute, Array(MAX_DEFERRALS).fill(1));
      const waiting = await world.ctx.db.selectFrom('email').select(['id', 'deferrals']).where('id', 'in', ids).where('status', '=', 'deferred').execute();
      assert.deepEqual(waiting.map((r) => r.deferrals), [MAX_DEFERRALS, MAX_DEFERRALS]);

      // Both have been deferred ten times: this minute they go out, over the limit of 1.
      const run = await runDistributorPass(world.ctx, world.providers);
      assert.equal(run.sent, 2);
      assert.equal(await sentCount(ids), MAX_DEFERRALS + 2);
      const window = await world.ctx.db.selectFrom('throttle_window').select('sent')
        .where('provider', '=', 'smtp').where('minute', '=', Math.floor(clock.now() / MINUTE)).executeTakeFirstOrThrow();
      assert.equal(window.sent, 2, 'forced sends still count against the minute');
    });

    it('sends everything at once when the limit is 0', async () => {
      await pointSmtpAt(world.ctx, world.smtp, {}, { throttle: { smtp: 0 } });
      const ids = await queueMany(world.ctx, world.alice, 10, 'Unlimited');
      const run = await runDistributorPass(world.ctx, world.providers);
      assert.equal(run.sent, 10);
      assert.equal(run.deferred, 0);
      assert.equal(await sentCount(ids), 10);
    });

    it('shares one allowance between two workers on the same database', async () => {
      await pointSmtpAt(world.ctx, world.smtp, {}, { throttle: { smtp: 3 } });
      const ids = await queueMany(world.ctx, world.alice, 10, 'Shared allowance');
      // Worker A takes two emails and sends both; worker B takes the rest and may send one.
      const a = await runDistributorPass(world.ctx, world.providers, { batchSize: 2, maxRounds: 1 });
      const b = await runDistributorPass(peer.ctx, peer.providers);
      assert.deepEqual([a.sent, b.sent, b.deferred], [2, 1, 7]);
      assert.equal(await sentCount(ids), 3);

      // Next minute, both at the same time, in small batches: still 3 between them.
      clock.set((Math.floor(clock.now() / MINUTE) + 1) * MINUTE);
      const [a2, b2] = await Promise.all([
        runDistributorPass(world.ctx, world.providers, { batchSize: 2 }),
        runDistributorPass(peer.ctx, peer.providers, { batchSize: 2 }),
      ]);
      assert.equal(a2.sent + b2.sent, 3);
      assert.equal(await sentCount(ids), 6);
      const byWorker = await world.ctx.db.selectFrom('email_attempt').select('worker').where('email_id', 'in', ids).execute();
      assert.equal(byWorker.length, 6);
      assert.equal((await statusCounts(world.ctx)).deferred, 4);

      // Let the rest out so the next test starts with an empty queue.
      await pointSmtpAt(world.ctx, world.smtp, {}, { throttle: { smtp: 0 } });
      clock.set((Math.floor(clock.now() / MINUTE) + 1) * MINUTE);
      await runDistributorPass(peer.ctx, peer.providers);
      assert.equal(await sentCount(ids), 10);
    });

    it('sets the limit to 30 per minute by itself for the Office 365 SMTP server', async () => {
      await updateParameters(world.ctx, { throttle: { smtp: 5 }, smtp: { host: 'smtp.office365.com' } });
      let shown = toPublic(await readParameters(world.ctx));
      assert.equal(shown.effective.throttle.smtp, 30);
      assert.equal(shown.effective.smtpLimitAutomatic, true);
      // A manual value does not override the automatic one while the server is Office 365.
      await updateParameters(world.ctx, { throttle: { smtp: 500 } });
      shown = toPublic(await readParameters(world.ctx));
      assert.equal(shown.effective.throttle.smtp, 30);
      // Any other server is configured by hand.
      await pointSmtpAt(world.ctx, world.smtp, {}, { throttle: { smtp: 7 } });
      shown = toPublic(await readParameters(world.ctx));
      assert.equal(shown.effective.throttle.smtp, 7);
      assert.equal(shown.effective.smtpLimitAutomatic, false);
    });
  });
}
