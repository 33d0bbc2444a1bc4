// The Microsoft Graph and Exchange settings tabs in Chromium, against the local Graph and EWS
// fakes: an administrator sets each one up, tests the connection, sees the throttling warning,
// and then a user's send dialog offers Exchange and sends through it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { EwsFake } from '../fixtures/ews-fake.ts';
import { GraphFake, trustFakeCertificate } from '../fixtures/graph-fake.ts';
import {
  apiCall, ensureConsoleBuilt, launchBrowser, signIn, screenshot, seriousViolations, skipUnlessChromium, startDemoServer,
  type Browser, type DemoServer,
} from './console-harness.ts';

describe('Microsoft Graph and Exchange settings in the console', { skip: skipUnlessChromium() }, () => {
  let server: DemoServer;
  let browser: Browser;
  let page: Page;
  let graph: GraphFake;
  let ews: EwsFake;
  let adminToken: string;
  const violations: Record<string, string[]> = {};
  const api = (method: string, path: string, body?: unknown) => apiCall(server.url, method, path, adminToken, body);

  before(async () => {
    trustFakeCertificate();
    ensureConsoleBuilt();
    server = await startDemoServer();
    graph = await new GraphFake().start();
    graph.mailboxes.add('admin@mailroom.demo');
    ews = await new EwsFake().start();
    ews.mailboxes.add('admin@mailroom.demo');
    browser = await launchBrowser();
    page = await browser.context.newPage();
    adminToken = (await apiCall(server.url, 'POST', '/api/session', null, { username: 'admin', password: server.passwords.admin })).body.token;
    await signIn(page, server.url, 'admin', server.passwords.admin!);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await graph?.close();
    await ews?.close();
    assert.deepEqual([...(graph?.unexpected ?? []), ...(ews?.unexpected ?? [])], []);
  });

  const openTab = async (name: string) => {
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Email parameters', exact: true }).click();
    await page.getByRole('tab', { name }).click();
  };

  it('sets up Microsoft Graph, keeps the secret write-only, and the connection test passes, then names a missing mailbox', async () => {
    await openTab('Microsoft Graph settings');
    await page.getByLabel('Tenant (directory) ID').fill(graph.tenantId);
    await page.getByLabel('Application ID').fill(graph.clientId);
    await page.getByRole('button', { name: 'Enter the application secret' }).click();
    await page.getByLabel('New application secret').fill(graph.clientSecret);
    await page.getByLabel('Authority host').fill(graph.url);
    await page.getByLabel('Graph endpoint').fill(graph.url);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('[data-secret-state="set"]').waitFor();
    const saved = await api('GET', '/api/parameters');
    assert.equal(saved.body.graph.configured, true);
    assert.ok(!JSON.stringify(saved.body).includes(graph.clientSecret));

    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByText('The connection works.').waitFor();
    assert.equal(await page.locator('[data-step-ok="true"]').count(), 3);
    await screenshot(page, 'graph-settings');
    violations.graph = await seriousViolations(page);

    await page.getByLabel('Mailbox to look up').fill('nobody@mailroom.demo');
    await page.getByRole('button', { name: 'Test connection' }).click();
    assert.equal(await page.locator('[data-error-code]').getAttribute('data-error-code'), 'MAILBOX_NOT_FOUND');
  });

  it('warns when a per-minute limit is set for Graph', async () => {
    await openTab('Configuration');
    const limit = page.getByLabel('Per-minute email sending limit for Microsoft Graph');
    await limit.fill('30');
    await page.locator('[data-throttle-warning="graph"]').waitFor();
    await limit.fill('0');
    assert.equal(await page.locator('[data-throttle-warning]').count(), 0);
  });

  it('sets up Exchange; then the send dialog offers it and the email goes out through EWS', async () => {
    await openTab('Exchange settings');
    await page.getByLabel('EWS URL').fill(ews.ewsUrl);
    await page.getByLabel('Authentication').selectOption('basic');
    await page.getByLabel('User name').fill(ews.username);
    await page.getByRole('button', { name: 'Enter the password' }).click();
    await page.getByLabel('New password').fill(ews.password);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('[data-secret-state="set"]').waitFor();
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByText('The connection works.').waitFor();
    await screenshot(page, 'exchange-settings');
    violations.exchange = await seriousViolations(page);

    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Send email', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'How would you like to send email' });
    await dialog.getByLabel('Use Exchange').check();
    await dialog.getByRole('button', { name: 'OK' }).click();
    await page.getByLabel('To', { exact: true }).fill('dana@customer.example');
    await page.getByLabel('Subject').fill('Through Exchange');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    assert.equal(await page.locator('[data-send-status]').getAttribute('data-send-status'), 'sent');
    assert.equal(ews.received.length, 1);
    assert.equal(ews.received[0]!.mailbox, 'admin@mailroom.demo');
  });

  it('has no serious or critical accessibility violations on the two tabs', () => {
    assert.deepEqual(violations, { graph: [], exchange: [] });
  });
});
