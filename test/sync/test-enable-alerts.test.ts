// Test and enable, the scheduled connection check and its alerts, against the real Dovecot and
// SMTP server of the sync world, on the injectable clock, both dialects, IMAP and POP3.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { mailboxAlerts, alertsWall } from '../../src/sync/alerts.service.ts';
import { updateEmailSettings } from '../../src/sync/email-settings.ts';
import { startProfileTestEnable, testProfileConnection } from '../../src/sync/profile-commands.ts';
import { connectionCheckJob, createSyncScheduler } from '../../src/sync/scheduler.ts';
import { updateProfile } from '../../src/sync/server-profiles.service.ts';
import { testAndEnable } from '../../src/sync/test-enable.ts';
import { DIALECTS, ManualClock, skipUnless } from '../fixtures/context.ts';
import { DOVECOT_CA, refusedPort, skipUnlessDovecot, startSilentServer } from '../fixtures/dovecot.ts';
import { createSyncWorld, startSyncServers, type SyncServers, type SyncWorld } from '../fixtures/world.ts';

const skipDovecot = skipUnlessDovecot();
const MINUTE = 60_000;

for (const dialect of DIALECTS) {
  for (const serverType of ['imap', 'pop3'] as const) {
    describe(`test and enable, alerts and retries (${dialect}, ${serverType})`, { skip: skipDovecot || (await skipUnless(dialect)) }, () => {
      let servers: SyncServers;
      let clock: ManualClock;
      const worlds: SyncWorld[] = [];
      before(async () => { servers = await startSyncServers(); });
      after(async () => { for (const w of worlds) await w.close(); await servers?.stop(); });
      /** Each test in a world of its own: its own database, profile and mailboxes. */
      async function newWorld(): Promise<SyncWorld> {
        clock = new ManualClock();
        const w = await createSyncWorld(dialect, servers, { serverType, clock, mailboxes: 0 });
        worlds.push(w);
        return w;
      }
      const schedulerOf = (world: SyncWorld, timeoutMs = 8000) => createSyncScheduler(world.ctx, { job: connectionCheckJob({ timeoutMs }) });

      it('test and enable succeeds on incoming and outgoing, step by step, and enables both', async () => {
        const world = await newWorld();
        const scheduler = (timeoutMs?: number) => schedulerOf(world, timeoutMs);
        const box = await world.addMailbox();
        const view = await testAndEnable(world.ctx, world.admin, box.email);
        assert.equal(view.channels.incoming.status, 'success', JSON.stringify(view.channels.incoming.test));
        assert.equal(view.channels.incoming.enabled, true);
        assert.deepEqual(view.channels.incoming.test?.steps.map((s) => s.step), ['connect', 'tls', 'authenticate', 'open-inbox']);
        assert.equal(view.channels.outgoing.status, 'success', JSON.stringify(view.channels.outgoing.test));
        assert.equal(view.channels.outgoing.enabled, true);
        assert.equal(view.channels.act.status, 'not-run');
        const alerts = await mailboxAlerts(world.ctx, world.admin, box.email);
        assert.equal(alerts[0]?.level, 'information');
        // The scheduled job then runs the check and records the success.
        const pass = await scheduler().runOnce();
        assert.equal(pass.claimed, 1);
        assert.equal(pass.succeeded, 1);
        const row = await box.row();
        assert.equal(row.last_success_at, clock.now());
        assert.equal(row.next_poll_at, clock.now() + MINUTE, 'next poll after the profile\'s minimum interval');
        assert.equal(row.claimed_by, null);
        assert.equal((await scheduler().runOnce()).claimed, 0, 'not polled again before the interval');
      });

      it('a wrong password fails at authenticate with the server\'s words and disables the channel at once', async () => {
        const world = await newWorld();
        const scheduler = (timeoutMs?: number) => schedulerOf(world, timeoutMs);
        const box = await world.addMailbox({ password: 'not-the-password' });
        const view = await testAndEnable(world.ctx, world.admin, box.email);
        const test = view.channels.incoming.test!;
        assert.equal(view.channels.incoming.status, 'failure');
        assert.equal(view.channels.incoming.enabled, false);
        assert.equal(test.code, 'MAILBOX_AUTH_FAILED');
        assert.equal(test.step, 'authenticate');
        assert.ok(test.response, 'the server\'s own words are kept');
        assert.equal(view.channels.outgoing.test?.code, 'AUTH_FAILED');
        const wall = await alertsWall(world.ctx, world.admin);
        assert.ok(wall.some((a) => a.level === 'error' && a.mailboxId === box.id && a.code === 'MAILBOX_AUTH_FAILED' && a.fix));
      });

      it('a password that stops working in a scheduled check is an error that disables the channel at once', async () => {
        const world = await newWorld();
        const scheduler = (timeoutMs?: number) => schedulerOf(world, timeoutMs);
        const box = await world.addMailbox();
        await testAndEnable(world.ctx, world.admin, box.email);
        await world.ctx.db.updateTable('mailbox').set({ password_sealed: world.ctx.secrets.seal('changed-on-the-server') }).where('id', '=', box.id).execute();
        clock.advance(MINUTE);
        const pass = await scheduler().runOnce();
        assert.equal(pass.failed, 1);
        const row = await box.row();
        assert.equal(row.incoming_enabled, 0);
        assert.equal(row.incoming_status, 'failure');
        assert.equal(row.last_error_code, 'MAILBOX_AUTH_FAILED');
        assert.equal(row.last_error_count, 1);
        const alerts = await mailboxAlerts(world.ctx, world.admin, box.email);
        assert.equal(alerts[0]?.level, 'error');
        clock.advance(60 * MINUTE);
        assert.equal((await scheduler().runOnce()).claimed, 0, 'a disabled channel is not polled until tested again');
      });

      it('a refused connection is a warning retried 10 times 5 minutes apart, then an error that disables the channel', async () => {
        const world = await newWorld();
        const scheduler = (timeoutMs?: number) => schedulerOf(world, timeoutMs);
        const box = await world.addMailbox();
        await testAndEnable(world.ctx, world.admin, box.email);
        const goodPort = world.profile.incomingPort;
        await updateProfile(world.ctx, world.profile.id, { incomingPort: await refusedPort() });
        clock.advance(MINUTE);
        for (let attempt = 1; attempt <= 10; attempt++) {
          assert.equal((await scheduler().runOnce()).failed, 1, `attempt ${attempt}`);
          const row = await box.row();
          assert.equal(row.last_error_code, 'MAILBOX_UNREACHABLE');
          assert.equal(row.last_error_count, attempt);
          assert.equal(row.incoming_enabled, 1);
          assert.equal(row.next_retry_at, clock.now() + 5 * MINUTE);
          clock.advance(4 * MINUTE);
          assert.equal((await scheduler().runOnce()).claimed, 0, 'not retried before 5 minutes');
          clock.advance(MINUTE);
        }
        assert.equal((await scheduler().runOnce()).failed, 1, 'the 11th failure');
        const row = await box.row();
        assert.equal(row.incoming_enabled, 0);
        assert.equal(row.last_error_count, 11);
        const alerts = await mailboxAlerts(world.ctx, world.admin, box.email);
        assert.equal(alerts.filter((a) => a.level === 'warning').length, 10);
        assert.equal(alerts[0]?.level, 'error');
        await updateProfile(world.ctx, world.profile.id, { incomingPort: goodPort });
        assert.equal((await testAndEnable(world.ctx, world.admin, box.email)).channels.incoming.enabled, true, 'testing again turns it back on');
      });

      it('a deadlock the database reports (SQLSTATE 40P01) ends the cycle as DATABASE_BUSY, a warning retried, never a disabled channel', async () => {
        const world = await newWorld();
        const box = await world.addMailbox();
        await testAndEnable(world.ctx, world.admin, box.email);
        clock.advance(MINUTE);
        const deadlock = Object.assign(new Error('deadlock detected'), { code: '40P01', severity: 'ERROR' });
        const pass = await createSyncScheduler(world.ctx, { job: async () => { throw deadlock; } }).runOnce();
        assert.equal(pass.failed, 1);
        const row = await box.row();
        assert.equal(row.last_error_code, 'DATABASE_BUSY');
        assert.equal(row.incoming_enabled, 1);
        assert.equal(row.next_retry_at, clock.now() + 5 * MINUTE);
        assert.equal((await mailboxAlerts(world.ctx, world.admin, box.email))[0]?.level, 'warning');
      });

      it('a timeout is a warning; success after the warning says so', async () => {
        const world = await newWorld();
        const scheduler = (timeoutMs?: number) => schedulerOf(world, timeoutMs);
        const silent = await startSilentServer();
        try {
          await updateEmailSettings(world.ctx, { transientRetries: 3, retryIntervalMinutes: 2 });
          const box = await world.addMailbox();
          await testAndEnable(world.ctx, world.admin, box.email);
          const goodPort = world.profile.incomingPort;
          await updateProfile(world.ctx, world.profile.id, { incomingPort: silent.port });
          clock.advance(MINUTE);
          assert.equal((await scheduler(300).runOnce()).failed, 1);
          const row = await box.row();
          assert.equal(row.last_error_code, 'MAILBOX_TIMEOUT');
          assert.equal(row.next_retry_at, clock.now() + 2 * MINUTE, 'the retry interval is an Email setting');
          await updateProfile(world.ctx, world.profile.id, { incomingPort: goodPort });
          clock.advance(2 * MINUTE);
          assert.equal((await scheduler().runOnce()).succeeded, 1);
          const alerts = await mailboxAlerts(world.ctx, world.admin, box.email);
          assert.equal(alerts[0]?.level, 'information');
          assert.match(alerts[0]!.message, /again/);
          assert.equal((await box.row()).last_error_count, 0);
        } finally {
          await silent.close();
        }
      });

      it('a certificate that does not verify fails at tls, permanently; trusting its authority on the profile passes', async () => {
        const world = await newWorld();
        const box = await world.addMailbox();
        await updateProfile(world.ctx, world.profile.id, { trustedCa: null });
        let view = await testAndEnable(world.ctx, world.admin, box.email);
        assert.equal(view.channels.incoming.test?.code, 'MAILBOX_TLS_FAILED');
        assert.equal(view.channels.incoming.test?.step, 'tls');
        assert.equal(view.channels.incoming.enabled, false);
        assert.equal(view.channels.outgoing.test?.code, 'TLS_FAILED');

        // The same servers, verified against the test authority as a company CA would be.
        const profile = await updateProfile(world.ctx, world.profile.id, { trustedCa: DOVECOT_CA });
        assert.equal(profile.verifyCertificate, true);
        assert.match(profile.trustedCa, /^-----BEGIN CERTIFICATE-----/);
        view = await testAndEnable(world.ctx, world.admin, box.email);
        assert.deepEqual([view.channels.incoming.enabled, view.channels.outgoing.enabled], [true, true], JSON.stringify(view.channels));
      });

      it('refuses a trusted authority that is not PEM certificates, and never keeps a private key', async () => {
        const world = await newWorld();
        const refusal = async (trustedCa: string) => {
          const err = await updateProfile(world.ctx, world.profile.id, { trustedCa }).then(() => null, (e: unknown) => e as { code?: string; message?: string });
          assert.equal(err?.code, 'INVALID_PARAMETER', trustedCa.slice(0, 40));
          return err!.message!;
        };
        assert.match(await refusal('not a certificate'), /PEM certificates only/);
        assert.match(await refusal(`${DOVECOT_CA}\n${readFileSync(new URL('../fixtures/tls-key.pem', import.meta.url), 'utf8')}`), /never a private key/);
        assert.match(await refusal('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----'), /Certificate 1 of 1 cannot be read/);
        assert.equal((await world.ctx.db.selectFrom('email_server_profile').select('trusted_ca').where('id', '=', world.profile.id).executeTakeFirstOrThrow()).trusted_ca, DOVECOT_CA.trim() + '\n', 'the refusals changed nothing');
      });

      it('an unapproved mailbox is not scheduled until it is approved (while approved-only is on)', async () => {
        const world = await newWorld();
        const scheduler = (timeoutMs?: number) => schedulerOf(world, timeoutMs);
        const box = await world.addMailbox({ approve: false });
        await testAndEnable(world.ctx, world.admin, box.email);
        clock.advance(MINUTE);
        assert.equal((await scheduler().runOnce()).claimed, 0);
        assert.equal((await box.row()).last_success_at, null);
        await world.ctx.db.updateTable('mailbox').set({ approval: 'approved' }).where('id', '=', box.id).execute();
        await scheduler().runOnce();
        assert.equal((await box.row()).last_success_at, clock.now());
      });

      it('the profile commands: Test connection signs in as a mailbox, Test and enable every mailbox reports progress', async () => {
        const world = await newWorld();
        const scheduler = (timeoutMs?: number) => schedulerOf(world, timeoutMs);
        const good = await world.addMailbox();
        const result = await testProfileConnection(world.ctx, world.profile.id);
        assert.equal(result.ok, true, JSON.stringify(result));
        assert.equal(result.signedInAs, good.email);
        await world.addMailbox({ password: 'wrong' });
        const { job, finished } = await startProfileTestEnable(world.ctx, world.admin.id, world.profile.id);
        assert.equal(job.status, 'running');
        const done = await finished;
        assert.equal(done.status, 'done');
        assert.equal(done.total, world.mailboxes.length);
        assert.equal(done.done, done.total);
        assert.equal(done.failed, 1, 'the mailbox with the wrong password');
      });
    });
  }
}
