import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createOrganization } from '../../src/crm/organizations.service.ts';
import type { ProviderRegistry } from '../../src/outbound/provider-registry.ts';
import { createTemplate, findTemplate, updateTemplate } from '../../src/templates/templates.service.ts';
import { createDefinition, updateDefinition } from '../../src/workflow/workflow-definitions.service.ts';
import {
  actOnWorkItem, escalateOverdue, listWorkItems, submitDocument, terminateInstance, workflowHistory,
} from '../../src/workflow/workflow.service.ts';
import { createTestEnv, DIALECTS, ManualClock, skipUnless, type TestEnv } from '../fixtures/context.ts';
import { newRegistry, pointSmtpAt, seedUsers } from '../fixtures/mailroom.ts';
import { startSmtpServer, type RunningSmtpServer } from '../fixtures/smtp-server.ts';
import { approvalWorkflow, createInbox, notificationTemplate, pairs, seedPeople, type Arrived, type People } from './workflow-setup.ts';

const oneStep = approvalWorkflow({
  organization: 'USMF',
  steps: [{
    name: 'Manager approval', assignTo: { type: 'user', users: ['omar'] }, timeLimitHours: 24, escalateTo: 'admin',
    notifications: {
      'workitem-created': { text: 'Please approve %document% for %company%.', recipients: [{ type: 'workitem-owner' }] },
      escalate: { text: '%document% is overdue and now yours.', recipients: [{ type: 'workitem-owner' }] },
    },
  }],
  notifications: { terminated: { text: '%actor% cancelled %document%.', recipients: [{ type: 'workitem-owner' }, { type: 'originator' }] } },
});

