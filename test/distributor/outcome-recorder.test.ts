// Group commit of delivery outcomes: the distributor's lanes hand their outcomes to one recorder,
// which writes those that wait together in one transaction. Each lane still gets its own answer
// (recorded, or claim lost), and a transaction that fails writes nothing and fails every lane in it.
import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { claimDue, type EmailRow, type OutcomeReport } from '../../src/outbound/email.repository.ts';
import { createOutcomeRecorder } from '../../src/outbound/outcome-recorder.ts';
import { DIALECTS, ManualClock, skipUnless } from '../fixtures/context.ts';
import { useOutboundWorld } from '../fixtures/outbound-world.ts';
import { queueMany } from './helpers.ts';

const LEASE_MS = 60_000;

const sent = (row: EmailRow, now: number): OutcomeReport => ({
  row, startedAt: now, now, outcome: { kind: 'sent', recipientResults: '[]', response: `250 2.0.0 queued as ${row.id}` },
});

for (const dialect of DIALECTS) {
  describe(`outcomes written together on ${dialect}`, { skip: await skipUnless(dialect) }, () => {
    const clock = new ManualClock();
    // The world's mail server receives nothing here: these tests write outcomes themselves.
    const world = useOutboundWorld(dialect, { clock, leaseMs: LEASE_MS, workerId: 'worker-a' });

    const claim = async (worker: string, limit: number) =>
      claimDue(world.ctx.db, world.ctx.dialect, { worker, now: clock.now(), leaseMs: LEASE_MS, limit });
    const rowsOf = (ids: readonly string[]) =>
      world.ctx.db.selectFrom('email').select(['id', 'status', 'claimed_by', 'sent_at']).where('id', 'in', ids).orderBy('id').execute();
    const attemptsOf = (ids: readonly string[]) =>
      world.ctx.db.selectFrom('email_attempt').select(['email_id', 'worker', 'outcome', 'attempt', 'response']).where('email_id', 'in', ids).orderBy('email_id').execute();

    it('writes many outcomes in one transaction, once all of them wait, and answers each', async () => {
      const ids = await queueMany(world.ctx, world.alice, 40, 'Together');
      const rows = await claim('worker-a', 40);
      assert.equal(rows.length, 40);
      // Nothing is written before the 40th arrives: no timer would fire within this test.
      const recorder = createOutcomeRecorder(world.ctx.db, { worker: 'worker-a', maxBatch: 40, delayMs: 60_000 });
      const answers = rows.slice(0, 39).map((row) => recorder.record(sent(row, clock.now())));
      for (let i = 0; i < 5; i++) await nextTurn();
      assert.ok((await rowsOf(ids)).every((r) => r.status === 'sending' && r.claimed_by === 'worker-a'));
      assert.equal((await attemptsOf(ids)).length, 0);

      answers.push(recorder.record(sent(rows[39]!, clock.now())));
      assert.deepEqual(await Promise.all(answers), rows.map(() => true));
      const written = await rowsOf(ids);
      assert.deepEqual(written.map((r) => [r.status, r.claimed_by, r.sent_at]), ids.map(() => ['sent', null, clock.now()]));
      const attempts = await attemptsOf(ids);
      assert.deepEqual(attempts.map((a) => a.email_id), [...ids].sort());
      for (const a of attempts) {
        assert.deepEqual([a.worker, a.outcome, a.attempt, a.response], ['worker-a', 'sent', 1, `250 2.0.0 queued as ${a.email_id}`]);
      }
    });

    it('answers false only for the email whose claim was taken over, and writes the others', async () => {
      const ids = await queueMany(world.ctx, world.alice, 5, 'One taken over');
      // Worker A claims one email, and the other four a while later.
      const [takenOver] = await claim('worker-a', 1);
      clock.advance(LEASE_MS / 2);
      const kept = await claim('worker-a', 4);
      assert.equal(kept.length, 4);
      // The first claim's lease runs out (the others' does not): worker B takes that email over.
      clock.advance(LEASE_MS / 2 + 1);
      const byB = await claim('worker-b', 10);
      assert.deepEqual(byB.map((r) => r.id), [takenOver!.id]);

      // A reports all five together, the lost one in the middle of the batch.
      const batch = [kept[0]!, kept[1]!, takenOver!, kept[2]!, kept[3]!];
      const recorder = createOutcomeRecorder(world.ctx.db, { worker: 'worker-a' });
      const answers = await Promise.all(batch.map((row) => recorder.record({
        row, startedAt: clock.now(), now: clock.now(),
        outcome: { kind: 'retry', code: 'SMTP_TEMPORARY', response: '451 4.3.0 try again', command: 'DATA', nextAttemptAt: clock.now() + 60_000 },
      })));
      assert.deepEqual(answers, [true, true, false, true, true]);

      const byId = new Map((await rowsOf(ids)).map((r) => [r.id, r]));
      assert.deepEqual([byId.get(takenOver!.id)!.status, byId.get(takenOver!.id)!.claimed_by], ['sending', 'worker-b']);
      for (const row of kept) assert.deepEqual([byId.get(row.id)!.status, byId.get(row.id)!.claimed_by], ['waiting', null]);
      const attempts = await attemptsOf(ids);
      assert.deepEqual(attempts.map((a) => a.email_id), kept.map((r) => r.id).sort());
      assert.ok(attempts.every((a) => a.worker === 'worker-a' && a.outcome === 'retry'));
    });

    it('fails every outcome of a transaction that fails, and writes none of them', async () => {
      const ids = await queueMany(world.ctx, world.alice, 5, 'Rolled back');
      const rows = await claim('worker-a', 5);
      const recorder = createOutcomeRecorder(world.ctx.db, { worker: 'worker-a' });
      // The middle report breaks a real constraint: a retry without a time (next_attempt_at is
      // NOT NULL), after two emails of the same transaction have already been updated.
      const reports = rows.map((row) => sent(row, clock.now()));
      reports[2] = {
        row: rows[2]!, startedAt: clock.now(), now: clock.now(),
        outcome: { kind: 'retry', code: 'SMTP_TEMPORARY', response: '451', command: 'DATA', nextAttemptAt: null as unknown as number },
      };
      const settled = await Promise.allSettled(reports.map((r) => recorder.record(r)));
      assert.ok(settled.every((s) => s.status === 'rejected'));
      const errors = settled.map((s) => (s as PromiseRejectedResult).reason as { code?: string; errcode?: number });
      assert.ok(errors.every((e) => e === errors[0]), 'every waiter gets the one error of the transaction');
      if (dialect === 'postgres') assert.equal(errors[0]!.code, '23502'); // not_null_violation
      else assert.deepEqual([errors[0]!.code, errors[0]!.errcode], ['ERR_SQLITE_ERROR', 1299]); // SQLITE_CONSTRAINT_NOTNULL

      assert.ok((await rowsOf(ids)).every((r) => r.status === 'sending' && r.claimed_by === 'worker-a'));
      assert.equal((await attemptsOf(ids)).length, 0);

      // The same recorder writes the next transaction as usual.
      reports[2] = sent(rows[2]!, clock.now());
      assert.deepEqual(await Promise.all(reports.map((r) => recorder.record(r))), [true, true, true, true, true]);
      assert.ok((await rowsOf(ids)).every((r) => r.status === 'sent'));
      assert.equal((await attemptsOf(ids)).length, 5);
    });
  });
}
