// Retry, failure, expiry, resend and cancel, as the Batch email sending status and Email history
// pages show them: a temporary refusal waits and tries again with the same message, a permanent
// one fails at once, an email that never gets through expires (0 days means 30).
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { runDistributorPass } from '../../src/outbound/distributor.ts';
import { readParameters, toPublic, updateParameters } from '../../src/outbound/email-parameters.ts';
import { cancelEmail, getEmail, queueEmail, resendEmail } from '../../src/outbound/outbound.service.ts';
import { retryDelayMs } from '../../src/outbound/retry-policy.ts';
import { DIALECTS, ManualClock, skipUnless } from '../fixtures/context.ts';
import { PERMANENT, TEMPORARY, useOutboundWorld } from '../fixtures/outbound-world.ts';
import { arrivals } from './helpers.ts';

const DAY = 86_400_000;
const LONGEST_RETRY_GAP = retryDelayMs(Number.MAX_SAFE_INTEGER);

for (const dialect of DIALECTS) {
  describe(`retry, expiry, resend and cancel on ${dialect}`, { skip: await skipUnless(dialect) }, () => {
    const clock = new ManualClock();
    const world = useOutboundWorld(dialect, { clock });

    beforeEach(async () => {
      world.answer(undefined);
      await updateParameters(world.ctx, { expirationDays: 0 });
    });

    const queue = async (subject: string) => (await queueEmail(world.ctx, world.alice, { to: 'bob@fabrikam.test', subject, body: 'x' })).email;
    const timesArrived = (messageId: string) => arrivals(world.smtp.mails).get(messageId) ?? 0;

    /** Runs passes, moving the clock to each next try, until the email leaves the queue. */
    async function passUntilSettled(id: string, maxPasses: number) {
      for (let pass = 0; pass < maxPasses; pass++) {
        await runDistributorPass(world.ctx, world.providers);
        const view = await getEmail(world.ctx, world.alice, id);
        if (view.status !== 'waiting') return { view, passes: pass + 1 };
        clock.set(view.nextAttemptAt!);
      }
      throw new Error(`email ${id} still queued after ${maxPasses} passes`);
    }

    it('keeps a temporarily refused email waiting, tries again when due, and sends the same message once', async () => {
      world.answer(TEMPORARY);
      const email = await queue('Temporarily refused');
      const first = await runDistributorPass(world.ctx, world.providers);
      assert.equal(first.retried, 1);

      let view = await getEmail(world.ctx, world.alice, email.id);
      assert.equal(view.status, 'waiting');
      assert.equal(view.attempts, 1);
      assert.equal(view.nextAttemptAt, clock.now() + retryDelayMs(1));
      assert.equal(view.failure?.code, 'SMTP_TRANSIENT');
      assert.equal(view.failure?.retryable, true);
      assert.match(view.failure?.response ?? '', /^451\b/);
      assert.deepEqual(view.attemptLog.map((a) => [a.attempt, a.outcome, a.code]), [[1, 'retry', 'SMTP_TRANSIENT']]);

      // Not due yet: a pass one millisecond early claims nothing.
      clock.set(view.nextAttemptAt! - 1);
      assert.equal((await runDistributorPass(world.ctx, world.providers)).claimed, 0);

      clock.advance(1);
      assert.equal((await runDistributorPass(world.ctx, world.providers)).retried, 1);
      view = await getEmail(world.ctx, world.alice, email.id);
      assert.equal(view.attempts, 2);
      assert.equal(view.nextAttemptAt, clock.now() + retryDelayMs(2));

      world.answer(undefined);
      clock.set(view.nextAttemptAt!);
      assert.equal((await runDistributorPass(world.ctx, world.providers)).sent, 1);
      view = await getEmail(world.ctx, world.alice, email.id);
      assert.equal(view.status, 'sent');
      assert.equal(view.attempts, 3);
      assert.equal(view.failure, null);
      assert.deepEqual(view.attemptLog.map((a) => a.outcome), ['retry', 'retry', 'sent']);
      assert.equal(timesArrived(email.messageId), 1);

      clock.advance(DAY);
      await runDistributorPass(world.ctx, world.providers);
      assert.equal(timesArrived(email.messageId), 1, 'a sent email is never sent again');
    });

    it('fails a permanently refused email at once and never tries it again', async () => {
      world.answer(PERMANENT);
      const email = await queue('Permanently refused');
      const run = await runDistributorPass(world.ctx, world.providers);
      assert.equal(run.failed, 1);
      const view = await getEmail(world.ctx, world.alice, email.id);
      assert.equal(view.status, 'failed');
      assert.equal(view.attempts, 1);
      assert.equal(view.failure?.code, 'SMTP_REJECTED');
      assert.equal(view.failure?.retryable, false);
      assert.match(view.failure?.response ?? '', /^554\b/);

      world.answer(undefined);
      clock.advance(DAY);
      assert.equal((await runDistributorPass(world.ctx, world.providers)).claimed, 0);
      assert.equal((await getEmail(world.ctx, world.alice, email.id)).attempts, 1);
      assert.equal(timesArrived(email.messageId), 0);
    });

    it('expires an email that keeps failing for the set number of days, with the code EXPIRED', async () => {
      await updateParameters(world.ctx, { expirationDays: 2 });
      world.answer(TEMPORARY);
      const email = await queue('Two days of trying');
      assert.equal(email.expiresAt, email.createdAt + 2 * DAY);

      const { view, passes } = await passUntilSettled(email.id, 200);
      assert.equal(view.status, 'expired');
      assert.equal(view.failure?.code, 'EXPIRED');
      assert.match(view.failure?.response ?? '', /^451\b/, 'the last server reply stays with the email');
      // It kept trying until the end: the last try falls within the longest gap before expiry.
      const last = view.attemptLog.at(-1)!;
      assert.equal(last.outcome, 'expired');
      assert.equal(last.code, 'SMTP_TRANSIENT', 'the attempt keeps what really happened');
      assert.ok(last.finishedAt < view.expiresAt && last.finishedAt >= view.expiresAt - LONGEST_RETRY_GAP);
      assert.equal(view.attemptLog.length, passes);
      assert.ok(view.attemptLog.slice(0, -1).every((a) => a.outcome === 'retry'));
      assert.equal(timesArrived(email.messageId), 0);
    });

    it('expires after 30 days when the expiration is 0, also when it was never tried', async () => {
      const params = await readParameters(world.ctx);
      assert.equal(params.expirationDays, 0);
      assert.equal(toPublic(params).effective.expirationDays, 30);

      // Tried and refused until its 30 days are up.
      world.answer(TEMPORARY);
      const tried = await queue('Thirty days of trying');
      assert.equal(tried.expiresAt, tried.createdAt + 30 * DAY);
      await runDistributorPass(world.ctx, world.providers);
      clock.set(tried.expiresAt - 30 * 60_000);
      const { view } = await passUntilSettled(tried.id, 5);
      assert.equal(view.status, 'expired');
      assert.equal(view.failure?.code, 'EXPIRED');

      // Queued while no distributor ran for 30 days: the next pass expires it without a try.
      world.answer(undefined);
      const untried = await queue('Never tried');
      assert.equal(untried.expiresAt, untried.createdAt + 30 * DAY);
      clock.set(untried.expiresAt);
      const run = await runDistributorPass(world.ctx, world.providers);
      assert.equal(run.expired, 1);
      const expired = await getEmail(world.ctx, world.alice, untried.id);
      assert.equal(expired.status, 'expired');
      assert.equal(expired.failure?.code, 'EXPIRED');
      assert.equal(expired.attempts, 0);
      assert.equal(timesArrived(untried.messageId), 0);
    });

    it('resends a failed and an expired email with the same Message-ID, and refuses to resend a sent one', async () => {
      world.answer(PERMANENT);
      const failed = await queue('Failed, then resent');
      await runDistributorPass(world.ctx, world.providers);
      assert.equal((await getEmail(world.ctx, world.alice, failed.id)).status, 'failed');

      await updateParameters(world.ctx, { expirationDays: 1 });
      world.answer(TEMPORARY);
      const expiring = await queue('Expired, then resent');
      clock.advance(DAY);
      await runDistributorPass(world.ctx, world.providers);
      assert.equal((await getEmail(world.ctx, world.alice, expiring.id)).status, 'expired');

      world.answer(undefined);
      for (const id of [failed.id, expiring.id]) {
        const again = await resendEmail(world.ctx, world.alice, id);
        assert.equal(again.status, 'waiting');
        assert.equal(again.expiresAt, clock.now() + DAY);
      }
      const run = await runDistributorPass(world.ctx, world.providers);
      assert.equal(run.sent, 2);
      for (const email of [failed, expiring]) {
        const view = await getEmail(world.ctx, world.alice, email.id);
        assert.equal(view.status, 'sent');
        assert.equal(view.messageId, email.messageId);
        assert.equal(view.failure, null);
        assert.equal(timesArrived(email.messageId), 1);
      }
      await assert.rejects(resendEmail(world.ctx, world.alice, failed.id), { code: 'NOT_RESENDABLE' });
      assert.equal((await getEmail(world.ctx, world.alice, failed.id)).status, 'sent');
    });

    it('cancels a waiting email, which is then never sent', async () => {
      world.answer(TEMPORARY);
      const refused = await queue('Cancelled after a refusal');
      await runDistributorPass(world.ctx, world.providers);
      const queued = await queue('Cancelled before any try');
      const kept = await queue('Not cancelled');
      assert.equal((await cancelEmail(world.ctx, world.alice, refused.id)).status, 'cancelled');
      assert.equal((await cancelEmail(world.ctx, world.alice, queued.id)).status, 'cancelled');
      await assert.rejects(cancelEmail(world.ctx, world.alice, refused.id), { code: 'NOT_CANCELLABLE' });

      world.answer(undefined);
      clock.advance(DAY);
      await runDistributorPass(world.ctx, world.providers);
      assert.equal((await getEmail(world.ctx, world.alice, kept.id)).status, 'sent');
      assert.equal(timesArrived(kept.messageId), 1);
      for (const email of [refused, queued]) {
        assert.equal((await getEmail(world.ctx, world.alice, email.id)).status, 'cancelled');
        assert.equal(timesArrived(email.messageId), 0);
      }
      await assert.rejects(resendEmail(world.ctx, world.alice, queued.id), { code: 'NOT_RESENDABLE' });
      await assert.rejects(cancelEmail(world.ctx, world.alice, kept.id), { code: 'NOT_CANCELLABLE' });
    });
  });
}
