// Email activities written in the application go out through their owner's mailbox (or a queue's)
// on the one email queue: the real SMTP server of the sync world sees the mailbox's own sign-in,
// the subject carries the tracking token, the Message-ID is the activity's, the Sent folder of the
// real Dovecot gets the copy, and the status reason follows the queued email. Both dialects.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import PostalMime from 'postal-mime';
import { createContact } from '../../../src/crm/contacts.service.ts';
import { createActivity, getActivity } from '../../../src/crm/email-activity.service.ts';
import { ProviderRegistry } from '../../../src/outbound/provider-registry.ts';
import { runDistributorPass } from '../../../src/outbound/distributor.ts';
import { updateParameters } from '../../../src/outbound/email-parameters.ts';
import { createTemplate } from '../../../src/templates/templates.service.ts';
import { findEmail } from '../../../src/outbound/email.repository.ts';
import { mailboxAlerts } from '../../../src/sync/alerts.service.ts';
import { setApproval } from '../../../src/sync/approval.service.ts';
import { createConnector } from '../../../src/sync/connectors/create-connector.ts';
import { updateEmailSettings } from '../../../src/sync/email-settings.ts';
import { cancelActivity, composeAndSend, resendActivity, sendActivity } from '../../../src/sync/outgoing/send-activity.ts';
import { subjectWithToken } from '../../../src/sync/outgoing/tracking-number.ts';
import { updateProfile } from '../../../src/sync/server-profiles.service.ts';
import { testAndEnable } from '../../../src/sync/test-enable.ts';
import { grantSendAs } from '../../../src/users/users.service.ts';
import { DIALECTS, ManualClock, skipUnless } from '../../fixtures/context.ts';
import { refusedPort, skipUnlessDovecot, type DovecotUser } from '../../fixtures/dovecot.ts';
import { createSyncWorld, startSyncServers, type SyncServers, type SyncWorld } from '../../fixtures/world.ts';

const skipDovecot = skipUnlessDovecot();

/** The messages of a folder, as Dovecot holds them. */
async function folderMessages(servers: SyncServers, user: DovecotUser, folder: string): Promise<{ messageId: string | undefined; subject: string | undefined }[]> {
  const imap = await servers.dovecot.client(user);
  try {
    const lock = await imap.getMailboxLock(folder);
    try {
      const out: { messageId: string | undefined; subject: string | undefined }[] = [];
      if ((imap.mailbox ? imap.mailbox.exists : 0) === 0) return out;
      for await (const m of imap.fetch('1:*', { envelope: true })) out.push({ messageId: m.envelope?.messageId, subject: m.envelope?.subject });
      return out;
    } finally {
      lock.release();
    }
  } finally {
    await imap.logout();
  }
}

const mailsWith = (servers: SyncServers, messageId: string | null) => servers.smtp.mails.filter((m) => m.messageId === messageId);

describe('token in the subject: cut to 255 characters, left out when it alone does not fit', () => {
  it('appends the token and cuts a long subject by code points', () => {
    assert.equal(subjectWithToken('Hello', 'CRM:0001001'), 'Hello CRM:0001001');
    assert.equal(subjectWithToken('', 'CRM:0001001'), 'CRM:0001001');
    const long = 'x'.repeat(250);
    const sent = subjectWithToken(long, 'CRM:0001001');
    assert.equal(sent.length, 255);
    assert.equal(sent, `${'x'.repeat(243)} CRM:0001001`);
    // A cut never splits a character made of two UTF-16 units.
    const emoji = '😀'.repeat(250);
    assert.equal(Array.from(subjectWithToken(emoji, 'CRM:0001001')).length, 255);
    assert.equal(subjectWithToken('Hi', 'CRM:0001001', 10), 'Hi', 'a token longer than the limit is left out');
    assert.equal(subjectWithToken('y'.repeat(300), null).length, 255);
  });
});

