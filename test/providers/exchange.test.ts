// The Exchange (EWS) provider against a local EWS endpoint over HTTPS on loopback: SOAP
// envelopes, Basic and NTLM sign-in, impersonation, Autodiscover and the fault codes.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import { readParameters, toPublic, updateParameters } from '../../src/outbound/email-parameters.ts';
import { runDistributorPass } from '../../src/outbound/distributor.ts';
import { composeDraft, getEmail, queueEmail, sendInteractive } from '../../src/outbound/outbound.service.ts';
import { ProviderRegistry } from '../../src/outbound/provider-registry.ts';
import { testConnection } from '../../src/outbound/connection-test.ts';
import { DIALECTS, ManualClock, skipUnless } from '../fixtures/context.ts';
import { EwsFake } from '../fixtures/ews-fake.ts';
import { trustFakeCertificate } from '../fixtures/graph-fake.ts';
import { useOutboundWorld } from '../fixtures/outbound-world.ts';

trustFakeCertificate();

for (const dialect of DIALECTS) {
  describe(`the Exchange provider on ${dialect}`, { skip: await skipUnless(dialect) }, () => {
    const clock = new ManualClock();
    const world = useOutboundWorld(dialect, { clock, smtp: false });
    let fake: EwsFake;
    let providers: ProviderRegistry;

    beforeEach(async () => {
      fake = await new EwsFake().start();
      for (const m of ['alice@contoso.test', 'admin@contoso.test', 'batch@contoso.test']) fake.mailboxes.add(m);
      await updateParameters(world.ctx, {
        batchProvider: 'exchange',
        exchange: {
          ewsUrl: fake.ewsUrl, autodiscover: false, autodiscoverUrl: '', authentication: 'basic',
          username: fake.username, password: fake.password, domain: '', impersonation: false, batchAccount: '',
        },
      });
      providers = new ProviderRegistry(world.ctx);
    });
    afterEach(async () => {
      await providers.close();
      await fake.close();
      assert.deepEqual(fake.unexpected, [], 'the EWS fake got requests it did not expect');
    });

    it('sends with CreateItem SendAndSaveCopy: the stored MIME with its attachment, Bcc as BccRecipients', async () => {
      const { email } = await sendInteractive(world.ctx, providers, world.alice, {
        to: 'bob@fabrikam.test', bcc: 'audit@contoso.test', subject: 'Invoice 42', body: 'Attached.',
        attachments: [{ filename: 'invoice.csv', content: Buffer.from('n,total\n42,100\n'), contentType: 'text/csv' }],
      }, { provider: 'exchange' });
      assert.equal(email.status, 'sent');
      const item = fake.received[0]!;
      assert.equal(item.mailbox, 'alice@contoso.test');
      assert.equal(item.impersonated, undefined);
      assert.deepEqual(item.bcc, ['audit@contoso.test']);
      const mime = await simpleParser(item.mime);
      assert.equal(mime.messageId, email.messageId);
      assert.equal(mime.subject, 'Invoice 42');
      assert.equal(mime.attachments[0]?.filename, 'invoice.csv');
      assert.equal(mime.attachments[0]?.content.toString(), 'n,total\n42,100\n');
    });

    it('signs in with NTLM on one connection and impersonates the sender: the user interactively, the batch account in batch', async () => {
      fake.authentication = 'ntlm';
      fake.impersonable.add('alice@contoso.test').add('batch@contoso.test');
      await updateParameters(world.ctx, { exchange: { authentication: 'ntlm', domain: 'contoso', impersonation: true, batchAccount: 'batch@contoso.test' } });
      await sendInteractive(world.ctx, providers, world.alice, { to: 'bob@fabrikam.test', subject: 'Mine', body: 'x' }, { provider: 'exchange' });
      await queueEmail(world.ctx, null, { from: 'noreply@contoso.test', to: 'bob@fabrikam.test', subject: 'Batch', body: 'x' });
      assert.equal((await runDistributorPass(world.ctx, providers)).sent, 1);
      assert.deepEqual(fake.received.map((r) => [r.impersonated, r.mailbox, r.signedInAs]), [
        ['alice@contoso.test', 'alice@contoso.test', 'svc-mailroom'],
        ['batch@contoso.test', 'batch@contoso.test', 'svc-mailroom'],
      ]);
      assert.equal(fake.ntlmHandshakes, 1, 'the signed-in connection is used again');
      fake.forgetSignIns();
      const again = await sendInteractive(world.ctx, providers, world.alice, { to: 'bob@fabrikam.test', subject: 'Again', body: 'x' }, { provider: 'exchange' });
      assert.equal(again.email.status, 'sent');
      assert.equal(fake.ntlmHandshakes, 2, 'a refused connection signs in again and the email still goes out');
    });

    it('maps 401, ErrorImpersonateUserDenied and ErrorNonExistentMailbox to the seed\'s mailbox errors, naming the Email sender', async () => {
      await updateParameters(world.ctx, { exchange: { password: 'wrong' } });
      const denied = await sendInteractive(world.ctx, providers, world.alice, { to: 'bob@fabrikam.test', subject: 'x', body: 'x' }, { provider: 'exchange' });
      let detail = await getEmail(world.ctx, world.alice, denied.email.id);
      assert.equal(detail.status, 'failed');
      assert.equal(detail.attemptLog[0]!.code, 'MAILBOX_UNAUTHORIZED');
      assert.match(detail.attemptLog[0]!.response ?? '', /^401/);

      await updateParameters(world.ctx, { exchange: { password: fake.password, impersonation: true } });
      const notImpersonable = await sendInteractive(world.ctx, providers, world.alice, { to: 'bob@fabrikam.test', subject: 'x', body: 'x' }, { provider: 'exchange' });
      detail = await getEmail(world.ctx, world.alice, notImpersonable.email.id);
      assert.equal(detail.attemptLog[0]!.code, 'MAILBOX_UNAUTHORIZED');
      assert.match(detail.attemptLog[0]!.response ?? '', /ErrorImpersonateUserDenied/);

      await updateParameters(world.ctx, { exchange: { impersonation: false } });
      fake.mailboxes.delete('admin@contoso.test');
      const missing = await sendInteractive(world.ctx, providers, world.admin, { to: 'bob@fabrikam.test', subject: 'x', body: 'x' }, { provider: 'exchange' });
      detail = await getEmail(world.ctx, world.admin, missing.email.id);
      assert.equal(detail.attemptLog[0]!.code, 'MAILBOX_NOT_FOUND');
      assert.equal(detail.sender, 'admin@contoso.test');
    });

    it('ErrorServerBusy is temporary and its BackOffMilliseconds hint is honoured; ErrorMessageSizeExceeded and others are permanent', async () => {
      const { email } = await queueEmail(world.ctx, null, { from: 'alice@contoso.test', to: 'bob@fabrikam.test', subject: 'Busy', body: 'x' });
      fake.failNext({ kind: 'fault', code: 'ErrorServerBusy', backOffMs: 300_000 });
      await runDistributorPass(world.ctx, providers);
      const row = await getEmail(world.ctx, world.admin, email.id);
      assert.equal(row.status, 'waiting');
      assert.equal(row.attemptLog[0]!.code, 'SERVICE_BUSY');
      assert.ok(row.nextAttemptAt! >= clock.now() + 300_000);
      clock.set(row.nextAttemptAt! + 1);
      await runDistributorPass(world.ctx, providers);
      assert.equal((await getEmail(world.ctx, world.admin, email.id)).status, 'sent');

      fake.failNext({ kind: 'error', code: 'ErrorMessageSizeExceeded' });
      const big = await sendInteractive(world.ctx, providers, world.alice, { to: 'bob@fabrikam.test', subject: 'x', body: 'x' }, { provider: 'exchange' });
      assert.equal((await getEmail(world.ctx, world.alice, big.email.id)).attemptLog[0]!.code, 'MESSAGE_TOO_LARGE');
      fake.failNext({ kind: 'error', code: 'ErrorInvalidRecipients' });
      const other = await sendInteractive(world.ctx, providers, world.alice, { to: 'bob@fabrikam.test', subject: 'x', body: 'x' }, { provider: 'exchange' });
      assert.equal(other.email.status, 'failed');
      assert.equal((await getEmail(world.ctx, world.alice, other.email.id)).attemptLog[0]!.code, 'EXCHANGE_REJECTED');
      fake.failNext({ kind: 'http', status: 503 });
      const unavailable = await sendInteractive(world.ctx, providers, world.alice, { to: 'bob@fabrikam.test', subject: 'x', body: 'x' }, { provider: 'exchange' });
      assert.equal((await getEmail(world.ctx, world.alice, unavailable.email.id)).attemptLog[0]!.code, 'SERVICE_BUSY');
    });

    it('finds the EWS URL with Autodiscover once per domain, and the connection test opens the mailbox', async () => {
      await updateParameters(world.ctx, { exchange: { ewsUrl: '', autodiscover: true, autodiscoverUrl: `${fake.url}/autodiscover/autodiscover.xml` } });
      await sendInteractive(world.ctx, providers, world.alice, { to: 'bob@fabrikam.test', subject: 'one', body: 'x' }, { provider: 'exchange' });
      await sendInteractive(world.ctx, providers, world.alice, { to: 'bob@fabrikam.test', subject: 'two', body: 'x' }, { provider: 'exchange' });
      assert.equal(fake.received.length, 2);
      assert.equal(fake.log.filter((l) => l.includes('autodiscover')).length, 1);
      const report = await testConnection(world.ctx, providers, 'exchange', 'alice@contoso.test');
      assert.deepEqual(report.steps.map((s) => [s.step, s.ok]), [['endpoint', true], ['mailbox', true]]);
      await assert.rejects(testConnection(world.ctx, providers, 'exchange', 'nobody@contoso.test'), { code: 'MAILBOX_NOT_FOUND' });
    });

    it('offers Exchange in the send dialog only when configured, and keeps the password sealed', async () => {
      assert.ok((await composeDraft(world.ctx, world.alice, {})).choices.some((c) => c.id === 'exchange'));
      const row = await world.ctx.db.selectFrom('setting').select('value').where('key', '=', 'email_parameters').executeTakeFirstOrThrow();
      assert.ok(!row.value.includes(fake.password));
      const shown = toPublic(await readParameters(world.ctx));
      assert.equal(shown.exchange.passwordSet, true);
      assert.ok(!JSON.stringify(shown).includes(fake.password));
      // Exchange sends batch email here: clearing its password alone would fail every email.
      await assert.rejects(updateParameters(world.ctx, { exchange: { password: null } }), { code: 'INVALID_PARAMETER' });
      await updateParameters(world.ctx, { batchProvider: 'eml', exchange: { password: null } });
      assert.ok(!(await composeDraft(world.ctx, world.alice, {})).choices.some((c) => c.id === 'exchange'));
      await assert.rejects(updateParameters(world.ctx, { exchange: { authentication: 'kerberos' as never } }), { code: 'INVALID_PARAMETER' });
      await assert.rejects(updateParameters(world.ctx, { exchange: { ewsUrl: 'mail.contoso.test' } }), { code: 'INVALID_PARAMETER' });
    });
  });
}
