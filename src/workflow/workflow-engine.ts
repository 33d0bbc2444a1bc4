// The state machine of a running workflow, one transaction per action. Every change writes its
// history event; events with notifications set up are marked pending for the notifier, which
// runs after the commit.
import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { MailroomError } from '../errors.ts';
import type { Database } from '../store/tables.ts';
import { isNotified, type HistoryEvent, type WorkflowDefinition } from './workflow-definition.ts';
import { fillText, resolveAssignees, workflowValues, type DirectoryUser } from './workflow-values.ts';
import * as repo from './workflow.repository.ts';

/** One action's working state, inside its transaction. */
export interface Run {
  readonly db: Transaction<Database>;
  readonly now: number;
  instance: repo.InstanceRow;
  readonly def: WorkflowDefinition;
  readonly directory: readonly DirectoryUser[];
  readonly company: string;
  /** Ids of the events written by this action that wait for notification. */
  readonly notify: string[];
}

export interface EventFields {
  readonly step?: number | null;
  readonly workItemId?: string | null;
  readonly actorId?: string | null;
  readonly assigneeId?: string | null;
  readonly comment?: string | null;
  readonly details?: Record<string, unknown>;
}

export async function record(run: Run, event: HistoryEvent, f: EventFields = {}): Promise<void> {
  const step = f.step ?? null;
  const pending = isNotified(run.def, event, step);
  const id = randomUUID();
  await repo.insertEvent(run.db, {
    id, instance_id: run.instance.id, seq: await repo.nextSeq(run.db, run.instance.id), at: run.now, event, step,
    work_item_id: f.workItemId ?? null, actor_id: f.actorId ?? null, assignee_id: f.assigneeId ?? null, comment: f.comment ?? null,
    details: f.details ? JSON.stringify(f.details) : null, notify_state: pending ? 'pending' : 'none',
  });
  if (pending) run.notify.push(id);
}

async function setStatus(run: Run, status: repo.InstanceStatus, currentStep = run.instance.current_step): Promise<void> {
  await repo.updateInstance(run.db, run.instance.id, { status, current_step: currentStep, updated_at: run.now });
  run.instance = { ...run.instance, status, current_step: currentStep };
}

const names = (run: Run) => new Map(run.directory.map((u) => [u.id, u.name]));

/** Creates the step's work items, or stops the workflow when the step has nobody to assign. */
export async function startStep(run: Run, step: number): Promise<void> {
  const spec = run.def.steps[step]!;
  const owners = resolveAssignees(spec.assignTo, run.instance.originator_id, run.directory);
  if (owners.length === 0) {
    await setStatus(run, 'stopped', step);
    await record(run, 'stopped', { step, details: { code: 'WORKFLOW_NO_ASSIGNEE', assignTo: spec.assignTo } });
    return;
  }
  await setStatus(run, 'in-progress', step);
  const dueAt = spec.timeLimitHours ? run.now + Math.round(spec.timeLimitHours * 3600_000) : null;
  for (const ownerId of owners) {
    const values = workflowValues({ instance: run.instance, def: run.def, company: run.company, names: names(run), step, ownerId });
    const subject = spec.workItemSubject ? fillText(spec.workItemSubject, values) : `${spec.name}: ${run.instance.document_title}`;
    const item: repo.WorkItemRow = {
      id: randomUUID(), instance_id: run.instance.id, step, kind: 'approval', owner_id: ownerId, status: 'pending',
      subject, instructions: fillText(spec.instructions ?? '', values), due_at: dueAt, resume_step: null,
      created_at: run.now, completed_at: null, completed_by: null, comment: null,
    };
    await repo.insertWorkItem(run.db, item);
    await record(run, 'workitem-created', { step, workItemId: item.id, assigneeId: ownerId });
  }
}

async function completeStep(run: Run, step: number): Promise<void> {
  if (step + 1 < run.def.steps.length) return startStep(run, step + 1);
  await setStatus(run, 'completed', step);
  await record(run, 'completed', { step });
}

/** Cancels what is still pending (in one step, or everywhere), each with its history line. */
async function cancelPending(run: Run, step: number | undefined, reason: string): Promise<void> {
  for (const item of await repo.pendingItems(run.db, run.instance.id, step)) {
    await repo.updatePendingItem(run.db, item.id, { status: 'cancelled', completed_at: run.now });
    await record(run, 'cancelled', { step: item.step, workItemId: item.id, assigneeId: item.owner_id, details: { reason } });
  }
}

async function closeItem(run: Run, item: repo.WorkItemRow, status: repo.WorkItemStatus, actorId: string, comment: string | null): Promise<void> {
  const ok = await repo.updatePendingItem(run.db, item.id, { status, completed_at: run.now, completed_by: actorId, comment });
  if (!ok) throw new MailroomError('WORKFLOW_ITEM_CLOSED', { details: { workItemId: item.id } });
}

