// The demo data carries the seed's scenarios: US-008 Sparrow Retail's statement goes to its
// Statements contact, and a purchase requisition notifies June, then the administrators.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { seedDemoCrm } from '../../src/demo/demo-crm-seed.ts';
import { statementDraft } from '../../src/crm/statements.service.ts';
import { listQueue } from '../../src/outbound/outbound.service.ts';
import { createUser, grantSendAs, type User } from '../../src/users/users.service.ts';
import { submitDocument, workflowHistory } from '../../src/workflow/workflow.service.ts';
import { createTestEnv, DIALECTS, skipUnless, type TestEnv } from '../fixtures/context.ts';
import { pointSmtpAt } from '../fixtures/mailroom.ts';
import { startSmtpServer, type RunningSmtpServer } from '../fixtures/smtp-server.ts';

for (const dialect of DIALECTS) {
  describe(`demo data for templates, workflow and statements on ${dialect}`, { skip: await skipUnless(dialect) }, () => {
    let env: TestEnv;
    let smtp: RunningSmtpServer;
    let admin: User;
    let june: User;
    let omar: User;

    before(async () => {
      env = await createTestEnv(dialect);
      smtp = await startSmtpServer();
      await pointSmtpAt(env.ctx, smtp);
      admin = await createUser(env.ctx, { username: 'admin', email: 'admin@mailroom.demo', role: 'admin' });
      june = await createUser(env.ctx, { username: 'june', name: 'June Park', email: 'june.park@mailroom.demo' });
      omar = await createUser(env.ctx, { username: 'omar', name: 'Omar Haddad', email: 'omar.haddad@mailroom.demo' });
      await grantSendAs(env.ctx, june.id, 'collections@mailroom.demo');
      await seedDemoCrm(env.ctx);
      await seedDemoCrm(env.ctx);
    });
    after(async () => {
      await smtp.close();
      await env.cleanup();
    });

    it('Statements to contact for US-008 Sparrow Retail prefills the collections contact and the workbook', async () => {
      const { draft } = await statementDraft(env.ctx, june, 'US-008', { asOf: '2026-11-23' });
      assert.deepEqual(draft.to, ['"Dana Collins" <collections@sparrow-retail.demo>']);
      assert.equal(draft.from, '"Contoso USA Collections" <collections@mailroom.demo>');
      assert.deepEqual(draft.attachments.map((a) => a.filename), ['Statement US-008 2026-11-23.xlsx']);
      assert.equal((draft.html.match(/CIV-000/g) ?? []).length, 3);
    });

    it('a purchase requisition goes to June first, and the notifications wait in the queue', async () => {
      const instance = await submitDocument(env.ctx, omar, { documentType: 'purchase-requisition', title: 'Demo chairs', ref: 'PR-1' });
      const { events } = await workflowHistory(env.ctx, admin, instance.id);
      assert.equal(events.find((e) => e.event === 'workitem-created')?.assignee?.id, june.id);
      const queue = await listQueue(env.ctx, admin);
      assert.deepEqual(queue.map((e) => e.to[0]!.address).sort(), ['june.park@mailroom.demo', 'omar.haddad@mailroom.demo']);
    });
  });
}