for (const dialect of DIALECTS) {
  describe(`sending email activities through mailboxes (${dialect})`, { skip: skipDovecot || (await skipUnless(dialect)) }, () => {
    let servers: SyncServers;
    const worlds: SyncWorld[] = [];
    before(async () => { servers = await startSyncServers(); });
    after(async () => { for (const w of worlds) await w.close(); await servers?.stop(); });
    async function newWorld(serverType: 'imap' | 'pop3' = 'imap'): Promise<SyncWorld> {
      const w = await createSyncWorld(dialect, servers, { serverType, mailboxes: 0 });
      worlds.push(w);
      return w;
    }
    async function contactIn(world: SyncWorld) {
      const address = `contact-${Math.random().toString(36).slice(2, 8)}@customer.example`;
      return { address, contact: await createContact(world.ctx, world.admin, { name: 'Dana Contact', emails: [address] }) };
    }

    it('sends through the user\'s own mailbox: its SMTP sign-in, the token, the fixed Message-ID, the Sent folder', async () => {
      const world = await newWorld();
      const box = await world.addMailbox({ enable: true });
      const { address, contact } = await contactIn(world);
      const draft = await createActivity(world.ctx, box.user, {
        direction: 'outgoing', subject: 'Your renewal', text: 'Hello Dana', html: '<p>Hello <b>Dana</b></p>', to: address,
        regarding: { type: 'contact', id: contact.id }, attachments: [{ filename: 'terms.txt', contentType: 'text/plain', content: Buffer.from('terms') }],
      });
      assert.equal(draft.status, 'draft');
      const queued = await sendActivity(world.ctx, box.user, draft.id);
      assert.equal(queued.status, 'pending-send');
      assert.match(queued.trackingToken ?? '', /^CRM:0\d{3}\d{3}$/);
      assert.equal(queued.subject, `Your renewal ${queued.trackingToken}`);
      assert.ok(queued.messageId && queued.emailId);
      assert.deepEqual(queued.mailboxes, [box.id]);

      const run = await world.distribute();
      assert.equal(run.sent, 1);
      const sent = await getActivity(world.ctx, draft.id);
      assert.equal(sent.status, 'sent', sent.statusDetail ?? '');
      assert.ok(sent.sentAt);
      assert.equal(sent.sentFolder, 'done');
      const [mail, ...more] = mailsWith(servers, sent.messageId);
      assert.equal(more.length, 0);
      assert.equal(mail?.user, box.server.username, 'the SMTP server saw the mailbox\'s own credentials');
      assert.equal(mail?.from, box.email);
      assert.deepEqual(mail?.to, [address]);
      const raw = mail!.raw.toString('utf8');
      assert.match(raw, new RegExp(`^Subject: Your renewal ${sent.trackingToken}`, 'm'));
      assert.match(raw, /terms\.txt/);
      const email = await findEmail(world.ctx.db, sent.emailId!);
      assert.equal(email?.provider, 'mailbox');
      assert.equal(email?.mailbox_id, box.id);
      assert.equal(email?.message_id, sent.messageId);
      // The user's mail client shows it among the sent mail (the folder with the \Sent attribute).
      const inSent = await folderMessages(servers, box.server, 'Sent');
      assert.deepEqual(inSent.map((m) => m.messageId), [sent.messageId]);

      // The next email of the same user counts on: same user number, counter + 1.
      const second = await composeAndSend(world.ctx, box.user, { subject: 'Again', text: 'x', to: address });
      const n = (t: string | null) => Number(t!.slice(-3));
      assert.equal(second.trackingToken!.slice(0, -3), sent.trackingToken!.slice(0, -3));
      assert.equal(n(second.trackingToken), (n(sent.trackingToken) + 1) % 1000);
    });

    it('sends through a queue\'s mailbox with the queue\'s credentials and address, for a member only', async () => {
      const world = await newWorld();
      const member = await world.addMailbox({ enable: true });
      const outsider = await world.addMailbox({ enable: true });
      const queue = await world.addQueueMailbox({ members: [member.user], enable: true });
      const { address } = await contactIn(world);
      const activity = await composeAndSend(world.ctx, member.user, { subject: 'Support case 42', text: 'We are on it', to: address }, { queue: queue.queue.name });
      assert.equal(activity.from?.address, queue.email);
      await world.distribute();
      const sent = await getActivity(world.ctx, activity.id);
      assert.equal(sent.status, 'sent', sent.statusDetail ?? '');
      const [mail] = mailsWith(servers, sent.messageId);
      assert.equal(mail?.user, queue.server.username);
      assert.equal(mail?.from, queue.email);
      assert.deepEqual((await folderMessages(servers, queue.server, 'Sent')).map((m) => m.messageId), [sent.messageId]);
      await assert.rejects(composeAndSend(world.ctx, outsider.user, { subject: 'x', text: 'x', to: address }, { queue: queue.queue.name }), { code: 'FORBIDDEN' });
    });

    it('another From address needs the Send-As grant', async () => {
      const world = await newWorld();
      const box = await world.addMailbox({ enable: true });
      const { address } = await contactIn(world);
      await assert.rejects(composeAndSend(world.ctx, box.user, { subject: 'x', text: 'x', to: address, from: 'boss@example.test' }), { code: 'SEND_AS_DENIED' });
      const left = await world.ctx.db.selectFrom('email_activity').select('id').where('owner_id', '=', box.user.id).execute();
      assert.equal(left.length, 0, 'a refused send leaves no draft behind');
      await grantSendAs(world.ctx, box.user.id, 'boss@example.test');
      const ok = await composeAndSend(world.ctx, box.user, { subject: 'On behalf', text: 'x', to: address, from: 'boss@example.test' });
      await world.distribute();
      const [mail] = mailsWith(servers, ok.messageId);
      assert.equal(mail?.from, 'boss@example.test');
      assert.equal(mail?.user, box.server.username);
    });

    it('an unapproved mailbox leaves the activity Pending send with the reason; approving it sends it', async () => {
      const world = await newWorld();
      const box = await world.addMailbox({ approve: false, enable: true });
      const { address } = await contactIn(world);
      const activity = await composeAndSend(world.ctx, box.user, { subject: 'Waits for approval', text: 'x', to: address });
      assert.match(activity.statusDetail ?? '', /^MAILBOX_NOT_APPROVED: /, 'the reason is there as soon as it is queued');
      const run = await world.distribute();
      assert.equal(run.sent, 0);
      const waiting = await getActivity(world.ctx, activity.id);
      assert.equal(waiting.status, 'pending-send');
      assert.match(waiting.statusDetail ?? '', /^MAILBOX_NOT_APPROVED: /);
      assert.equal(mailsWith(servers, activity.messageId).length, 0);
      const email = await findEmail(world.ctx.db, activity.emailId!);
      assert.equal(email?.attempts, 0, 'waiting is not an attempt');
      assert.ok(email!.next_attempt_at > Date.now() + 60_000, 'it is not tried again at once');
      await setApproval(world.ctx, world.admin, box.id, 'approved');
      await world.distribute();
      const sent = await getActivity(world.ctx, activity.id);
      assert.equal(sent.status, 'sent', sent.statusDetail ?? '');
      assert.equal(mailsWith(servers, activity.messageId).length, 1);
      // With approval no longer required, a second unapproved mailbox's email goes out at once.
      const other = await world.addMailbox({ approve: false, enable: true });
      const later = await composeAndSend(world.ctx, other.user, { subject: 'No approval needed', text: 'x', to: address });
      await world.distribute();
      assert.equal((await getActivity(world.ctx, later.id)).status, 'pending-send');
      await updateEmailSettings(world.ctx, { approvedUsersOnly: false });
      await world.distribute();
      assert.equal((await getActivity(world.ctx, later.id)).status, 'sent');
    });

    it('a mailbox not enabled for outgoing, or sending by none, waits with its reason', async () => {
      const world = await newWorld();
      const untested = await world.addMailbox();
      const off = await world.addMailbox({ outgoing: 'none', enable: true });
      const { address } = await contactIn(world);
      const a = await composeAndSend(world.ctx, untested.user, { subject: 'a', text: 'x', to: address });
      const b = await composeAndSend(world.ctx, off.user, { subject: 'b', text: 'x', to: address });
      await world.distribute();
      assert.match((await getActivity(world.ctx, a.id)).statusDetail ?? '', /^MAILBOX_OUTGOING_NOT_ENABLED: /);
      assert.match((await getActivity(world.ctx, b.id)).statusDetail ?? '', /^MAILBOX_OUTGOING_OFF: /);
      // Test and enable passing wakes what waited.
      await testAndEnable(world.ctx, world.admin, untested.id);
      await world.distribute();
      assert.equal((await getActivity(world.ctx, a.id)).status, 'sent');
    });

    it('a wrong outgoing password fails the activity, raises the error alert and disables the channel; later sends wait', async () => {
      const world = await newWorld();
      const box = await world.addMailbox({ enable: true });
      servers.changePassword(box.server);
      const { address } = await contactIn(world);
      const activity = await composeAndSend(world.ctx, box.user, { subject: 'Will fail', text: 'x', to: address });
      const run = await world.distribute();
      assert.equal(run.failed, 1);
      const failed = await getActivity(world.ctx, activity.id);
      assert.equal(failed.status, 'failed');
      assert.match(failed.statusDetail ?? '', /^AUTH_FAILED: .*535/);
      const alerts = await mailboxAlerts(world.ctx, world.admin, box.id);
      const error = alerts.find((a) => a.level === 'error' && a.code === 'AUTH_FAILED');
      assert.ok(error, JSON.stringify(alerts));
      assert.equal(error.channel, 'outgoing');
      const row = await box.row();
      assert.equal(row.outgoing_enabled, 0);
      assert.equal(row.outgoing_status, 'failure');
      const next = await composeAndSend(world.ctx, box.user, { subject: 'Waits', text: 'x', to: address });
      await world.distribute();
      assert.match((await getActivity(world.ctx, next.id)).statusDetail ?? '', /^MAILBOX_OUTGOING_FAILING: /);
      // Resending the failed one puts the same email back (same Message-ID); it waits like the rest.
      const again = await resendActivity(world.ctx, box.user, activity.id);
      assert.equal(again.status, 'pending-send');
      assert.equal(again.messageId, failed.messageId);
    });

    it('an outgoing server that refuses connections leaves the activity Pending send, retried, with a warning on the mailbox', async () => {
      const world = await newWorld();
      const box = await world.addMailbox({ enable: true });
      await updateProfile(world.ctx, world.profile.id, { outgoingPort: await refusedPort() });
      const { address } = await contactIn(world);
      const activity = await composeAndSend(world.ctx, box.user, { subject: 'Server down', text: 'x', to: address });
      const run = await world.distribute();
      assert.equal(run.retried, 1);
      const waiting = await getActivity(world.ctx, activity.id);
      assert.equal(waiting.status, 'pending-send');
      assert.match(waiting.statusDetail ?? '', /^Retrying after CONNECTION_FAILED: /);
      const warning = (await mailboxAlerts(world.ctx, world.admin, box.id)).find((a) => a.code === 'CONNECTION_FAILED');
      assert.equal(warning?.level, 'warning');
      assert.equal((await box.row()).outgoing_enabled, 1, 'a transient failure does not disable the channel');
    });

    it('a 250-character subject is cut to fit the token in 255; tokens off means none; the Email settings format is used', async () => {
      const world = await newWorld();
      const box = await world.addMailbox({ enable: true });
      const { address } = await contactIn(world);
      await updateEmailSettings(world.ctx, { trackingTokenPrefix: 'ACME', trackingTokenBase: 40, trackingTokenUserDigits: 2, trackingTokenCounterDigits: 4 });
      const subject = 's'.repeat(250);
      const long = await composeAndSend(world.ctx, box.user, { subject, text: 'x', to: address });
      assert.match(long.trackingToken ?? '', /^ACME:0410001$/);
      assert.equal(long.subject.length, 255);
      assert.equal(long.subject, `${subject.slice(0, 255 - long.trackingToken!.length - 1)} ${long.trackingToken}`);
      await updateEmailSettings(world.ctx, { useTrackingTokens: false });
      const none = await composeAndSend(world.ctx, box.user, { subject: 'No token', text: 'x', to: address });
      assert.equal(none.trackingToken, null);
      assert.equal(none.subject, 'No token');
      await world.distribute();
      const [mail] = mailsWith(servers, long.messageId);
      const parsed = await PostalMime.parse(mail!.raw);
      assert.equal(parsed.subject, long.subject, 'the subject on the wire is the one stored, token included');
    });

    it('a failed Sent-folder copy is a warning on the mailbox and never a second send; POP3 makes none', async () => {
      const world = await newWorld();
      const closed = await refusedPort();
      const providers = new ProviderRegistry(world.ctx, {
        connectorFactory: (config) => createConnector({ ...config, incoming: { ...config.incoming, port: closed } }),
      });
      try {
        const box = await world.addMailbox({ enable: true });
        const { address } = await contactIn(world);
        const activity = await composeAndSend(world.ctx, box.user, { subject: 'Copy fails', text: 'x', to: address });
        await runDistributorPass(world.ctx, providers);
        await runDistributorPass(world.ctx, providers);
        const sent = await getActivity(world.ctx, activity.id);
        assert.equal(sent.status, 'sent');
        assert.equal(sent.sentFolder, 'failed');
        assert.equal(mailsWith(servers, sent.messageId).length, 1);
        const warning = (await mailboxAlerts(world.ctx, world.admin, box.id)).find((a) => a.code === 'SENT_FOLDER_APPEND_FAILED');
        assert.equal(warning?.level, 'warning');
      } finally {
        await providers.close();
      }
      const pop = await newWorld('pop3');
      const popBox = await pop.addMailbox({ enable: true });
      const { address } = await contactIn(pop);
      const viaPop = await composeAndSend(pop.ctx, popBox.user, { subject: 'Over POP3/SMTP', text: 'x', to: address });
      await pop.distribute();
      const popSent = await getActivity(pop.ctx, viaPop.id);
      assert.equal(popSent.status, 'sent');
      assert.equal(popSent.sentFolder, 'none');
    });

    it('a Sent-folder copy left at copying by a worker that died is taken over once old: appended when missing, never a second copy', async () => {
      const world = await newWorld();
      const box = await world.addMailbox({ enable: true });
      const { address } = await contactIn(world);
      const diedAt = async (activityId: string, at: number) => {
        const { emailId } = await getActivity(world.ctx, activityId);
        await world.ctx.db.updateTable('email_activity').set({ sent_folder: 'copying', sent_folder_at: at }).where('email_id', '=', emailId).execute();
      };
      // Died after the append reached the server, before 'done' was written: the copy is there.
      const appended = await composeAndSend(world.ctx, box.user, { subject: 'Appended, then died', text: 'x', to: address });
      await world.distribute();
      assert.equal((await getActivity(world.ctx, appended.id)).sentFolder, 'done');
      // Died before the append: a failing connector left no copy; then the claim is set as a dead worker leaves it.
      const closed = await refusedPort();
      const failing = new ProviderRegistry(world.ctx, { connectorFactory: (config) => createConnector({ ...config, incoming: { ...config.incoming, port: closed } }) });
      let missing;
      try {
        missing = await composeAndSend(world.ctx, box.user, { subject: 'Died before the append', text: 'x', to: address });
        await runDistributorPass(world.ctx, failing);
      } finally {
        await failing.close();
      }
      const longAgo = world.ctx.clock.now() - 60 * 60_000;
      await diedAt(appended.id, longAgo);
      await diedAt(missing.id, longAgo);
      // A recent claim may be an append in progress elsewhere: left alone.
      const recent = await composeAndSend(world.ctx, box.user, { subject: 'Being copied elsewhere', text: 'x', to: address });
      await world.distribute();
      await diedAt(recent.id, world.ctx.clock.now());

      await world.distribute();
      await world.distribute();
      assert.equal((await getActivity(world.ctx, appended.id)).sentFolder, 'done');
      assert.equal((await getActivity(world.ctx, missing.id)).sentFolder, 'done');
      assert.equal((await getActivity(world.ctx, recent.id)).sentFolder, 'copying');
      const inSent = (await folderMessages(servers, box.server, 'Sent')).map((m) => m.messageId);
      const count = (id: string | null) => inSent.filter((m) => m === id).length;
      assert.equal(count((await getActivity(world.ctx, appended.id)).messageId), 1, 'the copy that was there is not made again');
      assert.equal(count((await getActivity(world.ctx, missing.id)).messageId), 1, 'the missing copy is made');
      for (const a of [appended, missing]) assert.equal(mailsWith(servers, (await getActivity(world.ctx, a.id)).messageId).length, 1, 'sent once');
    });

    it('the per-minute SMTP limit of Email parameters counts per outgoing server, across the mailboxes that share it', async () => {
      // A clock of its own: on the wall clock a minute could turn between the two sends.
      const world = await createSyncWorld(dialect, servers, { mailboxes: 0, clock: new ManualClock() });
      worlds.push(world);
      const a = await world.addMailbox({ enable: true });
      const b = await world.addMailbox({ enable: true });
      const { address } = await contactIn(world);
      await updateParameters(world.ctx, { throttle: { smtp: 1 } });
      const first = await composeAndSend(world.ctx, a.user, { subject: 'one', text: 'x', to: address });
      const second = await composeAndSend(world.ctx, b.user, { subject: 'two', text: 'x', to: address });
      const run = await world.distribute();
      assert.equal(run.sent, 1);
      assert.equal(run.deferred, 1);
      const statuses = await Promise.all([first, second].map(async (x) => (await findEmail(world.ctx.db, x.emailId!))!.status));
      assert.deepEqual([...statuses].sort(), ['deferred', 'sent']);
      const windows = await world.ctx.db.selectFrom('throttle_window').select(['provider', 'sent']).execute();
      assert.deepEqual(windows.map((w) => ({ ...w })), [{ provider: `smtp:${servers.smtp.host}:${servers.smtp.port}`, sent: 1 }]);
      const waiting = statuses[0] === 'deferred' ? first : second;
      assert.equal((await getActivity(world.ctx, waiting.id)).status, 'pending-send');
    });

    it('writes from a general template in the contact\'s language, with its placeholders filled; a typed subject wins; other kinds are refused', async () => {
      const world = await newWorld();
      const box = await world.addMailbox({ enable: true });
      const address = 'lena@customer.example';
      const contact = await createContact(world.ctx, world.admin, { name: 'Lena Kunde', emails: [address], language: 'de' });
      await createTemplate(world.ctx, null, {
        emailId: 'FOLLOWUP', kind: 'general', defaultLanguage: 'en-us',
        messages: [
          { language: 'en-us', subject: 'Following up, %for%', html: '<p>Dear %for%, as of %date%.</p>' },
          { language: 'de', subject: 'Nachfrage, %for%', html: '<p>Liebe(r) %for%, Stand %date%.</p>' },
        ],
      });
      await createTemplate(world.ctx, null, { emailId: 'WF', kind: 'workflow', senderEmail: 'workflow@example.test', defaultLanguage: 'en-us', messages: [{ language: 'en-us', subject: 's', html: 'h' }] });
      const regarding = { type: 'contact', id: contact.id };
      const fromTemplate = await composeAndSend(world.ctx, box.user, { subject: '', to: address, regarding }, { template: 'FOLLOWUP' });
      assert.equal(fromTemplate.subject, `Nachfrage, Lena Kunde ${fromTemplate.trackingToken}`);
      const detail = await getActivity(world.ctx, fromTemplate.id);
      assert.match(detail.html ?? '', /^<p>Liebe\(r\) Lena Kunde, Stand \d{4}-\d{2}-\d{2}\.<\/p>$/);
      const typed = await composeAndSend(world.ctx, box.user, { subject: 'My own words', to: address, regarding }, { template: 'FOLLOWUP' });
      assert.ok(typed.subject.startsWith('My own words '));
      await assert.rejects(composeAndSend(world.ctx, box.user, { subject: '', to: address }, { template: 'WF' }), { code: 'VALIDATION_FAILED' });
      await assert.rejects(composeAndSend(world.ctx, box.user, { subject: '', to: address }, { template: 'NOPE' }), { code: 'NOT_FOUND' });
      await world.distribute();
      const mail = mailsWith(servers, fromTemplate.messageId)[0]!;
      assert.equal((await PostalMime.parse(mail.raw)).subject, fromTemplate.subject);
    });

    it('cancel: a Draft or a Pending send one is Canceled and never sent; a sent one is refused', async () => {
      const world = await newWorld();
      const box = await world.addMailbox({ approve: false, enable: true });
      const { address } = await contactIn(world);
      const draft = await createActivity(world.ctx, box.user, { direction: 'outgoing', subject: 'draft', to: address });
      assert.equal((await cancelActivity(world.ctx, box.user, draft.id)).status, 'canceled');
      const pending = await composeAndSend(world.ctx, box.user, { subject: 'pending', text: 'x', to: address });
      assert.equal((await cancelActivity(world.ctx, box.user, pending.id)).status, 'canceled');
      await setApproval(world.ctx, world.admin, box.id, 'approved');
      await world.distribute();
      assert.equal(mailsWith(servers, pending.messageId).length, 0);
      const sent = await composeAndSend(world.ctx, box.user, { subject: 'sent', text: 'x', to: address });
      await world.distribute();
      await assert.rejects(cancelActivity(world.ctx, box.user, sent.id), { code: 'ACTIVITY_NOT_SENDABLE' });
      await assert.rejects(sendActivity(world.ctx, box.user, sent.id), { code: 'ACTIVITY_NOT_SENDABLE' });
      await assert.rejects(sendActivity(world.ctx, world.admin, draft.id), { code: 'FORBIDDEN' });
    });
  });
}
