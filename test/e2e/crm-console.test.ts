// The CRM pages in headless Chromium on a real `serve --demo`: find and edit an account, read
// the email activity regarding it with its parties resolved to records, change what it is
// regarding, add a lead, and an activity whose HTML carries script that never runs.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import {
  apiCall, ensureConsoleBuilt, launchBrowser, signIn, screenshot, seriousViolations, skipUnlessChromium, startDemoServer,
  type Browser, type DemoServer,
} from './console-harness.ts';

describe('accounts, contacts, leads and email activities in Chromium', { skip: skipUnlessChromium() }, () => {
  let server: DemoServer;
  let browser: Browser;
  let page: Page;
  let token: string;
  const violations: Record<string, string[]> = {};

  const nav = async (label: string, heading = label) => {
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: label, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  };
  const look = async (name: string) => {
    await screenshot(page, `crm-${name}`);
    violations[name] = await seriousViolations(page);
  };

  before(async () => {
    ensureConsoleBuilt();
    server = await startDemoServer();
    browser = await launchBrowser();
    page = await browser.context.newPage();
    token = (await apiCall(server.url, 'POST', '/api/session', null, { username: 'june', password: server.passwords.june })).body.token;
    await signIn(page, server.url, 'june', server.passwords.june!);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('finds US-008 by a word of its name, shows its contacts and the email regarding it, and saves a second address', async () => {
    await nav('Accounts');
    await page.getByRole('search', { name: 'Search accounts' }).getByLabel('Search').fill('sparrow');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/q=sparrow/);
    await look('accounts');
    await page.getByRole('link', { name: 'US-008' }).click();
    await page.getByRole('heading', { level: 1, name: 'US-008 Sparrow Retail' }).waitFor();
    await page.getByRole('region', { name: 'Contacts' }).getByRole('link', { name: 'Dana Collins' }).waitFor();
    await page.getByRole('region', { name: 'Email activities' }).getByRole('link', { name: 'Remittance advice for CIV-000412' }).waitFor();
    const details = page.getByRole('form', { name: 'Account details' });
    await details.getByLabel('Email 2').fill('not an address');
    await details.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('alert').filter({ hasText: 'not a valid email address' }).waitFor();
    await details.getByLabel('Email 2').fill('billing@sparrow-retail.demo');
    await details.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    await look('account');
    const stored = await apiCall(server.url, 'GET', '/api/accounts/US-008', token);
    assert.deepEqual(stored.body.emails, ['info@sparrow-retail.demo', 'billing@sparrow-retail.demo']);
  });

  it('an email activity shows each party with the records it resolved to, and its regarding record can change', async () => {
    await page.getByRole('region', { name: 'Email activities' }).getByRole('link', { name: 'Remittance advice for CIV-000412' }).click();
    await page.getByRole('heading', { level: 1, name: 'Remittance advice for CIV-000412' }).waitFor();
    await page.getByRole('link', { name: 'Contact: Dana Collins' }).waitFor();
    await page.frameLocator('iframe[title="Body of Remittance advice for CIV-000412"]').getByText('1,200.00').waitFor();
    await look('activity');
    const lead = (await apiCall(server.url, 'GET', '/api/leads?q=riley', token)).body.items[0];
    const regarding = page.getByRole('form', { name: 'Set the regarding record' });
    await regarding.getByLabel('Record type').selectOption('lead');
    await regarding.getByLabel('Record id').fill(lead.id);
    await regarding.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('link', { name: 'Riley Chen' }).waitFor();
    await regarding.getByLabel('Record id').fill('no-such-lead');
    await regarding.getByRole('button', { name: 'Save' }).click();
    await page.getByText('There is no lead no-such-lead to be regarding.').first().waitFor();
  });

  it('an HTML body with script is shown sanitized in a sandboxed frame, and nothing in it runs', async () => {
    const created = await apiCall(server.url, 'POST', '/api/activities', token, {
      direction: 'incoming', from: 'mallory@evil.test', to: 'june.park@mailroom.demo', subject: 'Invoice query',
      html: '<p>Safe words</p><img src="x" onerror="top.__crmPwned = 1"><script>top.__crmPwned = 2</script><a href="javascript:top.__crmPwned = 3">click</a>',
    });
    assert.equal(created.status, 201);
    await nav('Email activities');
    await page.getByRole('link', { name: 'Invoice query' }).click();
    const frame = page.frameLocator('iframe[title="Body of Invoice query"]');
    await frame.getByText('Safe words').waitFor();
    assert.equal(await frame.locator('script').count(), 0);
    assert.equal(await frame.locator('[onerror]').count(), 0);
    await frame.getByText('click').click().catch(() => {});
    assert.equal(await page.evaluate('globalThis.__crmPwned'), undefined);
    assert.equal(await page.getByRole('link', { name: 'Contact: Dana Collins' }).count(), 0);
    await page.getByText('mallory@evil.test (no record)').waitFor();
  });

  it('adds a lead and a contact from their pages, and finds the contact by address', async () => {
    await nav('Leads');
    const form = page.getByRole('form', { name: 'New lead' });
    await form.getByLabel('Name').fill('Jordan Miles');
    await form.getByLabel('Company').fill('Blue Yonder Airlines');
    await form.getByLabel('Primary email').fill('jordan@blueyonder.demo');
    await form.getByRole('button', { name: 'Add lead' }).click();
    await page.getByRole('heading', { level: 1, name: 'Jordan Miles' }).waitFor();
    await look('lead');
    await nav('Contacts');
    const contact = page.getByRole('form', { name: 'New contact' });
    await contact.getByLabel('Name').fill('Avery Stone');
    await contact.getByLabel('Primary email').fill('avery@sparrow-retail.demo');
    await contact.getByLabel('Account').fill('US-008');
    await contact.getByRole('button', { name: 'Add contact' }).click();
    await page.getByRole('heading', { level: 1, name: 'Avery Stone' }).waitFor();
    await page.getByRole('link', { name: 'Sparrow Retail' }).waitFor();
    await nav('Contacts');
    await page.getByRole('search', { name: 'Search contacts' }).getByLabel('Search').fill('avery@sparrow');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/q=avery/);
    await page.getByRole('link', { name: 'Avery Stone' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Dana Collins' }).count(), 0);
    await look('contacts');
  });

  it('has no serious or critical accessibility findings on these pages', () => {
    assert.deepEqual(Object.fromEntries(Object.entries(violations).filter(([, v]) => v.length > 0)), {});
  });
});