/** The change request that goes back to the originator: after a rejection, or on request. */
async function requestChange(run: Run, item: repo.WorkItemRow, actorId: string, comment: string | null, resumeStep: number): Promise<void> {
  const change: repo.WorkItemRow = {
    id: randomUUID(), instance_id: run.instance.id, step: item.step, kind: 'change-request', owner_id: run.instance.originator_id,
    status: 'pending', subject: `Change requested: ${run.instance.document_title}`, instructions: comment ?? '', due_at: null,
    resume_step: resumeStep, created_at: run.now, completed_at: null, completed_by: null, comment: null,
  };
  await repo.insertWorkItem(run.db, change);
  await setStatus(run, 'change-requested', item.step);
  await record(run, 'request-change', { step: item.step, workItemId: change.id, actorId, assigneeId: change.owner_id, comment, details: { from: item.id } });
}

export const WORK_ITEM_ACTIONS = ['approve', 'reject', 'request-change', 'delegate', 'resubmit'] as const;
export type WorkItemAction = (typeof WORK_ITEM_ACTIONS)[number];

export interface ActionInput {
  readonly comment?: string;
  /** Delegate: the user who gets the work item. */
  readonly to?: string;
}

/** Applies one user's action to one of their pending work items. */
export async function applyAction(run: Run, item: repo.WorkItemRow, actorId: string, action: WorkItemAction, input: ActionInput): Promise<void> {
  if (item.status !== 'pending') throw new MailroomError('WORKFLOW_ITEM_CLOSED', { details: { workItemId: item.id, status: item.status } });
  if (item.owner_id !== actorId) throw new MailroomError('WORKFLOW_NOT_OWNER', { details: { workItemId: item.id } });
  const allowed: readonly WorkItemAction[] = item.kind === 'approval' ? ['approve', 'reject', 'request-change', 'delegate'] : ['resubmit'];
  if (!allowed.includes(action)) throw new MailroomError('WORKFLOW_ACTION_INVALID', { details: { action, kind: item.kind, allowed } });
  const comment = input.comment?.trim() || null;
  const base = { step: item.step, workItemId: item.id, actorId, comment };
  switch (action) {
    case 'approve': {
      await closeItem(run, item, 'approved', actorId, comment);
      await record(run, 'approve', { ...base, assigneeId: item.owner_id });
      const policy = run.def.steps[item.step]?.completionPolicy ?? 'single';
      if (policy === 'single') await cancelPending(run, item.step, 'another approver completed the step');
      if ((await repo.pendingItems(run.db, run.instance.id, item.step)).length === 0) await completeStep(run, item.step);
      return;
    }
    case 'reject':
      await closeItem(run, item, 'rejected', actorId, comment);
      await record(run, 'reject', { ...base, assigneeId: item.owner_id });
      await cancelPending(run, item.step, 'the document was rejected');
      return requestChange(run, item, actorId, comment, 0);
    case 'request-change':
      await closeItem(run, item, 'change-requested', actorId, comment);
      await cancelPending(run, item.step, 'a change was requested');
      return requestChange(run, item, actorId, comment, item.step);
    case 'delegate': {
      const to = run.directory.find((u) => u.id === input.to);
      if (!to) throw new MailroomError('NOT_FOUND', { message: 'Delegate to whom? No such user.', details: { to: input.to } });
      if (to.id === item.owner_id) throw new MailroomError('VALIDATION_FAILED', { message: 'The work item is already yours.' });
      if (!(await repo.updatePendingItem(run.db, item.id, { owner_id: to.id }))) throw new MailroomError('WORKFLOW_ITEM_CLOSED');
      return record(run, 'delegate', { ...base, assigneeId: to.id, details: { from: item.owner_id } });
    }
    case 'resubmit':
      await closeItem(run, item, 'resubmitted', actorId, comment);
      await record(run, 'resubmit', { ...base, assigneeId: item.owner_id });
      return startStep(run, item.resume_step ?? 0);
  }
}

/** Ends a running workflow: its pending work items are cancelled. */
export async function terminate(run: Run, actorId: string, comment: string | null): Promise<void> {
  if (repo.FINAL_INSTANCE_STATUSES.includes(run.instance.status as repo.InstanceStatus)) {
    throw new MailroomError('WORKFLOW_INSTANCE_CLOSED', { details: { status: run.instance.status } });
  }
  await cancelPending(run, undefined, 'the workflow was terminated');
  await setStatus(run, 'terminated');
  await record(run, 'terminated', { actorId, comment, step: run.instance.current_step });
}

/** Hands an overdue work item to the step's escalation user. False when the step has none. */
export async function escalate(run: Run, item: repo.WorkItemRow): Promise<boolean> {
  const target = run.def.steps[item.step]?.escalateTo;
  if (!target || target === item.owner_id || !run.directory.some((u) => u.id === target)) {
    await repo.updatePendingItem(run.db, item.id, { due_at: null });
    return false;
  }
  if (!(await repo.updatePendingItem(run.db, item.id, { owner_id: target, due_at: null }))) return false;
  await record(run, 'escalate', { step: item.step, workItemId: item.id, assigneeId: target, details: { from: item.owner_id } });
  return true;
}
