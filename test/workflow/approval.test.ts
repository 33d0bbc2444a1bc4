// The seed's test of workflow email: submit a workflow set up for email, check in the workflow
// history that the work item went to the expected user, see the notification waiting in the
// batch email sending status, and see it arrive.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getEmail, listQueue } from '../../src/outbound/outbound.service.ts';
import type { ProviderRegistry } from '../../src/outbound/provider-registry.ts';
import { createTemplate } from '../../src/templates/templates.service.ts';
import { createDefinition } from '../../src/workflow/workflow-definitions.service.ts';
import { actOnWorkItem, listWorkItems, submitDocument, workflowHistory } from '../../src/workflow/workflow.service.ts';
import { createTestEnv, DIALECTS, skipUnless, type TestEnv } from '../fixtures/context.ts';
import { newRegistry, pointSmtpAt, seedUsers } from '../fixtures/mailroom.ts';
import { startSmtpServer, type RunningSmtpServer } from '../fixtures/smtp-server.ts';
import { approvalWorkflow, createInbox, notificationTemplate, pairs, seedPeople, type Arrived, type People } from './workflow-setup.ts';

for (const dialect of DIALECTS) {
  describe(`workflow email notifications on ${dialect}`, { skip: await skipUnless(dialect) }, () => {
    let env: TestEnv;
    let smtp: RunningSmtpServer;
    let providers: ProviderRegistry;
    let people: People;
    let deliver: () => Promise<Arrived[]>;
    let instanceId: string;

    before(async () => {
      env = await createTestEnv(dialect);
      smtp = await startSmtpServer();
      people = await seedPeople(env.ctx, await seedUsers(env.ctx));
      await pointSmtpAt(env.ctx, smtp);
      providers = newRegistry(env.ctx);
      deliver = createInbox(env.ctx, providers, smtp);
      await createTemplate(env.ctx, null, notificationTemplate());
      await createDefinition(env.ctx, approvalWorkflow());
    });
    after(async () => {
      await providers.close();
      await smtp.close();
      await env.cleanup();
    });

    it('submit: the history shows the work item assigned to June, the queue holds the notifications, and they arrive', async () => {
      const instance = await submitDocument(env.ctx, people.omar, { documentType: 'purchase-requisition', title: 'Office chairs', ref: 'PR-0001' });
      instanceId = instance.id;
      assert.equal(instance.status, 'in-progress');
      assert.equal(instance.workflow.scope, 'system');

      const { events } = await workflowHistory(env.ctx, people.admin, instance.id);
      assert.deepEqual(events.map((e) => e.event), ['started', 'workitem-created']);
      assert.equal(events[1]!.assignee?.id, people.june.id);
      assert.equal(events[1]!.stepName, 'Manager approval');

      const queue = await listQueue(env.ctx, people.admin);
      assert.deepEqual(queue.map((e) => e.to[0]!.address).sort(), ['june@contoso.test', 'omar@contoso.test']);
      assert.ok(queue.every((e) => e.status === 'waiting' && e.mode === 'batch' && e.sender === 'workflow@contoso.test' && e.senderName === 'Contoso Workflow'));

      const waiting = events[1]!.notifications[0]!;
      assert.equal(waiting.emailStatus, 'waiting');
      assert.equal(waiting.emailVisible, true, 'an administrator may open the notification email');

      const arrived = await deliver();
      assert.deepEqual(pairs(arrived), [
        'june@contoso.test | [DE] Approve PR-0001: Office chairs',
        'omar@contoso.test | Workflow started: Office chairs',
      ]);
      const toJune = arrived[0]!;
      assert.equal(toJune.from, 'workflow@contoso.test');
      assert.ok(toJune.html.includes('Hallo June Park'));
      assert.ok(toJune.html.includes('Bitte Office chairs genehmigen.'));
      assert.ok(arrived[1]!.html.includes('Your requisition Office chairs was submitted.'));

      const created = (await workflowHistory(env.ctx, people.admin, instance.id)).events[1]!;
      assert.equal(created.notifications.length, 1);
      assert.equal(created.notifications[0]!.language, 'de');
      assert.equal((await getEmail(env.ctx, people.admin, created.notifications[0]!.emailId!)).status, 'sent');
      assert.equal(created.notifications[0]!.emailStatus, 'sent', 'the history follows the email, not the moment it was queued');
      // June may see the workflow (a work item went to her) but not the email: it was sent by no user,
      // so the history tells her its status without a link that would answer "No such email".
      const asJune = (await workflowHistory(env.ctx, people.june, instance.id)).events[1]!.notifications[0]!;
      assert.deepEqual([asJune.emailStatus, asJune.emailVisible], ['sent', false]);
      await assert.rejects(getEmail(env.ctx, people.june, asJune.emailId!), { code: 'NOT_FOUND' });
      const [item] = await listWorkItems(env.ctx, people.june);
      assert.equal(item!.subject, 'Approve PR-0001: Office chairs');
      assert.equal(item!.instructions, 'Check the budget of Omar Haddad.');
    });

    it('two steps: each event emails exactly its configured recipients whose option is on', async () => {
      const [juneItem] = await listWorkItems(env.ctx, people.june);
      await actOnWorkItem(env.ctx, people.june, juneItem!.id, 'approve', { comment: 'Fine by me' });
      assert.deepEqual(pairs(await deliver()), [
        'admin@contoso.test | Finance approval: Office chairs',
        'fiona@contoso.test | Finance approval: Office chairs',
        'omar@contoso.test | Approved: Office chairs',
      ]);

      const [adminItem] = await listWorkItems(env.ctx, people.admin);
      await actOnWorkItem(env.ctx, people.admin, adminItem!.id, 'approve');
      assert.deepEqual(await deliver(), [], 'step 2 has no approve notification and still waits for Fiona');

      const [fionaItem] = await listWorkItems(env.ctx, people.fiona);
      await actOnWorkItem(env.ctx, people.fiona, fionaItem!.id, 'approve');
      assert.deepEqual(pairs(await deliver()), ['omar@contoso.test | Workflow completed: Office chairs'], 'Ken has notifications off');

      const { instance, events } = await workflowHistory(env.ctx, people.admin, instanceId);
      assert.equal(instance.status, 'completed');
      const completed = events.find((e) => e.event === 'completed')!;
      assert.deepEqual(
        completed.notifications.map((n) => [n.userName, n.status, n.reason]).sort(),
        [['Ken Quiet', 'skipped', 'option-off'], ['Omar Haddad', 'queued', null]],
      );
      assert.ok(!smtp.mails.some((m) => m.to.includes('ken@contoso.test')));
      assert.ok(!smtp.mails.some((m) => m.to.includes('alice@contoso.test')));
    });

    it('a rejection notifies twice: the rejected work item, and the change request to the originator', async () => {
      const instance = await submitDocument(env.ctx, people.omar, { documentType: 'purchase-requisition', title: 'Standing desks', ref: 'PR-0002' });
      await deliver();
      const [item] = await listWorkItems(env.ctx, people.june);
      await actOnWorkItem(env.ctx, people.june, item!.id, 'reject', { comment: 'Over budget' });
      const arrived = await deliver();
      assert.deepEqual(pairs(arrived), [
        'omar@contoso.test | Change requested: Standing desks',
        'omar@contoso.test | Rejected: Standing desks',
      ]);
      assert.ok(arrived[1]!.html.includes('June Park rejected Standing desks: Over budget'));

      const { instance: after, events } = await workflowHistory(env.ctx, people.omar, instance.id);
      assert.equal(after.status, 'change-requested');
      assert.deepEqual(events.slice(-2).map((e) => e.event), ['reject', 'request-change']);
      const [change] = await listWorkItems(env.ctx, people.omar);
      assert.equal(change!.kind, 'change-request');
      assert.deepEqual(change!.actions, ['resubmit']);

      await assert.rejects(actOnWorkItem(env.ctx, people.june, item!.id, 'approve'), { code: 'WORKFLOW_ITEM_CLOSED' });
      await assert.rejects(actOnWorkItem(env.ctx, people.june, change!.id, 'resubmit'), { code: 'WORKFLOW_NOT_OWNER' });
      await assert.rejects(actOnWorkItem(env.ctx, people.omar, change!.id, 'approve'), { code: 'WORKFLOW_ACTION_INVALID' });

      await actOnWorkItem(env.ctx, people.omar, change!.id, 'resubmit', { comment: 'Cheaper model' });
      assert.deepEqual(pairs(await deliver()), ['june@contoso.test | [DE] Approve PR-0002: Standing desks']);
      assert.equal((await workflowHistory(env.ctx, people.omar, instance.id)).instance.status, 'in-progress');
    });

    it('request change and delegate notify the new work item owner', async () => {
      const [item] = await listWorkItems(env.ctx, people.june);
      await actOnWorkItem(env.ctx, people.june, item!.id, 'delegate', { to: 'alice', comment: 'Alice knows this supplier' });
      assert.deepEqual(pairs(await deliver()), ['alice@contoso.test | Delegated: Standing desks']);
      assert.equal((await listWorkItems(env.ctx, people.june)).length, 0);
      const [delegated] = await listWorkItems(env.ctx, people.alice);
      assert.equal(delegated!.id, item!.id);

      await actOnWorkItem(env.ctx, people.alice, delegated!.id, 'request-change', { comment: 'Add a quote' });
      assert.deepEqual(pairs(await deliver()), ['omar@contoso.test | Change requested: Standing desks']);
      const [change] = await listWorkItems(env.ctx, people.omar);
      await actOnWorkItem(env.ctx, people.omar, change!.id, 'resubmit');
      assert.deepEqual(pairs(await deliver()), ['june@contoso.test | [DE] Approve PR-0002: Standing desks'], 'a change request resumes at the step that asked for it');
    });
  });
}
