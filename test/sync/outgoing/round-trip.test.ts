// The round trip of server-side synchronization: an email activity sent from the application to a
// contact, answered by the contact (the reply lands in the user's Dovecot Inbox), is synchronized
// by the incoming half with the default tracking option ("replies to email sent from the
// application"), correlated to the sent activity by In-Reply-To, and with In-Reply-To stripped by
// the tracking token alone, and gets the same regarding record. Both dialects.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAccount } from '../../../src/crm/accounts.service.ts';
import { createContact } from '../../../src/crm/contacts.service.ts';
import { getActivity, listActivities } from '../../../src/crm/email-activity.service.ts';
import { syncMailboxNow } from '../../../src/sync/incoming/sync-now.ts';
import { composeAndSend } from '../../../src/sync/outgoing/send-activity.ts';
import { DIALECTS, skipUnless } from '../../fixtures/context.ts';
import { skipUnlessDovecot } from '../../fixtures/dovecot.ts';
import { createSyncWorld, startSyncServers, type SyncServers, type SyncWorld } from '../../fixtures/world.ts';

const skipDovecot = skipUnlessDovecot();

function reply(o: { from: string; to: string; subject: string; messageId: string; inReplyTo?: string; references?: string }): string {
  return [
    `From: Dana Contact <${o.from}>`, `To: ${o.to}`, `Subject: ${o.subject}`, `Message-ID: ${o.messageId}`,
    ...(o.inReplyTo ? [`In-Reply-To: ${o.inReplyTo}`] : []), ...(o.references ? [`References: ${o.references}`] : []),
    `Date: ${new Date().toUTCString()}`, 'Content-Type: text/plain; charset=utf-8', '', 'Thanks, that works for us.', '',
  ].join('\r\n');
}

for (const dialect of DIALECTS) {
  describe(`the round trip: sent from the application, answered, correlated (${dialect})`, { skip: skipDovecot || (await skipUnless(dialect)) }, () => {
    let servers: SyncServers;
    let world: SyncWorld;
    before(async () => {
      servers = await startSyncServers();
      world = await createSyncWorld(dialect, servers, { mailboxes: 0 });
    });
    after(async () => { await world?.close(); await servers?.stop(); });

    it('a reply by In-Reply-To, and one by the token alone, get the sent activity\'s regarding record; an unrelated one is not tracked', async () => {
      const box = await world.addMailbox({ enable: true });
      const account = await createAccount(world.ctx, world.admin, { accountNumber: `RT-${dialect}`, name: 'Northwind Traders', currency: 'USD' });
      const contact = await createContact(world.ctx, world.admin, { name: 'Dana Contact', emails: ['dana@northwind.example'], account: account.accountNumber });
      const sent = await composeAndSend(world.ctx, box.user, {
        subject: 'Renewal offer', text: 'Here is the offer.', to: 'Dana Contact <dana@northwind.example>', regarding: { type: 'account', id: account.id },
      });
      await world.distribute();
      const out = await getActivity(world.ctx, sent.id);
      assert.equal(out.status, 'sent', out.statusDetail ?? '');
      const wire = servers.smtp.mails.find((m) => m.messageId === out.messageId);
      assert.ok(wire, 'the email went out with the activity\'s Message-ID');

      await servers.dovecot.deliver(box.server, [
        reply({ from: 'dana@northwind.example', to: box.email, subject: `Re: ${out.subject}`, messageId: '<reply-1@northwind.example>', inReplyTo: out.messageId!, references: out.messageId! }),
        // A mail client that drops In-Reply-To and References: only the token in the subject is left.
        reply({ from: 'dana@northwind.example', to: box.email, subject: `RE: Renewal offer ${out.trackingToken}`, messageId: '<reply-2@northwind.example>' }),
        // Neither: under the default option it is not an answer to email sent from the application.
        reply({ from: 'dana@northwind.example', to: box.email, subject: 'Something else', messageId: '<other-1@northwind.example>' }),
      ]);
      const cycle = await syncMailboxNow(world.ctx, world.admin, box.id);
      assert.equal(cycle.result.tracked, 2, JSON.stringify(cycle));
      assert.equal(cycle.result.skipped, 1, JSON.stringify(cycle));

      const incoming = (await listActivities(world.ctx, { direction: 'incoming', mailboxId: box.id })).items;
      const byMessageId = new Map(incoming.map((a) => [a.messageId, a]));
      const first = byMessageId.get('<reply-1@northwind.example>');
      const second = byMessageId.get('<reply-2@northwind.example>');
      assert.ok(first && second, JSON.stringify(incoming.map((a) => a.messageId)));
      assert.equal(first.correlatedBy, 'in-reply-to');
      assert.equal(second.correlatedBy, 'tracking-token');
      for (const a of [first, second]) {
        assert.equal(a.correlatedActivityId, sent.id);
        assert.deepEqual(a.regarding && { type: a.regarding.type, id: a.regarding.id }, { type: 'account', id: account.id });
        assert.equal(a.from?.address, 'dana@northwind.example');
        assert.ok(a.from?.records.some((r) => r.type === 'contact' && r.id === contact.id), 'the sender resolved to the contact');
      }
      assert.equal(second.trackingToken, out.trackingToken);
      assert.equal(byMessageId.has('<other-1@northwind.example>'), false);
      // The copy in the Sent folder is not tracked again: only the Inbox is evaluated.
      assert.equal(incoming.some((a) => a.messageId === out.messageId), false);
    });
  });
}
