// The Microsoft Graph provider against a local Graph and Entra ID that speak the documented
// protocol over HTTPS on loopback: real MSAL, real HTTP, the product's own code end to end.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { readParameters, toPublic, updateParameters } from '../../src/outbound/email-parameters.ts';
import { runDistributorPass } from '../../src/outbound/distributor.ts';
import { getEmail, queueEmail, sendInteractive } from '../../src/outbound/outbound.service.ts';
import { ProviderRegistry } from '../../src/outbound/provider-registry.ts';
import { testConnection } from '../../src/outbound/connection-test.ts';
import { DIALECTS, ManualClock, skipUnless } from '../fixtures/context.ts';
import { GraphFake, trustFakeCertificate } from '../fixtures/graph-fake.ts';
import { useOutboundWorld } from '../fixtures/outbound-world.ts';

trustFakeCertificate();

const bytes = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff));

for (const dialect of DIALECTS) {
  describe(`the Microsoft Graph provider on ${dialect}`, { skip: await skipUnless(dialect) }, () => {
    const clock = new ManualClock();
    const world = useOutboundWorld(dialect, { clock, smtp: false });
    let fake: GraphFake;
    let providers: ProviderRegistry;

    beforeEach(async () => {
      fake = await new GraphFake().start();
      for (const m of ['alice@contoso.test', 'admin@contoso.test', 'batch@contoso.test']) fake.mailboxes.add(m);
      await updateParameters(world.ctx, {
        batchProvider: 'graph',
        graph: {
          tenantId: fake.tenantId, clientId: fake.clientId, clientSecret: fake.clientSecret,
          authorityHost: fake.url, graphEndpoint: fake.url, saveToSentItems: true, batchAccount: '',
        },
      });
      providers = new ProviderRegistry(world.ctx);
    });
    afterEach(async () => {
      await providers.close();
      await fake.close();
      assert.deepEqual(fake.unexpected, [], 'the Graph fake got requests it did not expect');
    });

    it('sends an interactive email from the user\'s mailbox with sendMail, recipients, HTML body and attachments inline', async () => {
      const { email } = await sendInteractive(world.ctx, providers, world.alice, {
        to: 'Bob <bob@fabrikam.test>', cc: 'carol@fabrikam.test', bcc: 'audit@contoso.test',
        subject: 'Invoice 42', html: '<p>Please find the <b>invoice</b> attached.</p>',
        attachments: [{ filename: 'invoice.pdf', content: bytes(50_000, 1), contentType: 'application/pdf' }],
      }, { provider: 'graph' });
      assert.equal(email.status, 'sent');
      assert.equal(fake.sent.length, 1);
      const mail = fake.sent[0]!;
      assert.equal(mail.mailbox, 'alice@contoso.test');
      assert.equal(mail.via, 'sendMail');
      assert.equal(mail.saveToSentItems, true);
      assert.equal(mail.message.subject, 'Invoice 42');
      assert.equal(mail.message.body.contentType, 'HTML');
      assert.match(mail.message.body.content, /<b>invoice<\/b>/);
      assert.deepEqual(mail.message.toRecipients, [{ emailAddress: { address: 'bob@fabrikam.test', name: 'Bob' } }]);
      assert.deepEqual(mail.message.ccRecipients.map((r: any) => r.emailAddress.address), ['carol@fabrikam.test']);
      assert.deepEqual(mail.message.bccRecipients.map((r: any) => r.emailAddress.address), ['audit@contoso.test']);
      assert.equal(mail.message.internetMessageId, email.messageId);
      assert.equal(mail.attachments.length, 1);
      assert.equal(mail.attachments[0]!.name, 'invoice.pdf');
      assert.equal(mail.attachments[0]!.contentType, 'application/pdf');
      assert.ok(mail.attachments[0]!.content.equals(bytes(50_000, 1)));
    });

    it('asks Entra ID for a token once, also for emails sent at the same time, and reuses it until it expires', async () => {
      for (let i = 0; i < 12; i++) await queueEmail(world.ctx, null, { from: 'alice@contoso.test', to: 'bob@fabrikam.test', subject: `batch ${i}`, body: 'x' });
      assert.equal((await runDistributorPass(world.ctx, providers)).sent, 12);
      await sendInteractive(world.ctx, providers, world.alice, { to: 'bob@fabrikam.test', subject: 'two', body: 'y' }, { provider: 'graph' });
      assert.equal(fake.sent.length, 13);
      assert.equal(fake.tokensIssued, 1);
      assert.equal(fake.sent[0]!.message.body.contentType, 'Text');
    });

    it('honours saveToSentItems = false, and batch sends go out from the batch account', async () => {
      await updateParameters(world.ctx, { graph: { saveToSentItems: false, batchAccount: 'batch@contoso.test' } });
      const { email } = await queueEmail(world.ctx, null, { from: 'noreply@contoso.test', to: 'bob@fabrikam.test', subject: 'Statement', body: 'Hello' });
      assert.equal(email.provider, 'graph');
      const run = await runDistributorPass(world.ctx, providers);
      assert.equal(run.sent, 1);
      assert.equal(fake.sent[0]!.mailbox, 'batch@contoso.test');
      assert.equal(fake.sent[0]!.saveToSentItems, false);
      assert.equal(fake.sent[0]!.message.from.emailAddress.address, 'noreply@contoso.test');
    });

    it('sends large attachments through a draft: small ones posted, large ones in chunks of an upload session, then send', async () => {
      const big = bytes(7 * 1024 * 1024 + 123, 7);
      const { email } = await sendInteractive(world.ctx, providers, world.alice, {
        to: 'bob@fabrikam.test', subject: 'Drawings', body: 'Two files.',
        attachments: [{ filename: 'notes.txt', content: Buffer.from('small file\n'), contentType: 'text/plain' }, { filename: 'drawing.dwg', content: big }],
      }, { provider: 'graph' });
      assert.equal(email.status, 'sent', JSON.stringify(email));
      const mail = fake.sent[0]!;
      assert.equal(mail.via, 'draft');
      assert.deepEqual(mail.attachments.map((a) => [a.name, a.via]), [['notes.txt', 'post'], ['drawing.dwg', 'upload']]);
      assert.ok(mail.attachments[1]!.content.equals(big));
      assert.equal(mail.message.bccRecipients.length, 0);
      assert.equal(fake.log.filter((l) => l.startsWith('PUT /upload/')).length, 3, '7 MB in chunks of 3.125 MiB');
      assert.equal(fake.openDrafts, 0);
    });

    it('keeps sendMail under Graph\'s 4 MB request limit: an attachment just under 3 MB, encoded, would pass it, so it goes to a draft', async () => {
      const scan = bytes(3 * 1024 * 1024 - 10_000, 2);
      const { email } = await sendInteractive(world.ctx, providers, world.alice, {
        to: 'bob@fabrikam.test', subject: 'Scan', body: 'x', attachments: [{ filename: 'scan.pdf', content: scan }],
      }, { provider: 'graph' });
      assert.equal(email.status, 'sent', JSON.stringify(email));
      assert.equal(fake.sent[0]!.via, 'draft');
      assert.deepEqual(fake.sent[0]!.attachments.map((a) => a.via), ['post']);
      assert.ok(fake.sent[0]!.attachments[0]!.content.equals(scan));
    });

    it('401/403 and 404 fail at once with the seed\'s explanation, naming the Email sender', async () => {
      fake.forbidden.add('alice@contoso.test');
      const forbidden = await sendInteractive(world.ctx, providers, world.alice, { to: 'bob@fabrikam.test', subject: 'x', body: 'x' }, { provider: 'graph' });
      assert.equal(forbidden.email.status, 'failed');
      const detail = await getEmail(world.ctx, world.alice, forbidden.email.id);
      assert.equal(detail.attemptLog[0]!.code, 'MAILBOX_UNAUTHORIZED');
      assert.match(detail.attemptLog[0]!.response ?? '', /403 .*ErrorAccessDenied/);
      fake.mailboxes.delete('admin@contoso.test');
      const missing = await sendInteractive(world.ctx, providers, world.admin, { to: 'bob@fabrikam.test', subject: 'x', body: 'x' }, { provider: 'graph' });
      const missingDetail = await getEmail(world.ctx, world.admin, missing.email.id);
      assert.equal(missingDetail.status, 'failed');
      assert.equal(missingDetail.attemptLog[0]!.code, 'MAILBOX_NOT_FOUND');
      assert.equal(missingDetail.sender, 'admin@contoso.test');
    });

    it('429 and 503 are temporary: the next try waits at least as long as Retry-After asks', async () => {
      const { email } = await queueEmail(world.ctx, null, { from: 'alice@contoso.test', to: 'bob@fabrikam.test', subject: 'Busy', body: 'x' });
      fake.failNext(429, 'ApplicationThrottled', '600');
      await runDistributorPass(world.ctx, providers);
      let row = await getEmail(world.ctx, world.admin, email.id);
      assert.equal(row.status, 'waiting');
      assert.equal(row.attemptLog[0]!.code, 'SERVICE_BUSY');
      assert.ok(row.nextAttemptAt! >= clock.now() + 600_000, 'not before Retry-After');
      clock.advance(601_000);
      fake.failNext(503, 'ServiceUnavailable');
      await runDistributorPass(world.ctx, providers);
      row = await getEmail(world.ctx, world.admin, email.id);
      assert.equal(row.attemptLog[1]!.code, 'SERVICE_BUSY');
      clock.set(row.nextAttemptAt! + 1);
      await runDistributorPass(world.ctx, providers);
      assert.equal((await getEmail(world.ctx, world.admin, email.id)).status, 'sent');
    });

    it('any other 4xx is permanent', async () => {
      fake.failNext(400, 'ErrorInvalidRecipients');
      const { email } = await sendInteractive(world.ctx, providers, world.alice, { to: 'bob@fabrikam.test', subject: 'x', body: 'x' }, { provider: 'graph' });
      assert.equal(email.status, 'failed');
      assert.equal((await getEmail(world.ctx, world.alice, email.id)).attemptLog[0]!.code, 'GRAPH_REJECTED');
    });

    it('the connection test names a wrong secret, a missing world.admin consent, and a missing mailbox', async () => {
      const ok = await testConnection(world.ctx, providers, 'graph', 'alice@contoso.test');
      assert.equal(ok.ok, true);
      assert.deepEqual(ok.steps.map((s) => s.step), ['token', 'permission', 'mailbox']);

      await assert.rejects(testConnection(world.ctx, providers, 'graph', 'nobody@contoso.test'), { code: 'MAILBOX_NOT_FOUND' });

      fake.roles = [];
      await updateParameters(world.ctx, { graph: { clientSecret: fake.clientSecret } });
      await assert.rejects(testConnection(world.ctx, providers, 'graph', 'alice@contoso.test'), { code: 'GRAPH_CONSENT_MISSING' });

      fake.refuseConsent = true;
      await updateParameters(world.ctx, { graph: { clientId: fake.clientId, clientSecret: 'another' } });
      fake.clientSecret = 'another';
      await assert.rejects(testConnection(world.ctx, providers, 'graph', 'alice@contoso.test'), { code: 'GRAPH_CONSENT_MISSING' });

      await updateParameters(world.ctx, { graph: { clientSecret: 'wrong-secret' } });
      await assert.rejects(testConnection(world.ctx, providers, 'graph', 'alice@contoso.test'), (err: any) => {
        assert.equal(err.code, 'GRAPH_SECRET_INVALID');
        assert.match(err.response, /AADSTS7000215/);
        assert.deepEqual(err.details.steps.map((s: any) => [s.step, s.ok]), [['token', false]]);
        return true;
      });
      const sentWithBadSecret = await sendInteractive(world.ctx, providers, world.alice, { to: 'bob@fabrikam.test', subject: 'x', body: 'x' }, { provider: 'graph' });
      assert.equal(sentWithBadSecret.email.status, 'failed');
    });

    it('keeps the Application secret sealed at rest, never returns it, refuses unknown settings and warns about a throttle', async () => {
      const row = await world.ctx.db.selectFrom('setting').select('value').where('key', '=', 'email_parameters').executeTakeFirstOrThrow();
      assert.ok(!row.value.includes(fake.clientSecret));
      const shown = toPublic(await readParameters(world.ctx));
      assert.equal(shown.graph.clientSecretSet, true);
      assert.equal(shown.graph.configured, true);
      assert.ok(!JSON.stringify(shown).includes(fake.clientSecret));
      assert.ok(!('clientSecretSealed' in shown.graph));
      await assert.rejects(updateParameters(world.ctx, { graph: { tenant: 'x' } as never }), { code: 'INVALID_PARAMETER' });
      await assert.rejects(updateParameters(world.ctx, { graph: { clientSecretSealed: 'v1:forged' } as never }), { code: 'INVALID_PARAMETER' });
      await assert.rejects(updateParameters(world.ctx, { graph: { graphEndpoint: 'http://graph.example' } }), { code: 'INVALID_PARAMETER' });
      assert.deepEqual(toPublic(await readParameters(world.ctx)).warnings, []);
      const throttled = toPublic(await updateParameters(world.ctx, { throttle: { graph: 30 } }));
      assert.deepEqual(throttled.warnings.map((w) => w.field), ['throttle.graph']);
      await updateParameters(world.ctx, { throttle: { graph: 0 } });
    });
  });
}
