// kill -9 of a `mailroom worker` with the default settings (no lease override): its claims are
// short and were renewed by its heartbeat, so they run out at most one default lease (15 s) after
// the kill, and another worker with the default settings takes them over and sends them. Nothing
// is lost; only an email whose send was under way can arrive twice.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load-config.ts';
import type { User } from '../../src/users/users.service.ts';
import { createTestEnv, DIALECTS, skipUnless, type TestEnv } from '../fixtures/context.ts';
import { pointSmtpAt, seedUsers } from '../fixtures/mailroom.ts';
import { spawnMailroom, until, within, WAIT_MS, type MailroomChild } from '../fixtures/mailroom-process.ts';
import { startSmtpServer, type RunningSmtpServer } from '../fixtures/smtp-server.ts';
import { arrivals, queueMany, statusCounts } from '../distributor/helpers.ts';

const DEFAULT_LEASE_MS = loadConfig({ env: {} }).leaseSeconds * 1000;

for (const dialect of DIALECTS) {
  describe(`a worker killed with default settings on ${dialect}`, { skip: await skipUnless(dialect) }, () => {
    let env: TestEnv;
    let smtp: RunningSmtpServer;
    let alice: User;
    const children: MailroomChild[] = [];

    before(async () => {
      env = await createTestEnv(dialect);
      smtp = await startSmtpServer({ dataDelayMs: 200 });
      ({ alice } = await seedUsers(env.ctx));
      await pointSmtpAt(env.ctx, smtp);
    });
    after(async () => {
      for (const c of children) if (c.running) c.child.kill('SIGKILL');
      await smtp.close();
      await env.cleanup();
    });

    it('has another worker send its emails once its short lease ran out', async () => {
      assert.ok(DEFAULT_LEASE_MS <= 15_000, 'the default lease lets a takeover happen within 30 s');
      const ids = await queueMany(env.ctx, alice, 60, 'Killed worker');
      const messageIdOf = new Map((await env.ctx.db.selectFrom('email').select(['id', 'message_id']).where('id', 'in', ids).execute()).map((r) => [r.id, r.message_id]));
      const doomed = spawnMailroom('worker', env, { workerId: 'doomed' });
      children.push(doomed);
      await within(smtp.waitForMails(5, WAIT_MS), 'the first mails');
      doomed.child.kill('SIGKILL');
      await within(doomed.exited, 'the killed worker');
      const killedAt = env.ctx.clock.now();

      const stuck = await env.ctx.db.selectFrom('email').select(['id', 'lease_until']).where('id', 'in', ids).where('status', '=', 'sending').execute();
      assert.ok(stuck.length > 0, 'the worker was mid-batch');
      // Renewed by the heartbeat, never further than one default lease ahead.
      for (const r of stuck) assert.ok(r.lease_until! <= killedAt + DEFAULT_LEASE_MS);

      const rescuer = spawnMailroom('worker', env, { workerId: 'rescuer' });
      children.push(rescuer);
      await until(async () => (await statusCounts(env.ctx)).sent === ids.length, 'every email to be sent');
      const seen = arrivals(smtp.mails);
      for (const id of ids) assert.ok((seen.get(messageIdOf.get(id)!) ?? 0) >= 1, `email ${id} was lost`);
      const stuckMessageIds = new Set(stuck.map((r) => messageIdOf.get(r.id)));
      assert.ok([...seen].filter(([, n]) => n > 1).every(([m]) => stuckMessageIds.has(m)), 'only an email under way at the kill may arrive twice');
      const takenOver = await env.ctx.db.selectFrom('email_attempt').select(['email_id', 'worker']).where('email_id', 'in', stuck.map((r) => r.id)).execute();
      assert.ok(takenOver.length === stuck.length && takenOver.every((a) => a.worker === 'rescuer'));
      assert.ok(rescuer.logLines().some((l) => l.kind === 'email' && l.event === 'taken-over'), 'the takeover is in the rescuer\'s log');
      rescuer.child.kill('SIGTERM');
      assert.deepEqual(await within(rescuer.exited, 'the rescuer to stop'), { code: 0, signal: null });
    });
  });
}
