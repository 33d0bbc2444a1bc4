// Alice, a plain user, tries Bob's things by their ids: his emails, API tokens, options, Drafts,
// activities (sent, failed, received: show, attachments, change, delete, send, cancel, resend,
// search), workflows and work items, his mailbox. Each answer says nothing of them (404) or
// refuses (403), and afterwards everything of Bob's is as it was.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { attachment, startApi, type ApiHarness, type Json } from '../fixtures/api.ts';
import { DIALECTS, skipUnless } from '../fixtures/context.ts';
import { createIncomingActivity } from '../../src/crm/email-activity.service.ts';
import { notificationTemplate } from '../workflow/workflow-setup.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

for (const dialect of DIALECTS) {
  describe(`another user's objects on ${dialect}`, { skip: await skipUnless(dialect) }, () => {
    let h: ApiHarness;
    let bob: { id: string; token: string };
    const ids: Record<string, string> = {};
    const as = (token: string, body?: unknown) => ({ token, body });

    before(async () => {
      h = await startApi(dialect);
      const admin = h.tokens.admin;
      const created = await h.call('POST', '/api/users', as(admin, { username: 'bob', email: 'bob@contoso.test', password: 'bob-password' }));
      bob = { id: created.body.id, token: await h.signIn('bob', 'bob-password') };
      assert.equal((await h.call('PATCH', '/api/parameters', as(admin, { batchProvider: 'eml' }))).status, 200);
      const email = await h.call('POST', '/api/emails', as(bob.token, {
        to: ['carol@fabrikam.test'], bcc: ['secret@fabrikam.test'], subject: 'Bob private', body: 'x',
        attachments: [attachment('salary.txt', Buffer.from('42'), 'text/plain')],
      }));
      ids.email = email.body.email.id;
      const token = await h.call('POST', `/api/users/${bob.id}/tokens`, as(bob.token, { name: 'laptop', password: 'bob-password' }));
      assert.equal(token.status, 201, token.text);
      ids.apiToken = token.body.token;
      ids.tokenId = (await h.call('GET', `/api/users/${bob.id}/tokens`, as(bob.token))).body[0].id;
      const draft = await h.call('POST', '/api/activities', as(bob.token, { direction: 'outgoing', subject: 'Bob draft', text: 'unsent', to: ['dan@fabrikam.test'], attachments: [attachment('plan.txt', Buffer.from('plan'), 'text/plain')] }));
      assert.equal(draft.status, 201, draft.text);
      ids.draft = draft.body.id;
      ids.draftAttachment = draft.body.attachments[0].id;
      assert.equal((await h.call('POST', '/api/templates', as(admin, notificationTemplate()))).status, 201);
      assert.equal((await h.call('POST', '/api/workflows', as(admin, { code: 'B', name: 'B', documentType: 'expense-report', templateEmailId: 'WFNOTIFY', steps: [{ name: 'S', assignTo: { type: 'user', users: ['bob'] } }] }))).status, 201);
      ids.instance = (await h.call('POST', '/api/workflow/submit', as(admin, { documentType: 'expense-report', title: 'For Bob' }))).body.id;
      ids.workItem = (await h.call('GET', '/api/work-items', as(bob.token))).body[0].id;
      ids.ownInstance = (await h.call('POST', '/api/workflow/submit', as(bob.token, { documentType: 'expense-report', title: 'Bob expenses' }))).body.id;
      ids.mailbox = (await h.env.ctx.db.selectFrom('mailbox').select('id').where('user_id', '=', bob.id).executeTakeFirstOrThrow()).id;
      // Bob's activities past Draft: one he sends (Pending send: his mailbox is not set up), one
      // that failed (its email failed), and one his mailbox received.
      const sending = await h.call('POST', '/api/activities', as(bob.token, { direction: 'outgoing', subject: 'Bob sending', text: 'unsent', to: ['dan@fabrikam.test'] }));
      ids.sending = sending.body.id;
      assert.equal((await h.call('POST', `/api/activities/${ids.sending}/send`, as(bob.token, {}))).body.status, 'pending-send');
      const failing = await h.call('POST', '/api/activities/send', as(bob.token, { subject: 'Bob failed', text: 'unsent', to: ['dan@fabrikam.test'] }));
      assert.equal(failing.status, 201, failing.text);
      ids.failed = failing.body.id;
      await h.env.ctx.db.updateTable('email').set({ status: 'failed', last_error_code: 'AUTH_FAILED' }).where('id', '=', failing.body.emailId).execute();
      await h.env.ctx.db.updateTable('email_activity').set({ status: 'failed' }).where('id', '=', ids.failed!).execute();
      const inbox = await createIncomingActivity(h.env.ctx, {
        dedupeKey: `bob-inbox-${dialect}`, mailboxId: ids.mailbox, subject: 'Bob private inbox', text: 'salary talk', from: { address: 'hr@fabrikam.test' },
        to: [{ address: 'bob@contoso.test' }], accepting: { type: 'user', id: bob.id }, ownerId: bob.id, attachments: [{ filename: 'salary.pdf', content: Buffer.from('42') }],
      });
      ids.inbox = inbox.activity.id;
      ids.inboxAttachment = inbox.activity.attachments[0]!.id;
    });
    after(async () => { await h.close(); });

    it('answers Alice\'s attempts on Bob\'s things with 404 or 403, never with his data', async () => {
      const attempts: [Method, string, unknown?][] = [
        ['GET', `/api/emails/${ids.email}`], ['GET', `/api/emails/${ids.email}/eml`], ['GET', `/api/emails/${ids.email}/content`],
        ['GET', `/api/emails/${ids.email}/attachments/0`], ['POST', `/api/emails/${ids.email}/resend`], ['POST', `/api/emails/${ids.email}/cancel`],
        ['GET', `/api/users/${bob.id}`], ['PATCH', `/api/users/${bob.id}`, { name: 'Robert' }], ['PATCH', `/api/users/${bob.id}`, { password: 'taken-over' }],
        ['GET', `/api/users/${bob.id}/options`], ['PATCH', `/api/users/${bob.id}/options`, { providerId: 'eml' }],
        ['GET', `/api/users/${bob.id}/tokens`], ['POST', `/api/users/${bob.id}/tokens`, { name: 'mine', password: 'alice-password' }],
        ['DELETE', `/api/users/${bob.id}/tokens/${ids.tokenId}`], ['DELETE', `/api/users/${h.users.alice.id}/tokens/${ids.tokenId}`],
        ['GET', `/api/activities/${ids.draft}`], ['GET', `/api/activities/${ids.draft}/attachments/${ids.draftAttachment}`],
        ['PATCH', `/api/activities/${ids.draft}`, { subject: 'changed' }], ['DELETE', `/api/activities/${ids.draft}`],
        ['POST', `/api/activities/${ids.draft}/send`, {}], ['POST', `/api/activities/${ids.draft}/cancel`],
        ['POST', `/api/activities/${ids.sending}/cancel`], ['POST', `/api/activities/${ids.failed}/resend`], ['POST', `/api/activities/${ids.failed}/cancel`],
        ['GET', `/api/activities/${ids.sending}`], ['GET', `/api/activities/${ids.failed}`], ['GET', `/api/activities/${ids.inbox}`],
        ['GET', `/api/activities/${ids.inbox}/attachments/${ids.inboxAttachment}`], ['PATCH', `/api/activities/${ids.inbox}`, { regarding: null }],
        ['DELETE', `/api/activities/${ids.inbox}`],
        ['GET', `/api/workflow/instances/${ids.ownInstance}`], ['GET', `/api/workflow/instances/${ids.ownInstance}/history`],
        ['POST', `/api/workflow/instances/${ids.ownInstance}/cancel`, {}],
        ['POST', `/api/work-items/${ids.workItem}/approve`, {}], ['POST', `/api/work-items/${ids.workItem}/reject`, {}],
        ['POST', `/api/work-items/${ids.workItem}/delegate`, { to: 'alice' }],
        ['GET', `/api/mailboxes/${ids.mailbox}`], ['PATCH', `/api/mailboxes/${ids.mailbox}`, { password: 'stolen-one' }],
        ['GET', `/api/mailboxes/${ids.mailbox}/alerts`], ['POST', `/api/mailboxes/${ids.mailbox}/test-enable`, {}],
      ];
      const served = new Set(h.app.routeTable.map((r) => `${r.method} ${r.url.replace(/:[A-Za-z]+/g, '*')}`));
      for (const [method, url, body] of attempts) {
        const pattern = `${method} ${url.replace(/\/(?:[0-9a-f-]{36}|0)(?=\/|$)/g, '/*')}`;
        assert.ok(served.has(pattern), `${pattern} is a route (the list is kept up to date)`);
        const res = await h.call(method, url, as(h.tokens.alice, body));
        assert.ok([403, 404].includes(res.status), `${method} ${url} answered ${res.status}: ${res.text.slice(0, 300)}`);
        // An activity of Bob's does not exist for her: 404, never a 403 that tells it is there.
        if (url.startsWith('/api/activities/')) assert.equal(res.status, 404, `${method} ${url}`);
        assert.doesNotMatch(res.text, /Bob private|Bob draft|Bob expenses|Bob sending|Bob failed|salary|secret@fabrikam|laptop|unsent|plan|hr@fabrikam/, `${method} ${url} said something of Bob's`);
      }
      // Lists show Alice only her own.
      for (const url of ['/api/emails', '/api/queue', '/api/activities', '/api/workflow/instances', '/api/work-items', '/api/mailboxes']) {
        const res = await h.call('GET', url, as(h.tokens.alice));
        assert.equal(res.status, 200, url);
        assert.doesNotMatch(res.text, /Bob private|Bob draft|Bob expenses|Bob sending|Bob failed|For Bob|bob@contoso\.test/, `${url} lists Bob's things`);
      }
      for (const q of ['Bob', 'salary', 'hr%40fabrikam', 'dan%40fabrikam']) {
        const found = await h.call('GET', `/api/activities?q=${q}`, as(h.tokens.alice));
        assert.deepEqual(found.body.items, [], `searching ${q} finds nothing of Bob's`);
      }
    });

    it('leaves everything of Bob\'s as it was', async () => {
      assert.equal((await h.call('GET', '/api/me', as(ids.apiToken!))).status, 200, 'his API token still works');
      assert.equal((await h.call('GET', `/api/emails/${ids.email}`, as(bob.token))).body.status, 'waiting');
      const draft = (await h.call('GET', `/api/activities/${ids.draft}`, as(bob.token))).body;
      assert.equal(draft.subject, 'Bob draft');
      assert.equal(draft.status, 'draft');
      assert.equal((await h.call('GET', `/api/users/${bob.id}`, as(bob.token))).body.name, 'bob');
      assert.equal((await h.call('GET', `/api/users/${bob.id}/options`, as(bob.token))).body.providerId, null);
      assert.equal((await h.call('GET', `/api/workflow/instances/${ids.ownInstance}`, as(bob.token))).body.status, 'in-progress');
      const items = (await h.call('GET', '/api/work-items', as(bob.token))).body as Json[];
      assert.ok(items.some((i) => i.id === ids.workItem && i.status === 'pending'));
      assert.equal(await h.signIn('bob', 'bob-password') !== '', true, 'his password is his');
      const activity = async (id: string) => (await h.call('GET', `/api/activities/${id}`, as(bob.token))).body;
      assert.equal((await activity(ids.sending!)).status, 'pending-send', 'not canceled');
      assert.equal((await activity(ids.failed!)).status, 'failed', 'not resent');
      const failedEmail = (await h.call('GET', `/api/emails/${(await activity(ids.failed!)).emailId}`, as(bob.token))).body;
      assert.equal(failedEmail.status, 'failed');
      const inbox = await activity(ids.inbox!);
      assert.equal(inbox.subject, 'Bob private inbox');
      assert.equal(inbox.attachments.length, 1);
      // An administrator sees Bob's Draft (administrators see everything).
      assert.equal((await h.call('GET', `/api/activities/${ids.draft}`, as(h.tokens.admin))).status, 200);
    });
  });
}
