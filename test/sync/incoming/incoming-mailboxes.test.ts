// One message in two mailboxes, mail between users, and POP3 through the scheduler's entry point,
// against the real Dovecot, on both dialects: a user and a queue that both receive a message get
// one activity linked to both; "track email sent between users as two activities" decides whether a
// user's mail to another user is its own activity; POP3 is reconciled by UIDL and a removed record
// is a gap; Email settings' "set To, cc, bcc as unresolved if multiple matches are found".
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAccount } from '../../../src/crm/accounts.service.ts';
import { createContact } from '../../../src/crm/contacts.service.ts';
import { createIncomingActivity, listActivities } from '../../../src/crm/email-activity.service.ts';
import { createLead } from '../../../src/crm/leads.service.ts';
import { updateEmailSettings } from '../../../src/sync/email-settings.ts';
import { reconcileNow, syncMailboxNow } from '../../../src/sync/incoming/sync-now.ts';
import { updateMailbox } from '../../../src/sync/mailboxes.service.ts';
import { setTrackingOptions } from '../../../src/sync/tracking-options.service.ts';
import { DIALECTS, skipUnless } from '../../fixtures/context.ts';
import { skipUnlessDovecot } from '../../fixtures/dovecot.ts';
import { createSyncWorld, startSyncServers, type SyncServers, type SyncWorld } from '../../fixtures/world.ts';

const skipDovecot = skipUnlessDovecot();
const mail = (from: string, to: string, id: string) =>
  `From: ${from}\r\nTo: ${to}\r\nSubject: about ${id}\r\nMessage-ID: <${id}>\r\nDate: Mon, 23 Nov 2026 08:00:00 +0000\r\n\r\nbody\r\n`;

