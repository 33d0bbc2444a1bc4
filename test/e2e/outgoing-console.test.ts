// Writing an email activity in the console, in Chromium, against `mailroom serve --demo` (its
// distributor sends) and the sync world's real Dovecot and SMTP server: a user writes to a contact
// from the contact's page, follows it from Pending send to Sent (the SMTP server sees the user's
// mailbox sign-in), sees a failed one's status reason and failure details, and sends it again;
// starts one from a general email template (a plain user's picker, filled for the contact);
// axe finds nothing serious on the pages.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { createContact } from '../../src/crm/contacts.service.ts';
import { createTemplate } from '../../src/templates/templates.service.ts';
import { setApproval } from '../../src/sync/approval.service.ts';
import { findMailboxRow, updateMailbox } from '../../src/sync/mailboxes.service.ts';
import { createProfile } from '../../src/sync/server-profiles.service.ts';
import { testAndEnableRow } from '../../src/sync/test-enable.ts';
import { createUser, listUsers } from '../../src/users/users.service.ts';
import { skipUnlessDovecot, type DovecotUser } from '../fixtures/dovecot.ts';
import { startSyncServers, type SyncServers } from '../fixtures/world.ts';
import { ensureConsoleBuilt, launchBrowser, screenshot, signIn, seriousViolations, skipUnlessChromium, startDemoServer, type Browser, type DemoServer } from './console-harness.ts';

