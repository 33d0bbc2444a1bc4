// Issue 9, the template picker: a plain user lists the general templates they may write an email
// activity from (for a record: its organization's, then the system's), without the administrator's
// details, fills one for the record, and writes a Draft from one through the API and the CLI.
// Both dialects.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApi, type ApiHarness, type Json } from '../fixtures/api.ts';
import { runCli } from '../fixtures/cli.ts';
import { DIALECTS, skipUnless } from '../fixtures/context.ts';

const template = (emailId: string, subject: string, html: string, extra: Record<string, unknown> = {}) => ({
  emailId, kind: 'general', description: `${emailId} letter`, senderName: 'Back office', senderEmail: 'backoffice@contoso.test', defaultLanguage: 'en-us',
  messages: [{ language: 'en-us', subject, html }], ...extra,
});

for (const dialect of DIALECTS) {
  describe(`writing an email activity from a template, as a plain user (${dialect})`, { skip: await skipUnless(dialect) }, () => {
    let h: ApiHarness;
    const ids: Record<string, string> = {};
    const as = async (who: 'admin' | 'alice', method: 'GET' | 'POST', url: string, body?: unknown, expect = 200): Promise<Json> => {
      const res = await h.call(method, url, { token: h.tokens[who], body });
      assert.equal(res.status, expect, `${method} ${url}: ${res.text}`);
      return res.body;
    };

    before(async () => {
      h = await startApi(dialect);
      const org = await as('admin', 'POST', '/api/organizations', { code: 'USMF', name: 'Contoso USA' }, 201);
      ids.system = (await as('admin', 'POST', '/api/templates', template('FOLLOWUP', 'Following up, %for%', '<p>Dear %for%, from %company% on %date%.</p>'), 201)).id;
      await as('admin', 'POST', '/api/templates', {
        ...template('FOLLOWUP', 'Nachfrage, %for%', '<p>Hallo %for% (%company%)</p>'),
        defaultLanguage: 'en-us', messages: [{ language: 'en-us', subject: 'Org follow-up, %for%', html: '<p>Org: %company%</p>' }, { language: 'de', subject: 'Nachfrage, %for%', html: '<p>Hallo %for% (%company%)</p>' }],
        organization: org.id,
      }, 201);
      await as('admin', 'POST', '/api/templates', template('THANKS', 'Thank you', '<p>Thanks</p>'), 201);
      await as('admin', 'POST', '/api/templates', { ...template('WFMAIL', '%subject%', '<p>%message%</p>'), kind: 'workflow' }, 201);
      const account = await as('alice', 'POST', '/api/accounts', { name: 'Fabrikam', organization: org.id }, 201);
      ids.contact = (await as('alice', 'POST', '/api/contacts', { name: 'Lena Kunde', account: account.id, language: 'de', emails: ['lena@fabrikam.test'] }, 201)).id;
    });
    after(async () => { await h?.close(); });

    it('lists the general templates to a plain user, without sender, priority or messages; for a record its organization\'s first', async () => {
      assert.equal((await h.call('GET', '/api/templates', { token: h.tokens.alice })).status, 403, 'the administrator\'s list stays theirs');
      const all: Json[] = await as('alice', 'GET', '/api/activity-templates');
      assert.deepEqual(all.map((t) => `${t.emailId}/${t.organization?.code ?? 'system'}`).sort(), ['FOLLOWUP/USMF', 'FOLLOWUP/system', 'THANKS/system']);
      for (const t of all) {
        assert.deepEqual(Object.keys(t).sort(), ['defaultLanguage', 'description', 'emailId', 'id', 'kind', 'languages', 'organization', 'scope']);
        assert.equal(t.kind, 'general');
      }
      const forContact: Json[] = await as('alice', 'GET', `/api/activity-templates?regarding=contact:${ids.contact}`);
      assert.deepEqual(forContact.map((t) => `${t.emailId}/${t.organization?.code ?? 'system'}`), ['FOLLOWUP/USMF', 'THANKS/system'],
        'the organization\'s FOLLOWUP stands in for the system\'s');
      assert.deepEqual(forContact[0].languages, ['de', 'en-us']);
      assert.equal((await h.call('GET', '/api/activity-templates?regarding=contact:none', { token: h.tokens.alice })).status, 400);
      assert.equal((await h.call('GET', '/api/activity-templates', { token: null })).status, 401);
    });

    it('fills a template for the record it regards, in the contact\'s language; refuses other kinds and unknown ones', async () => {
      const regarding = { type: 'contact', id: ids.contact };
      const filled = await as('alice', 'POST', '/api/activity-templates/FOLLOWUP/render', { regarding, to: ['lena@fabrikam.test'] });
      assert.equal(filled.language, 'de');
      assert.equal(filled.subject, 'Nachfrage, Lena Kunde');
      assert.equal(filled.html, '<p>Hallo Lena Kunde (Contoso USA)</p>');
      const system = await as('alice', 'POST', `/api/activity-templates/${ids.system}/render`, { to: '"Robin" <robin@fabrikam.test>' });
      assert.equal(system.subject, 'Following up, Robin');
      assert.match(system.html, /^<p>Dear Robin, from  on \d{4}-\d{2}-\d{2}\.<\/p>$/);
      assert.equal((await h.call('POST', '/api/activity-templates/WFMAIL/render', { token: h.tokens.alice, body: {} })).status, 400);
      assert.equal((await h.call('POST', '/api/activity-templates/NOPE/render', { token: h.tokens.alice, body: {} })).status, 404);
      assert.equal((await h.call('POST', '/api/activity-templates/FOLLOWUP/render', { token: h.tokens.alice, body: { regarding: { type: 'contact', id: 'none' } } })).status, 400);
    });

    it('writes a Draft from a template through POST /api/activities; a typed subject wins; incoming ones take none', async () => {
      const regarding = { type: 'contact', id: ids.contact };
      const draft = await as('alice', 'POST', '/api/activities', { direction: 'outgoing', subject: '', to: ['lena@fabrikam.test'], regarding, template: 'FOLLOWUP' }, 201);
      assert.equal(draft.status, 'draft');
      assert.equal(draft.subject, 'Nachfrage, Lena Kunde');
      assert.equal(draft.html, '<p>Hallo Lena Kunde (Contoso USA)</p>');
      const typed = await as('alice', 'POST', '/api/activities', { direction: 'outgoing', subject: 'My words', to: ['lena@fabrikam.test'], regarding, template: 'FOLLOWUP' }, 201);
      assert.equal(typed.subject, 'My words');
      const incoming = await h.call('POST', '/api/activities', { token: h.tokens.alice, body: { direction: 'incoming', from: 'x@fabrikam.test', subject: '', template: 'FOLLOWUP' } });
      assert.equal(incoming.status, 400);
      assert.equal(incoming.body.error.details.field, 'template');
    });

    it('lists and writes from a template in the CLI (activities templates, activities draft --template)', async () => {
      const cli = (...args: string[]) => runCli(h.env, args);
      const listed = await cli('activities', 'templates', '--regarding', `contact:${ids.contact}`);
      assert.equal(listed.code, 0, listed.err);
      assert.match(listed.out, /^FOLLOWUP\s+USMF\s+de,en-us\s+FOLLOWUP letter$/m);
      assert.match(listed.out, /^THANKS\s+system\s+en-us\s+THANKS letter$/m);
      const json = await cli('activities', 'templates', '--json');
      assert.equal(json.json.length, 3);
      const draft = await cli('activities', 'draft', '--user', 'alice', '--to', 'lena@fabrikam.test', '--regarding', `contact:${ids.contact}`, '--template', 'FOLLOWUP', '--json');
      assert.equal(draft.code, 0, draft.err);
      assert.equal(draft.json.subject, 'Nachfrage, Lena Kunde');
      assert.equal(draft.json.html, '<p>Hallo Lena Kunde (Contoso USA)</p>');
      const refused = await cli('activities', 'draft', '--user', 'alice', '--to', 'lena@fabrikam.test', '--template', 'WFMAIL');
      assert.notEqual(refused.code, 0);
      assert.match(refused.out + refused.err, /VALIDATION_FAILED/);
    });
  });
}
