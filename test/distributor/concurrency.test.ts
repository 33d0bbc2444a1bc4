// Several distributors on one database at the same time: every email is claimed by one worker
// only, so each arrives exactly once and nothing stays in the queue.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { runDistributorPass } from '../../src/outbound/distributor.ts';
import { DIALECTS, ManualClock, skipUnless } from '../fixtures/context.ts';
import { useOutboundWorld, type Peer } from '../fixtures/outbound-world.ts';
import { arrivals, queueMany, statusCounts } from './helpers.ts';

const EMAILS = 300;
const WORKERS = ['worker-1', 'worker-2', 'worker-3'] as const;

for (const dialect of DIALECTS) {
  describe(`three distributors on one ${dialect} database`, { skip: await skipUnless(dialect) }, () => {
    const clock = new ManualClock();
    const world = useOutboundWorld(dialect, { clock, workerId: WORKERS[0] });
    const workers: Peer[] = [];
    before(async () => {
      workers.push({ ctx: world.ctx, providers: world.providers });
      for (const workerId of WORKERS.slice(1)) workers.push(await world.peer(workerId));
    });

    it(`sends each of ${EMAILS} emails exactly once`, async () => {
      const ids = await queueMany(world.ctx, world.alice, EMAILS, 'Concurrent');
      const runs = await Promise.all(workers.map((w) => runDistributorPass(w.ctx, w.providers, { batchSize: 10, concurrency: 4 })));

      assert.equal(runs.reduce((n, r) => n + r.claimed, 0), EMAILS, 'no email claimed twice');
      assert.equal(runs.reduce((n, r) => n + r.sent, 0), EMAILS);
      assert.ok(runs.every((r) => r.sent > 0), 'every worker took part');

      assert.equal(world.smtp.mails.length, EMAILS);
      const seen = arrivals(world.smtp.mails);
      const messageIds = (await world.ctx.db.selectFrom('email').select('message_id').where('id', 'in', ids).execute()).map((r) => r.message_id);
      assert.equal(seen.size, EMAILS);
      assert.ok(messageIds.every((m) => seen.get(m) === 1), 'every Message-ID arrived exactly once');

      assert.deepEqual(await statusCounts(world.ctx), { sent: EMAILS });
      const rows = await world.ctx.db.selectFrom('email').select(['attempts', 'claimed_by', 'lease_until']).execute();
      assert.ok(rows.every((r) => r.attempts === 1 && r.claimed_by === null && r.lease_until === null));
      const attempts = await world.ctx.db.selectFrom('email_attempt').select(['email_id', 'worker', 'outcome']).execute();
      assert.equal(attempts.length, EMAILS);
      assert.equal(new Set(attempts.map((a) => a.email_id)).size, EMAILS);
      assert.deepEqual([...new Set(attempts.map((a) => a.worker))].sort(), [...WORKERS]);
    });
  });
}
