// Claims and leases between two workers, on a manual clock: a claimed email stays with its worker
// until the lease ends, then another worker takes it over; a worker that lost a claim sends nothing.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { runDistributorPass } from '../../src/outbound/distributor.ts';
import { updateParameters } from '../../src/outbound/email-parameters.ts';
import { claimDue, recordOutcome } from '../../src/outbound/email.repository.ts';
import { getEmail } from '../../src/outbound/outbound.service.ts';
import { DIALECTS, ManualClock, skipUnless } from '../fixtures/context.ts';
import { useOutboundWorld, type Peer } from '../fixtures/outbound-world.ts';
import { arrivals, queueMany, startGatedSmtp } from './helpers.ts';

const LEASE_MS = 2_000;

for (const dialect of DIALECTS) {
  describe(`claims and leases on ${dialect}`, { skip: await skipUnless(dialect) }, () => {
    const clock = new ManualClock();
    const world = useOutboundWorld(dialect, { clock, leaseMs: LEASE_MS, workerId: 'worker-a' });
    let workerB: Peer;
    before(async () => { workerB = await world.peer('worker-b'); });

    it('leaves a claimed email with its worker until the lease ends, then another worker takes it over', async () => {
      const ids = await queueMany(world.ctx, world.alice, 3, 'Claimed, then abandoned');
      // Worker A claims the emails and then stops (it crashed before sending anything).
      const claimed = await claimDue(world.ctx.db, world.ctx.dialect, { worker: 'worker-a', now: clock.now(), leaseMs: LEASE_MS, limit: 10 });
      assert.deepEqual(claimed.map((r) => r.id).sort(), [...ids].sort());

      assert.equal((await runDistributorPass(workerB.ctx, workerB.providers)).claimed, 0);
      clock.advance(LEASE_MS);
      assert.equal((await runDistributorPass(workerB.ctx, workerB.providers)).claimed, 0, 'the lease still runs at its last millisecond');
      clock.advance(1);
      const run = await runDistributorPass(workerB.ctx, workerB.providers);
      assert.equal(run.claimed, 3);
      assert.equal(run.sent, 3);
      for (const id of ids) {
        // An administrator's view: users are not shown which process tried their email.
        const view = await getEmail(world.ctx, world.admin, id);
        assert.equal(view.status, 'sent');
        assert.equal(view.claimedBy, null);
        assert.deepEqual(view.attemptLog.map((a) => [a.worker, a.outcome]), [['worker-b', 'sent']]);
      }

      // Worker A comes back and reports on a claim it no longer holds: nothing changes.
      const late = await recordOutcome(world.ctx.db, {
        row: claimed[0]!, worker: 'worker-a', startedAt: clock.now(), now: clock.now(),
        outcome: { kind: 'failed', code: 'SMTP_REJECTED', response: '554 late', command: 'DATA' },
      });
      assert.equal(late, false);
      const after = await getEmail(world.ctx, world.alice, claimed[0]!.id);
      assert.equal(after.status, 'sent');
      assert.equal(after.attemptLog.length, 1);
    });

    it('does not send what another worker took over while its batch outlasted the lease', async () => {
      const gated = await startGatedSmtp();
      try {
        await updateParameters(world.ctx, { smtp: { host: gated.host, port: gated.port, sslRequired: false } });
        const ids = await queueMany(world.ctx, world.alice, 5, 'Slow batch');
        // Worker A claims all five and sends one at a time; the server holds the first answer.
        const passA = runDistributorPass(world.ctx, world.providers, { batchSize: 10, concurrency: 1 });
        await gated.firstHeld;
        // Meanwhile A's lease runs out and worker B takes the five over and sends them.
        clock.advance(LEASE_MS + 1);
        const runB = await runDistributorPass(workerB.ctx, workerB.providers);
        assert.equal(runB.claimed, 5);
        assert.equal(runB.sent, 5);
        gated.release();
        const runA = await passA;
        assert.equal(runA.sent, 0, 'A recorded nothing: B holds every claim');

        // Only the send that was in flight when B took over arrived twice; A sent nothing else.
        const seen = arrivals(gated.arrived.map((messageId) => ({ messageId })));
        assert.equal(seen.size, 5);
        assert.equal(gated.arrived.length, 6);
        assert.deepEqual([...seen].filter(([, n]) => n > 1).map(([m]) => m), [gated.arrived[0]]);
        for (const id of ids) assert.equal((await getEmail(world.ctx, world.alice, id)).status, 'sent');
      } finally {
        // The providers keep pooled connections to this server; close them so it can stop.
        await world.providers.close();
        await workerB.providers.close();
        await gated.close();
      }
    });
  });
}