for (const dialect of DIALECTS) {
  describe(`organization-level workflows on ${dialect}`, { skip: await skipUnless(dialect) }, () => {
    let env: TestEnv;
    let smtp: RunningSmtpServer;
    let providers: ProviderRegistry;
    let people: People;
    let deliver: () => Promise<Arrived[]>;
    const clock = new ManualClock();

    before(async () => {
      env = await createTestEnv(dialect, { clock });
      smtp = await startSmtpServer();
      people = await seedPeople(env.ctx, await seedUsers(env.ctx));
      await pointSmtpAt(env.ctx, smtp);
      providers = newRegistry(env.ctx);
      deliver = createInbox(env.ctx, providers, smtp);
      await createOrganization(env.ctx, { code: 'USMF', name: 'Contoso USA' });
      await createTemplate(env.ctx, null, notificationTemplate());
      await createDefinition(env.ctx, approvalWorkflow());
    });
    after(async () => {
      await providers.close();
      await smtp.close();
      await env.cleanup();
    });

    it('refuses an organization workflow whose template exists only among the system templates', async () => {
      await assert.rejects(createDefinition(env.ctx, oneStep), { code: 'WORKFLOW_TEMPLATE_MISSING' });
    });

    it('an organization-level workflow takes the organization template; a system-level one the system template', async () => {
      await createTemplate(env.ctx, 'USMF', notificationTemplate({
        senderName: 'USMF Workflow', senderEmail: 'workflow@usmf.contoso.test',
        messages: [{ language: 'en-us', subject: 'USMF: %subject%', html: '<p>%message%</p>' }],
      }));
      const def = await createDefinition(env.ctx, oneStep);
      assert.equal(def.scope, 'organization');

      const own = await submitDocument(env.ctx, people.june, { documentType: 'purchase-requisition', title: 'Forklift', organization: 'usmf' });
      assert.equal(own.definitionId, def.id);
      const arrived = await deliver();
      const toOmar = arrived.filter((m) => m.to === 'omar@contoso.test');
      assert.deepEqual(pairs(toOmar), ['omar@contoso.test | USMF: Manager approval: Forklift']);
      assert.equal(toOmar[0]!.from, 'workflow@usmf.contoso.test');
      assert.ok(toOmar[0]!.html.includes('Please approve Forklift for Contoso USA.'));

      await submitDocument(env.ctx, people.omar, { documentType: 'purchase-requisition', title: 'Pallets' });
      const system = await deliver();
      assert.ok(system.length > 0 && system.every((m) => m.from === 'workflow@contoso.test' && !m.subject.startsWith('USMF')));
    });

    it('escalates an overdue work item to the step\'s escalation user (time from the clock)', async () => {
      const [item] = (await listWorkItems(env.ctx, people.omar)).filter((i) => i.document.title === 'Forklift');
      assert.equal(item!.dueAt, clock.now() + 24 * 3600_000);
      clock.advance(23 * 3600_000);
      assert.deepEqual(await escalateOverdue(env.ctx), { escalated: 0 });
      clock.advance(2 * 3600_000);
      assert.deepEqual(await escalateOverdue(env.ctx), { escalated: 1 });
      assert.deepEqual(pairs(await deliver()), ['admin@contoso.test | USMF: Escalated: Forklift']);
      const [escalated] = (await listWorkItems(env.ctx, people.admin)).filter((i) => i.document.title === 'Forklift');
      assert.equal(escalated!.id, item!.id);
      const { events } = await workflowHistory(env.ctx, people.june, item!.instanceId);
      const last = events.at(-1)!;
      assert.equal(last.event, 'escalate');
      assert.equal(last.assignee?.id, people.admin.id);
      assert.deepEqual(last.details, { from: people.omar.id });
    });

    it('terminating cancels the pending work items and notifies as set up', async () => {
      const [item] = (await listWorkItems(env.ctx, people.admin)).filter((i) => i.document.title === 'Forklift');
      await assert.rejects(terminateInstance(env.ctx, people.omar, item!.instanceId), { code: 'FORBIDDEN' });
      const ended = await terminateInstance(env.ctx, people.june, item!.instanceId, 'Bought elsewhere');
      assert.equal(ended.status, 'terminated');
      assert.equal(ended.workItems[0]!.status, 'cancelled');
      assert.deepEqual(pairs(await deliver()), ['june@contoso.test | USMF: Workflow terminated: Forklift'], 'the work item owner is no one once the workflow ends');
      await assert.rejects(actOnWorkItem(env.ctx, people.admin, item!.id, 'approve'), { code: 'WORKFLOW_ITEM_CLOSED' });
      await assert.rejects(terminateInstance(env.ctx, people.june, item!.instanceId), { code: 'WORKFLOW_INSTANCE_CLOSED' });
    });

    it('records a notification as failed, with its code, when the template became unusable', async () => {
      const running = await submitDocument(env.ctx, people.june, { documentType: 'purchase-requisition', title: 'Shelves', organization: 'USMF' });
      assert.deepEqual(pairs(await deliver()), ['omar@contoso.test | USMF: Manager approval: Shelves']);
      const current = (await findTemplate(env.ctx, running.organizationId, 'WFNOTIFY'))!;
      await updateTemplate(env.ctx, current.id, { ...notificationTemplate(), kind: 'general', senderEmail: '', messages: [{ language: 'en-us', subject: 'x', html: '' }] });
      await assert.rejects(updateDefinition(env.ctx, running.definitionId, { ...oneStep, name: 'Renamed' }), { code: 'WORKFLOW_TEMPLATE_MISSING' });

      await terminateInstance(env.ctx, people.june, running.id);
      assert.deepEqual(await deliver(), []);
      const { events } = await workflowHistory(env.ctx, people.admin, running.id);
      const terminated = events.find((e) => e.event === 'terminated')!;
      assert.deepEqual(terminated.notifications.map((n) => [n.userName, n.status, n.reason]), [['June Park', 'failed', 'WORKFLOW_TEMPLATE_MISSING']]);
      assert.equal(terminated.notifyState, 'done');
    });
  });
}
