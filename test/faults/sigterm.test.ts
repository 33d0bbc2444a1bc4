// An orchestrator stops a `mailroom worker` that holds 200 claimed emails while the mail server
// takes five seconds to answer each message: the worker stops claiming, gives back every claim it
// has not started before the sends on the wire are answered, lets those finish and be recorded,
// and exits within the 10 s orchestrators allow. Nothing stays claimed, nothing is lost.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { User } from '../../src/users/users.service.ts';
import { createTestEnv, DIALECTS, skipUnless, type TestEnv } from '../fixtures/context.ts';
import { pointSmtpAt, seedUsers } from '../fixtures/mailroom.ts';
import { spawnMailroom, until, within, type MailroomChild } from '../fixtures/mailroom-process.ts';
import { startSmtpServer, type RunningSmtpServer } from '../fixtures/smtp-server.ts';
import { queueMany } from '../distributor/helpers.ts';

const EMAILS = 200;
const ANSWER_DELAY_MS = 5_000;
/** What the issue allows an orchestrator's SIGTERM (Mailroom's own stop deadline is 8 s). */
const STOP_LIMIT_MS = 10_000;

for (const dialect of DIALECTS) {
  describe(`SIGTERM with ${EMAILS} claimed emails and a slow server on ${dialect}`, { skip: await skipUnless(dialect) }, () => {
    let env: TestEnv;
    let smtp: RunningSmtpServer;
    let alice: User;
    let worker: MailroomChild | undefined;
    let onWire = 0;

    before(async () => {
      env = await createTestEnv(dialect);
      smtp = await startSmtpServer({ dataDelayMs: ANSWER_DELAY_MS, onData: () => { onWire++; return undefined; } });
      alice = (await seedUsers(env.ctx)).alice;
      await pointSmtpAt(env.ctx, smtp);
    });
    after(async () => {
      if (worker?.running) worker.child.kill('SIGKILL');
      await smtp.close();
      await env.cleanup();
    });

    const counts = async () => {
      const rows = await env.ctx.db.selectFrom('email').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status').execute();
      const by = new Map(rows.map((r) => [r.status as string, Number(r.n)]));
      return { sending: by.get('sending') ?? 0, waiting: by.get('waiting') ?? 0, sent: by.get('sent') ?? 0 };
    };

    it('gives the unstarted claims back at once, finishes what is on the wire, and exits in time', async () => {
      const ids = await queueMany(env.ctx, alice, EMAILS, 'Stop');
      worker = spawnMailroom('worker', env, { workerId: 'stopping-worker' });
      // Every email claimed in one batch, and the first messages on the wire, waiting for their answers.
      await until(async () => (await counts()).sending === EMAILS && onWire > 0, `${EMAILS} claims and a send on the wire`);
      const wireAtStop = onWire;
      const stoppedAt = Date.now();
      worker.child.kill('SIGTERM');

      // "At once": the claims not started are back before the server has answered any send on the wire.
      await until(async () => (await counts()).sending <= onWire, 'the unstarted claims to be given back');
      const answeredAtRelease = smtp.mails.length;
      const atRelease = await counts();
      assert.equal(answeredAtRelease, 0, 'the claims were given back before the first answer (5 s after its send)');
      assert.ok(atRelease.waiting >= EMAILS - onWire, JSON.stringify(atRelease));

      const exit = await within(worker.exited, 'the worker to exit');
      const tookMs = Date.now() - stoppedAt;
      assert.deepEqual(exit, { code: 0, signal: null }, worker.output().slice(-2000));
      assert.ok(tookMs < STOP_LIMIT_MS, `stopped in ${tookMs} ms`);

      // The sends on the wire finished and were recorded; the rest wait, due now, claimed by nobody.
      const rows = await env.ctx.db.selectFrom('email').select(['id', 'status', 'claimed_by', 'lease_until', 'next_attempt_at']).where('id', 'in', ids).execute();
      const sent = rows.filter((r) => r.status === 'sent');
      const waiting = rows.filter((r) => r.status === 'waiting');
      assert.equal(sent.length + waiting.length, EMAILS, 'every email is sent or waiting: none lost, none left claimed');
      assert.equal(sent.length, smtp.mails.length, 'each accepted message is recorded as sent');
      assert.ok(sent.length >= 1 && sent.length <= onWire, `${sent.length} sent of ${onWire} put on the wire`);
      assert.ok(waiting.every((r) => r.claimed_by === null && r.lease_until === null), 'no claim is left behind');
      assert.ok(waiting.every((r) => r.next_attempt_at <= Date.now()), 'the given-back emails are due at once, for any worker');
      const released = worker.logLines().filter((l) => l.kind === 'email' && l.event === 'released').length;
      assert.equal(released, waiting.length, 'one log line per claim given back');
      console.log(`# ${dialect}: SIGTERM with ${EMAILS} claimed, ${wireAtStop} on the wire at the signal (${onWire} in all), ${sent.length} sent, ${waiting.length} given back, exit after ${tookMs} ms`);
    });
  });
}
