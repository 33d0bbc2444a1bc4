// Turns workflow events into email: for each pending event, the recipients set up for it whose
// option "Send notifications in email" is on get the workflow's template in their language,
// queued as batch email from the template's sender. Each recipient's outcome is recorded.
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../app-context.ts';
import { getOrganization } from '../crm/organizations.service.ts';
import { isMailroomError, type ErrorCode } from '../errors.ts';
import { formatMailbox } from '../mime/addresses.ts';
import { queueEmail } from '../outbound/outbound.service.ts';
import { normalizeLanguage, renderTemplate, toEmailInput, type EmailTemplate } from '../templates/template-render.ts';
import { getOptions, listUsers } from '../users/users.service.ts';
import { EVENT_LABELS, notificationFor, type EventNotification, type HistoryEvent, type WorkflowDefinition } from './workflow-definition.ts';
import { workflowTemplate } from './workflow-definitions.service.ts';
import { fillText, resolveRecipients, workflowValues, type DirectoryUser } from './workflow-values.ts';
import * as repo from './workflow.repository.ts';

export interface DispatchResult {
  readonly events: number;
  readonly queued: number;
  readonly skipped: number;
  readonly failed: number;
}

/** Sends the notifications of the events given, or of every event still waiting (after a crash). */
export async function dispatchNotifications(ctx: AppContext, eventIds?: readonly string[], limit = 500): Promise<DispatchResult> {
  const events = await repo.pendingEvents(ctx.db, eventIds, limit);
  const tally = { events: events.length, queued: 0, skipped: 0, failed: 0 };
  if (events.length === 0) return tally;
  const directory: DirectoryUser[] = await listUsers(ctx);
  for (const event of events) {
    for (const outcome of await notifyEvent(ctx, event, directory)) tally[outcome]++;
    await repo.markEventNotified(ctx.db, event.id);
  }
  return tally;
}

function messageText(setting: EventNotification, language: string): string {
  const translations = setting.translations ?? {};
  return translations[language] ?? translations[language.split('-')[0]!] ?? setting.text;
}

async function notifyEvent(ctx: AppContext, event: repo.EventRow, directory: readonly DirectoryUser[]): Promise<('queued' | 'skipped' | 'failed')[]> {
  const instance = await repo.findInstance(ctx.db, event.instance_id);
  if (!instance) return [];
  const def = JSON.parse(instance.definition_snapshot) as WorkflowDefinition;
  const setting = notificationFor(def, event.event, event.step);
  if (!setting || setting.enabled === false) return [];
  const recipients = resolveRecipients(setting.recipients, { originatorId: instance.originator_id, ownerId: event.assignee_id }, directory);
  let template: EmailTemplate | null = null;
  let templateError: ErrorCode | null = null;
  try { template = await workflowTemplate(ctx, def); } catch (err) {
    if (!isMailroomError(err)) throw err;
    templateError = err.code;
  }
  const workItem = event.work_item_id ? await repo.findWorkItem(ctx.db, event.work_item_id) : undefined;
  const company = instance.organization_id ? (await getOrganization(ctx, instance.organization_id)).name : '';
  const values = workflowValues({
    instance, def, company, names: new Map(directory.map((u) => [u.id, u.name])), step: event.step, event: event.event as HistoryEvent,
    at: event.at, ownerId: event.assignee_id, actorId: event.actor_id, comment: event.comment, workItem,
  });
  const subject = event.event === 'workitem-created' && workItem ? workItem.subject : `${EVENT_LABELS[event.event as HistoryEvent]}: ${instance.document_title}`;
  const done = await repo.notifiedUsers(ctx.db, event.id);
  const outcomes: ('queued' | 'skipped' | 'failed')[] = [];
  for (const userId of recipients) {
    if (done.has(userId)) continue;
    const user = directory.find((u) => u.id === userId)!;
    const note = (status: 'queued' | 'skipped' | 'failed', extra: { reason?: string; emailId?: string; language?: string } = {}) => {
      outcomes.push(status);
      return repo.insertNotification(ctx.db, {
        id: randomUUID(), event_id: event.id, instance_id: instance.id, user_id: userId, status,
        reason: extra.reason ?? null, email_id: extra.emailId ?? null, language: extra.language ?? null, created_at: ctx.clock.now(),
      });
    };
    if (!(await getOptions(ctx, userId)).sendNotificationsInEmail) { await note('skipped', { reason: 'option-off' }); continue; }
    if (!template) { await note('failed', { reason: templateError ?? 'INTERNAL' }); continue; }
    try {
      const language = normalizeLanguage(user.language);
      const message = fillText(messageText(setting, language), values);
      const mail = renderTemplate(template, language, { values: { ...values, subject, message, for: user.name } });
      const input = toEmailInput(template, mail, formatMailbox({ name: user.name, address: user.email }));
      // A batch provider that is not set up: the email is kept as failed in the email history, to be resent.
      const { email } = await queueEmail(ctx, null, input, { idempotencyKey: `wf-${event.id}-${userId}`, keepWhenNotSetUp: true });
      if (email.status === 'failed') await note('failed', { reason: email.failure?.code ?? 'INTERNAL', emailId: email.id, language: mail.language });
      else await note('queued', { emailId: email.id, language: mail.language });
    } catch (err) {
      if (!isMailroomError(err)) throw err;
      await note('failed', { reason: err.code });
    }
  }
  return outcomes;
}
