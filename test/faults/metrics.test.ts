// /metrics of a running `serve`, parsed by a Prometheus text-format parser, and its numbers
// checked against the database: queue depth by status, sent and failed by provider and code,
// retries, delivery latency samples. Only administrators may read it; health needs no token.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { queueEmail } from '../../src/outbound/outbound.service.ts';
import { startMailroom, type RunningMailroom } from '../../src/runtime/mailroom-process.ts';
import { createApiToken } from '../../src/users/users.service.ts';
import { createProfile } from '../../src/sync/server-profiles.service.ts';
import { createTestEnv, DIALECTS, skipUnless, type TestEnv } from '../fixtures/context.ts';
import { pointSmtpAt, seedUsers } from '../fixtures/mailroom.ts';
import { until } from '../fixtures/mailroom-process.ts';
import { PERMANENT, startSwitchableSmtp, TEMPORARY, type SwitchableSmtp } from '../distributor/helpers.ts';

for (const dialect of DIALECTS) {
  describe(`/metrics on ${dialect}`, { skip: await skipUnless(dialect) }, () => {
    let env: TestEnv;
    let smtp: SwitchableSmtp;
    let running: RunningMailroom;
    let adminToken: string;
    let aliceToken: string;

    before(async () => {
      env = await createTestEnv(dialect);
      smtp = await startSwitchableSmtp();
      const { admin, alice } = await seedUsers(env.ctx);
      adminToken = (await createApiToken(env.ctx, admin.id, { name: 'prometheus' })).token;
      aliceToken = (await createApiToken(env.ctx, alice.id, { name: 'alice' })).token;
      await pointSmtpAt(env.ctx, smtp.server);
      running = await startMailroom({ ...env.config, port: 0 }, { api: true });
      // Each phase through the running distributor: accepted, refused for good, refused for now.
      let expected = { sent: 0, failed: 0, waiting: 0 };
      for (const [reply, count, status] of [[undefined, 5, 'sent'], [PERMANENT, 2, 'failed'], [TEMPORARY, 3, 'waiting']] as const) {
        smtp.answer(reply);
        for (let i = 0; i < count; i++) await queueEmail(running.ctx, alice, { to: `c${i}@fabrikam.test`, subject: 'Metrics', body: 'x' });
        expected = { ...expected, [status]: expected[status] + count };
        const settled = async () => {
          const rows = await running.ctx.db.selectFrom('email').select(['status', 'attempts']).execute();
          const n = (s: string) => rows.filter((r) => r.status === s && r.attempts > 0).length;
          return n('sent') === expected.sent && n('failed') === expected.failed && n('waiting') === expected.waiting;
        };
        await until(settled, 'the phase to be sent');
      }
    });
    after(async () => {
      await running.stop();
      await smtp.server.close();
      await env.cleanup();
    });

    it('reports what the database holds, and only to administrators', async () => {
      const url = `${running.url}/metrics`;
      assert.equal((await fetch(url)).status, 401);
      assert.equal((await fetch(url, { headers: { authorization: `Bearer ${aliceToken}` } })).status, 403);
      const answer = await fetch(url, { headers: { authorization: `Bearer ${adminToken}` } });
      assert.equal(answer.status, 200);
      assert.match(answer.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      const families = new Map(parsePrometheusTextFormat(await answer.text()).map((f) => [f.name, f]));
      const samples = (name: string) => families.get(name)?.metrics ?? [];
      const value = (name: string, labels: Record<string, string>) =>
        Number(samples(name).find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))?.value ?? 0);

      const db = running.ctx.db;
      const byStatus = new Map((await db.selectFrom('email').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status').execute()).map((r) => [r.status, Number(r.n)]));
      for (const status of ['waiting', 'deferred', 'sending']) assert.equal(value('mailroom_queue_emails', { status }), byStatus.get(status as never) ?? 0, status);
      assert.equal(value('mailroom_emails_sent_total', { provider: 'smtp' }), byStatus.get('sent'));
      const failed = await db.selectFrom('email').select(['last_error_code', (eb) => eb.fn.countAll<number>().as('n')]).where('status', '=', 'failed').groupBy('last_error_code').execute();
      assert.ok(failed.length > 0);
      for (const f of failed) assert.equal(value('mailroom_emails_failed_total', { provider: 'smtp', code: f.last_error_code! }), Number(f.n));
      const retries = await db.selectFrom('email_attempt').select(['error_code', (eb) => eb.fn.countAll<number>().as('n')]).where('outcome', '=', 'retry').groupBy('error_code').execute();
      assert.ok(retries.length > 0);
      for (const r of retries) assert.equal(value('mailroom_email_retries_total', { provider: 'smtp', code: r.error_code! }), Number(r.n));
      // One provider sent here, so one series (this parser keeps a histogram's buckets, not its labels).
      const latency = samples('mailroom_delivery_latency_seconds');
      assert.equal(latency.length, 1);
      // Every sent email is one latency sample (the +Inf bucket counts them all).
      assert.equal(Number(latency[0]!.buckets?.['+Inf']), byStatus.get('sent'));
      assert.equal(value('mailroom_database_up', {}), 1);
      assert.equal(value('mailroom_loop_alive', { loop: 'distributor' }), 1);
      assert.ok(value('mailroom_loop_last_pass_timestamp_seconds', { loop: 'distributor' }) > 0);
      assert.equal(value('mailroom_loop_alive', { loop: 'sync-scheduler' }), 1);
      assert.ok(value('mailroom_loop_last_pass_timestamp_seconds', { loop: 'sync-scheduler' }) > 0);
    });

    it('reports mailboxes by state, the sync lag and the reconciliation gaps as the database holds them', async () => {
      const db = running.ctx.db;
      const [first, second] = await db.selectFrom('mailbox').select(['id']).orderBy('id').execute();
      assert.ok(first && second, 'every user has a mailbox');
      // One mailbox set up, approved and synchronizing, last synchronized 90 s ago; its reconciliation found 3 gaps.
      const admin = (await db.selectFrom('app_user').select('id').where('role', '=', 'admin').executeTakeFirstOrThrow()).id;
      const profileId = (await createProfile(running.ctx, admin, { name: 'Metrics', serverType: 'imap', incomingHost: '127.0.0.1', incomingPort: 1, incomingSsl: false })).id;
      const now = running.ctx.clock.now();
      // Not due for a day, so the running scheduler leaves it as set here.
      await db.updateTable('mailbox').set({
        profile_id: profileId, approval: 'approved', incoming_enabled: 1, incoming_status: 'success', last_error_code: null,
        last_success_at: now - 90_000, next_poll_at: now + 86_400_000,
      }).where('id', '=', first.id).execute();
      await db.insertInto('sync_reconciliation').values({ mailbox_id: first.id, ran_at: now, gaps: 3, result: '{}' }).execute();
      const families = new Map(parsePrometheusTextFormat(await (await fetch(`${running.url}/metrics`, { headers: { authorization: `Bearer ${adminToken}` } })).text()).map((f) => [f.name, f]));
      const value = (name: string, labels: Record<string, string> = {}) =>
        Number(families.get(name)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))?.value ?? Number.NaN);
      const rows = await db.selectFrom('mailbox').select(['profile_id', 'approval', 'incoming_enabled']).execute();
      const unconfigured = rows.filter((r) => r.profile_id === null).length;
      assert.equal(value('mailroom_mailboxes', { state: 'unconfigured' }), unconfigured);
      const total = ['unconfigured', 'awaiting-approval', 'disabled', 'failing', 'syncing'].reduce((n, state) => n + value('mailroom_mailboxes', { state }), 0);
      assert.equal(total, rows.length, 'every mailbox is counted once');
      assert.equal(value('mailroom_reconciliation_gaps'), 3);
      assert.equal(value('mailroom_mailboxes', { state: 'syncing' }), 1);
      assert.equal(value('mailroom_mailboxes', { state: 'unconfigured' }), rows.length - 1);
      const lag = value('mailroom_mailbox_sync_lag_seconds');
      assert.ok(lag >= 90 && lag < 600, `lag ${lag}`);
    });

    it('answers health without a token: live, and ready with the loops and their last pass', async () => {
      const live = await fetch(`${running.url}/health/live`);
      assert.equal(live.status, 200);
      const ready = await fetch(`${running.url}/health/ready`);
      assert.equal(ready.status, 200);
      const report = (await ready.json()) as { ready: boolean; database: { reachable: boolean }; loops: { name: string; alive: boolean; lastPassAt: string | null }[] };
      assert.equal(report.ready, true);
      assert.equal(report.database.reachable, true);
      const distributor = report.loops.find((l) => l.name === 'distributor');
      assert.ok(distributor?.alive && distributor.lastPassAt);
      const scheduler = report.loops.find((l) => l.name === 'sync-scheduler');
      assert.ok(scheduler?.alive && scheduler.lastPassAt, JSON.stringify(report.loops));
    });
  });
}
