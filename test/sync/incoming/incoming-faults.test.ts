// Incoming synchronization under faults, against the real Dovecot, on both dialects: the
// connection dropped in the middle of a fetch (a TCP proxy cut), a `mailroom sync --once` killed
// with kill -9 in the middle of a mailbox, and a big message that is not tracked is never read whole.
// Each time: nothing lost, nothing doubled.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { ConnectorConfig, IncomingItem, MailboxConnector } from '../../../src/sync/connectors/connector.ts';
import { createConnector } from '../../../src/sync/connectors/create-connector.ts';
import { incomingSyncJob } from '../../../src/sync/incoming/incoming-job.ts';
import { reconcileNow, syncMailboxNow } from '../../../src/sync/incoming/sync-now.ts';
import { createSyncScheduler } from '../../../src/sync/scheduler.ts';
import { updateProfile } from '../../../src/sync/server-profiles.service.ts';
import { setTrackingOptions } from '../../../src/sync/tracking-options.service.ts';
import { DIALECTS, ManualClock, skipUnless } from '../../fixtures/context.ts';
import { skipUnlessDovecot } from '../../fixtures/dovecot.ts';
import { startTcpProxy, type TcpProxy } from '../../fixtures/tcp-proxy.ts';
import { createSyncWorld, startSyncServers, type SyncServers, type SyncWorld, type WorldMailbox } from '../../fixtures/world.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const skipDovecot = skipUnlessDovecot();
const message = (to: string, n: number, bodyBytes: number, headers = '') => Buffer.from(
  `From: Ana <ana@contoso.test>\r\nTo: ${to}\r\nSubject: fault ${n}\r\nMessage-ID: <fault-${n}-${to}>\r\n${headers}Content-Type: text/plain\r\n\r\n${'x'.repeat(76).concat('\r\n').repeat(Math.ceil(bodyBytes / 78))}`,
);

/** The real connector, with a hook after each item it yields and a count of the sources it read. */
function watched(onItem: (n: number) => Promise<void> | void, sourcesRead: string[] = []) {
  return (config: ConnectorConfig): MailboxConnector => {
    const real = createConnector(config);
    let n = 0;
    return {
      ...real,
      async *pull(folder, cursor, limits) {
        for await (const item of real.pull(folder, cursor, limits)) {
          const counted: IncomingItem = { ...item, loadSource: () => { sourcesRead.push(item.ref.uid); return item.loadSource(); } };
          yield counted;
          await onItem(++n);
        }
      },
    };
  };
}

