// Email activities as synchronization makes them: once per dedupe key even when two callers
// race, parties resolved in the reference's order, attachments held to the size limit, found by
// Message-ID and tracking token, linked to every mailbox that saw them.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { createAccount } from '../../src/crm/accounts.service.ts';
import { resolveAddresses } from '../../src/crm/address-resolution.ts';
import { createContact } from '../../src/crm/contacts.service.ts';
import * as activities from '../../src/crm/email-activity.service.ts';
import { createLead } from '../../src/crm/leads.service.ts';
import { claimTransaction } from '../../src/sync/scheduler.ts';
import type { User } from '../../src/users/users.service.ts';
import { createTestEnv, DIALECTS, skipUnless, type TestEnv } from '../fixtures/context.ts';
import { seedUsers } from '../fixtures/mailroom.ts';

const KB = 1024;

for (const dialect of DIALECTS) {
  describe(`email activities on ${dialect}`, { skip: await skipUnless(dialect) }, () => {
    let env: TestEnv;
    let admin: User;
    let alice: User;
    let accountId: string;
    let contactId: string;
    let leadId: string;
    before(async () => {
      env = await createTestEnv(dialect);
      ({ admin, alice } = await seedUsers(env.ctx));
      // One address on a user, a contact, an account and a lead at once; a queue knows it too.
      accountId = (await createAccount(env.ctx, alice, { name: 'Shared Inbox Ltd', emails: ['info@shared.test', 'Shared@Contoso.test'] })).id;
      contactId = (await createContact(env.ctx, alice, { name: 'Dana Collins', emails: ['dana@shared.test', 'shared@contoso.test'] })).id;
      leadId = (await createLead(env.ctx, alice, { name: 'Shared Lead', emails: ['other@shared.test', 'shared@contoso.test'] })).id;
      await createContact(env.ctx, alice, { name: 'Gone Contact', emails: ['shared@contoso.test'], state: 'inactive' });
      await env.ctx.db.updateTable('app_user').set({ email: 'SHARED@contoso.test' }).where('id', '=', admin.id).execute();
      const queue = { owner_id: admin.id, tracking: 'all' as const, created_at: 1, updated_at: 1 };
      await env.ctx.db.insertInto('queue').values([
        { ...queue, id: 'queue-support', name: 'Support', email: 'shared@contoso.test', active: 1 },
        { ...queue, id: 'queue-old', name: 'Old support', email: 'Shared@contoso.test', active: 0 },
      ]).execute();
    });
    after(async () => { await env.cleanup(); });

    it('resolves an address to users, contacts, accounts, leads, then queues, never to inactive records or queues', async () => {
      const [shared, unknown, dana] = await resolveAddresses(env.ctx, ['Shared@Contoso.Test', 'nobody@nowhere.test', 'dana@shared.test']);
      assert.equal(shared!.address, 'Shared@Contoso.Test', 'each answer names the address as given');
      assert.deepEqual(shared!.records.map((r) => [r.type, r.id]), [['user', admin.id], ['contact', contactId], ['account', accountId], ['lead', leadId], ['queue', 'queue-support']]);
      assert.deepEqual(unknown!.records, []);
      assert.deepEqual(dana!.records.map((r) => r.type), ['contact']);
    });

    it('puts a record the tracking user owns before a user with the same address (the exception of §2.4 item 38)', async () => {
      // alice owns the contact, the account and the lead that share the admin's address.
      const [asAlice] = await resolveAddresses(env.ctx, ['shared@contoso.test'], { trackingUserId: alice.id });
      assert.deepEqual(asAlice!.records.map((r) => [r.type, r.id]), [['contact', contactId], ['user', admin.id], ['account', accountId], ['lead', leadId], ['queue', 'queue-support']]);
      const [asAdmin] = await resolveAddresses(env.ctx, ['shared@contoso.test'], { trackingUserId: admin.id });
      assert.equal(asAdmin!.records[0]!.type, 'user', 'the admin owns none of them: the user comes first');
      const [dana] = await resolveAddresses(env.ctx, ['dana@shared.test'], { trackingUserId: admin.id });
      assert.deepEqual(dana!.records.map((r) => r.type), ['contact'], 'without a user match nothing moves');
    });

    const message = (key: string, extra: Partial<activities.IncomingActivityInput> = {}): activities.IncomingActivityInput => ({
      dedupeKey: key, messageId: `${key}@mail.shared.test`, subject: `About ${key}`, text: 'Hello', html: '<p>Hello</p>',
      from: { address: 'shared@contoso.test', name: 'Shared' }, to: [{ address: 'alice@contoso.test', name: 'Alice' }, { address: 'dana@shared.test', name: '' }],
      cc: [{ address: 'stranger@elsewhere.test' }], receivedAt: Date.UTC(2026, 10, 23, 9), mailboxId: 'mbx-alice', ...extra,
    });

    it('stores the parties: the sender as its first match, To and Cc with every match or none', async () => {
      const { activity, created } = await activities.createIncomingActivity(env.ctx, message('parties'));
      assert.equal(created, true);
      assert.equal(activity.status, 'received');
      assert.equal(activity.direction, 'incoming');
      assert.equal(activity.messageId, '<parties@mail.shared.test>');
      assert.deepEqual(activity.from!.records.map((r) => [r.type, r.id]), [['user', admin.id]]);
      assert.deepEqual(activity.to.map((p) => [p.address, p.records.map((r) => r.type)]), [['alice@contoso.test', ['user']], ['dana@shared.test', ['contact']]]);
      assert.equal(activity.to[1]!.records[0]!.name, 'Dana Collins');
      assert.deepEqual(activity.cc.map((p) => [p.address, p.records]), [['stranger@elsewhere.test', []]]);
      assert.deepEqual(activity.mailboxes, ['mbx-alice']);
      assert.equal(activity.html, '<p>Hello</p>');
    });

    it('makes one activity per dedupe key, however often and however concurrently it is called, linked to every mailbox', async () => {
      const input = message('race');
      const results = await Promise.all(Array.from({ length: 6 }, (_, i) => activities.createIncomingActivity(env.ctx, { ...input, mailboxId: `mbx-${i % 2}` })));
      assert.equal(results.filter((r) => r.created).length, 1);
      assert.equal(new Set(results.map((r) => r.activity.id)).size, 1);
      const again = await activities.createIncomingActivity(env.ctx, { ...input, subject: 'changed', mailboxId: 'mbx-queue' });
      assert.equal(again.created, false);
      assert.equal(again.activity.subject, 'About race', 'a repeat changes nothing');
      const rows = await env.ctx.db.selectFrom('email_activity').select('id').where('dedupe_key', '=', 'race').execute();
      assert.equal(rows.length, 1);
      const stored = await activities.getActivity(env.ctx, rows[0]!.id);
      assert.deepEqual([...stored.mailboxes].sort(), ['mbx-0', 'mbx-1', 'mbx-queue']);
      assert.equal(stored.to.length, 2, 'parties were written once');
      assert.deepEqual((await activities.listActivities(env.ctx, { mailboxId: 'mbx-queue' })).items.map((a) => a.id), [stored.id]);
    });

    it('two batches writing the same new activities in opposite orders wait for one another, never deadlock (lockDedupeKeys)', async () => {
      const [a, b] = (await activities.prepareIncomingActivities(env.ctx, [message('order-a'), message('order-b')])) as activities.PreparedIncomingActivity[];
      const [b2, a2] = (await activities.prepareIncomingActivities(env.ctx, [message('order-b', { mailboxId: 'mbx-2' }), message('order-a', { mailboxId: 'mbx-2' })])) as activities.PreparedIncomingActivity[];
      let firstWritten!: () => void;
      const wrote = new Promise<void>((resolve) => { firstWritten = resolve; });
      const batch = (rows: activities.PreparedIncomingActivity[], after?: Promise<void>) => (async () => {
        await after;
        return claimTransaction(env.ctx, async (trx) => {
          await activities.lockDedupeKeys(env.ctx, trx, rows.map((r) => r.dedupeKey));
          const out = [await activities.writeIncomingActivity(trx, rows[0]!, 1)];
          // Without the sorted locks the second batch would now hold b and wait for a, and this one wait for b.
          if (!after) { firstWritten(); await sleep(300); }
          out.push(await activities.writeIncomingActivity(trx, rows[1]!, 1));
          return out;
        });
      })();
      const [one, two] = await Promise.all([batch([a!, b!]), batch([b2!, a2!], wrote)]);
      assert.deepEqual(one.map((r) => r.created), [true, true]);
      assert.deepEqual(two.map((r) => [r.id, r.created]), [[b!.id, false], [a!.id, false]], 'the second batch links the first one\'s activities');
      const links = await env.ctx.db.selectFrom('email_activity_mailbox').select(['activity_id', 'mailbox_id']).where('activity_id', 'in', [a!.id, b!.id]).execute();
      assert.equal(links.length, 4);
    });

    it('finds activities by Message-ID (brackets or not) and by tracking token', async () => {
      const { activity } = await activities.createIncomingActivity(env.ctx, message('token', { trackingToken: 'CRM:0010001', inReplyTo: 'parties@mail.shared.test', references: ['<a@x>', 'b@x'] }));
      assert.equal((await activities.findByMessageId(env.ctx, 'token@mail.shared.test'))?.id, activity.id);
      assert.equal((await activities.findByMessageId(env.ctx, '<token@mail.shared.test>'))?.id, activity.id);
      assert.equal(await activities.findByMessageId(env.ctx, '<unknown@x>'), null);
      assert.equal((await activities.findByTrackingToken(env.ctx, 'CRM:0010001'))?.id, activity.id);
      assert.equal(activity.inReplyTo, '<parties@mail.shared.test>');
      assert.deepEqual(activity.references, ['<a@x>', '<b@x>']);
    });

    it('keeps an attachment over the maximum size by name and size only, and refuses one a person adds', async () => {
      const small = { filename: 'small.txt', contentType: 'text/plain', content: Buffer.alloc(10 * KB, 0x61) };
      const big = { filename: 'big.bin', content: Buffer.alloc(20 * KB + 1, 0x62) };
      const { activity } = await activities.createIncomingActivity(env.ctx, message('attach', { attachments: [small, big] }), { maxAttachmentKb: 20 });
      assert.deepEqual(activity.attachments.map((a) => [a.filename, a.size, a.stored, a.skippedCode]), [
        ['small.txt', 10 * KB, true, null], ['big.bin', 20 * KB + 1, false, 'ATTACHMENT_TOO_LARGE'],
      ]);
      const stored = await activities.getAttachment(env.ctx, activity.id, activity.attachments[0]!.id);
      assert.equal(Buffer.from(stored.content).toString(), 'a'.repeat(10 * KB));
      await assert.rejects(activities.getAttachment(env.ctx, activity.id, activity.attachments[1]!.id), { code: 'NOT_FOUND', details: { skippedCode: 'ATTACHMENT_TOO_LARGE' } });
      await assert.rejects(activities.createActivity(env.ctx, alice, { direction: 'outgoing', subject: 'x', attachments: [big] }, { maxAttachmentKb: 20 }), { code: 'ATTACHMENT_TOO_LARGE' });
      const exactly = await activities.createActivity(env.ctx, alice, { direction: 'outgoing', subject: 'x', attachments: [{ filename: 'edge', content: Buffer.alloc(20 * KB) }] }, { maxAttachmentKb: 20 });
      assert.equal(exactly.attachments[0]!.stored, true, 'exactly the limit is allowed');
      const byDefault = await activities.createIncomingActivity(env.ctx, message('default-limit', { attachments: [{ filename: 'five-mb', content: Buffer.alloc(5_120 * KB + 1) }] }));
      assert.equal(byDefault.activity.attachments[0]!.stored, false, 'the default limit is 5,120 KB');
      for (const bad of [-1, 131_073, 1.5]) {
        await assert.rejects(activities.createIncomingActivity(env.ctx, message(`bad-limit-${bad}`), { maxAttachmentKb: bad }), { code: 'INVALID_PARAMETER' });
      }
      assert.equal(await activities.findByMessageId(env.ctx, 'bad-limit--1@mail.shared.test'), null, 'nothing half-written');
      const none = await activities.createIncomingActivity(env.ctx, message('zero-limit', { attachments: [small] }), { maxAttachmentKb: 0 });
      assert.equal(none.activity.attachments[0]!.stored, false, '0 KB stores no attachment, and still tracks the email');
    });

    it('checks that the regarding record exists, of any record type the product has', async () => {
      const { activity } = await activities.createIncomingActivity(env.ctx, message('regarding', { regarding: { type: 'account', id: accountId } }));
      assert.deepEqual(activity.regarding, { type: 'account', id: accountId, name: 'Shared Inbox Ltd' });
      await assert.rejects(activities.createIncomingActivity(env.ctx, message('regarding-missing', { regarding: { type: 'contact', id: 'nope' } })), { code: 'VALIDATION_FAILED', details: { field: 'regarding' } });
      await assert.rejects(activities.createIncomingActivity(env.ctx, message('regarding-type', { regarding: { type: 'spaceship', id: accountId } })), { code: 'VALIDATION_FAILED', details: { field: 'regarding.type' } });
      const org = await env.ctx.db.insertInto('organization').values({ id: 'org-x', code: 'ORGX', name: 'Org X', created_at: 1 }).returning('id').executeTakeFirstOrThrow();
      const onOrg = await activities.updateActivity(env.ctx, admin, activity.id, { regarding: { type: 'organization', id: org.id } });
      assert.equal(onOrg.regarding?.name, 'Org X');
      assert.deepEqual((await activities.listActivities(env.ctx, { regarding: `organization:${org.id}` })).items.map((a) => a.id), [activity.id]);
      assert.deepEqual((await activities.listActivities(env.ctx, { regarding: org.id })).items.map((a) => a.id), [activity.id], 'a bare id finds its type');
    });

    it('a draft is written by its owner; received mail keeps its text; deleting removes only Mailroom\'s copy', async () => {
      const draft = await activities.createActivity(env.ctx, alice, { direction: 'outgoing', subject: 'Your statement', html: '<p>Attached</p>', to: 'Dana <dana@shared.test>', regarding: { type: 'contact', id: contactId } });
      assert.equal(draft.status, 'draft');
      assert.equal(draft.from?.address, 'alice@contoso.test');
      assert.deepEqual(draft.to[0]!.records.map((r) => r.id), [contactId]);
      const edited = await activities.updateActivity(env.ctx, alice, draft.id, { subject: 'Your statement (2)', cc: ['info@shared.test'] });
      assert.equal(edited.subject, 'Your statement (2)');
      assert.deepEqual(edited.cc[0]!.records.map((r) => r.type), ['account']);
      assert.equal(edited.to.length, 1, 'roles not given stay');
      await assert.rejects(activities.updateActivity(env.ctx, admin, draft.id, { owner: 'nobody-here' }), { code: 'NOT_FOUND' });
      const { activity: received } = await activities.createIncomingActivity(env.ctx, message('read-only', { ownerId: admin.id }));
      await assert.rejects(activities.updateActivity(env.ctx, admin, received.id, { subject: 'rewritten' }), { code: 'ACTIVITY_NOT_DRAFT' });
      await assert.rejects(activities.deleteActivity(env.ctx, alice, received.id), { code: 'NOT_FOUND' }, 'alice neither owns it nor may read it (admin\'s, through no mailbox of hers)');
      await activities.deleteActivity(env.ctx, admin, received.id);
      await assert.rejects(activities.getActivity(env.ctx, received.id), { code: 'NOT_FOUND' });
      const orphans = await env.ctx.db.selectFrom('email_activity_party').select('id').where('activity_id', '=', received.id).execute();
      assert.equal(orphans.length, 0);
      const again = await activities.createIncomingActivity(env.ctx, message('read-only'));
      assert.equal(again.created, true, 'the dedupe key went with the activity');
    });

    it('lists newest first, searches subjects and parties, and pages with a cursor', async () => {
      const all = (await activities.listActivities(env.ctx, { limit: 500 })).items;
      assert.ok(all.length >= 8);
      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await activities.listActivities(env.ctx, { limit: 3, cursor });
        ids.push(...page.items.map((a) => a.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      assert.deepEqual(ids, all.map((a) => a.id));
      assert.ok(all.every((a, i) => i === 0 || all[i - 1]!.createdAt >= a.createdAt));
      assert.ok((await activities.listActivities(env.ctx, { q: 'stranger@elsewhere' })).items.length >= 1);
      assert.deepEqual((await activities.listActivities(env.ctx, { q: 'ABOUT token' })).items.map((a) => a.subject), ['About token']);
      assert.deepEqual((await activities.listActivities(env.ctx, { q: 'about parties' })).items.map((a) => a.subject), ['About parties']);
      assert.deepEqual((await activities.listActivities(env.ctx, { direction: 'outgoing', status: 'draft' })).items.every((a) => a.status === 'draft'), true);
      await assert.rejects(activities.listActivities(env.ctx, { status: 'lost' }), { code: 'VALIDATION_FAILED', details: { field: 'status' } });
    });
  });
}
