// Two approvers acting at the same moment: the instance lock applies them one after the other,
// so a step completes exactly once.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTemplate } from '../../src/templates/templates.service.ts';
import { createDefinition } from '../../src/workflow/workflow-definitions.service.ts';
import { actOnWorkItem, listWorkItems, submitDocument, workflowHistory } from '../../src/workflow/workflow.service.ts';
import { createTestEnv, DIALECTS, skipUnless, type TestEnv } from '../fixtures/context.ts';
import { seedUsers } from '../fixtures/mailroom.ts';
import { approvalWorkflow, notificationTemplate, seedPeople, type People } from './workflow-setup.ts';

const byAdmins = (code: string, policy: 'single' | 'all') => approvalWorkflow({
  code, documentType: `doc-${policy}`,
  steps: [{ name: 'Administrators', assignTo: { type: 'role', role: 'admin' }, completionPolicy: policy }],
});

for (const dialect of DIALECTS) {
  describe(`concurrent approvals on ${dialect}`, { skip: await skipUnless(dialect) }, () => {
    let env: TestEnv;
    let people: People;

    before(async () => {
      env = await createTestEnv(dialect);
      people = await seedPeople(env.ctx, await seedUsers(env.ctx));
      await createTemplate(env.ctx, null, notificationTemplate());
      await createDefinition(env.ctx, byAdmins('ALL', 'all'));
      await createDefinition(env.ctx, byAdmins('SINGLE', 'single'));
    });
    after(async () => {
      await env.cleanup();
    });

    const approveBoth = async (title: string) => {
      const [a] = (await listWorkItems(env.ctx, people.admin)).filter((i) => i.document.title === title);
      const [f] = (await listWorkItems(env.ctx, people.fiona)).filter((i) => i.document.title === title);
      return Promise.allSettled([
        actOnWorkItem(env.ctx, people.admin, a!.id, 'approve'),
        actOnWorkItem(env.ctx, people.fiona, f!.id, 'approve'),
      ]);
    };

    it('all approvers: both approvals count and the workflow completes once', async () => {
      const instance = await submitDocument(env.ctx, people.omar, { documentType: 'doc-all', title: 'All of them' });
      const results = await approveBoth('All of them');
      assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'fulfilled']);
      const { instance: after, events } = await workflowHistory(env.ctx, people.admin, instance.id);
      assert.equal(after.status, 'completed');
      assert.equal(events.filter((e) => e.event === 'completed').length, 1);
      assert.deepEqual(events.map((e) => e.seq), events.map((_, i) => i + 1));
    });

    it('single approver: the first approval wins and the other work item is already closed', async () => {
      const instance = await submitDocument(env.ctx, people.omar, { documentType: 'doc-single', title: 'One of them' });
      const results = await approveBoth('One of them');
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      assert.equal(refused.reason.code, 'WORKFLOW_ITEM_CLOSED');
      const { instance: after, events } = await workflowHistory(env.ctx, people.admin, instance.id);
      assert.equal(after.status, 'completed');
      assert.equal(events.filter((e) => e.event === 'approve').length, 1);
      assert.equal(events.filter((e) => e.event === 'cancelled').length, 1);
    });
  });
}
