// Who reads which email activity (docs/security.md): administrators all; a user their own, those
// of their own mailbox, and those of the queues they belong to; another user's Draft never. The
// list is filtered by the database, so pages are full and search finds only what may be read.
// Both dialects.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createIncomingActivity } from '../../src/crm/email-activity.service.ts';
import { createQueue, updateQueue } from '../../src/crm/queues.service.ts';
import { attachment, startApi, type ApiHarness, type Json } from '../fixtures/api.ts';
import { DIALECTS, skipUnless } from '../fixtures/context.ts';

for (const dialect of DIALECTS) {
  describe(`who reads which email activity (${dialect})`, { skip: await skipUnless(dialect) }, () => {
    let h: ApiHarness;
    const tokens: Record<string, string> = {};
    const ids: Record<string, string> = {};
    let queueId = '';

    const mailboxOf = async (column: 'user_id' | 'queue_id', id: string) =>
      (await h.env.ctx.db.selectFrom('mailbox').select('id').where(column, '=', id).executeTakeFirstOrThrow()).id;
    const received = async (subject: string, mailboxId: string, accepting: { type: 'user' | 'queue'; id: string }, ownerId: string | null) =>
      (await createIncomingActivity(h.env.ctx, {
        dedupeKey: `${subject}-${dialect}`, mailboxId, subject, text: `${subject} text`, from: { address: 'customer@fabrikam.test' },
        to: [{ address: 'x@contoso.test' }], accepting, ownerId, attachments: [{ filename: `${subject}.txt`, content: Buffer.from(subject) }],
      })).activity;
    const subjects = async (who: string, query = '') => {
      const res = await h.call('GET', `/api/activities${query}`, { token: tokens[who] });
      assert.equal(res.status, 200, res.text);
      return (res.body.items as Json[]).map((a) => a.subject).sort();
    };

    before(async () => {
      h = await startApi(dialect);
      tokens.admin = h.tokens.admin;
      tokens.alice = h.tokens.alice;
      for (const name of ['bob', 'carol']) {
        const made = await h.call('POST', '/api/users', { token: h.tokens.admin, body: { username: name, email: `${name}@contoso.test`, password: `${name}-password` } });
        ids[name] = made.body.id;
        tokens[name] = await h.signIn(name, `${name}-password`);
      }
      const queue = await createQueue(h.env.ctx, h.users.admin.id, { name: 'Support', email: 'support@contoso.test', members: [h.users.alice.id] });
      queueId = queue.id;
      ids.bobInbox = (await received('Bob inbox', await mailboxOf('user_id', ids.bob!), { type: 'user', id: ids.bob! }, ids.bob!)).id;
      ids.ticket = (await received('Support ticket', await mailboxOf('queue_id', queue.id), { type: 'queue', id: queue.id }, null)).id;
      ids.aliceInbox = (await received('Alice inbox', await mailboxOf('user_id', h.users.alice.id), { type: 'user', id: h.users.alice.id }, h.users.alice.id)).id;
      for (const [who, subject] of [['alice', 'Alice draft'], ['bob', 'Bob draft']] as const) {
        const draft = await h.call('POST', '/api/activities', { token: tokens[who], body: { direction: 'outgoing', subject, text: 'x', to: ['dana@fabrikam.test'], attachments: [attachment('d.txt', Buffer.from('d'), 'text/plain')] } });
        assert.equal(draft.status, 201, draft.text);
        ids[subject] = draft.body.id;
      }
    });
    after(async () => { await h?.close(); });

    it('lists each user what they may read: their own, their mailbox\'s, their queues\'; an administrator all', async () => {
      assert.deepEqual(await subjects('alice'), ['Alice draft', 'Alice inbox', 'Support ticket']);
      assert.deepEqual(await subjects('bob'), ['Bob draft', 'Bob inbox']);
      assert.deepEqual(await subjects('carol'), []);
      assert.deepEqual(await subjects('admin'), ['Alice draft', 'Alice inbox', 'Bob draft', 'Bob inbox', 'Support ticket']);
      assert.deepEqual(await subjects('alice', '?q=inbox'), ['Alice inbox'], 'search finds only what she may read');
      assert.deepEqual(await subjects('alice', '?q=customer%40fabrikam'), ['Alice inbox', 'Support ticket']);
      assert.deepEqual(await subjects('admin', '?mailbox=bob%40contoso.test'), ['Bob inbox'], 'a mailbox by its address, as by its id');
      assert.deepEqual(await subjects('alice', `?mailbox=${await mailboxOf('queue_id', queueId)}`), ['Support ticket']);
      for (const mailbox of [await mailboxOf('user_id', ids.bob!), 'bob%40contoso.test', 'nobody%40contoso.test']) {
        const res = await h.call('GET', `/api/activities?mailbox=${mailbox}`, { token: tokens.alice });
        assert.equal(res.status, 404, `${mailbox}: another user's mailbox or none is not found, never an empty list`);
      }
    });

    it('pages are full: the rule is part of the query, not a filter after it', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: { body: Json } = await h.call('GET', `/api/activities?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token: tokens.alice });
        assert.equal(res.body.items.length, 1, 'never an empty or short page before the end');
        seen.push(res.body.items[0].subject);
        cursor = res.body.nextCursor;
      } while (cursor);
      assert.deepEqual(seen.sort(), ['Alice draft', 'Alice inbox', 'Support ticket']);
    });

    it('answers 404 for one she may not read (show, attachment, change, delete), and lets her read her queue\'s', async () => {
      const bobInbox = await h.call('GET', `/api/activities/${ids.bobInbox}`, { token: tokens.alice });
      assert.equal(bobInbox.status, 404);
      const detail = (await h.call('GET', `/api/activities/${ids.bobInbox}`, { token: tokens.bob })).body;
      assert.equal((await h.call('GET', `/api/activities/${ids.bobInbox}/attachments/${detail.attachments[0].id}`, { token: tokens.alice })).status, 404);
      assert.equal((await h.call('PATCH', `/api/activities/${ids.bobInbox}`, { token: tokens.alice, body: { regarding: null } })).status, 404);
      assert.equal((await h.call('DELETE', `/api/activities/${ids.bobInbox}`, { token: tokens.alice })).status, 404);
      const ticket = await h.call('GET', `/api/activities/${ids.ticket}`, { token: tokens.alice });
      assert.equal(ticket.status, 200);
      assert.equal((await h.call('GET', `/api/activities/${ids.ticket}/attachments/${ticket.body.attachments[0].id}`, { token: tokens.alice })).status, 200);
      assert.equal((await h.call('PATCH', `/api/activities/${ids.ticket}`, { token: tokens.alice, body: { regarding: null } })).status, 403, 'read, not changed: it is not hers');
      assert.equal((await h.call('GET', `/api/activities/${ids.ticket}`, { token: tokens.carol })).status, 404);
      assert.equal((await h.call('GET', `/api/activities/${ids['Bob draft']}`, { token: tokens.admin })).status, 200);
    });

    it('follows membership and ownership as they change', async () => {
      await updateQueue(h.env.ctx, queueId, { members: [ids.carol!] });
      assert.deepEqual(await subjects('alice'), ['Alice draft', 'Alice inbox']);
      assert.deepEqual(await subjects('carol'), ['Support ticket']);
      assert.equal((await h.call('PATCH', `/api/activities/${ids.bobInbox}`, { token: tokens.admin, body: { owner: 'carol' } })).status, 200);
      assert.equal((await h.call('GET', `/api/activities/${ids.bobInbox}`, { token: tokens.carol })).status, 200, 'its owner reads it');
      assert.equal((await h.call('GET', `/api/activities/${ids.bobInbox}`, { token: tokens.bob })).status, 200, 'and so does the mailbox it came through');
    });
  });
}
