// Several distributors on one database at the same time: every email is claimed by one worker
// only, so each arrives exactly once and nothing stays in the queue.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AppContext } from '../../src/app-context.ts';
import { runDistributorPass } from '../../src/outbound/distributor.ts';
import { ProviderRegistry } from '../../src/outbound/provider-registry.ts';
import type { User } from '../../src/users/users.service.ts';
import { createTestEnv, DIALECTS, ManualClock, skipUnless, type TestEnv } from '../fixtures/context.ts';
import { pointSmtpAt, seedUsers } from '../fixtures/mailroom.ts';
import { startSmtpServer, type RunningSmtpServer } from '../fixtures/smtp-server.ts';
import { arrivals, openPeer, queueMany, statusCounts } from './helpers.ts';

const EMAILS = 300;
const WORKERS = ['worker-1', 'worker-2', 'worker-3'] as const;

for (const dialect of DIALECTS) {
  describe(`three distributors on one ${dialect} database`, { skip: await skipUnless(dialect) }, () => {
    const clock = new ManualClock();
    let env: TestEnv;
    let smtp: RunningSmtpServer;
    let alice: User;
    const workers: { ctx: AppContext; providers: ProviderRegistry }[] = [];

    before(async () => {
      env = await createTestEnv(dialect, { clock, workerId: WORKERS[0] });
      smtp = await startSmtpServer();
      ({ alice } = await seedUsers(env.ctx));
      await pointSmtpAt(env.ctx, smtp);
      workers.push({ ctx: env.ctx, providers: new ProviderRegistry(env.ctx) });
      for (const workerId of WORKERS.slice(1)) {
        const ctx = await openPeer(env, { workerId, clock });
        workers.push({ ctx, providers: new ProviderRegistry(ctx) });
      }
    });
    after(async () => {
      for (const w of workers) await w.providers.close();
      await smtp.close();
      for (const w of workers.slice(1)) await w.ctx.close();
      await env.cleanup();
    });

    it(`sends each of ${EMAILS} emails exactly once`, async () => {
      const ids = await queueMany(env.ctx, alice, EMAILS, 'Concurrent');
      const runs = await Promise.all(workers.map((w) => runDistributorPass(w.ctx, w.providers, { batchSize: 10, concurrency: 4 })));

      assert.equal(runs.reduce((n, r) => n + r.claimed, 0), EMAILS, 'no email claimed twice');
      assert.equal(runs.reduce((n, r) => n + r.sent, 0), EMAILS);
      assert.ok(runs.every((r) => r.sent > 0), 'every worker took part');

      assert.equal(smtp.mails.length, EMAILS);
      const seen = arrivals(smtp.mails);
      const messageIds = (await env.ctx.db.selectFrom('email').select('message_id').where('id', 'in', ids).execute()).map((r) => r.message_id);
      assert.equal(seen.size, EMAILS);
      assert.ok(messageIds.every((m) => seen.get(m) === 1), 'every Message-ID arrived exactly once');

      assert.deepEqual(await statusCounts(env.ctx), { sent: EMAILS });
      const rows = await env.ctx.db.selectFrom('email').select(['attempts', 'claimed_by', 'lease_until']).execute();
      assert.ok(rows.every((r) => r.attempts === 1 && r.claimed_by === null && r.lease_until === null));
      const attempts = await env.ctx.db.selectFrom('email_attempt').select(['email_id', 'worker', 'outcome']).execute();
      assert.equal(attempts.length, EMAILS);
      assert.equal(new Set(attempts.map((a) => a.email_id)).size, EMAILS);
      assert.deepEqual([...new Set(attempts.map((a) => a.worker))].sort(), [...WORKERS]);
    });
  });
}
