import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import { emlOutboxDir } from '../../src/app-context.ts';
import { updateParameters } from '../../src/outbound/email-parameters.ts';
import { runDistributorPass } from '../../src/outbound/distributor.ts';
import { getEmail, queueEmail, sendInteractive } from '../../src/outbound/outbound.service.ts';
import { DIALECTS, skipUnless } from '../fixtures/context.ts';
import { useOutboundWorld } from '../fixtures/outbound-world.ts';

for (const dialect of DIALECTS) {
  describe(`the email app provider on ${dialect}`, { skip: await skipUnless(dialect) }, () => {
    const world = useOutboundWorld(dialect, { smtp: false });

    it('as the batch email provider, writes each queued email to the outbox as an .eml a mail client opens', async () => {
      await updateParameters(world.ctx, { batchProvider: 'eml' });
      const { email } = await queueEmail(world.ctx, world.alice, {
        to: 'bob@fabrikam.test', bcc: 'audit@contoso.test', subject: 'Statement', body: 'Attached.',
        attachments: [{ filename: 'statement.csv', content: Buffer.from('a,b\n1,2\n') }],
      });
      assert.equal(email.provider, 'eml');
      const run = await runDistributorPass(world.ctx, world.providers);
      assert.equal(run.sent, 1);
      const parsed = await simpleParser(readFileSync(`${emlOutboxDir(world.ctx)}/${email.id}.eml`));
      assert.equal(parsed.messageId, email.messageId);
      assert.equal(parsed.subject, 'Statement');
      assert.equal(parsed.attachments[0]?.content.toString(), 'a,b\n1,2\n');
      assert.equal((await getEmail(world.ctx, world.alice, email.id)).status, 'sent');
    });

    it('interactively, hands the user a draft with Bcc kept and marks it generated, without any SMTP server', async () => {
      const { email, eml } = await sendInteractive(world.ctx, world.providers, world.alice, { to: 'bob@fabrikam.test', bcc: 'audit@contoso.test', subject: 'Draft' }, { provider: 'eml' });
      assert.equal(email.status, 'generated');
      const parsed = await simpleParser(eml!);
      assert.equal(parsed.headers.get('x-unsent'), '1');
      assert.deepEqual((parsed.bcc as { value: { address: string }[] }).value.map((v) => v.address), ['audit@contoso.test']);
    });
  });
}
