// The CRM records and email activities through the REST API (roles, schemas, unknown fields
// refused, the OpenAPI document) and the `mailroom` CLI as a child process.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createIncomingActivity } from '../../src/crm/email-activity.service.ts';
import { findMailboxRow } from '../../src/sync/mailboxes.service.ts';
import { startApi, type ApiHarness } from '../fixtures/api.ts';
import { cliOk, runCli } from '../fixtures/cli.ts';
import { DIALECTS, skipUnless } from '../fixtures/context.ts';

for (const dialect of DIALECTS) {
  describe(`CRM API and CLI on ${dialect}`, { skip: await skipUnless(dialect) }, () => {
    let h: ApiHarness;
    const as = (who: 'admin' | 'alice', body?: unknown) => ({ token: h.tokens[who], body });
    before(async () => { h = await startApi(dialect); });
    after(async () => { await h.close(); });

    it('signed-in users read and create; only the owner or an administrator changes; anonymous callers get nothing', async () => {
      assert.equal((await h.call('GET', '/api/accounts', { token: null })).status, 401);
      const made = await h.call('POST', '/api/accounts', as('admin', { name: 'Contoso Pharma', accountNumber: 'CP-1', emails: ['info@pharma.test'] }));
      assert.equal(made.status, 201, made.text);
      assert.equal(made.body.ownerId, h.users.admin.id);
      const read = await h.call('GET', '/api/accounts/cp-1', as('alice'));
      assert.equal(read.status, 200);
      assert.deepEqual(read.body.contacts, []);
      const refused = await h.call('PATCH', '/api/accounts/CP-1', as('alice', { name: 'Taken over' }));
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error.code, 'FORBIDDEN');
      assert.equal((await h.call('DELETE', '/api/accounts/CP-1', as('alice'))).status, 403);
      const own = await h.call('POST', '/api/contacts', as('alice', { name: 'Kim Lee', account: 'CP-1', emails: ['kim@pharma.test'] }));
      assert.equal(own.status, 201, own.text);
      const changed = await h.call('PATCH', `/api/contacts/${own.body.id}`, as('alice', { purpose: 'Statements' }));
      assert.equal(changed.body.purpose, 'Statements');
      assert.equal((await h.call('PATCH', '/api/accounts/CP-1', as('admin', { state: 'inactive' }))).body.state, 'inactive');
      const lead = await h.call('POST', '/api/leads', as('alice', { name: 'Sam Ortiz', companyName: 'Adatum' }));
      assert.equal(lead.status, 201);
      assert.equal((await h.call('DELETE', `/api/leads/${lead.body.id}`, as('alice'))).status, 204);
      assert.equal((await h.call('GET', `/api/leads/${lead.body.id}`, as('alice'))).status, 404);
    });

    it('refuses unknown fields and bad values, naming the field', async () => {
      const extra = await h.call('POST', '/api/accounts', as('alice', { name: 'X', color: 'red' }));
      assert.equal(extra.status, 400);
      assert.equal(extra.body.error.details[0].field, 'color');
      const four = await h.call('POST', '/api/leads', as('alice', { name: 'X', emails: ['a@x.test', 'b@x.test', 'c@x.test', 'd@x.test'] }));
      assert.equal(four.status, 400);
      const badQuery = await h.call('GET', '/api/contacts?sort=name', as('alice'));
      assert.equal(badQuery.status, 400);
      const badState = await h.call('GET', '/api/leads?state=gone', as('alice'));
      assert.equal(badState.status, 400);
      // A value that fits no form of a union is told what the forms are, not only that it was refused.
      const asText = await h.call('POST', '/api/activities', as('alice', { direction: 'outgoing', subject: 'x', to: ['a@x.test'], regarding: 'contact:123' }));
      assert.equal(asText.status, 400, asText.text);
      assert.equal(asText.body.error.message, 'Regarding must be a set of fields (type, id) or empty.');
    });

    it('searches and pages over the API', async () => {
      for (const name of ['Search Alpha', 'Search Beta', 'Search Gamma']) await h.call('POST', '/api/leads', as('alice', { name }));
      const first = await h.call('GET', '/api/leads?q=search&limit=2', as('alice'));
      assert.deepEqual(first.body.items.map((l: { name: string }) => l.name), ['Search Alpha', 'Search Beta']);
      const second = await h.call('GET', `/api/leads?q=search&limit=2&cursor=${first.body.nextCursor}`, as('alice'));
      assert.deepEqual(second.body.items.map((l: { name: string }) => l.name), ['Search Gamma']);
      assert.equal(second.body.nextCursor, null);
    });

    it('writes, shows, edits and deletes email activities; an attachment comes back as a download', async () => {
      const draft = await h.call('POST', '/api/activities', as('alice', {
        direction: 'outgoing', subject: 'Samples', html: '<p>See attached</p>', to: ['kim@pharma.test'], regarding: { type: 'account', id: (await h.call('GET', '/api/accounts/CP-1', as('alice'))).body.id },
        attachments: [{ filename: 'samples.csv', contentType: 'text/csv', contentBase64: Buffer.from('a,b\n1,2\n').toString('base64') }],
      }));
      assert.equal(draft.status, 201, draft.text);
      assert.equal(draft.body.status, 'draft');
      assert.equal(draft.body.to[0].records[0].type, 'contact');
      const file = await h.call('GET', `/api/activities/${draft.body.id}/attachments/${draft.body.attachments[0].id}`, as('admin'));
      assert.equal(file.status, 200);
      assert.equal(file.text, 'a,b\n1,2\n');
      assert.equal(file.headers['content-type'], 'application/octet-stream', 'never rendered by the browser');
      const tooBig = await h.call('POST', '/api/activities', as('alice', {
        direction: 'outgoing', subject: 'Big', attachments: [{ filename: 'big.bin', contentBase64: Buffer.alloc(5_120 * 1024 + 1).toString('base64') }],
      }));
      assert.equal(tooBig.status, 413);
      assert.equal(tooBig.body.error.code, 'ATTACHMENT_TOO_LARGE');
      assert.equal((await h.call('PATCH', `/api/activities/${draft.body.id}`, as('admin', { subject: 'Samples (2)' }))).body.subject, 'Samples (2)');
      assert.equal((await h.call('PATCH', `/api/activities/${draft.body.id}`, as('alice', { status: 'sent' }))).status, 400, 'the status is not a field anyone sets');
      const list = await h.call('GET', '/api/activities?q=samples&direction=outgoing', as('alice'));
      assert.deepEqual(list.body.items.map((a: { id: string }) => a.id), [draft.body.id]);
      assert.equal((await h.call('DELETE', `/api/activities/${draft.body.id}`, as('alice'))).status, 204);
    });

    it('describes every CRM route in the OpenAPI document with its answers', async () => {
      const doc = (await h.call('GET', '/openapi.json')).body;
      for (const [path, method] of [['/api/accounts', 'get'], ['/api/accounts/{id}', 'patch'], ['/api/contacts', 'post'], ['/api/leads/{id}', 'delete'], ['/api/activities', 'get'], ['/api/activities/{id}', 'get']] as const) {
        const op = doc.paths[path]?.[method];
        assert.ok(op, `${method} ${path}`);
        assert.ok(Object.keys(op.responses).some((s) => s.startsWith('2')), `${method} ${path} has a success answer`);
        assert.ok(op.responses['403'] && op.responses['404'], `${method} ${path} has its error answers`);
      }
      assert.equal(doc.paths['/api/accounts'].post.requestBody.content['application/json'].schema.additionalProperties, false);
    });

    it('mailroom accounts|contacts|leads add|list|show|set and activities list|show, with --json', async () => {
      const env = h.env;
      const account = (await cliOk(env, ['accounts', 'add', '--name', 'Litware', '--number', 'LW-1', '--email', 'info@litware.test', '--email', 'ap@litware.test', '--user', 'alice', '--json'])).json;
      assert.deepEqual(account.emails, ['info@litware.test', 'ap@litware.test']);
      assert.equal(account.ownerId, h.users.alice.id);
      const contact = (await cliOk(env, ['contacts', 'add', '--name', 'Robin Diaz', '--account', 'LW-1', '--email', 'robin@litware.test', '--purpose', 'Statements', '--json'])).json;
      assert.equal(contact.accountId, account.id);
      assert.equal((await cliOk(env, ['accounts', 'set', 'lw-1', '--state', 'inactive', '--user', 'alice', '--json'])).json.state, 'inactive');
      const denied = await runCli(env, ['contacts', 'set', contact.id, '--name', 'X', '--user', 'alice', '--json']);
      assert.equal(denied.code, 1, 'the contact belongs to the first administrator');
      assert.equal(denied.json.error.code, 'FORBIDDEN');
      assert.deepEqual((await cliOk(env, ['accounts', 'list', '--search', 'litware', '--state', 'all', '--json'])).json.map((a: { id: string }) => a.id), [account.id]);
      assert.equal((await cliOk(env, ['accounts', 'show', 'LW-1', '--json'])).json.contacts[0].name, 'Robin Diaz');
      assert.match((await cliOk(env, ['accounts', 'show', 'LW-1'])).out, /contact Robin Diaz <robin@litware\.test> purpose Statements/);
      const lead = (await cliOk(env, ['leads', 'add', '--name', 'Casey Fox', '--company', 'Fourth Coffee', '--json'])).json;
      assert.equal((await cliOk(env, ['leads', 'set', lead.id, '--topic', 'Espresso machines', '--json'])).json.topic, 'Espresso machines');
      assert.equal((await cliOk(env, ['leads', 'show', lead.id, '--json'])).json.companyName, 'Fourth Coffee');
      const unknown = await runCli(env, ['leads', 'add', '--name', 'X', '--colour', 'red']);
      assert.notEqual(unknown.code, 0);
      assert.match(unknown.err, /unknown option/);

      const mailboxId = (await findMailboxRow(h.env.ctx, 'alice@contoso.test')).id;
      const { activity } = await createIncomingActivity(h.env.ctx, {
        dedupeKey: 'cli-1', messageId: '<cli-1@litware.test>', subject: 'Order 77', from: { address: 'robin@litware.test' }, to: [{ address: 'alice@contoso.test' }],
        mailboxId, regarding: { type: 'account', id: account.id }, correlatedBy: 'in-reply-to',
      });
      // The mailbox by its address, as a user names it.
      const listed = (await cliOk(env, ['activities', 'list', '--mailbox', 'alice@contoso.test', '--regarding', `account:${account.id}`, '--json'])).json;
      assert.equal(listed.length, 1);
      const a = listed[0];
      for (const field of ['id', 'direction', 'messageId', 'subject', 'from', 'to', 'regarding', 'correlatedBy', 'status', 'mailboxes']) assert.ok(field in a, field);
      assert.equal(a.id, activity.id);
      assert.equal(a.from.records[0].type, 'contact');
      assert.deepEqual(a.mailboxes, [mailboxId]);
      assert.equal((await cliOk(env, ['activities', 'show', activity.id, '--json'])).json.messageId, '<cli-1@litware.test>');
      assert.match((await cliOk(env, ['activities', 'show', activity.id])).out, /From: robin@litware\.test \(contact Robin Diaz\)/);
      assert.equal((await runCli(env, ['activities', 'list', '--status', 'lost', '--json'])).json.error.code, 'VALIDATION_FAILED');
    });
  });
}
