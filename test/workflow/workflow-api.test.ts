// Templates, workflows, work items and statements through the REST API (app.inject, no port),
// with the access rules: administrators set up, users submit and act on their own work items.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import { startApi, type ApiHarness, type Json } from '../fixtures/api.ts';
import { DIALECTS, skipUnless } from '../fixtures/context.ts';
import { startSmtpServer, type RunningSmtpServer } from '../fixtures/smtp-server.ts';
import { notificationTemplate } from './workflow-setup.ts';

const definition = {
  code: 'EXPENSE', name: 'Expense approval', documentType: 'expense-report', templateEmailId: 'WFNOTIFY',
  notifications: { completed: { text: '%document% is approved.', recipients: [{ type: 'originator' }] } },
  steps: [{
    name: 'Administrator approval', assignTo: { type: 'role', role: 'admin' },
    notifications: { 'workitem-created': { text: 'Please approve %document% from %originator%.', recipients: [{ type: 'workitem-owner' }] } },
  }],
};

for (const dialect of DIALECTS) {
  describe(`workflow, templates and statements API on ${dialect}`, { skip: await skipUnless(dialect) }, () => {
    let h: ApiHarness;
    let smtp: RunningSmtpServer;
    const admin = () => ({ token: h.tokens.admin });
    const alice = () => ({ token: h.tokens.alice });

    before(async () => {
      smtp = await startSmtpServer();
      h = await startApi(dialect);
      const patched = await h.call('PATCH', '/api/parameters', { ...admin(), body: { smtp: { host: smtp.host, port: smtp.port, sslRequired: false } } });
      assert.equal(patched.status, 200, patched.text);
    });
    after(async () => {
      await h.close();
      await smtp.close();
    });

    it('lets administrators manage templates and workflows, and refuses users with 403', async () => {
      const refused = await h.call('POST', '/api/templates', { ...admin(), body: notificationTemplate({ messages: [{ language: 'en-us', subject: '%subjet%', html: '' }] }) });
      assert.equal(refused.status, 400);
      assert.equal(refused.body.error.code, 'TEMPLATE_PLACEHOLDER_UNKNOWN');
      assert.deepEqual(refused.body.error.details.placeholders, ['subjet']);

      const created = await h.call('POST', '/api/templates', { ...admin(), body: notificationTemplate() });
      assert.equal(created.status, 201, created.text);
      const preview = await h.call('POST', `/api/templates/${created.body.id}/preview`, { ...admin(), body: { language: 'de' } });
      assert.equal(preview.status, 200);
      assert.equal(preview.body.language, 'de');
      assert.equal(preview.body.subject, '[DE] Approve purchase requisition PR-000123');

      assert.equal((await h.call('POST', '/api/templates', { ...alice(), body: notificationTemplate({ emailId: 'X' }) })).status, 403);
      assert.equal((await h.call('GET', '/api/templates', alice())).status, 403);
      assert.equal((await h.call('POST', '/api/workflows', { ...alice(), body: definition })).status, 403);
      assert.equal((await h.call('POST', '/api/organizations', { ...alice(), body: { code: 'X', name: 'X' } })).status, 403);
      const wf = await h.call('POST', '/api/workflows', { ...admin(), body: definition });
      assert.equal(wf.status, 201, wf.text);
      assert.equal(wf.body.scope, 'system');
      const kinds = await h.call('GET', '/api/template-kinds', alice());
      assert.ok(kinds.body.find((k: Json) => k.kind === 'workflow').placeholders.some((p: Json) => p.name === 'workitem.owner'));
    });

    it('a user submits; the administrator finds the work item in the inbox, approves, and the history and mail follow', async () => {
      const submitted = await h.call('POST', '/api/workflow/submit', { ...alice(), body: { documentType: 'expense-report', title: 'Trip to Oslo', ref: 'EXP-7' } });
      assert.equal(submitted.status, 201, submitted.text);
      const queue = await h.call('GET', '/api/queue', admin());
      assert.deepEqual(queue.body.map((e: Json) => e.to[0].address), ['admin@contoso.test']);

      const inbox = await h.call('GET', '/api/work-items', admin());
      assert.equal(inbox.body.length, 1);
      const item = inbox.body[0];
      assert.deepEqual(item.actions, ['approve', 'reject', 'request-change', 'delegate']);
      const notMine = await h.call('POST', `/api/work-items/${item.id}/approve`, { ...alice(), body: {} });
      assert.equal(notMine.status, 403);
      assert.equal(notMine.body.error.code, 'WORKFLOW_NOT_OWNER');

      const approved = await h.call('POST', `/api/work-items/${item.id}/approve`, { ...admin(), body: { comment: 'ok' } });
      assert.equal(approved.status, 200, approved.text);
      assert.equal(approved.body.status, 'approved');
      const history = await h.call('GET', `/api/workflow/instances/${submitted.body.id}/history`, alice());
      assert.deepEqual(history.body.events.map((e: Json) => e.event), ['started', 'workitem-created', 'approve', 'completed']);
      assert.equal(history.body.instance.status, 'completed');

      const run = await h.call('POST', '/api/distributor/run', admin());
      assert.equal(run.status, 200, run.text);
      const mails = await smtp.waitForMails(2);
      assert.deepEqual(mails.map((m) => m.to[0]).sort(), ['admin@contoso.test', 'alice@contoso.test']);
    });

    it('keeps the Workflow option per user: off means no workflow email', async () => {
      assert.deepEqual((await h.call('GET', '/api/workflow/options', alice())).body, { sendNotificationsInEmail: true });
      const off = await h.call('PATCH', '/api/workflow/options', { ...alice(), body: { sendNotificationsInEmail: false } });
      assert.deepEqual(off.body, { sendNotificationsInEmail: false });
      const submitted = await h.call('POST', '/api/workflow/submit', { ...alice(), body: { documentType: 'expense-report', title: 'Taxi' } });
      const [item] = (await h.call('GET', '/api/work-items', admin())).body;
      await h.call('POST', `/api/work-items/${item.id}/approve`, { ...admin(), body: {} });
      const history = await h.call('GET', `/api/workflow/instances/${submitted.body.id}/history`, admin());
      const completed = history.body.events.find((e: Json) => e.event === 'completed');
      assert.deepEqual(completed.notifications.map((n: Json) => [n.status, n.reason]), [['skipped', 'option-off']]);
    });

    it('prefills and sends the statement of an account through the dialogs: eml returns the file', async () => {
      assert.equal((await h.call('POST', '/api/organizations', { ...admin(), body: { code: 'USMF', name: 'Contoso USA' } })).status, 201);
      const template = await h.call('POST', '/api/templates', {
        ...admin(), body: {
          organization: 'USMF', emailId: 'STATEMENT', kind: 'statement', senderEmail: 'collections@contoso.test', defaultLanguage: 'en-us',
          messages: [{ language: 'en-us', subject: 'Statement for %customer.name%', html: '<!--%tablebegin.invoice%-->%invoice.number%;<!--%tableend.invoice%-->' }],
        },
      });
      assert.equal(template.status, 201, template.text);
      assert.equal((await h.call('POST', '/api/accounts', { ...admin(), body: { accountNumber: 'US-008', name: 'Sparrow Retail', organization: 'USMF' } })).status, 201);
      assert.equal((await h.call('POST', '/api/contacts', { ...admin(), body: { account: 'US-008', name: 'Casey', emails: ['casey@sparrow.test'], purpose: 'Statements' } })).status, 201);
      assert.equal((await h.call('POST', '/api/accounts/US-008/invoices', { ...admin(), body: { number: 'INV-1', invoiceDate: '2020-01-01', dueDate: '2020-02-01', amount: 10 } })).status, 201);

      const draft = await h.call('POST', '/api/accounts/US-008/statement/draft', { ...alice(), body: {} });
      assert.equal(draft.status, 200, draft.text);
      assert.deepEqual(draft.body.draft.to, ['"Casey" <casey@sparrow.test>']);
      assert.equal(draft.body.draft.html, 'INV-1;');
      assert.match(draft.body.attachments[0].filename, /^Statement US-008 \d{4}-\d{2}-\d{2}\.xlsx$/);

      const sent = await h.call('POST', '/api/accounts/US-008/statement/send', { ...alice(), body: { provider: 'eml' } });
      assert.equal(sent.status, 200, sent.text);
      assert.equal(sent.body.email.status, 'generated');
      const parsed = await simpleParser(Buffer.from(sent.body.emlBase64, 'base64'));
      assert.equal(parsed.subject, 'Statement for Sparrow Retail');
      assert.equal(parsed.attachments.length, 1);
    });
  });
}
