// The workflow history: every event and assignment of one workflow, with the notifications each
// event sent (or why it did not), linked to the emails in the queue.
import type { AppContext } from '../app-context.ts';
import { MailroomError } from '../errors.ts';
import { emailStates } from '../outbound/outbound.service.ts';
import type { EmailStatus } from '../store/tables.ts';
import { listUsers, type User } from '../users/users.service.ts';
import type { WorkflowDefinition } from './workflow-definition.ts';
import { EVENT_LABELS, type HistoryEvent } from './workflow-definition.ts';
import { toInstanceView, type InstanceView } from './workflow-views.ts';
import * as repo from './workflow.repository.ts';

export interface HistoryNotification {
  readonly userId: string;
  readonly userName: string;
  readonly status: repo.NotificationRow['status'];
  /** Why it was skipped or failed: 'option-off', or an error code. */
  readonly reason: string | null;
  readonly emailId: string | null;
  /** The email's status now (it moves on after the notification was queued); null when there is none or it was purged. */
  readonly emailStatus: EmailStatus | null;
  /** Whether the reader may open the email (administrators; a notification has no sending user). */
  readonly emailVisible: boolean;
  readonly language: string | null;
}

export interface HistoryEntry {
  readonly seq: number;
  readonly at: number;
  readonly event: string;
  readonly label: string;
  readonly step: number | null;
  readonly stepName: string | null;
  readonly workItemId: string | null;
  readonly actor: { readonly id: string; readonly name: string } | null;
  readonly assignee: { readonly id: string; readonly name: string } | null;
  readonly comment: string | null;
  readonly details: Record<string, unknown> | null;
  readonly notifyState: repo.EventRow['notify_state'];
  readonly notifications: readonly HistoryNotification[];
}

/** Administrators, the originator, and anyone a work item of the workflow went to may look. */
export async function assertMaySee(ctx: AppContext, actor: User, instance: repo.InstanceRow): Promise<void> {
  if (actor.role === 'admin' || instance.originator_id === actor.id) return;
  const items = await repo.itemsOfInstance(ctx.db, instance.id);
  if (!items.some((i) => i.owner_id === actor.id)) throw new MailroomError('NOT_FOUND', { message: 'No such workflow.' });
}

export async function workflowHistory(ctx: AppContext, actor: User, instanceId: string): Promise<{ instance: InstanceView; events: HistoryEntry[] }> {
  const instance = await repo.findInstance(ctx.db, instanceId);
  if (!instance) throw new MailroomError('NOT_FOUND', { message: 'No such workflow.' });
  await assertMaySee(ctx, actor, instance);
  const def = JSON.parse(instance.definition_snapshot) as WorkflowDefinition;
  const names = new Map((await listUsers(ctx)).map((u) => [u.id, u.name]));
  const person = (id: string | null) => (id ? { id, name: names.get(id) ?? '(deleted user)' } : null);
  const notifications = await repo.notificationsOfInstance(ctx.db, instanceId);
  const emails = await emailStates(ctx, actor, notifications.flatMap((n) => (n.email_id ? [n.email_id] : [])));
  const events = (await repo.eventsOfInstance(ctx.db, instanceId)).map((e): HistoryEntry => ({
    seq: e.seq, at: e.at, event: e.event, label: EVENT_LABELS[e.event as HistoryEvent] ?? e.event,
    step: e.step, stepName: e.step === null ? null : def.steps[e.step]?.name ?? null, workItemId: e.work_item_id,
    actor: person(e.actor_id), assignee: person(e.assignee_id), comment: e.comment,
    details: e.details ? JSON.parse(e.details) : null, notifyState: e.notify_state,
    notifications: notifications.filter((n) => n.event_id === e.id).map((n) => ({
      userId: n.user_id, userName: names.get(n.user_id) ?? '', status: n.status, reason: n.reason, emailId: n.email_id,
      emailStatus: (n.email_id && emails.get(n.email_id)?.status) || null, emailVisible: (n.email_id && emails.get(n.email_id)?.visible) || false,
      language: n.language,
    })),
  }));
  return { instance: toInstanceView(instance, await repo.itemsOfInstance(ctx.db, instanceId)), events };
}
