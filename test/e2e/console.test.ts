// The admin console, as a person uses it: a real `mailroom serve --demo` and headless Chromium.
// One server and one browser for the whole file; the steps follow the seed's own verification
// ("set the SMTP server… send… check the status… review the Failure details tab").
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import type { Page } from 'playwright-core';
import { startSmtpServer, type RunningSmtpServer } from '../fixtures/smtp-server.ts';
import {
  apiCall, ensureConsoleBuilt, launchBrowser, signIn, screenshot, seriousViolations, skipUnlessChromium, startDemoServer,
  type Browser, type DemoServer,
} from './console-harness.ts';

describe('admin console in Chromium', { skip: skipUnlessChromium() }, () => {
  let server: DemoServer;
  let browser: Browser;
  let page: Page;
  let adminToken: string;
  let refusing: RunningSmtpServer;
  const violations: Record<string, string[]> = {};

  const api = (method: string, path: string, body?: unknown, token: string | null = adminToken) => apiCall(server.url, method, path, token, body);
  const open = async (path: string) => {
    await page.goto(new URL(path, server.url).toString());
    await page.locator('main h1').first().waitFor();
  };
  const nav = async (label: string) => {
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: label, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: label }).waitFor();
  };
  /** Screenshot for test-artifacts/ and an axe-core check, kept for the last test to assert. */
  const look = async (name: string) => {
    await screenshot(page, name);
    violations[name] = await seriousViolations(page);
  };

  before(async () => {
    ensureConsoleBuilt();
    server = await startDemoServer();
    refusing = await startSmtpServer({ onRcpt: (a) => (a.startsWith('full@') ? { code: 550, text: '5.2.2 Mailbox full; the recipient has no room left' } : undefined) });
    browser = await launchBrowser();
    page = await browser.context.newPage();
    const session = await api('POST', '/api/session', { username: 'admin', password: server.passwords.admin }, null);
    assert.equal(session.status, 200);
    adminToken = session.body.token;
  });

  after(async () => {
    await browser?.close();
    // Mailroom first: it closes its SMTP connections, so the refusing server can stop at once.
    await server?.stop();
    await refusing?.close();
  });

  it('opens on a sign-in screen that tells a newcomer the first steps, and signs in with the keyboard', async () => {
    await open('/');
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    const steps = page.locator('#sign-in-help ol > li');
    assert.equal(await steps.count(), 3);
    await look('sign-in');

    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    assert.equal(await page.locator('[data-error-code]').getAttribute('data-error-code'), 'BAD_CREDENTIALS');

    await page.getByLabel('User name').focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type(server.passwords.admin!);
    await page.keyboard.press('Enter');
    await page.getByTestId('user-name').waitFor();
    assert.equal(await page.getByTestId('user-name').textContent(), 'Avery Admin');
    assert.equal(await page.getByTestId('user-role').textContent(), 'Administrator');
    await page.locator('[data-count="sent"], [data-testid="summary-empty"]').first().waitFor();
    await look('home');
  });

  it('refuses an invalid parameter beside its field, saves a valid one, and keeps the password write-only', async () => {
    await nav('Email parameters');
    const limit = page.getByLabel('Attachment size limit (MB)');
    await limit.fill('500');
    await page.getByRole('button', { name: 'Save' }).click();
    const reason = page.locator('.field', { has: limit }).locator('[data-field-error]');
    await reason.waitFor();
    await screenshot(page, 'email-parameters-refused');
    assert.equal(await limit.getAttribute('aria-invalid'), 'true');
    assert.ok((await limit.getAttribute('aria-describedby'))?.includes((await reason.getAttribute('id'))!), 'the reason is tied to its field');
    assert.equal(await page.locator('[data-error-code]').getAttribute('data-error-code'), 'INVALID_PARAMETER');
    assert.equal((await api('GET', '/api/parameters')).body.attachmentSizeLimitMb, 10, 'nothing was saved');

    await limit.fill('20');
    await page.getByLabel('Email expiration in days').fill('7');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('.notice-success').waitFor();
    assert.equal(await reason.count(), 0);
    const saved = (await api('GET', '/api/parameters')).body;
    assert.equal(saved.attachmentSizeLimitMb, 20);
    assert.equal(saved.expirationDays, 7);
    await look('email-parameters');

    // The tabs follow the keyboard: arrow right moves from Configuration to SMTP settings.
    await page.getByRole('tab', { name: 'Configuration' }).focus();
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.getByRole('tab', { name: 'SMTP settings' }).getAttribute('aria-selected'), 'true');
    assert.equal(await page.getByLabel('Outgoing mail server').inputValue(), server.running.capture!.host);

    const port = page.getByLabel('SMTP port number');
    await port.fill('70000');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('.field', { has: port }).locator('[data-field-error]').waitFor();
    assert.equal((await api('GET', '/api/parameters')).body.smtp.port, server.running.capture!.port);
    await port.fill(String(server.running.capture!.port));

    const state = page.locator('[data-password-state]');
    assert.equal(await state.getAttribute('data-password-state'), 'not-set');
    await page.getByRole('button', { name: 'Enter a password' }).click();
    await page.getByLabel('New password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('[data-password-state="set"]').waitFor();
    const afterSet = await api('GET', '/api/parameters');
    assert.equal(afterSet.body.smtp.passwordSet, true);
    assert.equal(JSON.stringify(afterSet.body).includes('correct horse battery'), false, 'the password never comes back');
    await look('email-parameters-smtp');
    await page.getByRole('button', { name: 'Clear password' }).click();
    await page.locator('[data-password-state="not-set"]').waitFor();
    assert.equal((await api('GET', '/api/parameters')).body.smtp.passwordSet, false);

    // Test email: the result shows in place, and the capture server got it.
    const before = server.running.capture!.list().length;
    await page.getByRole('button', { name: 'Test email' }).click();
    await page.getByLabel('Send the test email to').fill('first-test@example.test');
    await page.getByRole('button', { name: 'Send test email' }).click();
    assert.equal(await page.locator('[data-test-status]').getAttribute('data-test-status'), 'sent');
    const captured = server.running.capture!.list();
    assert.equal(captured.length, before + 1);
    assert.deepEqual(captured[0]!.to, ['first-test@example.test']);
  });

  it('sends through both dialogs to the capture server, then shows it in the history and in Captured mail', async () => {
    const subject = 'Statement for November';
    await nav('Send email');
    const dialog = page.getByRole('dialog', { name: 'How would you like to send email' });
    await dialog.waitFor();
    assert.equal(await dialog.getByLabel('Use Exchange').count(), 0, 'Exchange is offered only once it is set up');
    await dialog.getByLabel('Use the system email client').check();
    await dialog.getByRole('button', { name: 'OK' }).click();
    assert.equal(await page.locator('[data-provider]').getAttribute('data-provider'), 'smtp');

    assert.equal(await page.getByLabel('From').inputValue(), 'admin@mailroom.demo');
    await page.getByLabel('To', { exact: true }).fill('Dana Customer <dana@customer.example>');
    await page.getByLabel('Cc', { exact: true }).fill('collections@customer.example');
    await page.getByLabel('Subject').fill(subject);
    // Rich text: the toolbar's Bold wraps what is typed next.
    await page.getByRole('button', { name: 'Rich text' }).click();
    await page.getByRole('textbox', { name: 'Body' }).click();
    await page.keyboard.type('Dear Dana, ');
    await page.getByRole('button', { name: 'Bold' }).click();
    await page.keyboard.type('your statement');
    await page.getByRole('button', { name: 'Bold' }).click();
    await page.keyboard.type(' for November is attached.');
    const files = page.locator('input[type="file"]');
    await files.setInputFiles([
      { name: 'statement.csv', mimeType: 'text/csv', buffer: Buffer.from('invoice,amount\nINV-1,100\n') },
      { name: 'wrong-file.txt', mimeType: 'text/plain', buffer: Buffer.from('not this one') },
    ]);
    await page.getByRole('button', { name: 'Remove wrong-file.txt' }).click();
    assert.deepEqual(await page.locator('[data-attachment]').evaluateAll((els) => els.map((e) => e.getAttribute('data-attachment'))), ['statement.csv']);
    await look('send-email');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    assert.equal(await page.locator('[data-send-status]').getAttribute('data-send-status'), 'sent');

    // The capture server received it, with the attachment and without the removed file.
    const mail = server.running.capture!.list().find((m) => m.subject === subject);
    assert.ok(mail, 'the capture server received the email');
    const parsed = await simpleParser(mail.raw);
    assert.deepEqual(parsed.attachments.map((a) => a.filename), ['statement.csv']);
    assert.match(String(parsed.html), /<b>your statement<\/b>/);
    assert.match(parsed.text ?? '', /Dear Dana, your statement for November is attached\./);
    assert.deepEqual([...mail.to].sort(), ['collections@customer.example', 'dana@customer.example']);

    // Email history: filters, then the detail with recipients, headers and attachments.
    await nav('Email history');
    await page.getByLabel('Text (subject or address)').fill(subject);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const row = page.locator('tr[data-email-id]', { hasText: subject });
    await row.waitFor();
    assert.equal(await row.getAttribute('data-status'), 'sent');
    assert.equal(await page.locator('tr[data-email-id]').count(), 1);
    await page.getByLabel('Email status').selectOption('failed');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('No email matches these filters.').waitFor();
    await page.getByLabel('Email status').selectOption('');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await row.getByRole('link').click();
    await page.getByRole('heading', { level: 1, name: subject }).waitFor();
    await page.locator('.attachments .filename', { hasText: 'statement.csv' }).waitFor();
    await page.getByRole('tab', { name: 'Recipients' }).click();
    assert.equal(await page.locator('tr[data-recipient="dana@customer.example"]').getAttribute('data-accepted'), 'true');
    await page.getByRole('tab', { name: 'Headers' }).click();
    assert.match((await page.getByLabel('Message headers').textContent())!, /^Message-ID: </m);
    await page.getByRole('tab', { name: 'Message' }).click();
    // The HTML body is shown in a frame with no permissions: no scripts, no same-origin access.
    const frame = page.locator('iframe[title^="Body of"]');
    assert.equal(await frame.getAttribute('sandbox'), '');
    assert.equal(await page.frameLocator('iframe[title^="Body of"]').locator('b').textContent(), 'your statement');
    await look('email-detail-sent');

    // Downloads from the detail: the .eml as stored (the very message sent) and one attachment.
    const [emlDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download .eml' }).click()]);
    const stored = await simpleParser(readFileSync((await emlDownload.path())!));
    assert.equal(stored.messageId, parsed.messageId);
    assert.equal(stored.subject, subject);
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download statement.csv' }).click()]);
    assert.equal(csv.suggestedFilename(), 'statement.csv');
    assert.equal(readFileSync((await csv.path())!, 'utf8'), 'invoice,amount\nINV-1,100\n');

    // Captured mail: the same email, as the server received it.
    await nav('Captured mail');
    await page.getByRole('link', { name: subject }).click();
    await page.getByRole('heading', { level: 1, name: subject }).waitFor();
    await page.locator('.attachments .filename', { hasText: 'statement.csv' }).waitFor();
    await look('captured-detail');
  });

  it('creates an .eml with the email app choice, remembers "Do not ask again", and the options can undo it', async () => {
    const subject = 'Draft for a mail app';
    await nav('Send email');
    const dialog = page.getByRole('dialog', { name: 'How would you like to send email' });
    await dialog.waitFor();
    // Keyboard only: the demo's choice (SMTP) has focus; arrow up to the email app, Tab to "Do not ask again", tick it, Tab twice to OK.
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    assert.equal(await page.locator('[data-provider]').getAttribute('data-provider'), 'eml');

    await page.getByLabel('To', { exact: true }).fill('erin@customer.example');
    await page.getByLabel('Bcc', { exact: true }).fill('archive@mailroom.demo');
    await page.getByLabel('Subject').fill(subject);
    await page.getByRole('button', { name: 'HTML' }).click();
    await page.getByLabel('Body', { exact: true }).fill('<p>Hello <b>Erin</b>, here is the draft.</p>');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Create .eml file' }).click()]);
    const eml = await simpleParser(readFileSync((await download.path())!));
    assert.equal(eml.subject, subject);
    assert.equal(eml.headers.get('x-unsent'), '1');
    assert.match(String(eml.html), /<b>Erin<\/b>/);
    assert.match(eml.text ?? '', /Hello Erin/);
    const bcc = eml.bcc && !Array.isArray(eml.bcc) ? eml.bcc.value.map((a) => a.address) : [];
    assert.deepEqual(bcc, ['archive@mailroom.demo'], 'a draft for a mail app keeps its Bcc');
    assert.equal(await page.locator('[data-send-status]').getAttribute('data-send-status'), 'generated');

    // "Do not ask again" holds: the form opens directly, with the email app.
    await nav('Send email');
    assert.equal(await page.locator('[data-provider]').getAttribute('data-provider'), 'eml');
    assert.equal(await page.getByRole('dialog').count(), 0);

    // User options undo it: the blank provider and no "Do not ask again".
    await nav('User options');
    await page.getByLabel('Email provider ID').selectOption('');
    await page.getByLabel('Do not ask again').uncheck();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('.notice-success').waitFor();
    const me = await api('GET', '/api/me');
    assert.equal(me.body.options.providerId, null);
    assert.equal(me.body.options.doNotAskAgain, false);
    assert.equal((await api('POST', '/api/compose', {})).body.ask, true, 'the next send asks again');
    await look('user-options');
  });

  it('shows the queue live, cancels a waiting email, and after a distributor run shows the Failure details', async () => {
    await nav('Email distributor batch');
    await page.getByLabel('Batch processing').uncheck();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('[data-enabled="false"]').waitFor();
    assert.equal((await api('GET', '/api/distributor')).body.enabled, false);
    assert.equal((await api('PATCH', '/api/parameters', { smtp: { host: refusing.host, port: refusing.port } })).status, 200);

    await nav('Batch email sending status');
    const doomed = await api('POST', '/api/emails', { to: 'full@customer.example', subject: 'Reminder that will bounce', body: 'Hello' });
    const unwanted = await api('POST', '/api/emails', { to: 'someone@customer.example', subject: 'Sent by mistake', body: 'Oops' });
    assert.equal(doomed.status, 201);
    // The page refreshes itself: both rows appear without a reload.
    await page.locator(`tr[data-email-id="${doomed.body.email.id}"]`).waitFor();
    const mistake = page.locator(`tr[data-email-id="${unwanted.body.email.id}"]`);
    assert.equal(await mistake.getAttribute('data-status'), 'waiting');
    await look('sending-status');
    await mistake.getByRole('button', { name: 'Cancel Sent by mistake' }).click();
    await mistake.waitFor({ state: 'detached' });
    assert.equal((await api('GET', `/api/emails/${unwanted.body.email.id}`)).body.status, 'cancelled');

    await nav('Email distributor batch');
    await page.getByRole('button', { name: 'Run now' }).click();
    await page.locator('.notice-success').waitFor();
    assert.equal((await api('GET', `/api/emails/${doomed.body.email.id}`)).body.status, 'failed');

    await nav('Email history');
    await page.getByLabel('Email status').selectOption('failed');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.locator(`tr[data-email-id="${doomed.body.email.id}"]`).getByRole('link').click();
    await page.getByRole('heading', { level: 1, name: 'Reminder that will bounce' }).waitFor();
    await page.getByRole('tab', { name: 'Failure details' }).click();
    assert.equal(await page.getByTestId('failure-code').textContent(), 'MAILBOX_FULL');
    assert.match((await page.getByTestId('failure-response').textContent())!, /550/);
    assert.ok((await page.getByTestId('failure-explanation').textContent())!.length > 0);
    assert.ok((await page.getByTestId('failure-fix').textContent())!.length > 0);
    await look('email-detail-failure');

    // Resend puts it back in the queue (batch processing is off, so it waits there).
    await page.getByRole('button', { name: 'Resend' }).click();
    await page.locator('dl[data-status="waiting"]').waitFor();
    assert.equal((await api('GET', `/api/emails/${doomed.body.email.id}`)).body.status, 'waiting');
    await api('POST', `/api/emails/${doomed.body.email.id}/cancel`);

    const capture = server.running.capture!;
    assert.equal((await api('PATCH', '/api/parameters', { smtp: { host: capture.host, port: capture.port } })).status, 200);
    assert.equal((await api('PATCH', '/api/distributor', { enabled: true })).status, 200);
  });

  it('manages users: creates one, edits the Email field, grants Send-As', async () => {
    await nav('Users');
    await page.getByRole('button', { name: 'New user' }).click();
    await page.getByLabel('User name').fill('lena');
    await page.getByLabel('Name', { exact: true }).fill('Lena Ortiz');
    await page.getByLabel('Email', { exact: true }).fill('not an address');
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.locator('.field', { has: page.getByLabel('Email', { exact: true }) }).locator('[data-field-error]').waitFor();
    await page.getByLabel('Email', { exact: true }).fill('lena.ortiz@mailroom.demo');
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.getByRole('heading', { name: 'Edit lena' }).waitFor();
    await page.getByLabel('Email', { exact: true }).fill('lena@mailroom.demo');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.locator('tr[data-username="lena"]', { hasText: 'lena@mailroom.demo' }).waitFor();
    await page.getByLabel('Grant Send-As for').fill('billing@mailroom.demo');
    await page.getByRole('button', { name: 'Grant' }).click();
    await page.getByRole('button', { name: 'Remove Send-As for billing@mailroom.demo' }).waitFor();
    const users = (await api('GET', '/api/users')).body as { id: string; username: string; email: string }[];
    const lena = users.find((u) => u.username === 'lena')!;
    assert.equal(lena.email, 'lena@mailroom.demo');
    assert.deepEqual((await api('GET', `/api/users/${lena.id}`)).body.sendAs, ['billing@mailroom.demo']);
    await look('users');
  });

  it('refuses an administrator page to an ordinary user, in the console and in the API', async () => {
    const june = await browser.context.newPage();
    try {
      await signIn(june, server.url, 'june', server.passwords.june!);
      assert.equal(await june.getByTestId('user-role').textContent(), 'User');
      const menu = june.getByRole('navigation', { name: 'Pages' });
      assert.equal(await menu.getByRole('link', { name: 'Email parameters' }).count(), 0);
      assert.equal(await menu.getByRole('link', { name: 'Send email' }).count(), 1);

      await june.goto(new URL('/parameters', server.url).toString());
      await june.locator('main[data-page-state="forbidden"]').waitFor();
      assert.equal(await june.getByLabel('Outgoing mail server').count(), 0);
      const juneToken = await june.evaluate(() => sessionStorage.getItem('mailroom.session'));
      const refused = await api('GET', '/api/parameters', undefined, juneToken);
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error.code, 'FORBIDDEN');
      await screenshot(june, 'forbidden');
      violations.forbidden = await seriousViolations(june);

      // Her own options are hers, but the Sender email is an administrator's to set.
      await june.goto(new URL('/options', server.url).toString());
      await june.getByLabel('Email provider ID').waitFor();
      assert.equal(await june.getByRole('textbox', { name: 'Sender email' }).count(), 0);

      // Signing out ends the session on the server too.
      await june.getByRole('button', { name: 'Sign out' }).click();
      await june.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
      assert.equal((await api('GET', '/api/me', undefined, juneToken)).status, 401);
    } finally {
      await june.close();
    }
  });

  it('pages through the history with the API\'s cursor', async () => {
    // Filters live in the address, so a filtered page can be linked to: two emails a page.
    await open('/history?limit=2');
    const ids = () => page.locator('tr[data-email-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-email-id')));
    await page.locator('tr[data-email-id]').nth(1).waitFor();
    const first = await ids();
    assert.equal(first.length, 2);
    await page.getByRole('button', { name: 'Older' }).click();
    await page.waitForURL(/cursor=/);
    await page.locator(`tr[data-email-id="${first[0]}"]`).waitFor({ state: 'detached' });
    await page.locator('tr[data-email-id]').first().waitFor();
    const second = await ids();
    const all = (await api('GET', '/api/emails?limit=4')).body.items.map((e: { id: string }) => e.id);
    assert.deepEqual([...first, ...second], all.slice(0, first.length + second.length));
    await page.getByRole('button', { name: 'Newer' }).click();
    await page.waitForURL((url) => !url.searchParams.has('cursor'));
    await page.locator(`tr[data-email-id="${first[0]}"]`).waitFor();
    assert.deepEqual(await ids(), first);
  });

  it('puts a statement template with script in its HTML into the editor without running it', async () => {
    const list = (await api('GET', '/api/templates')).body as { id: string; emailId: string }[];
    const statement = list.find((t) => t.emailId === 'STATEMENT');
    assert.ok(statement, 'the demo has a statement template');
    const original = (await api('GET', `/api/templates/${statement.id}`)).body;
    const input = (t: typeof original) => ({ emailId: t.emailId, kind: t.kind, description: t.description ?? undefined, senderName: t.senderName ?? undefined,
      senderEmail: t.senderEmail ?? undefined, defaultLanguage: t.defaultLanguage, priority: t.priority ?? undefined, messages: t.messages });
    const hostile = '<p>Dear customer,</p><img src="x" onerror="window.__stored = 1"><a href="javascript:window.__stored = 2">open</a><script>window.__stored = 3</script>';
    const saved = await api('PUT', `/api/templates/${statement.id}`, input({ ...original, messages: original.messages.map((m: { html: string }) => ({ ...m, html: hostile + m.html })) }));
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    try {
      await open('/accounts/US-008/statement');
      const editor = page.getByRole('textbox', { name: 'Body' });
      await editor.getByText('Dear customer,').waitFor();
      // Give an onerror handler the chance to fire, as it did when the HTML went in through innerHTML.
      await page.waitForLoadState('networkidle');
      assert.equal(await page.evaluate(() => (globalThis as { __stored?: number }).__stored), undefined, 'no script from the template ran');
      assert.equal(await editor.locator('[onerror], script, a[href^="javascript"]').count(), 0);
    } finally {
      assert.equal((await api('PUT', `/api/templates/${statement.id}`, input(original))).status, 200);
    }
  });

  it('has no serious or critical accessibility violations on the main pages', async () => {
    for (const [path, name] of [['/distributor', 'distributor'], ['/history', 'email-history'], ['/captured', 'captured-mail']] as const) {
      await open(path);
      await page.locator('main h1').waitFor();
      await page.locator('.progress').waitFor({ state: 'detached' });
      await look(name);
    }
    const checked = Object.keys(violations);
    for (const name of ['sign-in', 'home', 'email-parameters', 'email-parameters-smtp', 'send-email', 'email-detail-sent', 'captured-detail',
      'user-options', 'sending-status', 'email-detail-failure', 'users', 'forbidden', 'distributor', 'email-history', 'captured-mail']) {
      assert.ok(checked.includes(name), `${name} was checked`);
    }
    assert.deepEqual(Object.fromEntries(Object.entries(violations).filter(([, v]) => v.length > 0)), {});
  });
});