describe('writing and sending email activities in the console', { skip: skipUnlessChromium() || skipUnlessDovecot() }, () => {
  let server: DemoServer;
  let servers: SyncServers;
  let browser: Browser;
  let page: Page;
  let mailbox: DovecotUser;
  let contactId: string;
  const violations: Record<string, string[]> = {};

  before(async () => {
    ensureConsoleBuilt();
    servers = await startSyncServers();
    server = await startDemoServer();
    const { ctx } = server.running;
    const admin = (await listUsers(ctx)).find((u) => u.role === 'admin')!;
    // A user whose mailbox is a Dovecot user of the world, on a profile of the world's servers.
    mailbox = servers.dovecot.addUser('console');
    const profile = await createProfile(ctx, admin.id, {
      name: 'Dovecot (console test)', serverType: 'imap', incomingHost: servers.dovecot.host, incomingPort: servers.dovecot.imapPort,
      outgoingHost: servers.smtp.host, outgoingPort: servers.smtp.port, verifyCertificate: false,
    });
    await createUser(ctx, { username: 'sasha', name: 'Sasha Sales', email: mailbox.username, password: 'sasha-password-1' });
    const row = await findMailboxRow(ctx, mailbox.username);
    await updateMailbox(ctx, admin, row.id, { profile: profile.id, username: mailbox.username, password: mailbox.password, allowCredentials: true, incoming: 'none', outgoing: 'sss' });
    await setApproval(ctx, admin, row.id, 'approved');
    const enabled = await testAndEnableRow(ctx, await findMailboxRow(ctx, row.id));
    assert.equal(enabled.channels.outgoing.enabled, true, JSON.stringify(enabled.channels.outgoing.test));
    contactId = (await createContact(ctx, admin, { name: 'Dana Buyer', emails: ['dana@buyer.example'] })).id;

    browser = await launchBrowser();
    page = await browser.context.newPage();
    await signIn(page, server.url, 'sasha', 'sasha-password-1');
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await servers?.stop();
  });

  const write = async (subject: string, text: string) => {
    await page.goto(`${server.url}/contacts/${encodeURIComponent(contactId)}`);
    const form = page.getByRole('form', { name: 'Write an email activity' });
    await form.waitFor();
    assert.equal(await form.getByLabel('To').inputValue(), 'dana@buyer.example', 'it goes to the contact by default');
    await form.getByLabel('Subject').fill(subject);
    await form.getByRole('textbox', { name: 'Body' }).click();
    await page.keyboard.type(text);
    await form.getByRole('button', { name: 'Send' }).click();
    await page.waitForURL(/\/activities\//);
  };

  it('shows a failed one\'s status reason and failure details, sends it again, and it goes once the mailbox is fixed', async () => {
    // The password changed at the mail server (before any send, so no signed-in connection is kept).
    const changed = servers.changePassword(mailbox);
    await write('Second note', 'This one fails.');
    await page.getByTestId('status-reason').getByText('Failed', { exact: true }).waitFor({ timeout: 30_000 });
    assert.match(await page.getByTestId('status-detail').textContent() ?? '', /^AUTH_FAILED: /);
    await page.getByTestId('failure-code').getByText('AUTH_FAILED').waitFor();
    await page.getByTestId('failure-fix').waitFor();
    await screenshot(page, 'activity-failed');
    violations['activity-failed'] = await seriousViolations(page);
    await page.getByRole('button', { name: 'Send again' }).click();
    // The failure disabled the mailbox's outgoing channel: it waits until Test and enable passes.
    await page.getByTestId('status-reason').getByText('Pending send', { exact: true }).waitFor({ timeout: 30_000 });
    await page.getByTestId('status-detail').filter({ hasText: /^MAILBOX_OUTGOING_FAILING: / }).waitFor({ timeout: 30_000 });
    await page.getByText('Why it waits').waitFor({ timeout: 30_000 });
    await page.getByTestId('failure-code').getByText('MAILBOX_OUTGOING_FAILING').waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Cancel email' }).waitFor();
    // The administrator enters the new password and tests and enables the mailbox: what waited goes out.
    const { ctx } = server.running;
    const admin = (await listUsers(ctx)).find((u) => u.role === 'admin')!;
    const row = await findMailboxRow(ctx, mailbox.username);
    await updateMailbox(ctx, admin, row.id, { password: changed.password });
    await testAndEnableRow(ctx, await findMailboxRow(ctx, row.id));
    mailbox = changed;
    await page.getByTestId('status-reason').getByText('Sent', { exact: true }).waitFor({ timeout: 30_000 });
  });

  it('writes to a contact from its page and follows it to Sent through the user\'s mailbox', async () => {
    await write('Your order', 'Thank you for the order.');
    const reason = page.getByTestId('status-reason');
    await reason.getByText('Sent', { exact: true }).waitFor({ timeout: 30_000 });
    await page.getByText('In the mailbox\'s Sent folder.').waitFor({ timeout: 30_000 });
    const token = await page.locator('code').filter({ hasText: /^CRM:/ }).first().textContent();
    const mail = servers.smtp.mails.find((m) => m.to.includes('dana@buyer.example') && m.raw.toString('utf8').includes(`Your order ${token}`));
    assert.ok(mail, 'the SMTP server received it with the token in the subject');
    assert.equal(mail.user, mailbox.username, 'signed in as the user\'s mailbox');
    await page.getByRole('link', { name: 'Dana Buyer' }).first().waitFor();
    await screenshot(page, 'activity-sent');
    violations['activity-sent'] = await seriousViolations(page);
    await page.goto(`${server.url}/contacts/${encodeURIComponent(contactId)}`);
    await page.getByRole('link', { name: `Your order ${token}` }).waitFor();
    violations['contact-compose'] = await seriousViolations(page);
  });

  it('starts an email from a template: the picker fills the subject and body for the contact, and it goes as filled', async () => {
    const { ctx } = server.running;
    await createTemplate(ctx, null, {
      emailId: 'FOLLOWUP', kind: 'general', description: 'Order follow-up', senderEmail: 'backoffice@contoso.test', defaultLanguage: 'en-us',
      messages: [{ language: 'en-us', subject: 'Following up, %for%', html: '<p>Dear %for%,</p><p>your order is <b>on its way</b>.</p>' }],
    });
    await page.goto(`${server.url}/contacts/${encodeURIComponent(contactId)}`);
    const form = page.getByRole('form', { name: 'Write an email activity' });
    const picker = form.getByLabel('Start from a template');
    await picker.waitFor();
    await picker.selectOption({ label: 'Order follow-up (FOLLOWUP)' });
    const subject = form.getByLabel('Subject');
    await form.getByRole('textbox', { name: 'Body' }).filter({ hasText: 'on its way' }).waitFor();
    assert.equal(await subject.inputValue(), 'Following up, Dana Buyer');
    assert.match(await form.getByRole('textbox', { name: 'Body' }).innerHTML(), /<p>Dear Dana Buyer,<\/p><p>your order is <b>on its way<\/b>\.<\/p>/);
    violations['compose-template'] = await seriousViolations(page);
    await screenshot(page, 'compose-template-1400');
    await page.setViewportSize({ width: 390, height: 900 });
    await screenshot(page, 'compose-template-390');
    assert.ok(Number(await page.evaluate('document.documentElement.scrollWidth')) <= 390, 'the compose form fits 390 px without scrolling sideways');
    await page.setViewportSize({ width: 1320, height: 900 });
    await form.getByRole('textbox', { name: 'Body' }).click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type(' Thanks!');
    await form.getByRole('button', { name: 'Send' }).click();
    await page.waitForURL(/\/activities\//);
    await page.getByTestId('status-reason').getByText('Sent', { exact: true }).waitFor({ timeout: 30_000 });
    const mail = servers.smtp.mails.find((m) => m.raw.toString('utf8').includes('Following up, Dana Buyer'));
    assert.ok(mail, 'the SMTP server received the templated email');
    assert.match(mail.raw.toString('utf8'), /on its way/);
  });

  it('axe finds nothing serious', () => {
    assert.deepEqual(Object.fromEntries(Object.entries(violations).filter(([, v]) => v.length > 0)), {});
  });
});
