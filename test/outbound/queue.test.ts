import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import { runDistributorPass } from '../../src/outbound/distributor.ts';
import { updateParameters } from '../../src/outbound/email-parameters.ts';
import { getEmail, listHistory, listQueue, queueEmail } from '../../src/outbound/outbound.service.ts';
import { setOptions } from '../../src/users/users.service.ts';
import { DIALECTS, skipUnless } from '../fixtures/context.ts';
import { useOutboundWorld } from '../fixtures/outbound-world.ts';

for (const dialect of DIALECTS) {
  describe(`queued email on ${dialect}`, { skip: await skipUnless(dialect) }, () => {
    const world = useOutboundWorld(dialect, { smtp: { onRcpt: (a) => (a.startsWith('nobody@') ? { code: 550, text: '5.1.1 User unknown' } : undefined) } });

    it('hands an email in, shows it waiting, and the distributor delivers the same message', async () => {
      const { email } = await queueEmail(world.ctx, world.alice, {
        to: ['Bob <bob@fabrikam.test>'], cc: 'carol@fabrikam.test', bcc: ['dan@fabrikam.test'],
        subject: 'Statement for November', body: 'Please find the statement attached.',
        attachments: [{ filename: 'statement.csv', content: Buffer.from('invoice,amount\nINV-1,100\n'), contentType: 'text/csv' }],
      });
      assert.equal(email.status, 'waiting');
      assert.equal(email.sender, 'alice@contoso.test');
      assert.match(email.messageId, /^<[^@]+@contoso\.test>$/);
      const queue = await listQueue(world.ctx, world.alice);
      assert.deepEqual(queue.map((e) => e.id), [email.id]);

      const run = await runDistributorPass(world.ctx, world.providers);
      assert.equal(run.sent, 1);
      const [mail] = await world.smtp.waitForMails(1);
      assert.equal(mail!.messageId, email.messageId);
      assert.deepEqual(mail!.to.sort(), ['bob@fabrikam.test', 'carol@fabrikam.test', 'dan@fabrikam.test']);
      const parsed = await simpleParser(mail!.raw);
      assert.equal(parsed.subject, 'Statement for November');
      assert.equal(parsed.headers.get('bcc'), undefined, 'Bcc must not travel in the headers');
      assert.equal(parsed.attachments[0]?.filename, 'statement.csv');

      const sent = await getEmail(world.ctx, world.alice, email.id);
      assert.equal(sent.status, 'sent');
      assert.equal(sent.attempts, 1);
      assert.equal(sent.recipients?.every((r) => r.accepted), true);
      assert.equal(sent.attemptLog.length, 1);
      assert.equal((await listQueue(world.ctx, world.alice)).length, 0);
    });

    it('records a per-recipient result when the server accepts some recipients and refuses others', async () => {
      const { email } = await queueEmail(world.ctx, world.alice, { to: ['bob@fabrikam.test', 'nobody@fabrikam.test'], subject: 'Partly', body: 'x' });
      await runDistributorPass(world.ctx, world.providers);
      const view = await getEmail(world.ctx, world.alice, email.id);
      assert.equal(view.status, 'sent');
      const byAddress = Object.fromEntries((view.recipients ?? []).map((r) => [r.address, r]));
      assert.equal(byAddress['bob@fabrikam.test']?.accepted, true);
      assert.equal(byAddress['nobody@fabrikam.test']?.accepted, false);
      assert.match(byAddress['nobody@fabrikam.test']?.response ?? '', /^550 5\.1\.1/);
    });

    it('returns the email already queued for a repeated idempotency key, within 48 hours', async () => {
      const first = await queueEmail(world.ctx, world.alice, { to: 'bob@fabrikam.test', subject: 'Once', body: 'x' }, { idempotencyKey: 'invoice-42' });
      const second = await queueEmail(world.ctx, world.alice, { to: 'bob@fabrikam.test', subject: 'Once', body: 'x' }, { idempotencyKey: 'invoice-42' });
      assert.equal(second.duplicate, true);
      assert.equal(second.email.id, first.email.id);
      const all = await listHistory(world.ctx, world.alice, { text: 'Once' });
      assert.equal(all.items.length, 1);
    });

    it('applies a change of the Email parameters or the sender option made by another process to the next hand-in', async () => {
      // This process keeps what it read for the next hand-ins; the other process's changes must
      // still apply at once.
      const other = await world.peer('cli-process');
      await queueEmail(world.ctx, world.alice, { to: 'bob@fabrikam.test', subject: 'Before', body: 'x' });
      await updateParameters(other.ctx, { attachmentSizeLimitMb: 1 });
      const big = { to: 'bob@fabrikam.test', subject: 'Big', attachments: [{ filename: 'big.bin', content: Buffer.alloc(1024 * 1024) }] };
      await assert.rejects(queueEmail(world.ctx, world.alice, big), { code: 'MESSAGE_TOO_LARGE' });
      await updateParameters(other.ctx, { attachmentSizeLimitMb: 10 });
      assert.equal((await queueEmail(world.ctx, world.alice, big)).email.status, 'waiting');

      await setOptions(other.ctx, world.alice.id, { senderEmail: 'billing@contoso.test' });
      const { email } = await queueEmail(world.ctx, world.alice, { to: 'bob@fabrikam.test', subject: 'From billing', body: 'x' });
      assert.equal(email.sender, 'billing@contoso.test');
      await setOptions(other.ctx, world.alice.id, { senderEmail: null });
      assert.equal((await queueEmail(world.ctx, world.alice, { to: 'bob@fabrikam.test', subject: 'Own', body: 'x' })).email.sender, 'alice@contoso.test');
      await runDistributorPass(world.ctx, world.providers);
    });

    it('refuses bad input with a code and writes nothing', async () => {
      const before = (await listHistory(world.ctx, world.alice, { limit: 500 })).items.length;
      const cases: [object, string][] = [
        [{ to: 'not-an-address', subject: 's' }, 'INVALID_ADDRESS'],
        [{ to: [], subject: 's' }, 'NO_RECIPIENTS'],
        [{ to: 'bob@fabrikam.test', subject: 'Hi\r\nBcc: victim@evil.test' }, 'HEADER_INJECTION'],
        [{ to: 'bob@fabrikam.test\r\nX-Evil: 1', subject: 's' }, 'HEADER_INJECTION'],
        [{ to: 'bob@fabrikam.test', from: 'ceo@contoso.test', subject: 's' }, 'SEND_AS_DENIED'],
        [{ to: 'bob@fabrikam.test', subject: 's', attachments: [{ filename: 'big.bin', content: Buffer.alloc(11 * 1024 * 1024) }] }, 'MESSAGE_TOO_LARGE'],
      ];
      for (const [input, code] of cases) {
        await assert.rejects(queueEmail(world.ctx, world.alice, input), (err: { code?: string }) => err.code === code, code);
      }
      await assert.rejects(queueEmail(world.ctx, world.alice, { to: 'bob@fabrikam.test' }, { provider: 'pigeon' }), { code: 'UNKNOWN_PROVIDER' });
      await assert.rejects(queueEmail(world.ctx, world.alice, { to: 'bob@fabrikam.test' }, { provider: 'graph' }), { code: 'GRAPH_NOT_CONFIGURED' });
      assert.equal((await listHistory(world.ctx, world.alice, { limit: 500 })).items.length, before);
    });
  });
}
