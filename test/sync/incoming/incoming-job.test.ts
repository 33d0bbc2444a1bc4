// Incoming synchronization as the scheduler runs it, against the real Dovecot of the sync world,
// on both dialects: the tracking option and record creation of the mailbox's user, folder rules
// with their regarding record, IDLE while the mailbox is held, the sync status with each failure's
// reason, and reconciliation finding a gap made on purpose and none on a clean mailbox.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { createAccount } from '../../../src/crm/accounts.service.ts';
import { listContacts } from '../../../src/crm/contacts.service.ts';
import { createLead } from '../../../src/crm/leads.service.ts';
import { listActivities, updateActivity } from '../../../src/crm/email-activity.service.ts';
import { mailboxAlerts } from '../../../src/sync/alerts.service.ts';
import { addFolderRule } from '../../../src/sync/folder-rules.service.ts';
import { incomingSyncJob } from '../../../src/sync/incoming/incoming-job.ts';
import { reconcileNow, syncMailboxNow } from '../../../src/sync/incoming/sync-now.ts';
import { mailboxSyncStatus } from '../../../src/sync/incoming/sync-status.ts';
import { updateMailbox } from '../../../src/sync/mailboxes.service.ts';
import { createSyncScheduler } from '../../../src/sync/scheduler.ts';
import { updateProfile } from '../../../src/sync/server-profiles.service.ts';
import { setTrackingOptions } from '../../../src/sync/tracking-options.service.ts';
import { DIALECTS, skipUnless } from '../../fixtures/context.ts';
import { skipUnlessDovecot } from '../../fixtures/dovecot.ts';
import { createSyncWorld, startSyncServers, type SyncServers, type SyncWorld, type WorldMailbox } from '../../fixtures/world.ts';

const skipDovecot = skipUnlessDovecot();
const mail = (to: string, n: number, from = `Ana Ortiz <ana${n}@contoso.test>`, headers = '') =>
  `From: ${from}\r\nTo: ${to}\r\nSubject: message ${n}\r\nMessage-ID: <job-${n}-${to}>\r\nDate: Mon, 23 Nov 2026 09:00:00 +0000\r\n${headers}\r\nbody ${n}\r\n`;

