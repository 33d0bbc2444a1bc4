// mailroom activities send|draft|send-draft|cancel|resend as a real child process, against the sync
// world's Dovecot and SMTP server, both dialects.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createContact } from '../../../src/crm/contacts.service.ts';
import { getActivity } from '../../../src/crm/email-activity.service.ts';
import { createTemplate } from '../../../src/templates/templates.service.ts';
import { runCli } from '../../fixtures/cli.ts';
import { DIALECTS, skipUnless } from '../../fixtures/context.ts';
import { skipUnlessDovecot } from '../../fixtures/dovecot.ts';
import { createSyncWorld, startSyncServers, type SyncServers, type SyncWorld } from '../../fixtures/world.ts';

const skipDovecot = skipUnlessDovecot();

for (const dialect of DIALECTS) {
  describe(`mailroom activities send, draft, cancel (${dialect})`, { skip: skipDovecot || (await skipUnless(dialect)) }, () => {
    let servers: SyncServers;
    let world: SyncWorld;
    before(async () => {
      servers = await startSyncServers();
      world = await createSyncWorld(dialect, servers, { mailboxes: 0 });
    });
    after(async () => { await world?.close(); await servers?.stop(); });

    it('sends through the user\'s mailbox with attachment and regarding record; a queue\'s for a member; drafts wait to be sent', async () => {
      const box = await world.addMailbox({ enable: true });
      const queue = await world.addQueueMailbox({ members: [box.user], enable: true });
      const contact = await createContact(world.ctx, world.admin, { name: 'Robin Buyer', emails: ['robin@buyer.example'] });
      const dir = mkdtempSync(join(tmpdir(), 'mailroom-cli-attach-'));
      writeFileSync(join(dir, 'quote.txt'), 'Quote: 3 chairs');
      const cli = (...args: string[]) => runCli(world.env, args);

      const sent = await cli('activities', 'send', '--user', box.user.username, '--to', 'robin@buyer.example', '--cc', 'boss@buyer.example',
        '--subject', 'Your quote', '--body', 'See attached', '--html', '<p>See attached</p>', '--attach', join(dir, 'quote.txt'),
        '--regarding', `contact:${contact.id}`, '--json');
      assert.equal(sent.code, 0, sent.err);
      assert.equal(sent.json.status, 'pending-send');
      assert.deepEqual(sent.json.regarding, { type: 'contact', id: contact.id, name: 'Robin Buyer' });

      const fromQueue = await cli('activities', 'send', '--user', box.user.username, '--queue', queue.email, '--to', 'robin@buyer.example', '--subject', 'From support', '--body', 'x', '--json');
      assert.equal(fromQueue.code, 0, fromQueue.err);
      const draft = await cli('activities', 'draft', '--user', box.user.username, '--to', 'robin@buyer.example', '--subject', 'Later', '--body', 'x', '--json');
      assert.equal(draft.json.status, 'draft');
      assert.equal((await cli('activities', 'send-draft', draft.json.id, '--user', box.user.username, '--json')).json.status, 'pending-send');

      await world.distribute();
      const mine = await getActivity(world.ctx, sent.json.id);
      assert.equal(mine.status, 'sent', mine.statusDetail ?? '');
      const mail = servers.smtp.mails.find((m) => m.messageId === mine.messageId)!;
      assert.equal(mail.user, box.server.username);
      assert.deepEqual(mail.to.sort(), ['boss@buyer.example', 'robin@buyer.example']);
      assert.match(mail.raw.toString('utf8'), /quote\.txt/);
      const queued = await getActivity(world.ctx, fromQueue.json.id);
      assert.equal(servers.smtp.mails.find((m) => m.messageId === queued.messageId)?.user, queue.server.username);
      assert.equal((await getActivity(world.ctx, draft.json.id)).status, 'sent');

      const shown = await cli('activities', 'show', sent.json.id);
      assert.match(shown.out, /sent/);
    });

    it('sends from a general template with --template: its subject and HTML, filled for the contact, go out', async () => {
      const box = await world.addMailbox({ enable: true });
      const contact = await createContact(world.ctx, world.admin, { name: 'Kim Buyer', emails: ['kim@buyer.example'] });
      await createTemplate(world.ctx, null, {
        emailId: 'CLIFOLLOW', kind: 'general', senderEmail: 'noreply@example.test', defaultLanguage: 'en-us',
        messages: [{ language: 'en-us', subject: 'Hello %for%', html: '<p>Dear %for%, as promised.</p>' }],
      });
      const cli = (...args: string[]) => runCli(world.env, args);
      const sent = await cli('activities', 'send', '--user', box.user.username, '--to', 'kim@buyer.example', '--regarding', `contact:${contact.id}`, '--template', 'CLIFOLLOW', '--json');
      assert.equal(sent.code, 0, sent.err);
      assert.equal(sent.json.subject, `Hello Kim Buyer ${sent.json.trackingToken}`);
      await world.distribute();
      const mail = servers.smtp.mails.find((m) => m.messageId === sent.json.messageId)!;
      assert.match(mail.raw.toString('utf8'), /Dear Kim Buyer, as promised\./);
    });

    it('cancels a Pending send activity; refuses unknown flags, a missing file and a sent activity', async () => {
      const box = await world.addMailbox({ approve: false, enable: true });
      const cli = (...args: string[]) => runCli(world.env, args);
      const waiting = await cli('activities', 'send', '--user', box.user.username, '--to', 'robin@buyer.example', '--subject', 'Waits', '--body', 'x', '--json');
      await world.distribute();
      const pending = await getActivity(world.ctx, waiting.json.id);
      assert.match(pending.statusDetail ?? '', /^MAILBOX_NOT_APPROVED/);
      const canceled = await cli('activities', 'cancel', waiting.json.id, '--user', box.user.username, '--json');
      assert.equal(canceled.json.status, 'canceled');
      const unknown = await cli('activities', 'send', '--user', box.user.username, '--to', 'a@b.example', '--priority', 'high');
      assert.notEqual(unknown.code, 0);
      const missing = await cli('activities', 'send', '--user', box.user.username, '--to', 'a@b.example', '--attach', '/nonexistent/file.pdf', '--json');
      assert.notEqual(missing.code, 0);
      assert.match(missing.out + missing.err, /VALIDATION_FAILED/);
      const again = await cli('activities', 'resend', waiting.json.id, '--user', box.user.username);
      assert.notEqual(again.code, 0);
      assert.match(again.out + again.err, /ACTIVITY_NOT_SENDABLE/);
    });
  });
}
