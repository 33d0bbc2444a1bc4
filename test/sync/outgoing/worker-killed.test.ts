// kill -9 of a `mailroom worker` in the middle of sending an email activity through a mailbox: the
// SMTP server already has the message and is still answering when the worker dies. Another worker
// takes the email over once the lease runs out and sends it: the email is sent at least once, every
// copy with the activity's one Message-ID, the activity ends Sent, and the Sent folder gets one copy.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { getActivity } from '../../../src/crm/email-activity.service.ts';
import { composeAndSend } from '../../../src/sync/outgoing/send-activity.ts';
import { DIALECTS, skipUnless } from '../../fixtures/context.ts';
import { skipUnlessDovecot } from '../../fixtures/dovecot.ts';
import { spawnMailroom, until, within, type MailroomChild } from '../../fixtures/mailroom-process.ts';
import { startSmtpServer, type RunningSmtpServer } from '../../fixtures/smtp-server.ts';
import { createSyncWorld, startSyncServers, type SyncServers, type SyncWorld } from '../../fixtures/world.ts';

const skipDovecot = skipUnlessDovecot();

for (const dialect of DIALECTS) {
  describe(`a worker killed while a mailbox sends (${dialect})`, { skip: skipDovecot || (await skipUnless(dialect)) }, () => {
    let servers: SyncServers;
    let slow: RunningSmtpServer;
    let world: SyncWorld;
    const children: MailroomChild[] = [];
    before(async () => {
      servers = await startSyncServers();
      // The mailbox's outgoing server: it signs Dovecot's users in (their passwd-file) and takes 4 s to answer a message.
      const knows = (user: string, pass: string) => {
        try { return readFileSync(join(servers.dovecot.dir, 'users', basename(user)), 'utf8').trim() === `${user}:{PLAIN}${pass}`; } catch { return false; }
      };
      slow = await startSmtpServer({ tls: 'starttls', accounts: knows, dataDelayMs: 4_000 });
      world = await createSyncWorld(dialect, servers, { mailboxes: 0, profile: { outgoingHost: slow.host, outgoingPort: slow.port } });
    });
    after(async () => {
      for (const c of children) if (c.running) c.child.kill('SIGKILL');
      await world?.close();
      await slow?.close();
      await servers?.stop();
    });

    it('is sent at least once by the worker that takes it over, with the same Message-ID, and copied to Sent once', async () => {
      const box = await world.addMailbox({ enable: true });
      const activity = await composeAndSend(world.ctx, box.user, { subject: 'Mid-send', text: 'x', to: 'dana@northwind.example' });
      const before = slow.commands.filter((c) => c === 'DATA').length;

      const doomed = spawnMailroom('worker', world.env, { workerId: 'doomed' });
      children.push(doomed);
      await until(() => slow.commands.filter((c) => c === 'DATA').length > before, 'the worker to start the message')
        .catch(async (err: unknown) => {
          const row = await world.ctx.db.selectFrom('email').selectAll().where('id', '=', activity.emailId!).executeTakeFirst();
          throw new Error(`${(err as Error).message}; worker said: ${doomed.output().slice(-3000).replace(/\n/g, ' | ')}; commands ${slow.commands.join(' ')}; email ${JSON.stringify(row)}`);
        });
      await new Promise((resolve) => setTimeout(resolve, 500));
      doomed.child.kill('SIGKILL');
      await within(doomed.exited, 'the killed worker');
      const email = await world.ctx.db.selectFrom('email').selectAll().where('id', '=', activity.emailId!).executeTakeFirstOrThrow();
      assert.equal(email.status, 'sending');
      assert.equal(email.claimed_by, 'doomed');
      assert.equal((await getActivity(world.ctx, activity.id)).status, 'sending');

      const rescuer = spawnMailroom('worker', world.env, { workerId: 'rescuer' });
      children.push(rescuer);
      await until(async () => (await getActivity(world.ctx, activity.id)).status === 'sent', 'the activity to be sent by the rescuer');
      await until(async () => (await getActivity(world.ctx, activity.id)).sentFolder === 'done', 'the Sent-folder copy');
      await until(() => slow.mails.length >= 1, 'the message at the SMTP server');
      const copies = slow.mails.filter((m) => m.to.includes('dana@northwind.example'));
      assert.ok(copies.length >= 1 && copies.length <= 2, `${copies.length} copies`);
      assert.ok(copies.every((m) => m.messageId === activity.messageId && m.user === box.server.username));
      const attempts = await world.ctx.db.selectFrom('email_attempt').select(['worker', 'outcome']).where('email_id', '=', activity.emailId!).execute();
      assert.deepEqual(attempts.map((a) => ({ ...a })), [{ worker: 'rescuer', outcome: 'sent' }]);

      const imap = await servers.dovecot.client(box.server);
      try {
        const lock = await imap.getMailboxLock('Sent');
        try {
          const ids: (string | undefined)[] = [];
          for await (const m of imap.fetch('1:*', { envelope: true })) ids.push(m.envelope?.messageId);
          assert.deepEqual(ids, [activity.messageId], 'one copy in the Sent folder');
        } finally {
          lock.release();
        }
      } finally {
        await imap.logout();
      }
      rescuer.child.kill('SIGTERM');
      assert.deepEqual(await within(rescuer.exited, 'the rescuer to stop'), { code: 0, signal: null });
    });
  });
}
