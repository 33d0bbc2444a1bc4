// The first run as a newcomer meets it (issue 13): the demo keeps the home page's promises, a
// busy port is a clear error, refusals read as plain words at their fields, and what the pages say
// is decoded, dated one way and free of jargon. A real `serve --demo` and headless Chromium.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { apiCall, ensureConsoleBuilt, launchBrowser, signIn, screenshot, skipUnlessChromium, startDemoServer, type Browser, type DemoServer } from './console-harness.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('first run and console in Chromium', { skip: skipUnlessChromium() }, () => {
  let server: DemoServer;
  let browser: Browser;
  let page: Page;
  let adminToken: string;

  const api = (method: string, path: string, body?: unknown) => apiCall(server.url, method, path, adminToken, body);
  const open = async (path: string) => {
    await page.goto(new URL(path, server.url).toString());
    await page.locator('main h1').first().waitFor();
  };
  const fieldError = (label: string) => page.locator('.field', { has: page.getByLabel(label, { exact: true }) }).locator('[data-field-error]');

  before(async () => {
    ensureConsoleBuilt();
    server = await startDemoServer();
    browser = await launchBrowser();
    page = await browser.context.newPage();
    const session = await apiCall(server.url, 'POST', '/api/session', null, { username: 'admin', password: server.passwords.admin });
    adminToken = session.body.token;
    await signIn(page, server.url, 'admin', server.passwords.admin!);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('the home page draws no chart while there is nothing to count, and says so', async () => {
    await page.getByTestId('summary-empty').waitFor();
    assert.equal(await page.locator('figure.chart').count(), 0);
    assert.equal(await page.locator('.chart-legend').count(), 0);
  });

  it('history: an empty history says there is no email yet', async () => {
    await open('/history');
    assert.match(await page.getByTestId('history-empty').innerText(), /There is no email yet/);
  });

  it('demo: the send dialog starts on SMTP, so the first email lands in Captured mail as the home page says', async () => {
    await page.getByRole('link', { name: 'Send email', exact: true }).first().click();
    const dialog = page.getByRole('dialog', { name: 'How would you like to send email' });
    await dialog.waitFor();
    assert.equal(await dialog.getByLabel('Use the system email client').isChecked(), true, 'SMTP is the first choice in the demo');
    await dialog.getByRole('button', { name: 'OK' }).click();
    await page.getByLabel('To', { exact: true }).fill('first@customer.example');
    await page.getByLabel('Subject').fill('My first email');
    await page.getByRole('textbox', { name: 'Body' }).fill('Hello.');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    assert.equal(await page.locator('[data-send-status]').getAttribute('data-send-status'), 'sent');
    assert.ok(server.running.capture!.list().some((m) => m.subject === 'My first email'), 'the capture server received it');
  });

  it('demo: the home page lists the addresses the capture server refuses, and each fails with the seed\'s error', async () => {
    await open('/');
    const list = page.getByTestId('demo-refusals');
    for (const address of ['full@customer.example', 'dana@contoso', 'send-as@customer.example']) await list.getByText(address).waitFor();
    const expected = { 'full@customer.example': 'MAILBOX_FULL', 'dana@contoso': 'SINGLE_LABEL_DOMAIN', 'send-as@customer.example': 'SEND_AS_DENIED' };
    for (const [to, code] of Object.entries(expected)) {
      const sent = await api('POST', '/api/send', { to: [to], subject: `Refused ${code}`, body: 'x', provider: 'smtp' });
      assert.equal(sent.body.email?.status, 'failed', JSON.stringify(sent.body));
      assert.equal(sent.body.email.failure.code, code, JSON.stringify(sent.body.email.failure));
    }
    assert.equal(server.running.capture!.list().some((m) => m.subject.startsWith('Refused')), false, 'nothing refused was captured');
  });

  it('Captured mail shows an encoded subject decoded, in the list, the heading and the window title', async () => {
    const subject = 'Invoice 42 — Überweisung fällig';
    await api('POST', '/api/send', { to: ['dana@customer.example'], subject, body: 'x', provider: 'smtp' });
    await open('/captured');
    const link = page.getByRole('link', { name: subject });
    await link.waitFor();
    await link.click();
    await page.getByRole('heading', { level: 1, name: subject }).waitFor();
    assert.equal(await page.title(), `${subject} · Mailroom`);
  });

  it('New user reports every refused value at once, each at its field in plain words', async () => {
    await open('/users');
    await page.getByRole('button', { name: 'New user' }).click();
    await page.getByLabel('Email', { exact: true }).fill('not-an-address');
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByRole('button', { name: 'Create user' }).click();
    await fieldError('User name').waitFor();
    assert.equal(await fieldError('User name').textContent(), 'User name is required: it cannot be empty.');
    assert.equal(await fieldError('Email').textContent(), 'Email must be an email address.');
    assert.equal(await fieldError('Password').textContent(), 'Password is too short: it must be 8 to 200 characters long.');
    assert.doesNotMatch(await page.locator('main').innerText(), /must NOT|body\//);
    await screenshot(page, 'new-user-refused');
  });

  it('a list with one bad address names that entry, not the whole field', async () => {
    await open('/send');
    const dialog = page.getByRole('dialog', { name: 'How would you like to send email' });
    await dialog.getByRole('button', { name: 'OK' }).click();
    await page.getByLabel('To', { exact: true }).fill('good@example.test, bad-one');
    await page.getByLabel('Subject').fill('List check');
    await page.getByRole('textbox', { name: 'Body' }).fill('x');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await fieldError('To').waitFor();
    const text = (await fieldError('To').textContent()) ?? '';
    assert.match(text, /"bad-one" is not a valid email address/);
    assert.doesNotMatch(text, /good@example\.test/);
  });

  it('the test email panel clears an old success and does not promise a retry it will not make', async () => {
    await open('/parameters');
    await page.getByRole('button', { name: 'Test email' }).click();
    await page.getByLabel('Send the test email to').fill('ok@customer.example');
    await page.getByRole('button', { name: 'Send test email' }).click();
    await page.locator('[data-test-status="sent"]').waitFor();
    // A refused connection: the SMTP port points at a closed port for this one try.
    const saved = (await api('GET', '/api/parameters')).body.smtp;
    const closed = await new Promise<number>((resolve) => {
      import('node:net').then(({ createServer }) => {
        const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
      });
    });
    assert.equal((await api('PATCH', '/api/parameters', { smtp: { port: closed } })).status, 200);
    try {
      await page.getByRole('button', { name: 'Send test email' }).click();
      await page.locator('[data-test-status="failed"]').waitFor();
      assert.equal(await page.locator('[data-test-status="sent"]').count(), 0, 'the old success is gone');
      const failure = await page.locator('.test-email').innerText();
      assert.doesNotMatch(failure, /Mailroom tries again/);
      assert.match(failure, /a test email is not retried/);
      assert.doesNotMatch(failure, /Command that failed|\bCONN\b/);
    } finally {
      await api('PATCH', '/api/parameters', { smtp: { port: saved.port } });
    }
  });

  it('history: reversed dates are named as reversed, not "no email matches"', async () => {
    await open('/history');
    await page.getByLabel('From date').fill('2026-12-05');
    await page.getByLabel('To date').fill('2026-12-01');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await fieldError('To date').waitFor();
    assert.match(await fieldError('To date').innerText(), /before the From date.*swap them/);
    assert.equal(await page.getByText('No email matches these filters.').count(), 0);
    // Once there is something to show: the totals, and the chart library's bars per hour, in the
    // hour the email was handed in (the last one), with the same numbers in a table for screen readers.
    await open('/');
    await page.locator('[data-count="sent"]').waitFor();
    const sent = Number(await page.locator('[data-count="sent"]').getAttribute('data-value'));
    assert.ok(sent > 0);
    const bars = page.locator('[data-testid="hourly-chart"] .ct-series.series-sent .ct-bar');
    await bars.first().waitFor({ state: 'attached' });
    assert.equal(await bars.count(), 24, 'one bar per hour');
    const values = await bars.evaluateAll((els) => els.map((e) => Number((e as unknown as { getAttribute(n: string): string | null }).getAttribute('ct:value') ?? 0)));
    assert.equal(values.reduce((a, b) => a + b, 0), sent, 'the bars add up to the sent total');
    assert.ok(values[23]! > 0, 'this hour has the emails just sent');
    assert.match(await page.locator('[data-testid="hourly-chart"] table').innerText(), /Sent/);
    await screenshot(page, 'home-chart');
  });

  it('send form: Send-As advice fits a non-admin and stands at From; a big file is refused before upload; empty subject and body ask first', async () => {
    const session = await apiCall(server.url, 'POST', '/api/session', null, { username: 'june', password: server.passwords.june });
    const june = await browser.context.newPage();
    try {
      await june.goto(server.url);
      await june.evaluate((token) => sessionStorage.setItem('mailroom.session', token), session.body.token as string);
      await june.goto(new URL('/send', server.url).toString());
      await june.getByRole('dialog', { name: 'How would you like to send email' }).getByRole('button', { name: 'OK' }).click();
      const junesError = (label: string) => june.locator('.field', { has: june.getByLabel(label, { exact: true }) }).locator('[data-field-error]');
      await june.getByLabel('From').fill('admin@mailroom.demo');
      await june.getByLabel('To', { exact: true }).fill('dana@customer.example');
      await june.getByLabel('Subject').fill('As someone else');
      await june.getByRole('textbox', { name: 'Body' }).fill('x');
      await june.getByRole('button', { name: 'Send', exact: true }).click();
      await junesError('From').waitFor();
      const advice = await junesError('From').innerText();
      assert.match(advice, /ask an administrator to grant you Send-As for admin@mailroom\.demo/);
      assert.doesNotMatch(await june.locator('main').innerText(), /Users page|Nothing was saved/);

      // 2 MB against a 1 MB limit: refused at once, shown once, and nothing reaches the server.
      assert.equal((await api('PATCH', '/api/parameters', { attachmentSizeLimitMb: 1 })).status, 200);
      await june.reload();
      await june.getByRole('dialog', { name: 'How would you like to send email' }).getByRole('button', { name: 'OK' }).click();
      await june.getByLabel('To', { exact: true }).fill('dana@customer.example');
      await june.locator('input[type="file"]').setInputFiles([{ name: 'big.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(2 * 1024 * 1024, 1) }]);
      const refusal = june.getByText(/the limit is 1 MB/);
      await refusal.waitFor();
      await june.getByLabel('Subject').fill('Too big');
      await june.getByRole('button', { name: 'Send', exact: true }).click();
      assert.equal(await refusal.count(), 1, 'the refusal is shown once');
      assert.equal((await api('GET', '/api/emails?text=Too%20big')).body.items.length, 0, 'nothing was uploaded or queued');
      await june.getByRole('button', { name: 'Remove big.bin' }).click();

      // Empty subject and body: the form asks first; declining sends nothing.
      await june.getByLabel('Subject').fill('');
      await june.getByRole('textbox', { name: 'Body' }).fill('');
      const asked = new Promise<string>((resolve) => june.once('dialog', (d) => { resolve(d.message()); void d.dismiss(); }));
      await june.getByRole('button', { name: 'Send', exact: true }).click();
      assert.match(await asked, /no subject and no body/);
      assert.equal(await june.locator('[data-send-status]').count(), 0);
    } finally {
      await api('PATCH', '/api/parameters', { attachmentSizeLimitMb: 10 });
      await june.close();
    }
  });

  it('Email parameters: leaving a tab with an unsaved edit asks first, and an empty outgoing server is refused while SMTP sends batch email', async () => {
    await open('/parameters');
    await page.getByRole('tab', { name: 'SMTP settings' }).click();
    const port = page.getByLabel('SMTP port number');
    const before = await port.inputValue();
    await port.fill('2526');
    const asked = new Promise<string>((resolve) => page.once('dialog', (d) => { resolve(d.message()); void d.dismiss(); }));
    await page.getByRole('tab', { name: 'Configuration' }).click();
    assert.match(await asked, /changes on SMTP settings are not saved/);
    assert.equal(await page.getByRole('tab', { name: 'SMTP settings' }).getAttribute('aria-selected'), 'true', 'declining keeps the tab open');
    assert.equal(await port.inputValue(), '2526', 'and the edit');
    await port.fill(before);

    const host = page.getByLabel('Outgoing mail server');
    const savedHost = await host.inputValue();
    await host.fill('');
    await page.getByRole('button', { name: 'Save' }).click();
    await fieldError('Outgoing mail server').waitFor();
    assert.match(await fieldError('Outgoing mail server').innerText(), /outgoing mail server is needed while SMTP is the batch email provider/);
    assert.equal((await api('GET', '/api/parameters')).body.smtp.host, savedHost, 'nothing was saved');
  });

  it('tables fit at 1,400 px without breaking words, and no page scrolls sideways at 390 px (screenshots of both)', async () => {
    // Something in every table: a failed email (a long error code) and a waiting one.
    await api('POST', '/api/send', { to: ['full@customer.example'], subject: 'Width check', body: 'x', provider: 'smtp' });
    const pages = [['/', 'home'], ['/history', 'history'], ['/send', 'send'], ['/sending-status', 'sending-status'], ['/distributor', 'distributor'], ['/users', 'users'], ['/captured', 'captured'], ['/sync/profiles', 'profiles'], ['/sync/mailboxes', 'mailboxes']] as const;
    try {
      for (const width of [1400, 390]) {
        await page.setViewportSize({ width, height: 900 });
        for (const [path, name] of pages) {
          await open(path);
          const dialog = page.getByRole('dialog', { name: 'How would you like to send email' });
          if (path === '/send') await dialog.getByRole('button', { name: 'OK' }).click();
          await page.locator('.progress').waitFor({ state: 'detached' });
          await screenshot(page, `width-${width}-${name}`);
          const sideways = await page.evaluate(() => {
            const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
            return d.scrollWidth - d.clientWidth;
          });
          assert.ok(sideways <= 1, `${path} at ${width} px scrolls sideways by ${sideways} px`);
          if (width !== 1400) continue;
          // A header, or a cell holding one word (an address, a code), on more than one line is a word broken.
          const broken = await page.evaluate(() => {
            type Text = { textContent: string | null };
            type El = { textContent: string | null; matches(s: string): boolean };
            const g = globalThis as unknown as { NodeFilter: { SHOW_TEXT: number }; document: {
              querySelectorAll(s: string): El[];
              createTreeWalker(root: El, what: number): { nextNode(): Text | null };
              createRange(): { selectNodeContents(n: unknown): void; getClientRects(): ArrayLike<{ top: number }> };
            } };
            const out: string[] = [];
            for (const el of g.document.querySelectorAll('table.grid th, table.grid td')) {
              const walker = g.document.createTreeWalker(el, g.NodeFilter.SHOW_TEXT);
              for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const text = (node.textContent ?? '').trim();
                // Only one-word texts (an address, a code, a header word) must stay on one line.
                // A hyphen is a sensible place to wrap ("send-as@…"); a break anywhere else is a word cut.
                if (!text || (/\s/.test(text) && !el.matches('th')) || text.includes('-')) continue;
                const range = g.document.createRange();
                range.selectNodeContents(node);
                const tops = new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top / 4)));
                if (tops.size > 1) out.push(text);
              }
            }
            return out;
          });
          assert.deepEqual(broken, [], `${path} at 1,400 px breaks words: ${broken.join(', ')}`);
        }
      }
    } finally {
      await page.setViewportSize({ width: 1320, height: 900 });
    }
  });

  it('at 390 px the pages wait behind a Menu button and every page starts at its title; on a desktop the menu stands beside it', async () => {
    const nav = page.getByRole('navigation', { name: 'Pages', exact: true });
    const menu = page.getByRole('button', { name: /^Menu/ });
    try {
      await page.setViewportSize({ width: 390, height: 844 });
      await open('/history');
      assert.equal(await nav.isVisible(), false, 'the pages are not listed above the page');
      const top = (await page.locator('main h1').first().boundingBox())!.y;
      assert.ok(top < 160, `the title stands near the top (at ${top} px)`);
      assert.equal(await menu.getAttribute('aria-expanded'), 'false');
      await screenshot(page, 'menu-390-closed');
      await menu.click();
      await nav.waitFor();
      assert.equal(await menu.getAttribute('aria-expanded'), 'true');
      await screenshot(page, 'menu-390-open');
      await nav.getByRole('link', { name: 'Users', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
      await nav.waitFor({ state: 'hidden' });
      assert.equal(await menu.getAttribute('aria-expanded'), 'false', 'choosing a page closes the menu');

      await page.setViewportSize({ width: 1400, height: 900 });
      await nav.waitFor();
      assert.equal(await menu.isVisible(), false, 'no Menu button where the menu fits');
      await screenshot(page, 'menu-1400');
    } finally {
      await page.setViewportSize({ width: 1320, height: 900 });
    }
  });

  it('the first page loads the shell and its own code only; the editor comes with the page that needs it', async () => {
    const assets = join(ROOT, 'web', 'dist', 'assets');
    const sizeOf = (file: string) => statSync(join(assets, file)).size;
    const allJs = readdirSync(assets).filter((f) => f.endsWith('.js'));
    const loaded = new Set<string>();
    const fresh = await browser.context.newPage();
    fresh.on('request', (r) => { const m = /\/assets\/([^/?]+\.js)/.exec(r.url()); if (m) loaded.add(m[1]!); });
    try {
      // A new tab has no session: the sign-in page, then the home page.
      await fresh.goto(server.url);
      await fresh.getByLabel('User name').fill('admin');
      await fresh.getByLabel('Password').fill(server.passwords.admin!);
      await fresh.getByRole('button', { name: 'Sign in' }).click();
      await fresh.getByRole('heading', { level: 1, name: 'Home' }).waitFor();
      const home = [...loaded];
      const homeBytes = home.reduce((sum, f) => sum + sizeOf(f), 0);
      const allBytes = allJs.reduce((sum, f) => sum + sizeOf(f), 0);
      console.log(`# first page: ${home.length} scripts, ${Math.round(homeBytes / 1024)} kB of ${Math.round(allBytes / 1024)} kB`);
      assert.ok(homeBytes < 450 * 1024, `the first page loads ${Math.round(homeBytes / 1024)} kB of script`);
      assert.ok(homeBytes < allBytes / 2, 'most of the console is not loaded for the first page');
      assert.ok(!home.some((f) => f.startsWith('rich-text-editor')), `the editor is not loaded on the home page: ${home.join(', ')}`);
      await fresh.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Send email', exact: true }).click();
      await fresh.getByRole('heading', { level: 1, name: 'Send email' }).waitFor();
      assert.ok([...loaded].some((f) => f.startsWith('rich-text-editor')), 'Send email brings the editor');
    } finally {
      await fresh.close();
    }
  });

  /** An email that one try has left waiting for a later one (its server's port was closed for that try). */
  const waitingEmail = async (subject: string): Promise<string> => {
    const saved = (await api('GET', '/api/parameters')).body.smtp;
    const { createServer } = await import('node:net');
    const closed = await new Promise<number>((resolve) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); }); });
    assert.equal((await api('PATCH', '/api/parameters', { smtp: { port: closed } })).status, 200);
    let id: string;
    try {
      const queued = await api('POST', '/api/emails', { to: ['later@customer.example'], subject, body: 'x' });
      id = queued.body.email?.id ?? queued.body.id;
      // The server's own distributor takes it at once; wait until that try has ended.
      let waiting = (await api('GET', `/api/emails/${id}`)).body;
      while (waiting.status === 'sending') {
        await new Promise((r) => setTimeout(r, 200));
        waiting = (await api('GET', `/api/emails/${id}`)).body;
      }
      assert.ok(['waiting', 'deferred'].includes(waiting.status), JSON.stringify(waiting));
      assert.ok(waiting.nextAttemptAt > Date.now(), `its next try is later: ${JSON.stringify(waiting)}`);
    } finally {
      await api('PATCH', '/api/parameters', { smtp: { port: saved.port } });
    }
    return id;
  };

  it('an administrator retries a waiting email now from its detail, and it is sent', async () => {
    const id = await waitingEmail('Retry me');
    await open(`/history/${id}`);
    await page.getByRole('button', { name: 'Retry now' }).click();
    await page.locator('dl.summary-grid[data-status="sent"]').waitFor({ timeout: 20_000 });
    assert.ok(server.running.capture!.list().some((m) => m.subject === 'Retry me'));
  });

  it('an administrator retries a waiting email now from Batch email sending status, and it leaves the queue sent', async () => {
    const id = await waitingEmail('Retry me from the queue');
    await open('/sending-status');
    const row = page.locator(`tr[data-email-id="${id}"]`);
    await row.getByRole('button', { name: /^Retry now/ }).click();
    await row.waitFor({ state: 'detached', timeout: 20_000 });
    assert.equal((await api('GET', `/api/emails/${id}`)).body.status, 'sent');
    assert.ok(server.running.capture!.list().some((m) => m.subject === 'Retry me from the queue'));
  });

  it('writes dates one way in lists and details', async () => {
    await open('/history');
    const row = page.locator('tr[data-email-id]').first();
    await row.waitFor();
    const listed = await row.locator('td.nowrap').first().innerText();
    await row.getByRole('link').click();
    await page.locator('dl.summary-grid').waitFor();
    const created = await page.locator('dl.summary-grid dt', { hasText: 'Created' }).locator('xpath=following-sibling::dd[1]').innerText();
    assert.equal(listed, created);
    assert.match(created, /\d{4}/, 'the year is written in full');
  });
});

