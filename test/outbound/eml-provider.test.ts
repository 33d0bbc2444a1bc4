import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import { emlOutboxDir } from '../../src/app-context.ts';
import { updateParameters } from '../../src/outbound/email-parameters.ts';
import { runDistributorPass } from '../../src/outbound/distributor.ts';
import { getEmail, queueEmail, sendInteractive } from '../../src/outbound/outbound.service.ts';
import type { ProviderRegistry } from '../../src/outbound/provider-registry.ts';
import type { User } from '../../src/users/users.service.ts';
import { createTestEnv, DIALECTS, skipUnless, type TestEnv } from '../fixtures/context.ts';
import { newRegistry, seedUsers } from '../fixtures/mailroom.ts';

for (const dialect of DIALECTS) {
  describe(`the email app provider on ${dialect}`, { skip: await skipUnless(dialect) }, () => {
    let env: TestEnv;
    let providers: ProviderRegistry;
    let alice: User;

    before(async () => {
      env = await createTestEnv(dialect);
      ({ alice } = await seedUsers(env.ctx));
      providers = newRegistry(env.ctx);
    });
    after(async () => {
      await providers.close();
      await env.cleanup();
    });

    it('as the batch email provider, writes each queued email to the outbox as an .eml a mail client opens', async () => {
      await updateParameters(env.ctx, { batchProvider: 'eml' });
      const { email } = await queueEmail(env.ctx, alice, {
        to: 'bob@fabrikam.test', bcc: 'audit@contoso.test', subject: 'Statement', body: 'Attached.',
        attachments: [{ filename: 'statement.csv', content: Buffer.from('a,b\n1,2\n') }],
      });
      assert.equal(email.provider, 'eml');
      const run = await runDistributorPass(env.ctx, providers);
      assert.equal(run.sent, 1);
      const parsed = await simpleParser(readFileSync(`${emlOutboxDir(env.ctx)}/${email.id}.eml`));
      assert.equal(parsed.messageId, email.messageId);
      assert.equal(parsed.subject, 'Statement');
      assert.equal(parsed.attachments[0]?.content.toString(), 'a,b\n1,2\n');
      assert.equal((await getEmail(env.ctx, alice, email.id)).status, 'sent');
    });

    it('interactively, hands the user a draft with Bcc kept and marks it generated, without any SMTP server', async () => {
      const { email, eml } = await sendInteractive(env.ctx, providers, alice, { to: 'bob@fabrikam.test', bcc: 'audit@contoso.test', subject: 'Draft' }, { provider: 'eml' });
      assert.equal(email.status, 'generated');
      const parsed = await simpleParser(eml!);
      assert.equal(parsed.headers.get('x-unsent'), '1');
      assert.deepEqual((parsed.bcc as { value: { address: string }[] }).value.map((v) => v.address), ['audit@contoso.test']);
    });
  });
}
