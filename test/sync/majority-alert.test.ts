// The profile owner's alert when more than half of the profile's mailboxes fail within an hour:
// raised once, not again within the hour. Real Dovecot, both dialects, the injectable clock.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { alertsWall } from '../../src/sync/alerts.service.ts';
import { createSyncScheduler } from '../../src/sync/scheduler.ts';
import { updateProfile } from '../../src/sync/server-profiles.service.ts';
import { testAndEnable } from '../../src/sync/test-enable.ts';
import { DIALECTS, ManualClock, skipUnless } from '../fixtures/context.ts';
import { refusedPort, skipUnlessDovecot } from '../fixtures/dovecot.ts';
import { createSyncWorld, startSyncServers, type SyncServers, type SyncWorld } from '../fixtures/world.ts';

const skipDovecot = skipUnlessDovecot();

for (const dialect of DIALECTS) {
  describe(`majority-failure alert (${dialect})`, { skip: skipDovecot || (await skipUnless(dialect)) }, () => {
    let servers: SyncServers;
    let world: SyncWorld;
    const clock = new ManualClock();
    before(async () => {
      servers = await startSyncServers();
      world = await createSyncWorld(dialect, servers, { clock, mailboxes: 3, profile: { alertOnMajorityFailure: true } });
    });
    after(async () => { await world?.close(); await servers?.stop(); });

    it('tells the profile owner once when more than half of the mailboxes fail within an hour', async () => {
      for (const box of world.mailboxes) await testAndEnable(world.ctx, world.admin, box.email);
      await updateProfile(world.ctx, world.profile.id, { incomingPort: await refusedPort() });
      clock.advance(60_000);
      const scheduler = createSyncScheduler(world.ctx);
      assert.equal((await scheduler.runOnce()).failed, 3);
      const profileAlerts = (await alertsWall(world.ctx, world.admin)).filter((a) => a.mailboxId === null);
      assert.equal(profileAlerts.length, 1);
      assert.equal(profileAlerts[0]!.level, 'error');
      assert.match(profileAlerts[0]!.message, /[23] of the 3 mailboxes/, 'raised as soon as more than half failed');
      clock.advance(5 * 60_000);
      assert.equal((await scheduler.runOnce()).failed, 3);
      assert.equal((await alertsWall(world.ctx, world.admin)).filter((a) => a.mailboxId === null).length, 1, 'not again within the hour');
      await scheduler.stop();
    });
  });
}
