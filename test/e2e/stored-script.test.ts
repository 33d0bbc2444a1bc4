// An attacker stores script in every field the console shows (template texts, subjects, names,
// file names, workflow titles, record names, activity bodies) and an administrator browses every
// page that shows them in Chromium. No script runs, and none of it even reaches the page as markup
// (the Content-Security-Policy would block it, so a sanitizer gap must not hide behind it).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { apiCall, ensureConsoleBuilt, launchBrowser, signIn, skipUnlessChromium, startDemoServer, type Browser, type DemoServer } from './console-harness.ts';

/** Markup that runs __xss(field) wherever it becomes HTML instead of text. */
const hostile = (field: string) => `<img src=x onerror="__xss('${field}')"><script>__xss('${field}')</script><svg onload="__xss('${field}')"></svg>${field}`;

describe('script stored in every field the console shows', { skip: skipUnlessChromium() }, () => {
  let server: DemoServer;
  let browser: Browser;
  let page: Page;
  let token: string;
  let contactId: string | undefined;
  const stored: string[] = [];
  const hits: string[] = [];
  const blocked: string[] = [];
  const pages: string[] = ['/history', '/sending-status', '/captured', '/users', '/templates/system', '/templates/organization', '/organizations',
    '/workflows', '/workflow/instances', '/work-items', '/accounts', '/contacts', '/leads', '/activities', '/sync/queues', '/sync/mailboxes'];

  const api = (method: string, path: string, body?: unknown) => apiCall(server.url, method, path, token, body);
  /** Stores a value; a refusal (the field does not take such text) is fine, and counted. */
  const store = async (field: string, method: string, path: string, body: unknown): Promise<any> => {
    const res = await api(method, path, body);
    if (res.status < 300) stored.push(field);
    return res.body;
  };

  before(async () => {
    ensureConsoleBuilt();
    server = await startDemoServer();
    token = (await apiCall(server.url, 'POST', '/api/session', null, { username: 'admin', password: server.passwords.admin })).body.token;

    const email = await store('email subject', 'POST', '/api/emails', {
      to: [`"${hostile('recipient name')}" <bob@fabrikam.test>`], subject: hostile('email subject'),
      html: `<p>Hi</p>${hostile('email html')}`, body: hostile('email text'),
      attachments: [{ filename: `${hostile('file name')}.txt`.replace(/[\\/]/g, '_'), contentType: 'text/plain', contentBase64: Buffer.from('x').toString('base64') }],
    });
    if (email?.email?.id) pages.push(`/history/${email.email.id}`);
    await store('user name', 'POST', '/api/users', { username: 'mallory', name: hostile('user name'), email: 'mallory@contoso.test', password: 'mallory-password' });
    const org = await store('organization name', 'POST', '/api/organizations', { code: 'EVIL', name: hostile('organization name') });
    await store('template texts', 'POST', '/api/templates', {
      emailId: 'EVILTPL', kind: 'general', description: hostile('template description'), senderName: hostile('template sender name'), senderEmail: 'noreply@contoso.test',
      defaultLanguage: 'en-us', messages: [{ language: 'en-us', subject: hostile('template subject'), html: hostile('template html') }],
      ...(org?.id ? { organization: org.id } : {}),
    });
    // A system template too, so a contact without that organization can be written from it in the compose form's picker.
    await store('picker template', 'POST', '/api/templates', {
      emailId: 'EVILPICK', kind: 'general', description: 'Evil picker', senderEmail: 'noreply@contoso.test', defaultLanguage: 'en-us',
      messages: [{ language: 'en-us', subject: hostile('picker subject'), html: `<p>Dear %for%</p>${hostile('picker html')}<a href="javascript:__xss('picker link')">link</a>` }],
    });
    await store('workflow name', 'POST', '/api/workflows', {
      code: 'EVILWF', name: hostile('workflow name'), documentType: 'purchase-requisition', templateEmailId: 'WFNOTIFY',
      steps: [{ name: hostile('step name'), assignTo: { type: 'role', role: 'admin' }, workItemSubject: hostile('work item subject'), instructions: hostile('instructions') }],
    });
    const doc = await store('document title', 'POST', '/api/workflow/submit', { documentType: 'purchase-requisition', title: hostile('document title'), ref: 'PR-X' });
    if (doc?.id) pages.push(`/workflow/instances/${doc.id}`);
    const account = await store('account name', 'POST', '/api/accounts', { name: hostile('account name'), accountNumber: 'EV-1', emails: ['evil@fabrikam.test'] });
    if (account?.id) pages.push(`/accounts/${account.id}`);
    const contact = await store('contact name', 'POST', '/api/contacts', { name: hostile('contact name'), emails: ['evil.contact@fabrikam.test'], ...(account?.id ? { account: account.id } : {}) });
    if (contact?.id) pages.push(`/contacts/${contact.id}`);
    contactId = contact?.id;
    const lead = await store('lead name', 'POST', '/api/leads', { name: hostile('lead name'), companyName: hostile('lead company'), topic: hostile('lead topic'), emails: ['lead@fabrikam.test'] });
    if (lead?.id) pages.push(`/leads/${lead.id}`);
    const activity = await store('activity subject', 'POST', '/api/activities', {
      direction: 'incoming', subject: hostile('activity subject'), from: `"${hostile('activity sender')}" <evil@fabrikam.test>`, to: ['admin@contoso.test'],
      html: `<p>Hello</p>${hostile('activity html')}`, text: hostile('activity text'),
      attachments: [{ filename: 'evil<img src=x onerror=__xss(1)>.txt', contentType: 'text/plain', contentBase64: Buffer.from('x').toString('base64') }],
    });
    if (activity?.id) pages.push(`/activities/${activity.id}`);
    await store('queue name', 'POST', '/api/queues', { name: hostile('queue name'), email: 'evil-queue@contoso.test' });
    // Let the distributor send the email, so the captured mail shows it too.
    await api('POST', '/api/distributor/run');
    const captured = (await api('GET', '/api/demo/captured')).body as { id: string; subject: string }[];
    const mine = captured?.find((m) => m.subject.includes('email subject'));
    if (mine) pages.push(`/captured/${mine.id}`);

    browser = await launchBrowser();
    page = await browser.context.newPage();
    await page.exposeFunction('__xss', (field: string) => { hits.push(field); });
    // Chromium reports a script-src-attr violation when DOMPurify parses an event-handler attribute
    // in its inert document, although nothing can run there; those come from the sanitizer's own
    // file. A report from anywhere else means markup with a handler reached a live document.
    page.on('console', (m) => {
      if (/Content Security Policy directive 'script-src/i.test(m.text()) && !/\/assets\/sanitize-[^/]*\.js$/.test(m.location().url)) {
        blocked.push(`${page.url()} (${m.location().url}): ${m.text().slice(0, 120)}`);
      }
    });
    await signIn(page, server.url, 'admin', server.passwords.admin!);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('stores the hostile text in the fields that take free text', () => {
    for (const field of ['email subject', 'user name', 'organization name', 'template texts', 'workflow name', 'document title', 'account name', 'contact name', 'lead name', 'activity subject']) {
      assert.ok(stored.includes(field), `${field} was stored (so the pages below really show it)`);
    }
  });

  it('puts a template picked in the compose form into the rich editor without running it or keeping its markup', async () => {
    assert.ok(contactId && stored.includes('picker template'));
    await page.goto(new URL(`/contacts/${contactId}`, server.url).toString());
    const form = page.getByRole('form', { name: 'Write an email activity' });
    await form.getByLabel('Start from a template').selectOption({ label: 'Evil picker (EVILPICK)' });
    await form.getByRole('textbox', { name: 'Body' }).filter({ hasText: 'picker html' }).waitFor();
    assert.match(await form.getByLabel('Subject').inputValue(), /__xss\('picker subject'\)/, 'the subject is the template\'s, as text');
    // The placeholders were filled as text (the contact's hostile name shows as written); the template's own markup is gone.
    type Node = { tagName: string; attributes: ArrayLike<{ name: string; value: string }> };
    const markup = await form.getByRole('textbox', { name: 'Body' }).evaluate((editor) => Array.from((editor as unknown as { querySelectorAll(s: string): ArrayLike<Node> }).querySelectorAll('*')).flatMap((el) => [
      ...(['SCRIPT', 'SVG', 'IMG'].includes(el.tagName.toUpperCase()) ? [el.tagName] : []),
      ...Array.from(el.attributes).filter((a) => /^on/i.test(a.name) || /javascript:/i.test(a.value)).map((a) => `${el.tagName} ${a.name}`),
    ]));
    assert.deepEqual(markup, [], 'none of the template\'s script reached the editor as markup');
    assert.match(await form.getByRole('textbox', { name: 'Body' }).innerText(), /picker html/);
    await page.waitForTimeout(300);
    assert.deepEqual(hits, [], 'no script from the template ran');
    assert.deepEqual(blocked, [], 'no script-src violation outside the sanitizer');
  });

  it('runs none of it on any page that shows it, and puts none of it into the page as markup', async () => {
    const injected: string[] = [];
    let shown = 0;
    for (const path of pages) {
      await page.goto(new URL(path, server.url).toString());
      await page.locator('main h1').first().waitFor();
      await page.locator('.progress').waitFor({ state: 'detached' }).catch(() => undefined);
      await page.waitForLoadState('networkidle');
      // The page and every frame in it (the sandboxed message frames too).
      const found = (await Promise.all(page.frames().map((frame) => frame.evaluate(() => {
        const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ attributes: ArrayLike<{ name: string; value: string }>; tagName: string; textContent: string | null }> } }).document;
        const out: string[] = [];
        for (const el of Array.from(doc.querySelectorAll('*'))) {
          for (const a of Array.from(el.attributes)) if (/^on/i.test(a.name) && a.value.includes('__xss')) out.push(`${el.tagName} ${a.name}`);
          if (el.tagName === 'SCRIPT' && el.textContent?.includes('__xss')) out.push('SCRIPT');
        }
        return out;
      })))).flat();
      injected.push(...found.map((f) => `${path}: ${f}`));
      // The text itself is on the page (as text): the test looked where the value is shown.
      if ((await page.locator('main').innerText()).includes('__xss(')) shown++;
    }
    assert.ok(shown >= 10, `the hostile text was visible as text on ${shown} of ${pages.length} pages`);
    assert.deepEqual(hits, [], 'no script from a field ran');
    assert.deepEqual(injected, [], 'no field became markup in the console\'s page');
    assert.deepEqual(blocked, [], 'no script-src violation outside the sanitizer: nothing needed the Content-Security-Policy to stop it');
  });
});
