// Incoming synchronization in the console, in Chromium, on `mailroom serve --demo` whose scheduler
// synchronizes a real Dovecot mailbox: the administrator chooses "All email messages" and adds a
// folder rule on Email tracking, enables their mailbox, and the Mailboxes page shows the health
// (not healthy: one message fails) and the sync status panel with the failing message's reason and
// the reconciliation; Synchronize now and Reconcile now work while serve holds the mailbox. axe finds
// nothing serious on either page.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { skipUnlessDovecot } from '../fixtures/dovecot.ts';
import { startSyncServers, type SyncServers } from '../fixtures/world.ts';
import {
  apiCall, ensureConsoleBuilt, launchBrowser, screenshot, signIn, seriousViolations, skipUnlessChromium, startDemoServer,
  type Browser, type DemoServer,
} from './console-harness.ts';

describe('incoming synchronization in the console', { skip: skipUnlessChromium() || skipUnlessDovecot() }, () => {
  let server: DemoServer;
  let servers: SyncServers;
  let browser: Browser;
  let page: Page;
  let adminToken: string;
  const violations: Record<string, string[]> = {};
  const api = (method: string, path: string, body?: unknown) => apiCall(server.url, method, path, adminToken, body);
  const open = async (label: string) => {
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: label, exact: true }).click();
    await page.locator('main h1').waitFor();
  };

  before(async () => {
    ensureConsoleBuilt();
    servers = await startSyncServers();
    server = await startDemoServer();
    browser = await launchBrowser();
    page = await browser.context.newPage();
    adminToken = (await apiCall(server.url, 'POST', '/api/session', null, { username: 'admin', password: server.passwords.admin })).body.token;
    await signIn(page, server.url, 'admin', server.passwords.admin!);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await servers?.stop();
  });

  it('Email tracking: the tracking option and a folder rule are saved; a folder outside the Inbox is refused', async () => {
    await open('Email tracking');
    await page.getByLabel('Email messages to track').selectOption('all');
    await page.getByRole('button', { name: 'Save email tracking options' }).click();
    await page.getByText('Email tracking options saved.').waitFor();
    assert.equal((await api('GET', '/api/users/me/email-options')).body.tracking, 'all');
    const form = page.getByRole('form', { name: 'New folder tracking rule' });
    await form.getByLabel('Folder').fill('Projects');
    await form.getByRole('button', { name: 'Add folder rule' }).click();
    await page.getByText(/under the Inbox, such as INBOX\/Projects \(the Inbox/).waitFor();
    await form.getByLabel('Folder').fill('INBOX/Projects');
    await form.getByRole('button', { name: 'Add folder rule' }).click();
    await page.getByRole('cell', { name: 'INBOX/Projects', exact: true }).waitFor();
    await screenshot(page, 'incoming-email-tracking');
    violations['email-tracking'] = await seriousViolations(page);
  });

  it('Mailboxes: the scheduler synchronizes the enabled mailbox; its health and sync status show the failing message and its reason', async () => {
    const me = (await api('GET', '/api/me')).body;
    const email: string = me.user.email;
    const box = servers.dovecot.addUser('console');
    await servers.dovecot.deliver(box, [
      `From: Robin <robin@northwind.test>\r\nTo: ${email}\r\nSubject: Order\r\nMessage-ID: <console-1@northwind.test>\r\n\r\nPlease send 10.\r\n`,
      '\r\nno header fields at all\r\n',
    ]);
    await servers.dovecot.deliver(box, [`From: Sam <sam@northwind.test>\r\nTo: ${email}\r\nSubject: Project\r\nMessage-ID: <console-2@northwind.test>\r\n\r\nPlan\r\n`], { folder: 'INBOX/Projects' });
    const profile = await api('POST', '/api/email-server-profiles', {
      name: 'Dovecot', serverType: 'imap', incomingHost: servers.dovecot.host, incomingPort: servers.dovecot.imapPort, incomingSsl: true,
      outgoingHost: servers.smtp.host, outgoingPort: servers.smtp.port, outgoingSsl: true, verifyCertificate: false,
    });
    assert.equal(profile.status, 201, JSON.stringify(profile.body));
    const set = await api('PATCH', `/api/mailboxes/${encodeURIComponent(email)}`, { profile: 'Dovecot', incoming: 'sss', username: box.username, password: box.password, allowCredentials: true });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.equal((await api('POST', `/api/mailboxes/${encodeURIComponent(email)}/approve`)).status, 200);
    assert.equal((await api('POST', `/api/mailboxes/${encodeURIComponent(email)}/test-enable`)).body.channels.incoming.enabled, true);
    // serve's scheduler takes the mailbox within its idle interval (5 s) and runs the cycle.
    let status = (await api('GET', `/api/mailboxes/${encodeURIComponent(email)}/sync-status`)).body;
    for (let i = 0; i < 150 && status.counts.tracked < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      status = (await api('GET', `/api/mailboxes/${encodeURIComponent(email)}/sync-status`)).body;
    }
    assert.deepEqual(status.counts, { tracked: 2, skipped: 0, failing: 1, undeliverable: 0 });
    for (let i = 0; i < 25 && !status.lastSuccessAt; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      status = (await api('GET', `/api/mailboxes/${encodeURIComponent(email)}/sync-status`)).body;
    }
    assert.ok(status.lastSuccessAt, 'the cycle is a success while the mailbox is still held');
    await open('Mailboxes');
    const row = page.getByRole('row').filter({ hasText: email });
    await row.getByText('Needs attention').waitFor();
    await page.getByRole('button', { name: `Sync status of ${email}` }).click();
    const panel = page.getByRole('region', { name: `Incoming sync status of ${email}` });
    await panel.getByText(/2 tracked, 0 skipped, 1 failing/).waitFor();
    await panel.getByRole('cell', { name: /MESSAGE_PARSE_FAILED: The message has no header fields/ }).waitFor();
    await panel.getByText(/no gap: every message on the server is accounted for/).waitFor();
    // serve's scheduler holds the mailbox while it watches the Inbox: Synchronize now asks it for a cycle.
    await servers.dovecot.deliver(box, [`From: Sam <sam@northwind.test>\r\nTo: ${email}\r\nSubject: Plan B\r\nMessage-ID: <console-3@northwind.test>\r\n\r\nB\r\n`], { folder: 'INBOX/Projects' });
    await panel.getByRole('button', { name: `Synchronize ${email} now` }).click();
    await panel.getByText(/Synchronized: 1 tracked/).waitFor({ timeout: 40_000 });
    // Reconcile now as well: the holder reconciles on its connection and the panel shows its result.
    await panel.getByRole('button', { name: `Reconcile ${email} now` }).click();
    await panel.getByText(/Reconciled .*: no gap\./).waitFor({ timeout: 40_000 });
    const reconciled = (await api('GET', `/api/mailboxes/${encodeURIComponent(email)}/sync-status`)).body;
    assert.ok(reconciled.heldBy, 'still held by serve\'s scheduler');
    assert.deepEqual(reconciled.reconciliation.folders.map((f: { folder: string; tracked: number }) => [f.folder, f.tracked]), [['INBOX', 1], ['INBOX/Projects', 2]]);
    await screenshot(page, 'incoming-sync-status');
    violations['mailboxes-sync-status'] = await seriousViolations(page);
    const activities = (await api('GET', '/api/activities?direction=incoming')).body.items as { subject: string }[];
    const subjects = activities.map((a) => a.subject);
    assert.ok(subjects.includes('Order') && subjects.includes('Project'), subjects.join(', '));
  });

  it('has no serious or critical accessibility violations', () => {
    assert.deepEqual(Object.keys(violations).sort(), ['email-tracking', 'mailboxes-sync-status']);
    assert.deepEqual(Object.fromEntries(Object.entries(violations).filter(([, v]) => v.length > 0)), {});
  });
});
