// Incoming synchronization end to end against a real Dovecot, on both dialects: messages delivered
// with APPEND become email activities through crm, once; failures are kept per message and set
// aside after 5 attempts; replies correlate; POP3 deletes only what was committed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAccount } from '../../../src/crm/accounts.service.ts';
import { createIncomingActivity, listActivities } from '../../../src/crm/email-activity.service.ts';
import type { ConnectorConfig } from '../../../src/sync/connectors/connector.ts';
import { createConnector } from '../../../src/sync/connectors/create-connector.ts';
import { syncMailboxFolders, type IncomingMailbox, type IncomingSettings } from '../../../src/sync/incoming/incoming-sync.ts';
import { listRecords } from '../../../src/sync/incoming/sync-message.repository.ts';
import { createUser, type User } from '../../../src/users/users.service.ts';
import { createTestEnv, DIALECTS, skipUnless, type TestEnv } from '../../fixtures/context.ts';
import { DOVECOT_CA, skipUnlessDovecot, startDovecot, type DovecotUser, type RunningDovecot } from '../../fixtures/dovecot.ts';

const noDovecot = skipUnlessDovecot();
const settings: IncomingSettings = { useCorrelation: true, useTrackingTokens: true, smartMatching: false, token: { prefix: 'CRM', userDigits: 3, counterDigits: 3 }, maxAttachmentKb: 5120 };
const mail = (n: number, headers = '') => `From: Ana <ana${n}@contoso.test>\r\nTo: june@example.test\r\nSubject: message ${n}\r\nMessage-ID: <m${n}@contoso.test>\r\n${headers}\r\nbody ${n}\r\n`;

