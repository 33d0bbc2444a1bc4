// Two workers share the mailboxes through leases in the database: never one mailbox held twice,
// never more open connections per profile than its maximum (counted at Dovecot's side), and a
// worker killed with kill -9 loses its mailboxes when the lease runs out. Both dialects.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { createConnector } from '../../src/sync/connectors/create-connector.ts';
import { createSyncScheduler, type MailboxJob } from '../../src/sync/scheduler.ts';
import { updateProfile } from '../../src/sync/server-profiles.service.ts';
import { connectorConfig, testAndEnable } from '../../src/sync/test-enable.ts';
import { DIALECTS, ManualClock, skipUnless } from '../fixtures/context.ts';
import { skipUnlessDovecot } from '../fixtures/dovecot.ts';
import { createSyncWorld, startSyncServers, type SyncServers, type SyncWorld } from '../fixtures/world.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const skipDovecot = skipUnlessDovecot();

for (const dialect of DIALECTS) {
  // node:sqlite waits for a lock synchronously, blocking the event loop: two workers in one test
  // process would wait on each other. SQLite is the single-process database (serve); workers
  // that share mailboxes run on PostgreSQL, as the test says.
  const twoWorkers = dialect === 'postgres' ? {} : { skip: 'two workers in one process share mailboxes on PostgreSQL only' };
  describe(`scheduler leases (${dialect})`, { skip: skipDovecot || (await skipUnless(dialect)) }, () => {
    let servers: SyncServers;
    const worlds: SyncWorld[] = [];
    before(async () => { servers = await startSyncServers(); });
    after(async () => { for (const w of worlds) await w.close(); await servers?.stop(); });

    it('two workers never hold one mailbox at once nor exceed the profile\'s maximum concurrent connections', twoWorkers, async () => {
      const clock = new ManualClock();
      const world = await createSyncWorld(dialect, servers, { clock, mailboxes: 6, workerId: 'worker-a' });
      worlds.push(world);
      await updateProfile(world.ctx, world.profile.id, { maxConnections: 2 });
      for (const box of world.mailboxes) assert.equal((await testAndEnable(world.ctx, world.admin, box.email)).channels.incoming.enabled, true);
      const other = await world.worker('worker-b', clock);
      const held = new Set<string>();
      const polled: string[] = [];
      let atDovecot = 0;
      // A job that opens a session through the connector (listing the Inbox, as a pull does) and
      // keeps it open a moment, so that overlapping connections would show at Dovecot's side.
      const job: MailboxJob = async ({ ctx, mailbox, profile }) => {
        assert.ok(!held.has(mailbox.id), `mailbox ${mailbox.email} held by two workers`);
        held.add(mailbox.id);
        const connector = createConnector(connectorConfig(ctx, mailbox, profile, ['incoming']));
        try {
          for await (const ref of connector.list('INBOX', null)) assert.ok(ref);
          atDovecot = Math.max(atDovecot, await servers.dovecot.connections());
          await sleep(200);
          polled.push(`${ctx.workerId}:${mailbox.id}`);
        } finally {
          await connector.close();
          held.delete(mailbox.id);
        }
      };
      const a = createSyncScheduler(world.ctx, { job });
      const b = createSyncScheduler(other, { job });
      for (let round = 0; round < 20 && polled.length < 6; round++) {
        const [pa, pb] = await Promise.all([a.runOnce(), b.runOnce()]);
        assert.ok(pa.claimed + pb.claimed <= 2, `round ${round}: ${pa.claimed} + ${pb.claimed} claimed`);
      }
      assert.equal(polled.length, 6, 'every mailbox polled once');
      assert.equal(new Set(polled.map((p) => p.split(':')[1])).size, 6);
      assert.ok(atDovecot >= 1 && atDovecot <= 2, `Dovecot saw ${atDovecot} connections at once`);
      // Which worker wins each claim is up to timing: one may take every slot, which is correct.
      console.log(`# polled by worker-a ${polled.filter((p) => p.startsWith('worker-a')).length}, by worker-b ${polled.filter((p) => p.startsWith('worker-b')).length}`);
      await a.stop();
      await b.stop();
    });

    it('a worker killed with kill -9 keeps its mailboxes only until the lease runs out; stop() releases at once', async () => {
      const world = await createSyncWorld(dialect, servers, { mailboxes: 2, workerId: 'survivor' });
      worlds.push(world);
      for (const box of world.mailboxes) await testAndEnable(world.ctx, world.admin, box.email);
      const leaseMs = 2500;
      const child = spawn(join(ROOT, 'node_modules/.bin/node'), [join(ROOT, 'test/sync/fixtures/lease-holder.ts'), String(leaseMs)], {
        cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'],
        env: {
          PATH: process.env.PATH, MAILROOM_DATA_DIR: world.env.dataDir, MAILROOM_SECRET_KEY: world.env.config.secretKey,
          MAILROOM_WORKER_ID: 'doomed', MAILROOM_LOG_LEVEL: 'silent', ...(world.env.config.databaseUrl ? { DATABASE_URL: world.env.config.databaseUrl } : {}),
        },
      });
      const claimed: string[] = await new Promise((resolve, reject) => {
        child.stdout.once('data', (line: Buffer) => resolve(JSON.parse(line.toString())));
        child.once('exit', (code) => reject(new Error(`lease holder exited ${code}`)));
      });
      const claimedAt = Date.now();
      assert.equal(claimed.length, 2);
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      const survivor = createSyncScheduler(world.ctx, { leaseMs });
      if (Date.now() - claimedAt < leaseMs - 500) assert.equal((await survivor.runOnce()).claimed, 0, 'held by the dead worker until its lease runs out');
      await sleep(Math.max(0, claimedAt + leaseMs + 100 - Date.now()));
      const pass = await survivor.runOnce();
      assert.equal(pass.claimed, 2);
      assert.equal(pass.succeeded, 2);

      // A worker that stops gives its mailboxes back at once (due now), instead of waiting for the lease.
      await world.ctx.db.updateTable('mailbox').set({ next_poll_at: 0 }).execute();
      const { claimDue } = await import('../../src/sync/scheduler.ts');
      const stopping = createSyncScheduler(world.ctx, { leaseMs: 600_000 });
      assert.equal((await claimDue(world.ctx, 600_000, 10)).length, 2);
      await stopping.stop();
      const rows = await world.ctx.db.selectFrom('mailbox').select(['claimed_by', 'lease_until']).where('claimed_by', 'is not', null).execute();
      assert.deepEqual(rows, []);
      await survivor.stop();
    });
  });
}
