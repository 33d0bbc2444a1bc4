// Input that used to be changed or dropped without a word: each is now refused with a code, or
// kept where a person can see it (a refused notification lands in the email history, resendable).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { attachment, countEmails, startApi, type ApiHarness, type Json } from '../fixtures/api.ts';
import { runCli } from '../fixtures/cli.ts';
import { createTestEnv, DIALECTS, skipUnless } from '../fixtures/context.ts';
import { startSmtpServer, type RunningSmtpServer } from '../fixtures/smtp-server.ts';
import { notificationTemplate } from '../workflow/workflow-setup.ts';
import { readParameters } from '../../src/outbound/email-parameters.ts';
import { writeSetting } from '../../src/outbound/settings.repository.ts';

for (const dialect of DIALECTS) {
  describe(`refused, not changed, on ${dialect}`, { skip: await skipUnless(dialect) }, () => {
    let h: ApiHarness;
    let smtp: RunningSmtpServer;
    const admin = (body?: unknown) => ({ token: h.tokens.admin, body });
    const alice = (body?: unknown) => ({ token: h.tokens.alice, body });
    const codeOf = (res: { body: Json }) => res.body?.error?.code;

    before(async () => {
      smtp = await startSmtpServer();
      h = await startApi(dialect);
    });
    after(async () => {
      await h.close();
      await smtp.close();
    });

    it('keeps a workflow notification refused for an SMTP server not set yet in the email history, and sends it on resend', async () => {
      assert.equal((await h.call('POST', '/api/templates', admin(notificationTemplate()))).status, 201);
      assert.equal((await h.call('POST', '/api/workflows', admin({
        code: 'NOTE', name: 'Approval', documentType: 'expense-report', templateEmailId: 'WFNOTIFY',
        steps: [{ name: 'Admins', assignTo: { type: 'role', role: 'admin' }, notifications: { 'workitem-created': { text: 'Please approve %document%.', recipients: [{ type: 'workitem-owner' }] } } }],
      }))).status, 201);
      const doc = await h.call('POST', '/api/workflow/submit', alice({ documentType: 'expense-report', title: 'Hotel' }));
      assert.equal(doc.status, 201, doc.text);
      await h.call('POST', '/api/workflow/notifications/dispatch', admin());
      const history = await h.call('GET', `/api/workflow/instances/${doc.body.id}/history`, admin());
      const sent = history.body.events.flatMap((e: Json) => e.notifications ?? []);
      assert.equal(sent.length, 1, JSON.stringify(history.body.events));
      assert.equal(sent[0].status, 'failed');
      assert.equal(sent[0].reason, 'SMTP_NOT_CONFIGURED');
      const email = (await h.call('GET', `/api/emails/${sent[0].emailId}`, admin())).body;
      assert.equal(email.status, 'failed', 'the email history has it too');
      assert.equal(email.failure.code, 'SMTP_NOT_CONFIGURED');
      assert.deepEqual(email.to.map((m: Json) => m.address), ['admin@contoso.test']);

      assert.equal(codeOf(await h.call('POST', `/api/emails/${email.id}/resend`, admin())), 'SMTP_NOT_CONFIGURED', 'still not set up: not queued');
      assert.equal((await h.call('PATCH', '/api/parameters', admin({ smtp: { host: smtp.host, port: smtp.port, sslRequired: false } }))).status, 200);
      assert.equal((await h.call('POST', `/api/emails/${email.id}/resend`, admin())).body.status, 'waiting');
      await h.call('POST', '/api/distributor/run', admin());
      assert.equal((await h.call('GET', `/api/emails/${email.id}`, admin())).body.status, 'sent');
      assert.ok(smtp.mails.some((m) => m.to.includes('admin@contoso.test')));
    });

    it('keeps notifications refused for a missing template or a misleading sender in the email history, not retried by themselves; Resend builds them again once fixed', async () => {
      // One workflow whose template is deleted after it was set up, one whose sender name shows another address.
      const gone = await h.call('POST', '/api/templates', admin(notificationTemplate({ emailId: 'WFGONE' })));
      assert.equal(gone.status, 201, gone.text);
      assert.equal((await h.call('POST', '/api/templates', admin(notificationTemplate({ emailId: 'WFBADNAME', senderName: 'it@fabrikam.test' })))).status, 201);
      const notify = { 'workitem-created': { text: 'Please approve %document%.', recipients: [{ type: 'workitem-owner' }] } };
      for (const [code, templateEmailId, documentType] of [['GONE', 'WFGONE', 'purchase-requisition'], ['BADNAME', 'WFBADNAME', 'vendor-invoice']] as const) {
        const wf = await h.call('POST', '/api/workflows', admin({ code, name: code, documentType, templateEmailId, steps: [{ name: 'Admins', assignTo: { type: 'role', role: 'admin' }, notifications: notify }] }));
        assert.equal(wf.status, 201, wf.text);
      }
      assert.equal((await h.call('DELETE', `/api/templates/${gone.body.id}`, admin())).status, 204);
      const refusedOf = async (documentType: string, title: string) => {
        const doc = await h.call('POST', '/api/workflow/submit', alice({ documentType, title }));
        assert.equal(doc.status, 201, doc.text);
        await h.call('POST', '/api/workflow/notifications/dispatch', admin());
        const history = await h.call('GET', `/api/workflow/instances/${doc.body.id}/history`, admin());
        const [note] = history.body.events.flatMap((e: Json) => e.notifications ?? []);
        assert.equal(note.status, 'failed');
        assert.ok(note.emailId, `${note.reason}: the email history has it too`);
        return { instanceId: doc.body.id as string, note, email: (await h.call('GET', `/api/emails/${note.emailId}`, admin())).body };
      };
      const missing = await refusedOf('purchase-requisition', 'Chairs');
      assert.equal(missing.note.reason, 'WORKFLOW_TEMPLATE_MISSING');
      assert.equal(missing.email.status, 'failed');
      assert.equal(missing.email.failure.code, 'WORKFLOW_TEMPLATE_MISSING');
      assert.equal(missing.email.failure.retryable, false, 'marked as not retried by itself');
      assert.match(missing.email.failure.response, /WFGONE/);
      assert.deepEqual(missing.email.to.map((m: Json) => m.address), ['admin@contoso.test']);
      assert.equal(missing.email.sizeBytes, 0);
      assert.equal((await h.call('GET', `/api/emails/${missing.email.id}/content`, admin())).status, 404, 'no message was built');
      const misleading = await refusedOf('vendor-invoice', 'Invoice 7');
      assert.equal(misleading.note.reason, 'SENDER_NAME_MISLEADING');
      assert.equal(misleading.email.failure.code, 'SENDER_NAME_MISLEADING');
      assert.equal(misleading.email.sender, 'workflow@contoso.test');
      const failedList = await h.call('GET', '/api/emails?status=failed', admin());
      assert.ok(failedList.body.items.some((e: Json) => e.id === missing.email.id), 'listed among the failed emails of the history');

      // Nothing retries them by themselves: a distributor pass and a dispatch leave them as they are.
      await h.call('POST', '/api/distributor/run', admin());
      await h.call('POST', '/api/workflow/notifications/dispatch', admin());
      assert.equal((await h.call('GET', `/api/emails/${missing.email.id}`, admin())).body.status, 'failed');
      // Resend while the cause is still there: refused with it, the email unchanged.
      const still = await h.call('POST', `/api/emails/${missing.email.id}/resend`, admin());
      assert.equal(still.status, 409, still.text);
      assert.equal(codeOf(still), 'WORKFLOW_TEMPLATE_MISSING');
      assert.equal((await h.call('GET', `/api/emails/${missing.email.id}`, admin())).body.status, 'failed');
      assert.equal((await h.call('POST', `/api/emails/${missing.email.id}/resend`, alice())).status, 404, 'a plain user does not reach a system email');

      // Fixed: the template is back, the sender name is honest; Resend builds and queues each on the same email.
      assert.equal((await h.call('POST', '/api/templates', admin(notificationTemplate({ emailId: 'WFGONE' })))).status, 201);
      const again = await h.call('POST', `/api/emails/${missing.email.id}/resend`, admin());
      assert.equal(again.status, 200, again.text);
      assert.equal(again.body.status, 'waiting');
      const bad = (await h.call('GET', '/api/templates?kind=workflow', admin())).body.find((t: Json) => t.emailId === 'WFBADNAME');
      const { id: _id, scope: _s, organizationId: _o, createdAt: _c, updatedAt: _u, ...fixed } = bad;
      assert.equal((await h.call('PUT', `/api/templates/${bad.id}`, admin({ ...fixed, senderName: 'Contoso Workflow' }))).status, 200);
      const cli = await runCli(h.env, ['resend', misleading.email.id, '--json']);
      assert.equal(cli.code, 0, cli.err);
      assert.equal(cli.json.status, 'waiting');
      await h.call('POST', '/api/distributor/run', admin());
      for (const { email, instanceId } of [missing, misleading]) {
        const sent = (await h.call('GET', `/api/emails/${email.id}`, admin())).body;
        assert.equal(sent.status, 'sent', JSON.stringify(sent.failure));
        assert.ok(sent.sizeBytes > 0);
        const content = await h.call('GET', `/api/emails/${email.id}/content`, admin());
        assert.match(content.body.html, /Please approve/);
        const history = await h.call('GET', `/api/workflow/instances/${instanceId}/history`, admin());
        const [note] = history.body.events.flatMap((e: Json) => e.notifications ?? []);
        assert.equal(note.status, 'queued', 'the workflow history follows');
      }
      assert.equal(smtp.mails.filter((m) => m.raw.toString('utf8').includes('Chairs')).length, 1, 'sent once');
      assert.equal(codeOf(await h.call('POST', `/api/emails/${missing.email.id}/resend`, admin())), 'NOT_RESENDABLE', 'a sent one is not sent again');
    });

    it('says SMTP_AUTH_INCOMPLETE, not a missing server, for authentication without a user name saved before it was refused', async () => {
      // As an older version could leave it: the stored parameters written under the API's checks.
      const { ctx } = h.env;
      const stored = await readParameters(ctx);
      assert.equal(stored.smtp.host, smtp.host);
      await writeSetting(ctx.db, 'email_parameters', { ...stored, smtp: { ...stored.smtp, authRequired: true, username: '' } }, ctx.clock.now());
      const counts = await countEmails(h);
      const refused = await h.call('POST', '/api/emails', alice({ to: 'bob@fabrikam.test', subject: 'x', body: 'x' }));
      assert.equal(codeOf(refused), 'SMTP_AUTH_INCOMPLETE', refused.text);
      assert.deepEqual(await countEmails(h), counts);
      await writeSetting(ctx.db, 'email_parameters', stored, ctx.clock.now());
    });

    it('refuses a batch provider or a user\'s provider that is not set up, and authentication without a user name', async () => {
      const before = (await h.call('GET', '/api/parameters', admin())).body;
      for (const body of [{ batchProvider: 'graph' }, { batchProvider: 'exchange' }, { graph: { tenantId: 'contoso.onmicrosoft.test' }, batchProvider: 'graph' }, { smtp: { authRequired: true, username: '' } }]) {
        const res = await h.call('PATCH', '/api/parameters', admin(body));
        assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
        assert.equal(codeOf(res), 'INVALID_PARAMETER');
      }
      assert.deepEqual((await h.call('GET', '/api/parameters', admin())).body, before, 'nothing saved');
      const own = await h.call('PATCH', `/api/users/${h.users.alice.id}/options`, alice({ providerId: 'graph' }));
      assert.equal(own.status, 409, own.text);
      assert.equal(codeOf(own), 'GRAPH_NOT_CONFIGURED');
      assert.equal((await h.call('GET', `/api/users/${h.users.alice.id}/options`, alice())).body.providerId, null);
      assert.equal((await h.call('PATCH', `/api/users/${h.users.alice.id}/options`, alice({ providerId: 'eml' }))).status, 200);
    });

    it('refuses a content type with a line break, a date the calendar lacks, line breaks in a ref or a language, and unknown filters', async () => {
      const counts = await countEmails(h);
      for (const contentType of ['text/plain\r\nX-Evil: 1', 'text/plain\nBcc: x@fabrikam.test', 'not a type', 'text/']) {
        const res = await h.call('POST', '/api/emails', alice({ to: ['bob@fabrikam.test'], subject: 's', body: 'x', attachments: [attachment('a.txt', Buffer.from('x'), contentType)] }));
        assert.equal(res.status, 400, `${JSON.stringify(contentType)}: ${res.text}`);
      }
      assert.equal((await h.call('POST', '/api/emails', alice({ to: ['bob@fabrikam.test'], subject: 's', body: 'x', attachments: [attachment('a.txt', Buffer.from('x'), 'text/plain; charset="utf-8"')] }))).status, 201);
      assert.equal((await countEmails(h)).emails, counts.emails + 1);

      for (const q of ['from=2026-02-31', 'to=2026-02-30T10:00:00Z', 'from=2026-13-01']) {
        assert.equal((await h.call('GET', `/api/emails?${q}`, alice())).status, 400, q);
      }
      assert.equal((await h.call('GET', '/api/emails?from=2024-02-29', alice())).status, 200, 'a leap day is a day');
      assert.equal((await h.call('GET', '/api/templates?kind=bogus', admin())).status, 400);
      assert.equal((await h.call('GET', '/api/workflow/instances?status=bogus', admin())).status, 400);

      const ref = await h.call('POST', '/api/workflow/submit', alice({ documentType: 'expense-report', title: 'Taxi', ref: 'EXP-1\r\nX-Evil: 1' }));
      assert.equal(ref.status, 400, ref.text);
      for (const language of ['en\r\nus', 'english!', '']) {
        const res = await h.call('PATCH', `/api/users/${h.users.alice.id}`, admin({ language }));
        assert.equal(res.status, 400, `${JSON.stringify(language)}: ${res.text}`);
      }
      assert.equal((await h.call('GET', `/api/users/${h.users.alice.id}`, admin())).body.language, 'en-us');
      const revoke = await h.call('DELETE', `/api/users/${h.users.alice.id}/send-as/nobody@contoso.test`, admin());
      assert.equal(revoke.status, 404, revoke.text);
    });

    it('gives the CLI the API\'s rules and plain errors', async () => {
      const short = await runCli(h.env, ['users', 'add', '--username', 'shorty', '--email', 'shorty@contoso.test', '--password', 'a']);
      assert.notEqual(short.code, 0);
      assert.match(short.err, /8 to 200 characters/);
      const revoke = await runCli(h.env, ['users', 'revoke-send-as', 'alice', 'nobody@contoso.test']);
      assert.notEqual(revoke.code, 0);
      assert.doesNotMatch(revoke.out, /revoked/);
      const attach = await runCli(h.env, ['send', '--to', 'bob@fabrikam.test', '--subject', 's', '--body', 'x', '--attach', '/nonexistent/file.pdf']);
      assert.notEqual(attach.code, 0);
      assert.match(attach.err, /Cannot attach \/nonexistent\/file\.pdf: there is no such file/);
      assert.doesNotMatch(attach.err, /\n\s+at /, 'no stack trace');
      // params set: an unknown key is refused with the known ones, and no key walks into a prototype.
      const before = (await h.call('GET', '/api/parameters', admin())).body;
      for (const pair of ['expirationday=7', 'foo=bar', 'smtp=5', '__proto__.historyRetentionDays=99', 'constructor.prototype.batchProvider=eml', 'smtp.__proto__.port=1']) {
        const res = await runCli(h.env, ['params', 'set', pair]);
        assert.notEqual(res.code, 0, `${pair}: ${res.out}`);
        assert.doesNotMatch(res.out, /saved/, pair);
      }
      assert.match((await runCli(h.env, ['params', 'set', 'foo=bar'])).err, /Known: .*batchProvider/);
      assert.deepEqual((await h.call('GET', '/api/parameters', admin())).body, before, 'no parameter changed');
      assert.equal(({} as Record<string, unknown>).historyRetentionDays, undefined);
      const provider = await runCli(h.env, ['params', 'set', 'batchProvider=graph']);
      assert.notEqual(provider.code, 0);
      assert.match(provider.err, /INVALID_PARAMETER|not set up/);

      // Users but no administrator: said as such, with how to act as one of them or make one.
      const fresh = await createTestEnv(dialect);
      try {
        assert.match((await runCli(fresh, ['status'])).err, /There is no user yet/);
        assert.equal((await runCli(fresh, ['users', 'add', '--username', 'june', '--email', 'june@contoso.test', '--password', 'june-password'])).code, 0);
        const noAdmin = await runCli(fresh, ['status']);
        assert.notEqual(noAdmin.code, 0);
        assert.match(noAdmin.err, /There is no administrator \(users: june\)\. Act as one of them with --user NAME, or make one an administrator/);
        assert.doesNotMatch(noAdmin.err, /no user yet/);
      } finally {
        await fresh.cleanup();
      }
    });
  });
}
