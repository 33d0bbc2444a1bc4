// Every correlation path against the real Dovecot, on both dialects, with the default tracking
// option (replies only): In-Reply-To, the tracking token in the subject, References, and smart
// matching once Email settings turn it on. Each reply takes the regarding record of the activity it
// correlates to and records how it matched; an unrelated message is skipped with its reason.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAccount } from '../../../src/crm/accounts.service.ts';
import { createIncomingActivity, listActivities } from '../../../src/crm/email-activity.service.ts';
import { updateEmailSettings } from '../../../src/sync/email-settings.ts';
import { syncMailboxNow } from '../../../src/sync/incoming/sync-now.ts';
import { DIALECTS, skipUnless } from '../../fixtures/context.ts';
import { skipUnlessDovecot } from '../../fixtures/dovecot.ts';
import { createSyncWorld, startSyncServers, type SyncServers, type SyncWorld } from '../../fixtures/world.ts';

const skipDovecot = skipUnlessDovecot();

for (const dialect of DIALECTS) {
  describe(`correlation of replies (${dialect})`, { skip: skipDovecot || (await skipUnless(dialect)) }, () => {
    let servers: SyncServers;
    let world: SyncWorld;
    before(async () => {
      servers = await startSyncServers();
      world = await createSyncWorld(dialect, servers, { mailboxes: 0, mailbox: { enable: true } });
    });
    after(async () => { await world?.close(); await servers?.stop(); });

    it('In-Reply-To, tracking token, References and smart matching, in that order, each with the regarding record', async () => {
      const box = await world.addMailbox();
      const account = await createAccount(world.ctx, world.admin, { name: `Contoso ${dialect}`, emails: [] });
      const sent = (await createIncomingActivity(world.ctx, {
        dedupeKey: `sent-${box.id}`, direction: 'outgoing', messageId: `<out-${box.id}@mailroom.test>`, subject: 'Quote for May CRM:0001001',
        trackingToken: 'CRM:0001001', from: { address: box.email }, to: [{ address: 'ana@contoso.test' }], cc: [{ address: 'bo@contoso.test' }],
        regarding: { type: 'account', id: account.id }, ownerId: box.user.id,
      })).activity;
      const reply = (n: number, subject: string, headers: string) =>
        `From: Ana <ana@contoso.test>\r\nTo: ${box.email}\r\nCc: bo@contoso.test\r\nSubject: ${subject}\r\nMessage-ID: <reply-${n}-${box.id}@contoso.test>\r\n${headers}\r\nthanks\r\n`;
      await servers.dovecot.deliver(box.server, [
        reply(1, 'RE: Quote for May CRM:0001001', `In-Reply-To: <out-${box.id}@mailroom.test>\r\n`),
        reply(2, 'RE: Quote CRM:0001001', ''),
        reply(3, 'RE: Quote', `In-Reply-To: <unknown@elsewhere.test>\r\nReferences: <out-${box.id}@mailroom.test> <unknown@elsewhere.test>\r\n`),
        reply(4, 'RE: Quote for May', ''),
        reply(5, 'Something else', ''),
      ]);
      assert.deepEqual((await syncMailboxNow(world.ctx, box.user, box.id)).result, { tracked: 3, skipped: 2, failed: 0, undeliverable: 0 }, 'smart matching is off by default');
      await updateEmailSettings(world.ctx, { smartMatching: true });
      try {
        await servers.dovecot.deliver(box.server, [reply(6, 'RE: Quote for May', ''), reply(7, 'RE: Quote for June', '')]);
        assert.deepEqual((await syncMailboxNow(world.ctx, box.user, box.id)).result, { tracked: 1, skipped: 1, failed: 0, undeliverable: 0 });
      } finally {
        await updateEmailSettings(world.ctx, { smartMatching: false });
      }
      const tracked = (await listActivities(world.ctx, { mailboxId: box.id })).items;
      const by = Object.fromEntries(tracked.map((a) => [a.messageId, a]));
      const method = (n: number) => by[`<reply-${n}-${box.id}@contoso.test>`]?.correlatedBy;
      assert.deepEqual([1, 2, 3, 6].map(method), ['in-reply-to', 'tracking-token', 'references', 'smart-matching']);
      for (const a of tracked) {
        assert.equal(a.correlatedActivityId, sent.id);
        assert.deepEqual([a.regarding?.type, a.regarding?.id], ['account', account.id]);
      }
      const skipped = await world.ctx.db.selectFrom('sync_message').select(['message_id', 'reason']).where('mailbox_id', '=', box.id).where('outcome', '=', 'skipped').execute();
      assert.deepEqual(skipped.map((r) => r.message_id).sort(), [4, 5, 7].map((n) => `<reply-${n}-${box.id}@contoso.test>`).sort());
      for (const r of skipped) assert.match(r.reason ?? '', /not a reply/);
    });
  });
}