for (const dialect of DIALECTS) {
  describe(`incoming sync job (${dialect})`, { skip: skipDovecot || (await skipUnless(dialect)) }, () => {
    let servers: SyncServers;
    let world: SyncWorld;
    before(async () => {
      servers = await startSyncServers();
      world = await createSyncWorld(dialect, servers, { mailboxes: 0, mailbox: { enable: true } });
    });
    after(async () => { await world?.close(); await servers?.stop(); });
    const activitiesOf = async (box: WorldMailbox) => (await listActivities(world.ctx, { mailboxId: box.id, limit: 100 })).items;

    it('the scheduler\'s job tracks by the user\'s option, creates a contact for a person and never for an automated sender', async () => {
      const box = await world.addMailbox();
      await setTrackingOptions(world.ctx, box.user.id, { tracking: 'all', autoCreate: true });
      await servers.dovecot.deliver(box.server, [
        mail(box.email, 1),
        mail(box.email, 2, 'News <news@contoso.test>', 'List-Id: <news.contoso.test>\r\n'),
        mail(box.email, 3, 'no-reply@contoso.test'),
        '\r\nno headers at all\r\n',
      ]);
      const pass = await createSyncScheduler(world.ctx, { job: incomingSyncJob({ holdMs: 0 }) }).runOnce();
      assert.deepEqual([pass.claimed, pass.succeeded], [1, 1]);
      assert.equal((await activitiesOf(box)).length, 3);
      const contacts = (await listContacts(world.ctx, { limit: 100 })).items;
      assert.deepEqual(contacts.map((c) => c.emails[0]), ['ana1@contoso.test'], 'only the person became a contact');
      assert.equal(contacts[0]!.ownerId, box.user.id);
      assert.equal(contacts[0]!.name, 'Ana Ortiz');
      const status = await mailboxSyncStatus(world.ctx, world.admin, box.id);
      assert.deepEqual(status.counts, { tracked: 3, skipped: 0, failing: 1, undeliverable: 0 });
      assert.equal(status.health, 'warning', 'a failing message is never healthy');
      assert.equal(status.failures[0]!.code, 'MESSAGE_PARSE_FAILED');
      assert.match(status.failures[0]!.reason ?? '', /header/);
      assert.ok((await box.row()).last_success_at, 'the cycle is a success of the mailbox');
    });

    it('the default option tracks only replies; "records" tracks mail from an account\'s address', async () => {
      const box = await world.addMailbox();
      await createAccount(world.ctx, world.admin, { name: `Fabrikam ${dialect}`, emails: ['buyer@fabrikam.test'] });
      await servers.dovecot.deliver(box.server, [mail(box.email, 10), mail(box.email, 11, 'buyer@fabrikam.test')]);
      assert.deepEqual((await syncMailboxNow(world.ctx, box.user, box.id)).result, { tracked: 0, skipped: 2, failed: 0, undeliverable: 0 });
      await setTrackingOptions(world.ctx, box.user.id, { tracking: 'records' });
      await servers.dovecot.deliver(box.server, [mail(box.email, 12, 'buyer@fabrikam.test')]);
      assert.deepEqual((await syncMailboxNow(world.ctx, box.user, box.id)).result, { tracked: 1, skipped: 0, failed: 0, undeliverable: 0 });
      const [one] = await activitiesOf(box);
      assert.equal(one!.from?.records[0]?.type, 'account');
    });

    it('a folder rule tracks its folder whatever the option, and applies its regarding again on every sync', async () => {
      const box = await world.addMailbox();
      const account = await createAccount(world.ctx, world.admin, { name: `Projects ${dialect}`, emails: [] });
      await addFolderRule(world.ctx, box.user.id, { folder: 'INBOX/Projects', regarding: `account:${account.id}` });
      await servers.dovecot.deliver(box.server, [mail(box.email, 20)], { folder: 'INBOX/Projects' });
      await servers.dovecot.deliver(box.server, [mail(box.email, 21)]);
      assert.deepEqual((await syncMailboxNow(world.ctx, box.user, box.id)).result, { tracked: 1, skipped: 1, failed: 0, undeliverable: 0 });
      const [tracked] = await activitiesOf(box);
      assert.deepEqual([tracked!.regarding?.type, tracked!.regarding?.id], ['account', account.id]);
      await updateActivity(world.ctx, world.admin, tracked!.id, { regarding: null });
      await syncMailboxNow(world.ctx, box.user, box.id);
      const [again] = await activitiesOf(box);
      assert.equal(again!.regarding?.id, account.id, 'the rule\'s regarding is applied again');
    });

    it('a real UIDVALIDITY change (the rule\'s folder deleted and made again) re-reads the folder without a second activity', async () => {
      const box = await world.addMailbox();
      await addFolderRule(world.ctx, box.user.id, { folder: 'INBOX/Deals' });
      const deals = [mail(box.email, 50), mail(box.email, 51)];
      await servers.dovecot.deliver(box.server, deals, { folder: 'INBOX/Deals' });
      assert.equal((await syncMailboxNow(world.ctx, box.user, box.id)).result.tracked, 2);
      const before = await world.ctx.db.selectFrom('sync_folder_cursor').select('uid_validity').where('mailbox_id', '=', box.id).where('folder', '=', 'INBOX/Deals').executeTakeFirstOrThrow();
      const imap = await servers.dovecot.client(box.server);
      await imap.mailboxDelete('INBOX/Deals');
      await imap.logout();
      await servers.dovecot.deliver(box.server, [...deals, mail(box.email, 52)], { folder: 'INBOX/Deals' });
      const again = await syncMailboxNow(world.ctx, box.user, box.id);
      assert.equal(again.result.tracked, 3, 'the folder is read again under its new UIDVALIDITY');
      const after = await world.ctx.db.selectFrom('sync_folder_cursor').select('uid_validity').where('mailbox_id', '=', box.id).where('folder', '=', 'INBOX/Deals').executeTakeFirstOrThrow();
      assert.notEqual(after.uid_validity, before.uid_validity);
      assert.equal((await activitiesOf(box)).length, 3, 'two activities linked again, one new: none doubled');
      assert.equal(again.reconciliation, null, 'reconciled on the first cycle, not again the same day');
    });

    it('"email-enabled" tracks mail from any record with the address (a lead), not from an unknown sender', async () => {
      const box = await world.addMailbox();
      await setTrackingOptions(world.ctx, box.user.id, { tracking: 'email-enabled' });
      await createLead(world.ctx, world.admin, { name: 'Pat Prospect', emails: ['pat@northwind.test'] });
      await servers.dovecot.deliver(box.server, [mail(box.email, 60, 'Pat <pat@northwind.test>'), mail(box.email, 61, 'someone@nowhere.test')]);
      assert.deepEqual((await syncMailboxNow(world.ctx, box.user, box.id)).result, { tracked: 1, skipped: 1, failed: 0, undeliverable: 0 });
      const [one] = await activitiesOf(box);
      assert.equal(one!.from?.records[0]?.type, 'lead');
    });

    it('only mail received after the later of the profile\'s and the mailbox\'s process-from dates is evaluated', async () => {
      const box = await world.addMailbox();
      await setTrackingOptions(world.ctx, box.user.id, { tracking: 'all' });
      await servers.dovecot.deliver(box.server, [mail(box.email, 70)], { date: new Date('2026-01-10T10:00:00Z') });
      await servers.dovecot.deliver(box.server, [mail(box.email, 71)], { date: new Date('2026-04-10T10:00:00Z') });
      await servers.dovecot.deliver(box.server, [mail(box.email, 72)], { date: new Date('2026-08-10T10:00:00Z') });
      await updateProfile(world.ctx, world.profile.id, { processEmailFrom: '2026-03-01' });
      await world.ctx.db.updateTable('mailbox').set({ process_after: Date.UTC(2026, 5, 1) }).where('id', '=', box.id).execute();
      try {
        const done = await syncMailboxNow(world.ctx, box.user, box.id);
        assert.equal(done.result.tracked, 1, 'the mailbox\'s date (June) is the later one');
        assert.deepEqual((await activitiesOf(box)).map((a) => a.messageId), [`<job-72-${box.email}>`]);
        assert.equal(done.reconciliation?.folders[0]?.onServer, 1, 'reconciliation counts from the same date');
        assert.equal(done.reconciliation?.gaps, 0);
      } finally {
        await updateProfile(world.ctx, world.profile.id, { processEmailFrom: null });
      }
    });

    it('a process-from date moved earlier reads the mailbox\'s folders again from it; later needs nothing; nothing is tracked twice', async () => {
      const box = await world.addMailbox();
      await setTrackingOptions(world.ctx, box.user.id, { tracking: 'all' });
      await addFolderRule(world.ctx, box.user.id, { folder: 'INBOX/Archive' });
      const at = (iso: string) => ({ date: new Date(`${iso}T10:00:00Z`) });
      await servers.dovecot.deliver(box.server, ['\r\nno headers at all\r\n'], at('2026-01-05'));
      await servers.dovecot.deliver(box.server, [mail(box.email, 100)], at('2026-01-10'));
      await servers.dovecot.deliver(box.server, [mail(box.email, 101)], at('2026-04-10'));
      await servers.dovecot.deliver(box.server, [mail(box.email, 102)], at('2026-08-10'));
      await servers.dovecot.deliver(box.server, [mail(box.email, 103)], { folder: 'INBOX/Archive', ...at('2026-02-10') });
      await servers.dovecot.deliver(box.server, [mail(box.email, 104)], { folder: 'INBOX/Archive', ...at('2026-09-10') });
      const setAfter = (iso: string | null) => updateMailbox(world.ctx, world.admin, box.id, { processAfter: iso });
      const ids = async () => (await activitiesOf(box)).map((a) => a.messageId).sort();
      const inbox = () => world.ctx.db.selectFrom('sync_folder_cursor').selectAll().where('mailbox_id', '=', box.id).where('folder', '=', 'INBOX').executeTakeFirstOrThrow();
      try {
        await setAfter('2026-07-01');
        const first = await syncMailboxNow(world.ctx, box.user, box.id);
        assert.deepEqual(first.result, { tracked: 2, skipped: 0, failed: 0, undeliverable: 0 }, 'August in the Inbox, September in the rule\'s folder');
        assert.equal(first.reconciliation?.gaps, 0);
        assert.equal(Number((await inbox()).last_uid), 4, 'the Inbox cursor is past every message');

        await setAfter('2026-09-01');
        assert.deepEqual((await syncMailboxNow(world.ctx, box.user, box.id)).result, { tracked: 0, skipped: 0, failed: 0, undeliverable: 0 }, 'a later date reads nothing again');

        // Earlier through both dates (the profile's March is now the later one): April is behind the cursor.
        await updateProfile(world.ctx, world.profile.id, { processEmailFrom: '2026-03-01' });
        await setAfter(null);
        const before = await reconcileNow(world.ctx, box.user, box.id);
        assert.equal(before.gaps, 0, 'before the next cycle, the older message is not yet seen, not a gap');
        assert.deepEqual([before.folders[0]!.onServer, before.folders[0]!.tracked, before.folders[0]!.notYetSeen], [2, 1, 1]);
        const march = await syncMailboxNow(world.ctx, box.user, box.id);
        assert.deepEqual(march.result, { tracked: 1, skipped: 0, failed: 0, undeliverable: 0 }, 'April, read again from March');
        assert.equal(Number((await inbox()).last_uid), 4, 'the cursor never moved back');
        assert.equal(Number((await inbox()).read_from), Date.parse('2026-03-01'));

        // No date at all: everything, in every evaluated folder; the malformed message fails and is retried.
        await updateProfile(world.ctx, world.profile.id, { processEmailFrom: null });
        const all = await syncMailboxNow(world.ctx, box.user, box.id);
        assert.deepEqual(all.result, { tracked: 2, skipped: 0, failed: 1, undeliverable: 0 }, 'January in the Inbox, February in the rule\'s folder');
        assert.equal((await syncMailboxNow(world.ctx, box.user, box.id)).result.failed, 1, 'a message that failed behind the cursor is read again next cycle');
        const failing = await world.ctx.db.selectFrom('sync_message').select('attempts').where('mailbox_id', '=', box.id).where('outcome', '=', 'failed').executeTakeFirstOrThrow();
        assert.equal(Number(failing.attempts), 2);
        assert.deepEqual(await ids(), [100, 101, 102, 103, 104].map((n) => `<job-${n}-${box.email}>`), 'each message once');
        const clean = await reconcileNow(world.ctx, box.user, box.id);
        assert.equal(clean.gaps, 0);
        assert.deepEqual(clean.folders.map((f) => [f.folder, f.onServer, f.tracked, f.failing, f.notYetSeen]), [['INBOX', 4, 3, 1, 0], ['INBOX/Archive', 2, 2, 0, 0]]);
      } finally {
        await updateProfile(world.ctx, world.profile.id, { processEmailFrom: null });
      }
    });

    it('a folder rule naming a missing folder is a warning once a day; the Inbox keeps synchronizing', async () => {
      const box = await world.addMailbox();
      await setTrackingOptions(world.ctx, box.user.id, { tracking: 'all' });
      await addFolderRule(world.ctx, box.user.id, { folder: 'INBOX/Gone' });
      await servers.dovecot.deliver(box.server, [mail(box.email, 80)]);
      assert.equal((await syncMailboxNow(world.ctx, box.user, box.id)).result.tracked, 1);
      await servers.dovecot.deliver(box.server, [mail(box.email, 81)]);
      assert.equal((await syncMailboxNow(world.ctx, box.user, box.id)).result.tracked, 1);
      const row = await box.row();
      assert.equal(row.incoming_enabled, 1);
      assert.equal(row.last_error_code, null);
      const warnings = (await mailboxAlerts(world.ctx, world.admin, box.id)).filter((a) => a.code === 'MAILBOX_FOLDER_MISSING');
      assert.equal(warnings.length, 1);
      assert.equal(warnings[0]!.level, 'warning');
      assert.match(warnings[0]!.message, /INBOX\/Gone/);
      const status = await mailboxSyncStatus(world.ctx, box.user, box.id);
      assert.equal(status.health, 'warning');
      assert.match(status.reasons.join(' '), /INBOX\/Gone/);
    });

    it('while held, IDLE on the Inbox tracks new mail at once', async () => {
      const box = await world.addMailbox();
      await setTrackingOptions(world.ctx, box.user.id, { tracking: 'all' });
      await addFolderRule(world.ctx, box.user.id, { folder: 'INBOX/Later' });
      await servers.dovecot.deliver(box.server, [], { folder: 'INBOX/Later' });
      const cycles: number[] = [];
      const scheduler = createSyncScheduler(world.ctx, { idleMs: 60_000, job: incomingSyncJob({ holdMs: 20_000, onCycle: (_m, r) => cycles.push(r.tracked) }) });
      scheduler.start();
      try {
        for (let i = 0; i < 100 && cycles.length === 0; i++) await sleep(50);
        assert.deepEqual(cycles, [0], 'the first cycle ran');
        await sleep(300); // in IDLE now
        await servers.dovecot.deliver(box.server, [mail(box.email, 30)]);
        for (let i = 0; i < 100 && ((await activitiesOf(box)).length === 0 || cycles.length < 2); i++) await sleep(50);
        assert.equal((await activitiesOf(box)).length, 1, 'tracked within seconds, long before the next poll');
        assert.deepEqual(cycles, [0, 1]);
        assert.equal((await box.row()).claimed_by, world.ctx.workerId, 'still held');
        // Synchronize now while held: the holder is asked and runs the cycle (for a folder IDLE does not watch).
        await servers.dovecot.deliver(box.server, [mail(box.email, 31)], { folder: 'INBOX/Later' });
        const asked = await syncMailboxNow(world.ctx, box.user, box.id);
        assert.equal(asked.result.tracked, 1, 'the holder\'s cycle, answered to the request');
        assert.deepEqual(cycles, [0, 1, 1]);
        assert.equal((await activitiesOf(box)).length, 2);
      } finally {
        await scheduler.stop();
      }
      assert.equal((await box.row()).claimed_by, null, 'released on stop');
    });

    for (const [skew, label] of [[-120_000, 'two minutes behind the caller\'s'], [120_000, 'two minutes ahead of the caller\'s']] as const) {
      it(`while held, synchronize now is answered by the cycle that answers that request, with the holder's clock ${label}`, async () => {
        const box = await world.addMailbox();
        await setTrackingOptions(world.ctx, box.user.id, { tracking: 'all' });
        await addFolderRule(world.ctx, box.user.id, { folder: 'INBOX/Later' });
        await servers.dovecot.deliver(box.server, [], { folder: 'INBOX/Later' });
        await world.ctx.db.updateTable('mailbox').set({ next_poll_at: 0 }).where('id', '=', box.id).execute();
        // Another machine, whose clock is off: its leases (10 minutes) still hold for the caller.
        const holder = await world.worker(`skewed${skew}`, { now: () => Date.now() + skew });
        const cycles: number[] = [];
        const inner = incomingSyncJob({ holdMs: 120_000, onCycle: (_m, r) => cycles.push(r.tracked) });
        const scheduler = createSyncScheduler(holder, { idleMs: 60_000, leaseMs: 10 * 60_000, job: async (job) => { if (job.mailbox.id === box.id) await inner(job); } });
        scheduler.start();
        try {
          for (let i = 0; i < 200 && cycles.length === 0; i++) await sleep(50);
          assert.deepEqual(cycles, [0], 'the first cycle ran');
          await sleep(300); // in IDLE now
          assert.equal((await box.row()).claimed_by, holder.workerId, 'held by the other machine');
          for (const n of [40, 41]) {
            // In a folder IDLE does not watch: only the cycle asked for tracks it.
            await servers.dovecot.deliver(box.server, [mail(box.email, n)], { folder: 'INBOX/Later' });
            const asked = await syncMailboxNow(world.ctx, box.user, box.id, { askHolderMs: 20_000 });
            assert.equal(asked.result.tracked, 1, 'the counts of the cycle that answered this request, not of an older one');
            assert.equal((await box.row()).sync_requested_at, null, 'the request is cleared by the cycle that answered it');
          }
          // A caller on a clock five minutes ahead asks first (nothing new): its answer is not this caller's.
          const ahead = await world.worker(`ahead${skew}`, { now: () => Date.now() + 5 * 60_000 });
          assert.equal((await syncMailboxNow(ahead, box.user, box.id, { askHolderMs: 20_000 })).result.tracked, 0);
          await servers.dovecot.deliver(box.server, [mail(box.email, 42)], { folder: 'INBOX/Later' });
          const after = await syncMailboxNow(world.ctx, box.user, box.id, { askHolderMs: 20_000 });
          assert.equal(after.result.tracked, 1, 'answered by a cycle begun after this request, though this clock is behind the last request answered');
          assert.deepEqual(cycles, [0, 1, 1, 0, 1], 'one cycle per request, none repeated');
          assert.equal((await activitiesOf(box)).length, 3);
        } finally {
          await scheduler.stop();
        }
      });
    }

    it('while held, reconcile now is run by the holder on its connection and answered with its result: clean, then the gap made on purpose', async () => {
      const box = await world.addMailbox();
      await setTrackingOptions(world.ctx, box.user.id, { tracking: 'all' });
      await servers.dovecot.deliver(box.server, [mail(box.email, 90), mail(box.email, 91)]);
      const cycles: number[] = [];
      const scheduler = createSyncScheduler(world.ctx, { idleMs: 60_000, job: incomingSyncJob({ holdMs: 30_000, onCycle: (m, r) => { if (m.id === box.id) cycles.push(r.tracked); } }) });
      scheduler.start();
      try {
        for (let i = 0; i < 100 && cycles.length === 0; i++) await sleep(50);
        assert.deepEqual(cycles, [2], 'the first cycle ran');
        await sleep(300); // in IDLE now
        assert.equal((await box.row()).claimed_by, world.ctx.workerId, 'held');
        const clean = await reconcileNow(world.ctx, box.user, box.id);
        assert.equal(clean.gaps, 0);
        assert.deepEqual([clean.folders[0]!.onServer, clean.folders[0]!.tracked], [2, 2]);
        const stored = await world.ctx.db.selectFrom('sync_reconciliation').select('requested_at').where('mailbox_id', '=', box.id).executeTakeFirstOrThrow();
        assert.ok(stored.requested_at !== null, 'the holder ran it, answering the request');
        assert.equal((await box.row()).reconcile_requested_at, null, 'the request is cleared');
        await world.ctx.db.deleteFrom('sync_message').where('mailbox_id', '=', box.id).where('message_id', '=', `<job-91-${box.email}>`).execute();
        const gap = await reconcileNow(world.ctx, box.user, box.id);
        assert.equal(gap.gaps, 1);
        assert.equal(gap.folders[0]!.gaps[0]!.messageId, `<job-91-${box.email}>`);
        assert.ok(gap.ranAt >= clean.ranAt);
        assert.equal((await mailboxSyncStatus(world.ctx, box.user, box.id)).health, 'error');
        assert.deepEqual(cycles, [2], 'a reconciliation, not a cycle: the removed record stays a gap');
        assert.equal((await box.row()).claimed_by, world.ctx.workerId, 'within the same hold');
      } finally {
        await scheduler.stop();
      }
    });

    it('while held, a tracking option changed meanwhile applies to the next cycle, not after the hold', async () => {
      const box = await world.addMailbox();
      await setTrackingOptions(world.ctx, box.user.id, { tracking: 'replies' });
      const cycles: number[] = [];
      const scheduler = createSyncScheduler(world.ctx, { idleMs: 60_000, job: incomingSyncJob({ holdMs: 20_000, onCycle: (m, r) => { if (m.id === box.id) cycles.push(r.tracked); } }) });
      scheduler.start();
      try {
        for (let i = 0; i < 100 && cycles.length === 0; i++) await sleep(50);
        assert.deepEqual(cycles, [0], 'the first cycle ran with "replies"');
        await setTrackingOptions(world.ctx, box.user.id, { tracking: 'all' });
        await sleep(300); // in IDLE now
        await servers.dovecot.deliver(box.server, [mail(box.email, 40)]);
        for (let i = 0; i < 100 && cycles.length < 2; i++) await sleep(50);
        assert.deepEqual(cycles, [0, 1], 'a message that is no reply is tracked: the hold read "all"');
        assert.equal((await activitiesOf(box)).length, 1);
        assert.equal((await box.row()).claimed_by, world.ctx.workerId, 'within the same hold');
      } finally {
        await scheduler.stop();
      }
    });

    it('expunged on the server (QRESYNC): a failing message is closed, not retried, and the mailbox is healthy again; a tracked one keeps its activity', async () => {
      const box = await world.addMailbox();
      await setTrackingOptions(world.ctx, box.user.id, { tracking: 'all' });
      const [, broken, tracked] = await servers.dovecot.deliver(box.server, [mail(box.email, 110), '\r\nno headers at all\r\n', mail(box.email, 111)]);
      const first = await syncMailboxNow(world.ctx, box.user, box.id);
      assert.deepEqual(first.result, { tracked: 2, skipped: 0, failed: 1, undeliverable: 0 });
      assert.equal((await mailboxSyncStatus(world.ctx, box.user, box.id)).health, 'warning', 'a failing message');
      const cursorBefore = await world.ctx.db.selectFrom('sync_folder_cursor').selectAll().where('mailbox_id', '=', box.id).executeTakeFirstOrThrow();
      assert.ok(cursorBefore.highest_modseq, 'Dovecot has CONDSTORE: the cursor keeps HIGHESTMODSEQ');

      // The user deletes the broken message and a tracked one in their mail app.
      const imap = await servers.dovecot.client(box.server);
      const lock = await imap.getMailboxLock('INBOX');
      try { await imap.messageDelete(`${broken},${tracked}`, { uid: true }); } finally { lock.release(); }
      await imap.logout();
      const next = await syncMailboxNow(world.ctx, box.user, box.id);
      assert.deepEqual(next.result, { tracked: 0, skipped: 0, failed: 0, undeliverable: 0 }, 'nothing fetched: the failing message is not retried');
      const closed = await world.ctx.db.selectFrom('sync_message').selectAll().where('mailbox_id', '=', box.id).where('uid', '=', String(broken)).executeTakeFirstOrThrow();
      assert.equal(closed.outcome, 'skipped');
      assert.match(closed.reason ?? '', /expunged on the server/);
      const status = await mailboxSyncStatus(world.ctx, box.user, box.id);
      assert.deepEqual([status.health, status.counts.failing, status.failures.length], ['healthy', 0, 0]);
      const cursorAfter = await world.ctx.db.selectFrom('sync_folder_cursor').selectAll().where('mailbox_id', '=', box.id).executeTakeFirstOrThrow();
      assert.ok(BigInt(cursorAfter.highest_modseq!) > BigInt(cursorBefore.highest_modseq!), 'the cursor moved to the folder\'s HIGHESTMODSEQ');
      assert.equal(Number(cursorAfter.last_uid), Number(cursorBefore.last_uid));
      assert.deepEqual((await activitiesOf(box)).map((a) => a.messageId).sort(), [`<job-110-${box.email}>`, `<job-111-${box.email}>`], 'deleting mail on the server never removes its activity');
      const report = await reconcileNow(world.ctx, box.user, box.id);
      assert.deepEqual([report.gaps, report.folders[0]!.onServer, report.folders[0]!.notYetSeen], [0, 1, 0]);
    });

    it('reconciliation reports none on a clean mailbox and the gap made on purpose, as an alert and in the health', async () => {
      const box = await world.addMailbox();
      await setTrackingOptions(world.ctx, box.user.id, { tracking: 'all' });
      await servers.dovecot.deliver(box.server, [mail(box.email, 40), mail(box.email, 41), mail(box.email, 42)]);
      const first = await syncMailboxNow(world.ctx, box.user, box.id);
      assert.equal(first.reconciliation?.gaps, 0, 'reconciled on the first cycle: clean');
      assert.equal((await mailboxSyncStatus(world.ctx, box.user, box.id)).health, 'healthy');
      // The gap: one message's processing record removed, as if it had never been processed.
      await world.ctx.db.deleteFrom('sync_message').where('mailbox_id', '=', box.id).where('message_id', '=', `<job-41-${box.email}>`).execute();
      await servers.dovecot.deliver(box.server, [mail(box.email, 43)]);
      const report = await reconcileNow(world.ctx, box.user, box.id);
      assert.equal(report.gaps, 1);
      const inbox = report.folders[0]!;
      assert.deepEqual([inbox.onServer, inbox.tracked, inbox.notYetSeen, inbox.gapCount], [4, 2, 1, 1]);
      assert.equal(inbox.gaps[0]!.messageId, `<job-41-${box.email}>`);
      const status = await mailboxSyncStatus(world.ctx, box.user, box.id);
      assert.equal(status.health, 'error');
      assert.match(status.reasons.join(' '), /never processed/);
      const alerts = await mailboxAlerts(world.ctx, world.admin, box.id);
      assert.ok(alerts.some((a) => a.code === 'RECONCILIATION_GAP' && a.level === 'error'));
    });
  });
}
