// The console pages of templates, workflow and statements in headless Chromium, on a real
// `serve --demo`: submit a purchase requisition, see June's work item in the workflow history,
// approve it from her inbox, preview a template, and send US-008's statement as an .eml.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { simpleParser } from 'mailparser';
import type { Page } from 'playwright-core';
import {
  apiCall, ensureConsoleBuilt, launchBrowser, screenshot, seriousViolations, skipUnlessChromium, startDemoServer,
  type Browser, type DemoServer,
} from '../e2e/console-harness.ts';

describe('template, workflow and statement pages in Chromium', { skip: skipUnlessChromium() }, () => {
  let server: DemoServer;
  let browser: Browser;
  let page: Page;
  const violations: Record<string, string[]> = {};
  let historyUrl = '';

  const nav = async (label: string, heading = label) => {
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: label, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  };
  const look = async (name: string) => {
    await screenshot(page, `workflow-${name}`);
    violations[name] = await seriousViolations(page);
  };
  const signIn = async (username: string) => {
    await page.goto(server.url);
    await page.evaluate('sessionStorage.clear()');
    await page.goto(server.url);
    await page.getByLabel('User name').fill(username);
    await page.getByLabel('Password').fill(server.passwords[username]!);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('user-name').waitFor();
  };
  /** Waits (without a deadline of its own: the test timeout bounds it) until the capture server holds a mail matching. */
  const captured = async (match: (m: { to: string[]; subject: string }) => boolean) => {
    const session = await apiCall(server.url, 'POST', '/api/session', null, { username: 'admin', password: server.passwords.admin });
    for (;;) {
      const list = await apiCall(server.url, 'GET', '/api/demo/captured', session.body.token);
      const hit = (list.body as { to: string[]; subject: string }[]).find(match);
      if (hit) return hit;
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  before(async () => {
    ensureConsoleBuilt();
    server = await startDemoServer();
    browser = await launchBrowser();
    page = await browser.context.newPage();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('submit a purchase requisition: the history shows the work item assigned to June', async () => {
    await signIn('omar');
    await nav('Submitted workflows');
    await page.getByLabel('Document type').fill('purchase-requisition');
    await page.getByLabel('Title').fill('Ergonomic chairs');
    await page.getByLabel('Reference').fill('PR-2001');
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.getByRole('heading', { level: 1, name: 'Workflow history: Ergonomic chairs' }).waitFor();
    const created = page.locator('tr[data-event="workitem-created"]');
    await created.waitFor();
    assert.match((await created.textContent()) ?? '', /June Park/);
    await look('history');
    await captured((m) => m.to.includes('june.park@mailroom.demo') && m.subject === 'Approve purchase requisition PR-2001: Ergonomic chairs');
    historyUrl = page.url();
  });

  it('the history shows each notification\'s email as it stands now, linked for whoever may open it', async () => {
    // The email was captured, so it is sent: the history says so, not "queued" as when it was handed in.
    await signIn('admin');
    await page.goto(historyUrl);
    const toJune = page.locator('tr[data-event="workitem-created"] li[data-notification="June Park"]');
    const link = toJune.getByRole('link', { name: 'email sent' });
    await link.waitFor();
    await screenshot(page, 'workflow-history-email-status');
    await link.click();
    await page.getByRole('heading', { level: 1, name: /Approve purchase requisition PR-2001/ }).waitFor();
    assert.doesNotMatch((await page.locator('main').textContent()) ?? '', /No such email/);

    // June may see the workflow but not the email (no user sent it): its status, without a link.
    await signIn('june');
    await page.goto(historyUrl);
    await toJune.locator('[data-email-status="sent"]').waitFor();
    assert.equal(await toJune.getByRole('link').count(), 0);
    assert.match((await toJune.textContent()) ?? '', /email sent/);
  });

  it('June approves from her work items; the finance step goes to the administrators', async () => {
    await signIn('june');
    await nav('Work items');
    const card = page.getByRole('region', { name: 'Approve purchase requisition PR-2001: Ergonomic chairs' });
    await card.getByLabel('Comment').fill('Within budget');
    await look('work-items');
    await card.getByRole('button', { name: 'Approve' }).click();
    await page.getByText('Approve: the work item is now approved.').waitFor();
    await captured((m) => m.to.includes('admin@mailroom.demo') && m.subject === 'Finance approval: Ergonomic chairs');
  });

  it('administrators see the templates with a preview, and the workflow with its notification settings', async () => {
    await signIn('admin');
    await nav('System email templates');
    await page.getByRole('button', { name: 'Edit WFNOTIFY' }).click();
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByTestId('template-preview').getByText('Approve purchase requisition PR-000123').waitFor();
    await page.frameLocator('[data-testid="template-preview"] iframe').getByText('Please review the requisition for office chairs.').waitFor();
    await look('system-templates');
    await nav('Organization email templates');
    await page.getByRole('button', { name: 'Edit STATEMENT' }).waitFor();
    await look('organization-templates');
    await nav('Workflows');
    await page.getByRole('button', { name: 'Edit PURCHREQ' }).click();
    await page.getByRole('region', { name: 'Approval step 2' }).waitFor();
    assert.equal(await page.getByLabel('Email template for workflow notifications').inputValue(), 'WFNOTIFY');
    await look('workflows');
  });

  it('Statements to contact for US-008: the email app gives an .eml with the contact and the workbook', async () => {
    await signIn('june');
    await nav('Accounts');
    await page.getByRole('link', { name: 'US-008' }).click();
    await page.getByRole('link', { name: 'Statements to contact' }).click();
    await page.getByRole('dialog').getByLabel('Use an email app, such as Outlook').check();
    await page.getByRole('dialog').getByRole('button', { name: 'OK' }).click();
    assert.equal(await page.getByLabel('To').inputValue(), '"Dana Collins" <collections@sparrow-retail.demo>');
    await look('send-statement');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Create .eml file' }).click()]);
    const eml = await simpleParser(readFileSync((await download.path())!));
    assert.equal(!Array.isArray(eml.to) ? eml.to?.value[0]?.address : undefined, 'collections@sparrow-retail.demo');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(eml.attachments[0]!.content as unknown as ArrayBuffer);
    assert.equal(workbook.getWorksheet('Statement')!.getCell('B2').value, 'US-008');
  });

  it('a notification refused before its message was built says so on its email page, with Resend and no .eml to download', async () => {
    const admin = (await apiCall(server.url, 'POST', '/api/session', null, { username: 'admin', password: server.passwords.admin })).body.token;
    const template = await apiCall(server.url, 'POST', '/api/templates', admin, {
      emailId: 'WFGONE', kind: 'workflow', description: 'Deleted after set-up', senderName: 'Contoso Workflow', senderEmail: 'workflow@mailroom.demo',
      defaultLanguage: 'en-us', messages: [{ language: 'en-us', subject: '%subject%', html: '<p>%message%</p>' }],
    });
    assert.equal(template.status, 201, JSON.stringify(template.body));
    const workflow = await apiCall(server.url, 'POST', '/api/workflows', admin, {
      code: 'GONE', name: 'Expense approval', documentType: 'expense-report', templateEmailId: 'WFGONE',
      steps: [{ name: 'Admins', assignTo: { type: 'role', role: 'admin' }, notifications: { 'workitem-created': { text: 'Please approve %document%.', recipients: [{ type: 'workitem-owner' }] } } }],
    });
    assert.equal(workflow.status, 201, JSON.stringify(workflow.body));
    assert.equal((await apiCall(server.url, 'DELETE', `/api/templates/${template.body.id}`, admin)).status, 204);
    const doc = await apiCall(server.url, 'POST', '/api/workflow/submit', admin, { documentType: 'expense-report', title: 'Train tickets' });
    assert.equal(doc.status, 201, JSON.stringify(doc.body));
    await apiCall(server.url, 'POST', '/api/workflow/notifications/dispatch', admin);
    const history = await apiCall(server.url, 'GET', `/api/workflow/instances/${doc.body.id}/history`, admin);
    const [note] = history.body.events.flatMap((e: { notifications?: { emailId: string; reason: string }[] }) => e.notifications ?? []);
    assert.equal(note?.reason, 'WORKFLOW_TEMPLATE_MISSING');

    await signIn('admin');
    await page.goto(new URL(`/history/${note.emailId}`, server.url).toString());
    await page.getByText('Mailroom refused this email before building its message').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Resend' }).count(), 1);
    assert.equal(await page.getByRole('button', { name: 'Download .eml' }).count(), 0, 'there is no message to download');
    await page.getByRole('tab', { name: 'Failure details' }).click();
    await page.getByText('WORKFLOW_TEMPLATE_MISSING').first().waitFor();
    await look('refused-notification');
  });

  it('has no serious or critical accessibility findings on these pages', () => {
    assert.deepEqual(Object.fromEntries(Object.entries(violations).filter(([, v]) => v.length > 0)), {});
  });
});