describe('serve on a busy port', () => {
  it('stops within moments with PORT_IN_USE naming the port and MAILROOM_PORT, exit code 1, and creates nothing', async () => {
    const { createServer } = await import('node:net');
    const holder = createServer();
    const port = await new Promise<number>((resolve) => holder.listen(0, '127.0.0.1', () => resolve((holder.address() as { port: number }).port)));
    const base = mkdtempSync(join(tmpdir(), 'mailroom-busy-'));
    const dataDir = join(base, 'data');
    try {
      const child = spawn(process.execPath, [join(ROOT, 'src/cli/main.ts'), 'serve', '--demo'], {
        env: { ...process.env, MAILROOM_PORT: String(port), MAILROOM_HOST: '127.0.0.1', MAILROOM_DATA_DIR: dataDir, MAILROOM_SECRET_KEY: '', DATABASE_URL: '' },
      });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      assert.equal(code, 1, stderr);
      assert.match(stderr, new RegExp(`PORT_IN_USE: Port ${port} on 127\\.0\\.0\\.1 is already in use`));
      assert.match(stderr, /MAILROOM_PORT=/);
      assert.doesNotMatch(stderr, /EADDRINUSE|\n\s+at /, 'no stack trace');
      assert.equal(existsSync(dataDir), false, 'no data folder, database or key was created');
    } finally {
      holder.close();
      rmSync(base, { recursive: true, force: true });
    }
  });
});
