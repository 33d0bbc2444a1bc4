// A user tries to send as someone they are not, to more people than allowed, or to learn about the
// server from their own email's page; a submitter tries to approve their own request; two
// administrators demote themselves at the same moment.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import { emlOutboxDir } from '../../src/app-context.ts';
import { countEmails, startApi, type ApiHarness, type Json } from '../fixtures/api.ts';
import { DIALECTS, skipUnless } from '../fixtures/context.ts';
import { startSmtpServer, type RunningSmtpServer } from '../fixtures/smtp-server.ts';
import { notificationTemplate } from '../workflow/workflow-setup.ts';

for (const dialect of DIALECTS) {
  describe(`sending as oneself on ${dialect}`, { skip: await skipUnless(dialect) }, () => {
    let h: ApiHarness;
    let smtp: RunningSmtpServer;
    const admin = (body?: unknown) => ({ token: h.tokens.admin, body });
    const alice = (body?: unknown) => ({ token: h.tokens.alice, body });
    const run = async () => assert.equal((await h.call('POST', '/api/distributor/run', admin())).status, 200);

    before(async () => {
      smtp = await startSmtpServer({ onData: (raw) => (/^Subject: refuse-me/im.test(raw.toString('latin1')) ? { code: 550, text: '5.7.1 Rejected' } : undefined) });
      h = await startApi(dialect);
      assert.equal((await h.call('PATCH', '/api/parameters', admin({ smtp: { host: smtp.host, port: smtp.port, sslRequired: false } }))).status, 200);
    });
    after(async () => {
      await h.close();
      await smtp.close();
    });

    it('checks the Send-As grant again on resend: a grant revoked since the failure stops the old sender', async () => {
      const alias = 'billing@contoso.test';
      assert.equal((await h.call('POST', `/api/users/${h.users.alice.id}/send-as`, admin({ address: alias }))).status, 200);
      const queued = await h.call('POST', '/api/emails', alice({ from: alias, to: ['bob@fabrikam.test'], subject: 'refuse-me', body: 'x' }));
      assert.equal(queued.status, 201, queued.text);
      const id = queued.body.email.id;
      await run();
      assert.equal((await h.call('GET', `/api/emails/${id}`, alice())).body.status, 'failed');

      assert.equal((await h.call('DELETE', `/api/users/${h.users.alice.id}/send-as/${alias}`, admin())).status, 200);
      const refused = await h.call('POST', `/api/emails/${id}/resend`, alice());
      assert.equal(refused.status, 403, refused.text);
      assert.equal(refused.body.error.code, 'SEND_AS_DENIED');
      assert.equal((await h.call('GET', `/api/emails/${id}`, alice())).body.status, 'failed', 'still failed, not queued');
      const byAdmin = await h.call('POST', `/api/emails/${id}/resend`, admin());
      assert.equal(byAdmin.body?.error?.code, 'SEND_AS_DENIED', 'an administrator cannot resend it as alice either');

      assert.equal((await h.call('POST', `/api/users/${h.users.alice.id}/send-as`, admin({ address: alias }))).status, 200);
      const resent = await h.call('POST', `/api/emails/${id}/resend`, alice());
      assert.equal(resent.status, 200, resent.text);
      assert.equal(resent.body.status, 'waiting');
    });

    it('refuses a From display name that shows another address, and keeps the sender\'s own', async () => {
      const before = await countEmails(h);
      for (const from of ['"admin@contoso.test" <alice@contoso.test>', 'Admin admin@contoso.test <alice@contoso.test>', '"ceo@fabrikam.test." <alice@contoso.test>']) {
        const res = await h.call('POST', '/api/emails', alice({ from, to: ['bob@fabrikam.test'], subject: 's', body: 'x' }));
        assert.equal(res.status, 400, `${from}: ${res.text}`);
        assert.equal(res.body.error.code, 'SENDER_NAME_MISLEADING');
      }
      assert.deepEqual(await countEmails(h), before, 'nothing stored');
      const own = await h.call('POST', '/api/emails', alice({ from: '"Alice (alice@contoso.test)" <alice@contoso.test>', to: ['bob@fabrikam.test'], subject: 's', body: 'x' }));
      assert.equal(own.status, 201, own.text);

      // A user's Name is the default display name: an address there is refused the same way.
      assert.equal((await h.call('PATCH', `/api/users/${h.users.alice.id}`, admin({ name: 'admin@contoso.test' }))).status, 200);
      const byName = await h.call('POST', '/api/emails', alice({ to: ['bob@fabrikam.test'], subject: 's', body: 'x' }));
      assert.equal(byName.body.error?.code, 'SENDER_NAME_MISLEADING', byName.text);
      assert.equal((await h.call('PATCH', `/api/users/${h.users.alice.id}`, admin({ name: 'Alice Example' }))).status, 200);
    });

    it('counts recipients after splitting each entry, against the recipient limit (500 unless changed)', async () => {
      const addresses = (n: number, at = 'fabrikam.test') => Array.from({ length: n }, (_, i) => `r${i}@${at}`);
      // Entries of 40 comma-separated addresses each: few entries, many recipients.
      const lists = (all: string[]) => Array.from({ length: Math.ceil(all.length / 40) }, (_, i) => all.slice(i * 40, i * 40 + 40).join(', '));
      const before = await countEmails(h);
      const fanOut = await h.call('POST', '/api/emails', alice({ to: lists(addresses(300)), bcc: lists(addresses(201, 'tailspin.test')), subject: 's', body: 'x' }));
      assert.equal(fanOut.status, 400, fanOut.text);
      assert.equal(fanOut.body.error.code, 'TOO_MANY_RECIPIENTS');
      assert.deepEqual(fanOut.body.error.details, { count: 501, limit: 500 });
      assert.deepEqual(await countEmails(h), before);
      assert.equal((await h.call('POST', '/api/emails', alice({ to: lists(addresses(300)), cc: addresses(200, 'tailspin.test'), subject: 's', body: 'x' }))).status, 201);

      assert.equal((await h.call('PATCH', '/api/parameters', admin({ recipientLimit: 3 }))).body.recipientLimit, 3);
      const send = await h.call('POST', '/api/send', alice({ to: ['a@fabrikam.test, b@fabrikam.test'], cc: ['c@fabrikam.test'], bcc: 'd@fabrikam.test', subject: 's', body: 'x', provider: 'eml' }));
      assert.equal(send.body.error?.code, 'TOO_MANY_RECIPIENTS', send.text);
      assert.equal((await h.call('PATCH', '/api/parameters', admin({ recipientLimit: 0 }))).status, 400, 'at least one recipient');
      assert.equal((await h.call('PATCH', '/api/parameters', admin({ recipientLimit: 500 }))).status, 200);
    });

    it('shows a user their email without the server\'s details: no process names, no data folder', async () => {
      assert.equal((await h.call('PATCH', '/api/parameters', admin({ batchProvider: 'eml' }))).status, 200);
      const queued = await h.call('POST', '/api/emails', alice({ to: ['bob@fabrikam.test'], bcc: ['Dan <dan@fabrikam.test>', 'eve@fabrikam.test'], subject: 'Outbox', body: 'x' }));
      const id = queued.body.email.id;
      await run();
      const mine = await h.call('GET', `/api/emails/${id}`, alice());
      assert.equal(mine.body.status, 'sent');
      assert.equal(mine.body.claimedBy, null);
      assert.ok(mine.body.attemptLog.length > 0 && mine.body.attemptLog.every((a: Json) => a.worker === null), JSON.stringify(mine.body.attemptLog));
      assert.ok(!mine.text.includes(h.env.dataDir), 'the data folder path is not shown');
      for (const url of ['/api/emails', '/api/queue']) assert.ok(!(await h.call('GET', url, alice())).text.includes(h.env.ctx.workerId));
      const asAdmin = await h.call('GET', `/api/emails/${id}`, admin());
      assert.equal(asAdmin.body.attemptLog[0].worker, h.env.ctx.workerId, 'administrators see which process sent it');

      // The batch .eml outbox keeps Bcc, as the history says it was delivered to them.
      assert.deepEqual(mine.body.recipients.map((r: Json) => [r.address, r.accepted]), [['bob@fabrikam.test', true], ['dan@fabrikam.test', true], ['eve@fabrikam.test', true]]);
      const file = readFileSync(join(emlOutboxDir(h.env.ctx), `${id}.eml`));
      const parsed = await simpleParser(file);
      const bcc = (Array.isArray(parsed.bcc) ? parsed.bcc : [parsed.bcc]).flatMap((b) => b?.value.map((v) => v.address) ?? []);
      assert.deepEqual(bcc, ['dan@fabrikam.test', 'eve@fabrikam.test']);
      assert.equal(parsed.subject, 'Outbox', 'the rest of the message is untouched');
      const stored = await h.call('GET', `/api/emails/${id}/eml`, alice());
      assert.doesNotMatch(stored.text, /^Bcc:/im, 'the stored message (what SMTP would send) still has no Bcc');
      assert.equal((await h.call('PATCH', '/api/parameters', admin({ batchProvider: 'smtp' }))).status, 200);
    });
  });

  describe(`approvals and administrators on ${dialect}`, { skip: await skipUnless(dialect) }, () => {
    let h: ApiHarness;
    const admin = (body?: unknown) => ({ token: h.tokens.admin, body });
    before(async () => {
      h = await startApi(dialect);
      assert.equal((await h.call('POST', '/api/templates', admin(notificationTemplate()))).status, 201);
      const wf = await h.call('POST', '/api/workflows', admin({
        code: 'SELF', name: 'Admin approval', documentType: 'expense-report', templateEmailId: 'WFNOTIFY',
        steps: [{ name: 'Administrators', assignTo: { type: 'role', role: 'admin' } }],
      }));
      assert.equal(wf.status, 201, wf.text);
    });
    after(async () => { await h.close(); });

    it('refuses the submitter\'s own approval while Disallow approval by submitter is on (the default)', async () => {
      assert.deepEqual((await h.call('GET', '/api/workflow/parameters', admin())).body, { disallowApprovalBySubmitter: true });
      const doc = await h.call('POST', '/api/workflow/submit', admin({ documentType: 'expense-report', title: 'My own taxi' }));
      assert.equal(doc.status, 201, doc.text);
      const item = (await h.call('GET', '/api/work-items', admin())).body.find((i: Json) => i.instanceId === doc.body.id);
      const refused = await h.call('POST', `/api/work-items/${item.id}/approve`, admin({ comment: 'fine by me' }));
      assert.equal(refused.status, 403, refused.text);
      assert.equal(refused.body.error.code, 'WORKFLOW_SUBMITTER_APPROVAL');
      const after = await h.call('GET', `/api/workflow/instances/${doc.body.id}`, admin());
      assert.equal(after.body.status, 'in-progress');
      assert.ok(after.body.workItems.some((i: Json) => i.id === item.id && i.status === 'pending'), 'the work item still waits');
      assert.ok(!(await h.call('GET', `/api/workflow/instances/${doc.body.id}/history`, admin())).body.events.some((e: Json) => e.event === 'approve'));

      assert.equal((await h.call('PATCH', '/api/workflow/parameters', { token: h.tokens.alice, body: { disallowApprovalBySubmitter: false } })).status, 403);
      assert.equal((await h.call('PATCH', '/api/workflow/parameters', admin({ disallowApprovalBySubmitter: false }))).status, 200);
      const approved = await h.call('POST', `/api/work-items/${item.id}/approve`, admin({}));
      assert.equal(approved.status, 200, approved.text);
      assert.equal((await h.call('GET', `/api/workflow/instances/${doc.body.id}`, admin())).body.status, 'completed');
      assert.equal((await h.call('PATCH', '/api/workflow/parameters', admin({ disallowApprovalBySubmitter: true, other: 1 }))).status, 400, 'unknown keys refused');
    });

    it('keeps one administrator when two demote themselves at the same moment', async () => {
      for (let round = 0; round < 3; round++) {
        const name = `second${round}`;
        const created = await h.call('POST', '/api/users', admin({ username: name, email: `${name}@contoso.test`, password: `${name}-password`, role: 'admin' }));
        assert.equal(created.status, 201, created.text);
        const token = await h.signIn(name, `${name}-password`);
        const [a, b] = await Promise.all([
          h.call('PATCH', `/api/users/${h.users.admin.id}`, admin({ role: 'user' })),
          h.call('PATCH', `/api/users/${created.body.id}`, { token, body: { role: 'user' } }),
        ]);
        assert.deepEqual([a.status, b.status].sort(), [200, 409], `${a.text} / ${b.text}`);
        const admins = (await h.env.ctx.db.selectFrom('app_user').select('id').where('role', '=', 'admin').execute()).map((r) => r.id);
        assert.equal(admins.length, 1, 'exactly one administrator is left');
        // Back to the first administrator alone for the next round.
        if (admins[0] !== h.users.admin.id) {
          assert.equal((await h.call('PATCH', `/api/users/${h.users.admin.id}`, { token, body: { role: 'admin' } })).status, 200);
          assert.equal((await h.call('PATCH', `/api/users/${created.body.id}`, admin({ role: 'user' }))).status, 200);
        }
      }
    });
  });
}
