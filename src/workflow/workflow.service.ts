// Running workflows: submit a document, act on work items, terminate, escalate, and read the
// inbox and the workflow history. What the API and CLI call.
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../app-context.ts';
import { getOrganization } from '../crm/organizations.service.ts';
import { MailroomError } from '../errors.ts';
import { assertNoLineBreak } from '../mime/addresses.ts';
import { findUser, listUsers, type User } from '../users/users.service.ts';
import type { WorkflowDefinition } from './workflow-definition.ts';
import { getDefinition, resolveDefinition } from './workflow-definitions.service.ts';
import { applyAction, escalate, record, startStep, terminate, type ActionInput, type Run, type WorkItemAction } from './workflow-engine.ts';
import { assertMaySee } from './workflow-history.ts';
import { dispatchNotifications } from './workflow-notifier.ts';
import { toInstanceView, toWorkItemView, type InstanceView, type WorkItemView } from './workflow-views.ts';
import { readWorkflowParameters } from './workflow-parameters.ts';
import * as repo from './workflow.repository.ts';

export interface SubmitInput {
  /** The kind of document; picks the workflow unless definitionId is given. */
  readonly documentType?: string;
  readonly title: string;
  readonly ref?: string;
  /** Organization id or code of the document. */
  readonly organization?: string | null;
  /** A specific workflow; otherwise the document's organization's workflow, else the system one. */
  readonly definitionId?: string;
}

const companyName = async (ctx: AppContext, organizationId: string | null) => (organizationId ? (await getOrganization(ctx, organizationId)).name : '');

/**
 * Runs one action in a transaction under the instance lock, then queues its notifications.
 * The directory of users is read before the transaction: SQLite has one connection.
 */
async function withRun(ctx: AppContext, instanceId: string, fn: (run: Run) => Promise<void>, create?: repo.InstanceRow): Promise<repo.InstanceRow> {
  const directory = await listUsers(ctx);
  const existing = create ?? (await repo.findInstance(ctx.db, instanceId));
  if (!existing) throw new MailroomError('NOT_FOUND', { message: 'No such workflow.' });
  const company = await companyName(ctx, existing.organization_id);
  const notify: string[] = [];
  const instance = await ctx.db.transaction().execute(async (db) => {
    if (create) await repo.insertInstance(db, create);
    const now = ctx.clock.now();
    const locked = (await repo.lockInstance(db, instanceId, now))!;
    const run: Run = { db, now, instance: locked, def: JSON.parse(locked.definition_snapshot) as WorkflowDefinition, directory, company, notify };
    await fn(run);
    return run.instance;
  });
  await dispatchNotifications(ctx, notify);
  return instance;
}

/** Submits a document to its workflow: the instance starts and the first step assigns its work items. */
export async function submitDocument(ctx: AppContext, actor: User, input: SubmitInput): Promise<InstanceView> {
  const title = input.title.trim();
  assertNoLineBreak('Title', title);
  assertNoLineBreak('Ref', input.ref ?? '');
  if ((input.ref ?? '').length > 100) throw new MailroomError('VALIDATION_FAILED', { message: 'A document reference has up to 100 characters.', details: { field: 'ref' } });
  if (!title || title.length > 300) throw new MailroomError('VALIDATION_FAILED', { message: 'A document needs a title of up to 300 characters.', details: { field: 'title' } });
  const organizationId = input.organization ? (await getOrganization(ctx, input.organization)).id : null;
  if (!input.definitionId && !input.documentType) throw new MailroomError('VALIDATION_FAILED', { message: 'Give the document type (or a workflow).', details: { field: 'documentType' } });
  const def = input.definitionId ? await getDefinition(ctx, input.definitionId) : await resolveDefinition(ctx, input.documentType!, organizationId);
  if (!def.enabled) throw new MailroomError('WORKFLOW_NO_DEFINITION', { message: `Workflow ${def.code} is disabled.` });
  if (def.organizationId && def.organizationId !== organizationId) {
    throw new MailroomError('VALIDATION_FAILED', { message: `Workflow ${def.code} belongs to another organization than the document.`, details: { field: 'organization' } });
  }
  const now = ctx.clock.now();
  const id = randomUUID();
  const row: repo.InstanceRow = {
    id, definition_id: def.id, definition_version: def.version, definition_snapshot: JSON.stringify(def), organization_id: organizationId,
    document_type: def.documentType, document_ref: input.ref?.trim() ?? '', document_title: title, originator_id: actor.id,
    status: 'in-progress', current_step: 0, event_seq: 0, created_at: now, updated_at: now,
  };
  const instance = await withRun(ctx, id, async (run) => {
    await record(run, 'started', { actorId: actor.id, details: { definition: def.code, version: def.version } });
    await startStep(run, 0);
  }, row);
  return toInstanceView(instance, await repo.itemsOfInstance(ctx.db, id));
}

