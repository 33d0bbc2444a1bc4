// Input that used to be changed or dropped without a word: each is now refused with a code, or
// kept where a person can see it (a refused notification lands in the email history, resendable).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { attachment, countEmails, startApi, type ApiHarness, type Json } from '../fixtures/api.ts';
import { runCli } from '../fixtures/cli.ts';
import { DIALECTS, skipUnless } from '../fixtures/context.ts';
import { startSmtpServer, type RunningSmtpServer } from '../fixtures/smtp-server.ts';
import { notificationTemplate } from '../workflow/workflow-setup.ts';

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
    });
  });
}