for (const dialect of DIALECTS) {
  describe(`incoming synchronization under faults (${dialect})`, { skip: skipDovecot || (await skipUnless(dialect)) }, () => {
    let servers: SyncServers;
    let proxy: TcpProxy;
    let world: SyncWorld;
    let clock: ManualClock;
    before(async () => {
      servers = await startSyncServers();
      proxy = await startTcpProxy({ host: servers.dovecot.host, port: servers.dovecot.imapPort });
      clock = new ManualClock(Date.now());
      world = await createSyncWorld(dialect, servers, { clock, mailboxes: 0, mailbox: { enable: true }, profile: { incomingPort: proxy.port } });
    });
    after(async () => { await world?.close(); await proxy?.close(); await servers?.stop(); });
    const activityCount = async (box: WorldMailbox) => Number((await world.ctx.db.selectFrom('email_activity_mailbox').select((eb) => eb.fn.countAll().as('n')).where('mailbox_id', '=', box.id).executeTakeFirstOrThrow()).n);
    const distinctActivities = async (box: WorldMailbox) => Number((await world.ctx.db.selectFrom('email_activity').innerJoin('email_activity_mailbox', 'email_activity_mailbox.activity_id', 'email_activity.id')
      .select((eb) => eb.fn.count('email_activity.message_id').distinct().as('n')).where('mailbox_id', '=', box.id).executeTakeFirstOrThrow()).n);

    it('a connection dropped in the middle of a fetch: a warning, then the next cycle resumes from the cursor; nothing lost or doubled', async () => {
      const box = await world.addMailbox();
      await setTrackingOptions(world.ctx, box.user.id, { tracking: 'all' });
      // Over the prefetch size, so each source is its own FETCH on the wire the proxy cuts.
      await servers.dovecot.deliver(box.server, Array.from({ length: 12 }, (_, i) => message(box.email, i, 200 * 1024)));
      const cutAfterFive = watched(async (n) => { if (n === 5) await proxy.cut(); });
      const failing = await createSyncScheduler(world.ctx, { job: incomingSyncJob({ holdMs: 0, connectorFactory: cutAfterFive, timeoutMs: 5_000 }) }).runOnce();
      assert.deepEqual([failing.claimed, failing.failed], [1, 1]);
      const row = await box.row();
      assert.equal(row.last_error_code, 'MAILBOX_CONNECTION_DROPPED');
      assert.equal(row.incoming_enabled, 1, 'a transient failure: retried, not disabled');
      const firstPart = await activityCount(box);
      assert.ok(firstPart >= 5 && firstPart < 12, `${firstPart} tracked before the cut`);
      await proxy.restore();
      clock.set(row.next_poll_at);
      const resumed = await createSyncScheduler(world.ctx, { job: incomingSyncJob({ holdMs: 0 }) }).runOnce();
      assert.deepEqual([resumed.claimed, resumed.succeeded], [1, 1]);
      assert.equal(await activityCount(box), 12);
      assert.equal(await distinctActivities(box), 12);
      assert.equal((await box.row()).last_error_code, null);
    });

    it('a connection lost while the held mailbox waits with IDLE ends the hold, not the cycle: the job succeeds and no failure is recorded', async () => {
      const box = await world.addMailbox();
      await setTrackingOptions(world.ctx, box.user.id, { tracking: 'all' });
      await servers.dovecot.deliver(box.server, [message(box.email, 200, 4096)]);
      let cycles = 0;
      const scheduler = createSyncScheduler(world.ctx, { job: incomingSyncJob({ holdMs: 60_000, onCycle: () => { cycles++; } }) });
      const pass = scheduler.runOnce();
      for (let i = 0; i < 100 && cycles === 0; i++) await sleep(50);
      await sleep(300);
      await proxy.cut();
      const done = await pass;
      await proxy.restore();
      assert.deepEqual([done.claimed, done.succeeded], [1, 1]);
      const row = await box.row();
      assert.equal(row.last_error_code, null);
      assert.equal(row.incoming_enabled, 1);
      assert.equal(await activityCount(box), 1);
    });

    it('a big message that is not tracked is never read whole; the tracked one is', async () => {
      const box = await world.addMailbox();
      await world.ctx.db.insertInto('email_activity').values({
        id: `sent-${box.id}`, direction: 'outgoing', status: 'sent', status_detail: null, subject: 'Quote', body_text: null, body_html: null,
        message_id: `<quote-${box.id}@mailroom.test>`, in_reply_to: null, references_header: null, tracking_token: null, received_at: null, sent_at: null,
        regarding_type: null, regarding_id: null, owner_id: box.user.id, accepting_type: null, accepting_id: null, correlated_by: null, correlated_activity_id: null,
        dedupe_key: null, created_at: clock.now(), updated_at: clock.now(),
      }).execute();
      const uids = await servers.dovecot.deliver(box.server, [
        message(box.email, 100, 3 * 1024 * 1024),
        message(box.email, 101, 3 * 1024 * 1024, `In-Reply-To: <quote-${box.id}@mailroom.test>\r\n`),
      ]);
      const read: string[] = [];
      const done = await syncMailboxNow(world.ctx, box.user, box.id, { connectorFactory: watched(() => undefined, read) });
      assert.deepEqual(done.result, { tracked: 1, skipped: 1, failed: 0, undeliverable: 0 }, 'the default option tracks the reply only');
      assert.deepEqual(read, [String(uids[1])], 'only the reply\'s source was fetched');
    });

    it('a `mailroom sync --once` killed with kill -9 mid-mailbox: another worker finishes it after the lease; every message tracked once', { timeout: 120_000 }, async () => {
      const box = await world.addMailbox();
      await updateProfile(world.ctx, world.profile.id, { incomingPort: servers.dovecot.imapPort });
      await setTrackingOptions(world.ctx, box.user.id, { tracking: 'all' });
      clock.set(Date.now()); // the child runs on the real clock
      const total = 300;
      servers.dovecot.writeMaildir(box.server, Array.from({ length: total }, (_, i) => message(box.email, 1000 + i, 8 * 1024)));
      const child = spawn(join(ROOT, 'node_modules/.bin/node'), [join(ROOT, 'src/cli/main.ts'), 'sync', '--once', '--mailbox', box.email, '--user', box.user.username], {
        cwd: ROOT, stdio: 'ignore',
        env: {
          PATH: process.env.PATH, MAILROOM_DATA_DIR: world.env.dataDir, MAILROOM_SECRET_KEY: world.env.config.secretKey,
          MAILROOM_WORKER_ID: 'doomed', MAILROOM_LOG_LEVEL: 'silent', ...(world.env.config.databaseUrl ? { DATABASE_URL: world.env.config.databaseUrl } : {}),
        },
      });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      let atKill = 0;
      for (let i = 0; i < 2400 && (atKill = await activityCount(box)) < 20; i++) await sleep(25); // up to a minute for the child to start on a loaded machine
      child.kill('SIGKILL');
      await exited;
      atKill = await activityCount(box);
      assert.ok(atKill >= 20 && atKill < total, `killed in the middle: ${atKill} of ${total} tracked`);
      const held = await box.row();
      assert.equal(held.claimed_by, 'doomed', 'the dead worker still holds the lease');
      await assert.rejects(syncMailboxNow(world.ctx, box.user, box.id, { askHolderMs: 1_000 }), { code: 'MAILBOX_HELD' }, 'a dead holder never runs the cycle asked of it');
      await assert.rejects(reconcileNow(world.ctx, box.user, box.id, { askHolderMs: 1_000 }), { code: 'RECONCILIATION_PENDING' }, 'nor the reconciliation');
      // A caller waiting on the dead holder stops waiting once its lease runs out, and reconciles itself.
      const started = Date.now();
      const waiting = reconcileNow(world.ctx, box.user, box.id, { askHolderMs: 60_000 });
      await sleep(600);
      clock.set(Number(held.lease_until) + 1);
      const itself = await waiting;
      assert.ok(Date.now() - started < 30_000, 'not the whole wait');
      assert.equal(itself.folders[0]?.onServer, total);
      await world.ctx.db.updateTable('mailbox').set({ reconcile_requested_at: clock.now() }).where('id', '=', box.id).execute();
      const finished = await syncMailboxNow(world.ctx, box.user, box.id);
      assert.ok(finished.reconciliation, 'the next worker to take the mailbox runs the reconciliation still asked for');
      const answered = await world.ctx.db.selectFrom('sync_reconciliation').select('requested_at').where('mailbox_id', '=', box.id).executeTakeFirstOrThrow();
      assert.ok(answered.requested_at !== null, 'it answers the request');
      assert.equal((await box.row()).reconcile_requested_at, null);
      assert.equal(finished.result.failed, 0);
      assert.equal(await activityCount(box), total, 'nothing lost');
      assert.equal(await distinctActivities(box), total, 'nothing doubled');
      const records = await world.ctx.db.selectFrom('sync_message').select((eb) => eb.fn.countAll().as('n')).where('mailbox_id', '=', box.id).where('outcome', '=', 'tracked').executeTakeFirstOrThrow();
      assert.equal(Number(records.n), total);
      assert.equal(finished.reconciliation?.gaps ?? 0, 0);
    });
  });
}