/** Approve, reject, request change, delegate (to another user) or resubmit one of your work items. */
export async function actOnWorkItem(ctx: AppContext, actor: User, workItemId: string, action: WorkItemAction, input: ActionInput = {}): Promise<WorkItemView> {
  const item = await repo.findWorkItem(ctx.db, workItemId);
  if (!item) throw new MailroomError('NOT_FOUND', { message: 'No such work item.' });
  const to = action === 'delegate' ? (input.to ? (await findUser(ctx, input.to)).id : undefined) : undefined;
  if (action === 'delegate' && !to) throw new MailroomError('VALIDATION_FAILED', { message: 'Name the user to delegate to.', details: { field: 'to' } });
  const { disallowApprovalBySubmitter } = await readWorkflowParameters(ctx);
  await withRun(ctx, item.instance_id, async (run) => {
    const fresh = (await repo.findWorkItem(run.db, workItemId))!;
    // Only the submitter's own pending approval meets this refusal; every other wrong action keeps its own code.
    const ownApproval = fresh.kind === 'approval' && fresh.status === 'pending' && fresh.owner_id === actor.id && run.instance.originator_id === actor.id;
    if (action === 'approve' && disallowApprovalBySubmitter && ownApproval) {
      throw new MailroomError('WORKFLOW_SUBMITTER_APPROVAL', { details: { workItemId, instanceId: run.instance.id } });
    }
    await applyAction(run, fresh, actor.id, action, { comment: input.comment, to });
  });
  return toWorkItemView((await repo.findWorkItem(ctx.db, workItemId))!, await instanceOf(ctx, item.instance_id));
}

/** Cancels a running workflow: its originator or an administrator may. */
export async function terminateInstance(ctx: AppContext, actor: User, instanceId: string, comment?: string): Promise<InstanceView> {
  const instance = await instanceOf(ctx, instanceId);
  if (instance.originator_id !== actor.id && actor.role !== 'admin') throw new MailroomError('FORBIDDEN', { message: 'Only the originator or an administrator may cancel a workflow.' });
  const after = await withRun(ctx, instanceId, (run) => terminate(run, actor.id, comment?.trim() || null));
  return toInstanceView(after, await repo.itemsOfInstance(ctx.db, instanceId));
}

/** The escalation pass: overdue work items go to their step's escalation user. */
export async function escalateOverdue(ctx: AppContext, limit = 200): Promise<{ escalated: number }> {
  let escalated = 0;
  for (const item of await repo.overdueItems(ctx.db, ctx.clock.now(), limit)) {
    await withRun(ctx, item.instance_id, async (run) => {
      const fresh = await repo.findWorkItem(run.db, item.id);
      if (fresh?.status === 'pending' && fresh.due_at !== null && fresh.due_at <= run.now && (await escalate(run, fresh))) escalated++;
    });
  }
  return { escalated };
}

async function instanceOf(ctx: AppContext, id: string): Promise<repo.InstanceRow> {
  const instance = await repo.findInstance(ctx.db, id);
  if (!instance) throw new MailroomError('NOT_FOUND', { message: 'No such workflow.' });
  return instance;
}

/** The signed-in user's work items: pending by default, or all of them. */
export async function listWorkItems(ctx: AppContext, actor: User, options: { all?: boolean; limit?: number } = {}): Promise<WorkItemView[]> {
  const items = await repo.listInbox(ctx.db, actor.id, options.all ? undefined : ['pending'], Math.min(options.limit ?? 100, 500));
  const instances = new Map<string, repo.InstanceRow>();
  for (const item of items) if (!instances.has(item.instance_id)) instances.set(item.instance_id, await instanceOf(ctx, item.instance_id));
  return items.map((item) => toWorkItemView(item, instances.get(item.instance_id)!));
}

/** Workflows: administrators see all, users those they submitted. */
export async function listInstances(ctx: AppContext, actor: User, options: { status?: string; limit?: number } = {}): Promise<InstanceView[]> {
  const rows = await repo.listInstances(ctx.db, { originatorId: actor.role === 'admin' ? undefined : actor.id, status: options.status, limit: Math.min(options.limit ?? 100, 500) });
  return rows.map((r) => toInstanceView(r, []));
}

export async function getInstance(ctx: AppContext, actor: User, id: string): Promise<InstanceView> {
  const instance = await instanceOf(ctx, id);
  await assertMaySee(ctx, actor, instance);
  return toInstanceView(instance, await repo.itemsOfInstance(ctx.db, id));
}

export { workflowHistory } from './workflow-history.ts';
