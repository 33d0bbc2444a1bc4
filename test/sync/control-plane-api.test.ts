// Email settings, email server profiles, mailboxes, approval and queues through the REST API, as
// an administrator and as a plain user, on both dialects.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApi, type ApiHarness } from '../fixtures/api.ts';
import { DIALECTS, skipUnless } from '../fixtures/context.ts';

const imapProfile = {
  name: 'Contoso IMAP', serverType: 'imap', incomingHost: 'imap.contoso.test', outgoingHost: 'smtp.contoso.test',
};

for (const dialect of DIALECTS) {
  describe(`sync control plane API (${dialect})`, async () => {
    const skip = await skipUnless(dialect);
    let h: ApiHarness;
    const admin = () => ({ token: h.tokens.admin });
    const alice = () => ({ token: h.tokens.alice });
    before(async () => { if (!skip) h = await startApi(dialect); });
    after(async () => { await h?.close(); });

    it('Email settings have the documented defaults and refuse values out of range with the range', { skip }, async () => {
      const got = await h.call('GET', '/api/email-settings', admin());
      assert.equal(got.status, 200);
      assert.equal(got.body.maxAttachmentKb, 5120);
      assert.equal(got.body.approvedUsersOnly, true);
      assert.equal(got.body.approvedQueuesOnly, true);
      assert.equal(got.body.notifyMailboxOwner, false);
      assert.equal(got.body.trackingTokenPrefix, 'CRM');
      assert.equal(got.body.trackingTokenUserDigits, 3);
      assert.equal(got.body.trackingTokenCounterDigits, 3);
      assert.equal(got.body.smartMatching, false);
      assert.equal(got.body.folderLevelTracking, true);
      assert.equal(got.body.trackBetweenUsersAsTwo, true);
      assert.equal(got.body.unresolvedOnMultipleMatches, false, 'To, Cc and Bcc list every match by default');
      assert.equal(got.body.transientRetries, 10);
      assert.equal(got.body.retryIntervalMinutes, 5);

      const tooBig = await h.call('PATCH', '/api/email-settings', { ...admin(), body: { maxAttachmentKb: 131_073 } });
      assert.equal(tooBig.status, 400);
      assert.equal(tooBig.body.error.code, 'INVALID_PARAMETER');
      assert.match(tooBig.body.error.message, /0 to 131072/);
      const unknown = await h.call('PATCH', '/api/email-settings', { ...admin(), body: { maxAttachmentKB: 10 } });
      assert.equal(unknown.status, 400);
      assert.equal(unknown.body.error.code, 'VALIDATION_FAILED');

      const set = await h.call('PATCH', '/api/email-settings', { ...admin(), body: { maxAttachmentKb: 131_072, transientRetries: 3 } });
      assert.equal(set.status, 200);
      const notBoolean = await h.call('PATCH', '/api/email-settings', { ...admin(), body: { unresolvedOnMultipleMatches: 'yes' } });
      assert.equal(notBoolean.status, 400);
      assert.equal(notBoolean.body.error.code, 'VALIDATION_FAILED');
      const unresolved = await h.call('PATCH', '/api/email-settings', { ...admin(), body: { unresolvedOnMultipleMatches: true } });
      assert.equal(unresolved.body.unresolvedOnMultipleMatches, true);
      assert.equal((await h.call('GET', '/api/email-settings', admin())).body.unresolvedOnMultipleMatches, true);
      assert.equal((await h.call('PATCH', '/api/email-settings', { ...alice(), body: { unresolvedOnMultipleMatches: false } })).status, 403);
      assert.equal((await h.call('GET', '/api/email-settings', admin())).body.maxAttachmentKb, 131_072);
      assert.equal((await h.call('GET', '/api/email-settings', alice())).status, 403);
    });

    it('a profile gets its ports from the type and SSL, keeps its password sealed, and refuses Exchange types', { skip }, async () => {
      const created = await h.call('POST', '/api/email-server-profiles', { ...admin(), body: { ...imapProfile, credentialsFrom: 'profile', username: 'svc', password: 'profile-secret' } });
      assert.equal(created.status, 201, created.text);
      assert.equal(created.body.incomingPort, 993);
      assert.equal(created.body.outgoingPort, 587);
      assert.equal(created.body.incomingSsl, true);
      assert.equal(created.body.maxConnections, 10);
      assert.equal(created.body.passwordSet, true);
      assert.ok(!created.text.includes('profile-secret'));
      const stored = await h.env.ctx.db.selectFrom('email_server_profile').select('password_sealed').where('id', '=', created.body.id).executeTakeFirstOrThrow();
      assert.ok(!stored.password_sealed.includes('profile-secret'));
      assert.equal(h.env.ctx.secrets.open(stored.password_sealed), 'profile-secret');

      const plain = await h.call('PATCH', `/api/email-server-profiles/${created.body.id}`, { ...admin(), body: { incomingSsl: false } });
      assert.equal(plain.body.incomingPort, 143);

      const pop = await h.call('POST', '/api/email-server-profiles', { ...admin(), body: { ...imapProfile, name: 'POP', serverType: 'pop3' } });
      assert.equal(pop.body.incomingPort, 995);

      const exchange = await h.call('POST', '/api/email-server-profiles', { ...admin(), body: { ...imapProfile, name: 'EXO', serverType: 'exchange-online' } });
      assert.equal(exchange.status, 409);
      assert.equal(exchange.body.error.code, 'SERVER_TYPE_NOT_AVAILABLE');

      for (const [body, field] of [[{ maxConnections: 301 }, 'maxConnections'], [{ minPollingMinutes: 1441 }, 'minPollingMinutes'], [{ name: 'x'.repeat(101) }, 'name']] as const) {
        const bad = await h.call('PATCH', `/api/email-server-profiles/${created.body.id}`, { ...admin(), body });
        assert.equal(bad.status, 400, JSON.stringify(body));
        assert.equal(bad.body.error.details[0].field, field);
      }
      const extra = await h.call('PATCH', `/api/email-server-profiles/${created.body.id}`, { ...admin(), body: { colour: 'red' } });
      assert.equal(extra.status, 400);
      assert.equal((await h.call('GET', '/api/email-server-profiles', alice())).status, 403);
    });

    it('every user has a mailbox with the settings defaults; a user sees only their own', { skip }, async () => {
      const all = await h.call('GET', '/api/mailboxes', admin());
      assert.equal(all.status, 200);
      assert.deepEqual(all.body.map((m: { email: string }) => m.email).sort(), ['admin@contoso.test', 'alice@contoso.test']);
      const mine = await h.call('GET', '/api/mailboxes', alice());
      assert.deepEqual(mine.body.map((m: { email: string }) => m.email), ['alice@contoso.test']);
      const box = mine.body[0];
      assert.equal(box.channels.incoming.method, 'sss');
      assert.equal(box.channels.incoming.status, 'not-run');
      assert.equal(box.channels.incoming.enabled, false);
      assert.equal(box.approval.status, 'pending');
      assert.equal((await h.call('GET', '/api/mailboxes/admin@contoso.test', alice())).status, 404);
      assert.equal((await h.call('GET', '/api/mailboxes/alice@contoso.test', alice())).body.id, box.id);
    });

    it('mailbox settings: administrators set everything; a user only their own credentials; ACT refused on IMAP', { skip }, async () => {
      const set = await h.call('PATCH', '/api/mailboxes/alice@contoso.test', { ...admin(), body: { profile: 'Contoso IMAP', username: 'alice', password: 'alice-imap', allowCredentials: true, deleteAfterProcessing: true, processAfter: '2026-01-01' } });
      assert.equal(set.status, 200, set.text);
      assert.equal(set.body.passwordSet, true);
      assert.equal(set.body.deleteAfterProcessing, true);
      assert.equal(set.body.processAfter, '2026-01-01T00:00:00.000Z');
      assert.ok(!set.text.includes('alice-imap'));
      const act = await h.call('PATCH', '/api/mailboxes/alice@contoso.test', { ...admin(), body: { act: 'sss' } });
      assert.equal(act.body.error.code, 'MAILBOX_CHANNEL_UNSUPPORTED');
      const own = await h.call('PATCH', '/api/mailboxes/alice@contoso.test', { ...alice(), body: { password: 'new-one' } });
      assert.equal(own.status, 200);
      const notOwn = await h.call('PATCH', '/api/mailboxes/alice@contoso.test', { ...alice(), body: { profile: null } });
      assert.equal(notOwn.status, 403);
      const unknown = await h.call('PATCH', '/api/mailboxes/alice@contoso.test', { ...admin(), body: { incomming: 'sss' } });
      assert.equal(unknown.status, 400);
    });

    it('approval: refused for a plain user, allowed to a delegated approver, whom only administrators appoint', { skip }, async () => {
      const refused = await h.call('POST', '/api/mailboxes/admin@contoso.test/approve', alice());
      assert.equal(refused.status, 403);
      assert.equal((await h.call('POST', '/api/mailbox-approvers', { ...alice(), body: { user: 'alice' } })).status, 403);
      const granted = await h.call('POST', '/api/mailbox-approvers', { ...admin(), body: { user: 'alice' } });
      assert.equal(granted.status, 200);
      assert.deepEqual(granted.body.map((a: { username: string }) => a.username), ['alice']);
      const approved = await h.call('POST', '/api/mailboxes/admin@contoso.test/approve', alice());
      assert.equal(approved.status, 200);
      assert.equal(approved.body.approval.status, 'approved');
      assert.equal(approved.body.approval.by, h.users.alice.id);
      await h.call('DELETE', '/api/mailbox-approvers/alice', admin());
      assert.equal((await h.call('POST', '/api/mailboxes/admin@contoso.test/reject', alice())).status, 403);
    });

    it('queues get their own mailbox; the approver role is never given to a queue', { skip }, async () => {
      const q = await h.call('POST', '/api/queues', { ...admin(), body: { name: 'Support', email: 'support@contoso.test', owner: 'alice', members: ['admin'], tracking: 'all' } });
      assert.equal(q.status, 201, q.text);
      assert.equal(q.body.ownerId, h.users.alice.id);
      assert.deepEqual(q.body.members, ['admin']);
      assert.ok(q.body.mailboxId);
      const box = await h.call('GET', '/api/mailboxes/support@contoso.test', alice());
      assert.equal(box.status, 200, 'the queue owner sees the queue mailbox');
      assert.equal(box.body.ownerKind, 'queue');
      const toQueue = await h.call('POST', '/api/mailbox-approvers', { ...admin(), body: { user: 'Support' } });
      assert.equal(toQueue.status, 400);
      assert.equal(toQueue.body.error.code, 'APPROVER_ROLE_FOR_QUEUE');
      const changed = await h.call('PATCH', '/api/queues/Support', { ...admin(), body: { active: false, tracking: 'replies' } });
      assert.equal(changed.body.active, false);
      assert.equal(changed.body.tracking, 'replies');
      const badTracking = await h.call('PATCH', '/api/queues/Support', { ...admin(), body: { tracking: 'everything' } });
      assert.equal(badTracking.status, 400);
      assert.equal((await h.call('POST', '/api/queues', { ...alice(), body: { name: 'X', email: 'x@contoso.test' } })).status, 403);
    });
  });
}