for (const dialect of DIALECTS) {
  describe(`incoming across mailboxes (${dialect})`, { skip: skipDovecot || (await skipUnless(dialect)) }, () => {
    let servers: SyncServers;
    let world: SyncWorld;
    let pop3: SyncWorld;
    before(async () => {
      servers = await startSyncServers();
      world = await createSyncWorld(dialect, servers, { mailboxes: 0, mailbox: { enable: true } });
      pop3 = await createSyncWorld(dialect, servers, { serverType: 'pop3', mailboxes: 0, mailbox: { enable: true } });
    });
    after(async () => { await pop3?.close(); await world?.close(); await servers?.stop(); });

    it('a message to a user and a queue is one activity linked to both mailboxes, tracked by each one\'s option', async () => {
      const box = await world.addMailbox();
      const queue = await world.addQueueMailbox();
      await setTrackingOptions(world.ctx, box.user.id, { tracking: 'all' });
      const raw = mail('Ana <ana@contoso.test>', `${box.email}, ${queue.email}`, `both-${box.id}@contoso.test`);
      await servers.dovecot.deliver(box.server, [raw]);
      await servers.dovecot.deliver(queue.server, [raw]);
      assert.equal((await syncMailboxNow(world.ctx, box.user, box.id)).result.tracked, 1);
      assert.equal((await syncMailboxNow(world.ctx, world.admin, queue.id)).result.tracked, 1, 'the queue\'s own option (all)');
      const linked = (await listActivities(world.ctx, { mailboxId: queue.id })).items;
      assert.equal(linked.length, 1);
      assert.deepEqual([...linked[0]!.mailboxes].sort(), [box.id, queue.id].sort());
    });

    it('mail between users: its own activity by default, the sender\'s activity when Email settings say one', async () => {
      const [sender, first, second] = [await world.addMailbox(), await world.addMailbox(), await world.addMailbox()];
      for (const b of [first, second]) await setTrackingOptions(world.ctx, b.user.id, { tracking: 'all' });
      const sent = async (id: string) => (await createIncomingActivity(world.ctx, { dedupeKey: `sent:${id}`, direction: 'outgoing', messageId: `<${id}>`, subject: `about ${id}`, ownerId: sender.user.id })).activity;
      const two = await sent(`two-${sender.id}@example.test`);
      await servers.dovecot.deliver(first.server, [mail(sender.email, first.email, `two-${sender.id}@example.test`)]);
      await syncMailboxNow(world.ctx, first.user, first.id);
      const [own] = (await listActivities(world.ctx, { mailboxId: first.id })).items;
      assert.notEqual(own!.id, two.id, 'two activities: the sender\'s and the recipient\'s');
      assert.equal(own!.direction, 'incoming');

      await updateEmailSettings(world.ctx, { trackBetweenUsersAsTwo: false });
      try {
        const one = await sent(`one-${sender.id}@example.test`);
        await servers.dovecot.deliver(second.server, [mail(sender.email, second.email, `one-${sender.id}@example.test`)]);
        await syncMailboxNow(world.ctx, second.user, second.id);
        const [linked] = (await listActivities(world.ctx, { mailboxId: second.id })).items;
        assert.equal(linked!.id, one.id, 'one activity: the sender\'s, linked to the recipient\'s mailbox');
      } finally {
        await updateEmailSettings(world.ctx, { trackBetweenUsersAsTwo: true });
      }
    });

    it('"Set To, cc, bcc as unresolved if multiple matches are found": off lists every match, on keeps such an address unresolved; From is unchanged', async () => {
      await createContact(world.ctx, world.admin, { name: 'Sam Shared', emails: ['shared@fabrikam.test'] });
      await createLead(world.ctx, world.admin, { name: 'Sam Shared (lead)', emails: ['shared@fabrikam.test'] });
      const account = await createAccount(world.ctx, world.admin, { name: `Fabrikam ${dialect}`, emails: ['single@fabrikam.test'] });
      const message = (to: string, id: string) => `From: Sam <shared@fabrikam.test>\r\nTo: ${to}, Sam <shared@fabrikam.test>\r\nCc: single@fabrikam.test\r\nSubject: about ${id}\r\nMessage-ID: <${id}>\r\nDate: Mon, 23 Nov 2026 08:00:00 +0000\r\n\r\nbody\r\n`;
      const partiesOf = async (box: { id: string }) => {
        const [a] = (await listActivities(world.ctx, { mailboxId: box.id })).items;
        const types = (p: { records: readonly { type: string }[] } | null | undefined) => p?.records.map((r) => r.type) ?? [];
        return { from: types(a!.from), to: a!.to.map((p) => [p.address, types(p)]), cc: a!.cc.map((p) => [p.address, types(p)]) };
      };
      const listed = await world.addMailbox();
      await setTrackingOptions(world.ctx, listed.user.id, { tracking: 'all' });
      await servers.dovecot.deliver(listed.server, [message(listed.email, `multi-off-${listed.id}@fabrikam.test`)]);
      assert.equal((await syncMailboxNow(world.ctx, listed.user, listed.id)).result.tracked, 1);
      assert.deepEqual(await partiesOf(listed), {
        from: ['contact'], to: [[listed.email, ['user']], ['shared@fabrikam.test', ['contact', 'lead']]], cc: [['single@fabrikam.test', ['account']]],
      }, 'off (the default): every match');
      await updateEmailSettings(world.ctx, { unresolvedOnMultipleMatches: true });
      try {
        const box = await world.addMailbox();
        await setTrackingOptions(world.ctx, box.user.id, { tracking: 'all' });
        await servers.dovecot.deliver(box.server, [message(box.email, `multi-on-${box.id}@fabrikam.test`)]);
        assert.equal((await syncMailboxNow(world.ctx, box.user, box.id)).result.tracked, 1);
        assert.deepEqual(await partiesOf(box), {
          from: ['contact'], to: [[box.email, ['user']], ['shared@fabrikam.test', []]], cc: [['single@fabrikam.test', ['account']]],
        }, 'on: the address with two matches is unresolved; one match still resolves; From takes its first match as before');
        const [a] = (await listActivities(world.ctx, { mailboxId: box.id })).items;
        assert.equal(a!.cc[0]!.records[0]!.id, account.id);
      } finally {
        await updateEmailSettings(world.ctx, { unresolvedOnMultipleMatches: false });
      }
    });

    it('POP3: delete after processing through the mailbox\'s own setting; reconciliation by UIDL finds a removed record', async () => {
      const box = await pop3.addMailbox();
      await setTrackingOptions(pop3.ctx, box.user.id, { tracking: 'all' });
      await servers.dovecot.deliver(box.server, [1, 2, 3].map((n) => mail('Ana <ana@contoso.test>', box.email, `pop-${n}-${box.id}@contoso.test`)));
      const first = await syncMailboxNow(pop3.ctx, box.user, box.id);
      assert.equal(first.result.tracked, 3);
      assert.equal(first.reconciliation?.gaps, 0);
      await pop3.ctx.db.deleteFrom('sync_message').where('mailbox_id', '=', box.id).where('message_id', '=', `<pop-2-${box.id}@contoso.test>`).execute();
      const report = await reconcileNow(pop3.ctx, box.user, box.id);
      assert.deepEqual([report.gaps, report.folders[0]!.gaps[0]?.messageId], [1, `<pop-2-${box.id}@contoso.test>`]);

      await updateMailbox(pop3.ctx, pop3.admin, box.id, { deleteAfterProcessing: true });
      await servers.dovecot.deliver(box.server, [mail('Ana <ana@contoso.test>', box.email, `pop-4-${box.id}@contoso.test`)]);
      const imap = await servers.dovecot.client(box.server);
      const status = await imap.status('INBOX', { messages: true });
      const before = status && status.messages;
      await imap.logout();
      assert.equal(before, 4);
      const second = await syncMailboxNow(pop3.ctx, box.user, box.id);
      assert.equal(second.result.tracked, 2, 'the new message, and the one whose record was removed');
      const after = await servers.dovecot.client(box.server);
      const afterStatus = await after.status('INBOX', { messages: true });
      const left = afterStatus && afterStatus.messages;
      await after.logout();
      assert.equal(left, 2, 'deleted only what this cycle committed (pop-2 and pop-4); the others were processed before the setting');
    });

    it('POP3: a process-from date moved earlier evaluates the older mail on the next pass; until then it is not yet seen, not a gap', async () => {
      const box = await pop3.addMailbox();
      await setTrackingOptions(pop3.ctx, box.user.id, { tracking: 'all' });
      const dated = (id: string, date: string) => mail('Ana <ana@contoso.test>', box.email, id).replace('Mon, 23 Nov 2026 08:00:00 +0000', date);
      await servers.dovecot.deliver(box.server, [dated(`pop-jan-${box.id}@contoso.test`, 'Sat, 10 Jan 2026 10:00:00 +0000'), dated(`pop-aug-${box.id}@contoso.test`, 'Mon, 10 Aug 2026 10:00:00 +0000')]);
      await updateMailbox(pop3.ctx, pop3.admin, box.id, { processAfter: '2026-07-01' });
      const first = await syncMailboxNow(pop3.ctx, box.user, box.id);
      assert.deepEqual([first.result.tracked, first.reconciliation?.gaps], [1, 0]);
      await updateMailbox(pop3.ctx, pop3.admin, box.id, { processAfter: null });
      const before = await reconcileNow(pop3.ctx, box.user, box.id);
      assert.deepEqual([before.gaps, before.folders[0]!.onServer, before.folders[0]!.notYetSeen], [0, 2, 1]);
      assert.equal((await syncMailboxNow(pop3.ctx, box.user, box.id)).result.tracked, 1, 'January, once');
      const after = await reconcileNow(pop3.ctx, box.user, box.id);
      assert.deepEqual([after.gaps, after.folders[0]!.tracked, after.folders[0]!.notYetSeen], [0, 2, 0]);
      assert.equal((await listActivities(pop3.ctx, { mailboxId: box.id })).items.length, 2);
    });
  });
}
