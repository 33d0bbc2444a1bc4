// The incoming commands as a new user meets them, against the real Dovecot of the sync world, on
// both dialects: options set --tracking/--auto-create, folder-rules add|list|remove, sync --once
// (every due mailbox, and one), sync-status and reconcile (also of a mailbox a running worker holds);
// --json, unknown values refused.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { updateProfile } from '../../../src/sync/server-profiles.service.ts';
import { setTrackingOptions } from '../../../src/sync/tracking-options.service.ts';
import { cliOk, runCli } from '../../fixtures/cli.ts';
import { DIALECTS, skipUnless } from '../../fixtures/context.ts';
import { skipUnlessDovecot } from '../../fixtures/dovecot.ts';
import { spawnMailroom, until, within } from '../../fixtures/mailroom-process.ts';
import { createSyncWorld, startSyncServers, type SyncServers, type SyncWorld } from '../../fixtures/world.ts';

const skipDovecot = skipUnlessDovecot();

for (const dialect of DIALECTS) {
  describe(`incoming commands (${dialect})`, { skip: skipDovecot || (await skipUnless(dialect)) }, () => {
    let servers: SyncServers;
    let world: SyncWorld;
    before(async () => {
      servers = await startSyncServers();
      world = await createSyncWorld(dialect, servers, { mailboxes: 0, mailbox: { enable: true } });
    });
    after(async () => { await world?.close(); await servers?.stop(); });

    it('options, folder rules, sync --once, sync-status and reconcile', { timeout: 180_000 }, async () => {
      const box = await world.addMailbox();
      const user = box.user.username;
      const set = await cliOk(world.env, ['options', 'set', '--user', user, '--tracking', 'all', '--auto-create', 'yes', '--create-as', 'lead', '--json']);
      assert.deepEqual([set.json.email.tracking, set.json.email.autoCreate, set.json.email.createAs], ['all', true, 'lead']);
      const refused = await runCli(world.env, ['options', 'set', '--user', user, '--tracking', 'everything', '--json']);
      assert.notEqual(refused.code, 0);
      assert.match(refused.out + refused.err, /INVALID_PARAMETER/);

      assert.equal((await cliOk(world.env, ['folder-rules', 'add', 'INBOX/Deals', '--user', user, '--json'])).json.folder, 'INBOX/Deals');
      const outside = await runCli(world.env, ['folder-rules', 'add', 'Deals', '--user', user, '--json']);
      assert.notEqual(outside.code, 0);
      assert.deepEqual((await cliOk(world.env, ['folder-rules', 'list', '--user', user, '--json'])).json.map((r: { folder: string }) => r.folder), ['INBOX/Deals']);

      await servers.dovecot.deliver(box.server, [`From: Lee <lee@tailspin.test>\r\nTo: ${box.email}\r\nSubject: Hi\r\nMessage-ID: <cli-1@tailspin.test>\r\n\r\nhello\r\n`]);
      await servers.dovecot.deliver(box.server, [`From: Lee <lee@tailspin.test>\r\nTo: ${box.email}\r\nSubject: Deal\r\nMessage-ID: <cli-2@tailspin.test>\r\n\r\ndeal\r\n`], { folder: 'INBOX/Deals' });
      const due = await cliOk(world.env, ['sync', '--once', '--json']);
      assert.deepEqual([due.json.claimed, due.json.succeeded], [1, 1]);
      assert.deepEqual(due.json.mailboxes.map((m: { mailboxId: string; tracked: number }) => [m.mailboxId, m.tracked]), [[box.id, 2]]);
      const again = await cliOk(world.env, ['sync', '--once', '--mailbox', box.email, '--user', user, '--json']);
      assert.deepEqual(again.json.result, { tracked: 0, skipped: 0, failed: 0, undeliverable: 0 }, 'nothing read twice');

      const listed = await cliOk(world.env, ['activities', 'list', '--mailbox', box.email, '--json']);
      assert.deepEqual(listed.json.map((a: { subject: string }) => a.subject).sort(), ['Deal', 'Hi']);
      assert.equal(listed.json[0].correlatedBy, null);
      const leads = await cliOk(world.env, ['leads', 'list', '--json']);
      assert.deepEqual(leads.json.map((l: { emails: string[] }) => l.emails[0]), ['lee@tailspin.test'], 'one lead for the sender, not two');
      const status = await cliOk(world.env, ['sync-status', box.email, '--user', user, '--json']);
      assert.equal(status.json.health, 'healthy');
      assert.deepEqual(status.json.counts, { tracked: 2, skipped: 0, failing: 0, undeliverable: 0 });
      const reconciled = await cliOk(world.env, ['reconcile', box.email, '--user', user, '--json']);
      assert.equal(reconciled.json.gaps, 0);
      assert.deepEqual(reconciled.json.folders.map((f: { folder: string; tracked: number }) => [f.folder, f.tracked]), [['INBOX', 1], ['INBOX/Deals', 1]]);
      await cliOk(world.env, ['folder-rules', 'remove', 'INBOX/Deals', '--user', user]);
      assert.deepEqual((await cliOk(world.env, ['folder-rules', 'list', '--user', user, '--json'])).json, []);
    });

    it('a mailbox held by a running `mailroom worker` (IDLE): `mailroom reconcile` is run by that worker and answers its real result, clean, then with the gap made on purpose', { timeout: 180_000 }, async () => {
      const box = await world.addMailbox();
      const user = box.user.username;
      await setTrackingOptions(world.ctx, box.user.id, { tracking: 'all' });
      const mail = (n: number) => `From: Lee <lee@tailspin.test>\r\nTo: ${box.email}\r\nSubject: Held ${n}\r\nMessage-ID: <held-${n}@tailspin.test>\r\n\r\nheld\r\n`;
      await servers.dovecot.deliver(box.server, [mail(1), mail(2), mail(3)]);
      // A hold as long as production's usual one, so the worker keeps the mailbox for the whole test.
      await updateProfile(world.ctx, world.profile.id, { minPollingMinutes: 10 });
      const worker = spawnMailroom('worker', world.env, { workerId: 'holder', env: { MAILROOM_LOG_LEVEL: 'warn' } });
      try {
        await until(async () => {
          const row = await box.row();
          const reconciled = await world.ctx.db.selectFrom('sync_reconciliation').select('ran_at').where('mailbox_id', '=', box.id).executeTakeFirst();
          return row.claimed_by === 'holder' && row.last_cycle !== null && reconciled !== undefined;
        }, 'the worker to hold the mailbox after its first cycle');
        const clean = await cliOk(world.env, ['reconcile', box.email, '--user', user, '--json']);
        assert.equal(clean.json.gaps, 0);
        assert.deepEqual([clean.json.folders[0].folder, clean.json.folders[0].onServer, clean.json.folders[0].tracked], ['INBOX', 3, 3]);
        const stored = await world.ctx.db.selectFrom('sync_reconciliation').select('requested_at').where('mailbox_id', '=', box.id).executeTakeFirstOrThrow();
        assert.ok(stored.requested_at !== null, 'the holder ran it, answering the request');
        assert.equal((await box.row()).claimed_by, 'holder', 'still held by the worker');

        await world.ctx.db.deleteFrom('sync_message').where('mailbox_id', '=', box.id).where('message_id', '=', '<held-2@tailspin.test>').execute();
        const gap = await runCli(world.env, ['reconcile', box.email, '--user', user, '--json']);
        assert.equal(gap.code, 1, 'a gap is a failing exit');
        assert.equal(gap.json.gaps, 1);
        assert.deepEqual(gap.json.folders[0].gaps.map((g: { messageId: string }) => g.messageId), ['<held-2@tailspin.test>']);
        assert.ok(gap.json.ranAt > clean.json.ranAt);
        const status = await cliOk(world.env, ['sync-status', box.email, '--user', user, '--json']);
        assert.equal(status.json.health, 'error');
        assert.equal((await box.row()).claimed_by, 'holder', 'within the same hold');
      } finally {
        worker.child.kill('SIGTERM');
        await within(worker.exited, 'the worker to stop');
        await updateProfile(world.ctx, world.profile.id, { minPollingMinutes: 1 });
      }
    });
  });
}
