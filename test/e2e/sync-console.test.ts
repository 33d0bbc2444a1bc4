// The synchronization pages in Chromium, against the real Dovecot and SMTP server of the sync
// world's servers: an administrator refuses and saves Email settings, adds a profile (an
// Exchange one is refused), approves and tests and enables a mailbox, reads its alerts and the
// alerts wall, adds a queue; edits a profile to trust the test certificate's authority; axe finds
// nothing serious on any of the pages.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { DOVECOT_CA, skipUnlessDovecot } from '../fixtures/dovecot.ts';
import { startSyncServers, type SyncServers } from '../fixtures/world.ts';
import {
  apiCall, ensureConsoleBuilt, launchBrowser, screenshot, signIn, seriousViolations, skipUnlessChromium, startDemoServer,
  type Browser, type DemoServer,
} from './console-harness.ts';

describe('synchronization pages in the console', { skip: skipUnlessChromium() || skipUnlessDovecot() }, () => {
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
  const look = async (name: string) => {
    await screenshot(page, `sync-${name}`);
    violations[name] = await seriousViolations(page);
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

  it('Email settings: a value out of range is refused with its range; a valid one is saved', async () => {
    await open('Email settings');
    await page.getByLabel('Maximum attachment size (KB)').fill('200000');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText(/0 to 131072/).first().waitFor();
    await page.getByLabel('Maximum attachment size (KB)').fill('10240');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Email settings saved.').waitFor();
    assert.equal((await api('GET', '/api/email-settings')).body.maxAttachmentKb, 10240);
    await page.getByLabel('Set To, cc, bcc as unresolved if multiple matches are found').check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Email settings saved.').waitFor();
    assert.equal((await api('GET', '/api/email-settings')).body.unresolvedOnMultipleMatches, true);
    await api('PATCH', '/api/email-settings', { unresolvedOnMultipleMatches: false });
    await look('email-settings');
  });

  it('Email server profiles: Exchange Online is refused; an IMAP profile is added', async () => {
    await open('Email server profiles');
    const form = page.getByRole('form', { name: 'New profile' });
    await form.getByLabel('Name').fill('Exchange');
    await form.getByLabel('Server type').selectOption('exchange-online');
    await form.getByLabel('Incoming server location').fill('outlook.office365.com');
    await form.getByRole('button', { name: 'Add profile' }).click();
    await page.getByText(/choose imap or pop3/).first().waitFor();
    await form.getByLabel('Name').fill('Dovecot');
    await form.getByLabel('Server type').selectOption('imap');
    await form.getByLabel('Incoming server location').fill(servers.dovecot.host);
    await form.getByLabel('Incoming port').fill(String(servers.dovecot.imapPort));
    await form.getByLabel('Outgoing server location').fill(servers.smtp.host);
    await form.getByLabel('Outgoing port').fill(String(servers.smtp.port));
    await form.getByRole('button', { name: 'Add profile' }).click();
    await page.getByRole('cell', { name: 'Dovecot', exact: true }).waitFor();
    // With a profile in the list, the new-profile form waits behind its button.
    await form.waitFor({ state: 'detached' });
    await look('profiles');
    await page.getByRole('button', { name: 'New profile' }).click();
    await form.getByLabel('Name').waitFor();
    await form.getByRole('button', { name: 'Cancel' }).click();
    await form.waitFor({ state: 'detached' });
  });

  it('Email server profiles: editing refuses a bad certificate and an interval out of range at their fields, then trusts the test authority', async () => {
    await open('Email server profiles');
    await page.getByRole('button', { name: 'Edit Dovecot' }).click();
    const form = page.getByRole('form', { name: 'Edit profile Dovecot' });
    assert.equal(await form.getByLabel("Verify the servers' certificates").isChecked(), true);
    await form.getByLabel('Trusted certificate authority (PEM)').fill('-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----');
    await form.getByLabel('Minimum polling interval (minutes)').fill('5000');
    await form.getByRole('button', { name: 'Save profile' }).click();
    // The server refuses the first problem it meets; each shows at its own field.
    await form.locator('[data-field-error]').first().waitFor();
    await form.getByLabel('Trusted certificate authority (PEM)').fill(DOVECOT_CA);
    await form.getByRole('button', { name: 'Save profile' }).click();
    await form.getByText(/0 to 1440/).first().waitFor();
    await form.getByLabel('Minimum polling interval (minutes)').fill('2');
    await form.getByRole('button', { name: 'Save profile' }).click();
    await page.getByText('Profile Dovecot saved.').waitFor();
    const saved = (await api('GET', '/api/email-server-profiles')).body.find((p: { name: string }) => p.name === 'Dovecot');
    assert.deepEqual([saved.minPollingMinutes, saved.verifyCertificate, saved.trustedCa.trim()], [2, true, DOVECOT_CA.trim()]);
    await page.getByRole('button', { name: 'Edit Dovecot' }).click();
    await look('profile-editor');
    await page.getByRole('button', { name: 'Cancel' }).click();
  });

  it('Mailboxes: approve, then test and enable shows each channel\'s result; the alerts show it too', async () => {
    const profile = (await api('GET', '/api/email-server-profiles')).body.find((p: { name: string }) => p.name === 'Dovecot');
    assert.equal(profile.verifyCertificate, true, 'the servers are verified against the trusted authority set in the editor');
    const user = servers.dovecot.addUser('console');
    assert.equal((await api('POST', '/api/users', { username: user.username, email: user.username })).status, 201);
    const set = await api('PATCH', `/api/mailboxes/${encodeURIComponent(user.username)}`, { profile: 'Dovecot', username: user.username, password: user.password, allowCredentials: true });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    await open('Mailboxes');
    await page.getByRole('button', { name: `Approve email for ${user.username}` }).click();
    await page.getByRole('button', { name: `Approve email for ${user.username}` }).waitFor({ state: 'detached' });
    await page.getByRole('button', { name: `Test and enable ${user.username}` }).click();
    const row = page.getByRole('row').filter({ hasText: user.username });
    await row.getByText(/Success · enabled/).first().waitFor();
    assert.equal(await row.getByText(/Success · enabled/).count(), 2, 'incoming and outgoing enabled');
    await page.getByRole('button', { name: `Alerts of ${user.username}` }).click();
    await page.getByText(/passed and are enabled/).waitFor();
    await look('mailboxes');

    // A wrong password: the failure with its step and the server's words.
    await api('PATCH', `/api/mailboxes/${encodeURIComponent(user.username)}`, { password: 'wrong-password' });
    await page.getByRole('button', { name: `Test and enable ${user.username}` }).click();
    await row.getByText(/Failed at authenticate: MAILBOX_AUTH_FAILED/).waitFor();
    await open('Alerts');
    await page.getByText(/MAILBOX_AUTH_FAILED/).first().waitFor();
    await look('alerts');
  });

  it('Queues: adds support@ with its own mailbox', async () => {
    await open('Queues');
    await page.getByLabel('Queue name').fill('Support');
    await page.getByLabel('Queue email address').fill('support@mailroom.demo');
    await page.getByRole('button', { name: 'Add queue' }).click();
    await page.getByRole('cell', { name: 'support@mailroom.demo' }).waitFor();
    assert.equal((await api('GET', '/api/mailboxes/support@mailroom.demo')).body.ownerKind, 'queue');
    await look('queues');
  });

  it('has no serious or critical accessibility violations on the synchronization pages', () => {
    assert.deepEqual(Object.keys(violations).sort(), ['alerts', 'email-settings', 'mailboxes', 'profile-editor', 'profiles', 'queues']);
    assert.deepEqual(Object.fromEntries(Object.entries(violations).filter(([, v]) => v.length > 0)), {});
  });
});