for (const dialect of DIALECTS) {
  describe(`incoming synchronization (${dialect})`, { skip: noDovecot }, async () => {
    const skip = await skipUnless(dialect);
    let env: TestEnv;
    let dovecot: RunningDovecot;
    let june: User;
    before(async () => {
      if (skip) return;
      env = await createTestEnv(dialect);
      dovecot = await startDovecot({ folders: { Undeliverable: '' } });
      june = await createUser(env.ctx, { username: 'june', name: 'June', email: 'june@example.test', password: 'june-password-1' });
    });
    after(async () => { if (!skip) { await dovecot.stop(); await env.cleanup(); } });

    const connectorFor = (user: DovecotUser, type: 'imap' | 'pop3' = 'imap') => createConnector({
      type, incoming: { host: '127.0.0.1', port: type === 'imap' ? dovecot.imapPort : dovecot.pop3Port, ssl: true, ca: DOVECOT_CA, ...user }, timeoutMs: 10_000,
    } satisfies ConnectorConfig);
    const mailboxFor = (id: string, over: Partial<IncomingMailbox> = {}): IncomingMailbox => ({
      id, accepting: { type: 'user', id: june.id }, ownerId: june.id, tracking: 'all', processFrom: null, deleteAfterProcessing: false, moveFailedToUndeliverable: true, ...over,
    });
    async function cycle(user: DovecotUser, mailbox: IncomingMailbox, type: 'imap' | 'pop3' = 'imap') {
      const connector = connectorFor(user, type);
      try { return await syncMailboxFolders(env.ctx, connector, mailbox, settings); } finally { await connector.close(); }
    }
    const activitiesOf = async (mailboxId: string) => (await listActivities(env.ctx, { mailboxId, limit: 100 })).items;

    it('tracks every message once, keeps a malformed one as a failure, sets it aside after 5 attempts', { skip }, async () => {
      const user = dovecot.addUser();
      await dovecot.deliver(user, [mail(1), '\r\nno headers at all\r\n', mail(2)]);
      const mailbox = mailboxFor(`mbx-${user.username}`);
      assert.deepEqual(await cycle(user, mailbox), { tracked: 2, skipped: 0, failed: 1, undeliverable: 0 });
      const activities = await activitiesOf(mailbox.id);
      assert.deepEqual(activities.map((a) => a.messageId).sort(), ['<m1@contoso.test>', '<m2@contoso.test>']);
      assert.equal(activities[0]!.status, 'received');
      for (let i = 2; i <= 4; i++) assert.deepEqual(await cycle(user, mailbox), { tracked: 0, skipped: 0, failed: 1, undeliverable: 0 }, `cycle ${i}`);
      assert.deepEqual(await cycle(user, mailbox), { tracked: 0, skipped: 0, failed: 0, undeliverable: 1 });
      assert.deepEqual(await cycle(user, mailbox), { tracked: 0, skipped: 0, failed: 0, undeliverable: 0 }, 'nothing is read again');
      const rows = await listRecords(env.ctx.db, mailbox.id);
      const bad = rows.find((r) => r.outcome === 'undeliverable')!;
      assert.equal(bad.error_code, 'MESSAGE_PARSE_FAILED');
      assert.equal(Number(bad.attempts), 5);
      assert.equal((await activitiesOf(mailbox.id)).length, 2, 'nothing doubled');
      const imap = await dovecot.client(user);
      const status = await imap.status('Undeliverable', { messages: true });
      assert.equal(status && status.messages, 1, 'moved to Undeliverable, as the profile asks');
      const lock = await imap.getMailboxLock('INBOX');
      for await (const m of imap.fetch('1:*', { flags: true })) assert.equal(m.flags?.has('\\Seen'), false);
      lock.release();
      await imap.logout();
    });

    it('a reply correlates by In-Reply-To and takes the regarding record; "replies" skips the rest with the reason', { skip }, async () => {
      const account = await createAccount(env.ctx, june, { name: `Contoso ${dialect}`, emails: ['ana9@contoso.test'] });
      const sent = await createIncomingActivity(env.ctx, { dedupeKey: `sent-${dialect}`, direction: 'outgoing', messageId: '<sent-1@mailroom.test>', subject: 'Quote', regarding: { type: 'account', id: account.id } });
      const user = dovecot.addUser();
      await dovecot.deliver(user, [mail(9, 'In-Reply-To: <sent-1@mailroom.test>\r\n'), mail(10)]);
      const mailbox = mailboxFor(`mbx-${user.username}`, { tracking: 'replies' });
      assert.deepEqual(await cycle(user, mailbox), { tracked: 1, skipped: 1, failed: 0, undeliverable: 0 });
      const [reply] = await activitiesOf(mailbox.id);
      assert.equal(reply!.correlatedBy, 'in-reply-to');
      assert.equal(reply!.correlatedActivityId, sent.activity.id);
      assert.deepEqual([reply!.regarding?.type, reply!.regarding?.id], ['account', account.id]);
      const skipped = (await listRecords(env.ctx.db, mailbox.id)).find((r) => r.outcome === 'skipped')!;
      assert.match(skipped.reason ?? '', /not a reply/);
    });

    it('a thread arriving in one batch correlates each reply to the message before it; one that fails to store fails alone, and its reply is decided again without it', { skip }, async () => {
      const account = await createAccount(env.ctx, june, { name: `Fabrikam ${dialect}`, emails: [] });
      const good = await createIncomingActivity(env.ctx, { dedupeKey: `good-${dialect}`, direction: 'outgoing', messageId: '<good@mailroom.test>', subject: 'Offer', regarding: { type: 'account', id: account.id } });
      // An activity regarding a record that is gone: a message that answers it cannot be stored.
      await env.ctx.db.insertInto('email_activity').values({
        id: `bad-${dialect}`, direction: 'outgoing', status: 'sent', status_detail: null, subject: 'Old offer', body_text: null, body_html: null,
        message_id: '<bad@mailroom.test>', in_reply_to: null, references_header: null, tracking_token: null, received_at: null, sent_at: null,
        regarding_type: 'account', regarding_id: 'gone', owner_id: june.id, accepting_type: null, accepting_id: null, correlated_by: null, correlated_activity_id: null,
        dedupe_key: null, email_id: null, sent_folder: null, created_at: 1, updated_at: 1,
      }).execute();
      const user = dovecot.addUser();
      await dovecot.deliver(user, [
        mail(41, 'In-Reply-To: <good@mailroom.test>\r\n'),
        mail(42, 'In-Reply-To: <bad@mailroom.test>\r\n'),
        mail(43, 'In-Reply-To: <m42@contoso.test>\r\nReferences: <good@mailroom.test> <m42@contoso.test>\r\n'),
        mail(44, 'In-Reply-To: <m43@contoso.test>\r\n'),
        mail(45),
      ]);
      const mailbox = mailboxFor(`mbx-${user.username}`, { tracking: 'replies' });
      assert.deepEqual(await cycle(user, mailbox), { tracked: 3, skipped: 1, failed: 1, undeliverable: 0 });
      const byId = new Map((await activitiesOf(mailbox.id)).map((a) => [a.messageId, a]));
      const [m41, m43, m44] = ['<m41@contoso.test>', '<m43@contoso.test>', '<m44@contoso.test>'].map((id) => byId.get(id)!);
      assert.deepEqual([m41!.correlatedBy, m41!.correlatedActivityId, m41!.regarding?.id], ['in-reply-to', good.activity.id, account.id]);
      // Decided first with 42 pending; decided again once 42 failed: its older reference is what it answers.
      assert.deepEqual([m43!.correlatedBy, m43!.correlatedActivityId, m43!.regarding?.id], ['references', good.activity.id, account.id]);
      assert.deepEqual([m44!.correlatedBy, m44!.correlatedActivityId, m44!.regarding?.id], ['in-reply-to', m43!.id, account.id], 'a reply to a message of the same batch');
      const failed = (await listRecords(env.ctx.db, mailbox.id)).find((r) => r.outcome === 'failed')!;
      assert.deepEqual([failed.message_id, failed.error_code], ['<m42@contoso.test>', 'VALIDATION_FAILED']);
      const cursor = await env.ctx.db.selectFrom('sync_folder_cursor').select('last_uid').where('mailbox_id', '=', mailbox.id).executeTakeFirst();
      assert.equal(Number(cursor?.last_uid), 1, 'the cursor stops before the message that failed');
    });

    it('one message in two mailboxes is one activity linked to both; a UIDVALIDITY reset re-reads without doubling', { skip }, async () => {
      const [a, b] = [dovecot.addUser(), dovecot.addUser()];
      await dovecot.deliver(a, [mail(20)]);
      await dovecot.deliver(b, [mail(20)]);
      await cycle(a, mailboxFor(`mbx-${a.username}`));
      await cycle(b, mailboxFor(`mbx-${b.username}`));
      const [one] = await activitiesOf(`mbx-${a.username}`);
      assert.deepEqual([...one!.mailboxes].sort(), [`mbx-${a.username}`, `mbx-${b.username}`].sort());
      // As if the server's UIDVALIDITY had changed since: the stored cursor and records name the old one.
      await env.ctx.db.updateTable('sync_folder_cursor').set({ uid_validity: '1' }).where('mailbox_id', '=', `mbx-${a.username}`).execute();
      await env.ctx.db.updateTable('sync_message').set({ uid_validity: '1' }).where('mailbox_id', '=', `mbx-${a.username}`).execute();
      const again = await cycle(a, mailboxFor(`mbx-${a.username}`));
      assert.equal(again.tracked, 1, 'read again under the new UIDVALIDITY');
      assert.equal((await activitiesOf(`mbx-${a.username}`)).length, 1, 'still one activity');
    });

    it('POP3: delete after processing removes only committed messages; without it nothing is deleted', { skip }, async () => {
      const keep = dovecot.addUser();
      await dovecot.deliver(keep, [mail(30), mail(31)]);
      assert.equal((await cycle(keep, mailboxFor(`mbx-${keep.username}`), 'pop3')).tracked, 2);
      assert.equal((await cycle(keep, mailboxFor(`mbx-${keep.username}`), 'pop3')).tracked, 0, 'UIDL: processed once');
      const remove = dovecot.addUser();
      await dovecot.deliver(remove, [mail(32), '\r\nbroken\r\n']);
      assert.deepEqual(await cycle(remove, mailboxFor(`mbx-${remove.username}`, { deleteAfterProcessing: true }), 'pop3'), { tracked: 1, skipped: 0, failed: 1, undeliverable: 0 });
      const count = async (u: DovecotUser) => { const imap = await dovecot.client(u); const s = await imap.status('INBOX', { messages: true }); await imap.logout(); return s && s.messages; };
      assert.equal(await count(keep), 2);
      assert.equal(await count(remove), 1, 'the failed one stays on the server');
    });
  });
}
