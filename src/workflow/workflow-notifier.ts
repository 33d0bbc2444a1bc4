// Turns workflow events into email: for each pending event, the recipients set up for it whose
// option "Send notifications in email" is on get the workflow's template in their language,
// queued as batch email from the template's sender. Each recipient's outcome is recorded.
//
// A notification that cannot be queued is never only a line in the workflow history: its email is
// in the email history too, failed with the refusal (a batch provider not set up keeps the built
// message; a template that does not render, a sender or recipient address that is not valid keep
// the refusal without a message). Nothing retries such a refusal by itself — the same input fails
// the same way — but Resend builds the notification again from its event with the template, the
// recipient's address and the batch provider of then (resendNotification), so once the cause is
// fixed the notification goes on the same email.
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../app-context.ts';
import { getOrganization } from '../crm/organizations.service.ts';
import { isMailroomError, MailroomError } from '../errors.ts';
import { formatMailbox } from '../mime/addresses.ts';
import type { EmailInput } from '../outbound/hand-in.ts';
import { getEmail, queueEmail } from '../outbound/outbound.service.ts';
import { isUnbuilt, rebuildRefused, recordRefusedEmail, updateRefusal } from '../outbound/refused-email.ts';
import type { EmailView } from '../outbound/email-view.ts';
import { normalizeLanguage, renderTemplate, toEmailInput, type EmailTemplate } from '../templates/template-render.ts';
import { getOptions, listUsers, type User } from '../users/users.service.ts';
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

/** What every recipient's notification of one event is made from. */
interface EventMail {
  readonly instanceId: string;
  readonly setting: EventNotification;
  readonly recipients: readonly string[];
  readonly template: EmailTemplate | null;
  readonly templateError: MailroomError | null;
  readonly values: Record<string, string>;
  readonly subject: string;
}

async function eventMail(ctx: AppContext, event: repo.EventRow, directory: readonly DirectoryUser[]): Promise<EventMail | null> {
  const instance = await repo.findInstance(ctx.db, event.instance_id);
  if (!instance) return null;
  const def = JSON.parse(instance.definition_snapshot) as WorkflowDefinition;
  const setting = notificationFor(def, event.event, event.step);
  if (!setting || setting.enabled === false) return null;
  const recipients = resolveRecipients(setting.recipients, { originatorId: instance.originator_id, ownerId: event.assignee_id }, directory);
  let template: EmailTemplate | null = null;
  let templateError: MailroomError | null = null;
  try { template = await workflowTemplate(ctx, def); } catch (err) {
    if (!isMailroomError(err)) throw err;
    templateError = err;
  }
  const workItem = event.work_item_id ? await repo.findWorkItem(ctx.db, event.work_item_id) : undefined;
  const company = instance.organization_id ? (await getOrganization(ctx, instance.organization_id)).name : '';
  const values = workflowValues({
    instance, def, company, names: new Map(directory.map((u) => [u.id, u.name])), step: event.step, event: event.event as HistoryEvent,
    at: event.at, ownerId: event.assignee_id, actorId: event.actor_id, comment: event.comment, workItem,
  });
  const subject = event.event === 'workitem-created' && workItem ? workItem.subject : `${EVENT_LABELS[event.event as HistoryEvent]}: ${instance.document_title}`;
  return { instanceId: instance.id, setting, recipients, template, templateError, values, subject };
}

/** One recipient's email; throws the refusal (a template error, an address that is not valid). */
function recipientMail(mail: EventMail, user: DirectoryUser): { input: EmailInput; language: string; template: EmailTemplate } {
  const template = mail.template;
  if (!template) throw mail.templateError ?? new MailroomError('INTERNAL');
  const language = normalizeLanguage(user.language);
  const message = fillText(messageText(mail.setting, language), mail.values);
  const rendered = renderTemplate(template, language, { values: { ...mail.values, subject: mail.subject, message, for: user.name } });
  return { input: toEmailInput(template, rendered, formatMailbox({ name: user.name, address: user.email })), language: rendered.language, template };
}

const idempotencyKey = (eventId: string, userId: string) => `wf-${eventId}-${userId}`;

async function notifyEvent(ctx: AppContext, event: repo.EventRow, directory: readonly DirectoryUser[]): Promise<('queued' | 'skipped' | 'failed')[]> {
  const mail = await eventMail(ctx, event, directory);
  if (!mail) return [];
  const done = await repo.notifiedUsers(ctx.db, event.id);
  const outcomes: ('queued' | 'skipped' | 'failed')[] = [];
  for (const userId of mail.recipients) {
    if (done.has(userId)) continue;
    const user = directory.find((u) => u.id === userId)!;
    const note = (status: 'queued' | 'skipped' | 'failed', extra: { reason?: string; emailId?: string; language?: string } = {}) => {
      outcomes.push(status);
      return repo.insertNotification(ctx.db, {
        id: randomUUID(), event_id: event.id, instance_id: mail.instanceId, user_id: userId, status,
        reason: extra.reason ?? null, email_id: extra.emailId ?? null, language: extra.language ?? null, created_at: ctx.clock.now(),
      });
    };
    if (!(await getOptions(ctx, userId)).sendNotificationsInEmail) { await note('skipped', { reason: 'option-off' }); continue; }
    try {
      const { input, language } = recipientMail(mail, user);
      // A batch provider that is not set up: the email is kept as failed in the email history, to be resent.
      const { email } = await queueEmail(ctx, null, input, { idempotencyKey: idempotencyKey(event.id, userId), keepWhenNotSetUp: true });
      if (email.status === 'failed') await note('failed', { reason: email.failure?.code ?? 'INTERNAL', emailId: email.id, language });
      else await note('queued', { emailId: email.id, language });
    } catch (err) {
      // A passing condition (the database busy or away) is not a refusal: the event stays pending
      // and the next sweep notifies again; the idempotency key keeps what was queued from doubling.
      if (!isMailroomError(err) || err.retryable) throw err;
      const refused = await recordRefusedEmail(ctx, {
        from: mail.template?.senderEmail ?? '', fromName: mail.template?.senderName, to: { name: user.name, address: user.email },
        subject: mail.subject, refusal: err, idempotencyKey: idempotencyKey(event.id, userId),
      });
      await note('failed', { reason: err.code, emailId: refused.id });
    }
  }
  return outcomes;
}

/**
 * Resend of a notification refused before its message was built: builds it again from its event,
 * for its recipient, and queues it on the same email. Null when the email is not such a
 * notification (an ordinary resend applies). A refusal again is kept as the email's failure.
 */
export async function resendNotification(ctx: AppContext, actor: User, emailId: string): Promise<EmailView | null> {
  const email = await getEmail(ctx, actor, emailId);
  if (!isUnbuilt(email)) return null;
  const note = await repo.findNotificationByEmail(ctx.db, emailId);
  const event = note ? await repo.findEvent(ctx.db, note.event_id) : undefined;
  if (!note || !event) return null;
  const directory: DirectoryUser[] = await listUsers(ctx);
  const user = directory.find((u) => u.id === note.user_id);
  const mail = await eventMail(ctx, event, directory);
  if (!user || !mail) throw new MailroomError('NOT_RESENDABLE', { message: 'The notification\'s recipient or its workflow event setting no longer exists.' });
  try {
    const { input, language } = recipientMail(mail, user);
    const queued = await rebuildRefused(ctx, emailId, input, actor.id);
    await repo.updateNotification(ctx.db, note.id, { status: 'queued', reason: null, language });
    return queued;
  } catch (err) {
    if (isMailroomError(err) && err.code !== 'NOT_RESENDABLE') {
      await updateRefusal(ctx, emailId, err);
      await repo.updateNotification(ctx.db, note.id, { reason: err.code });
    }
    throw err;
  }
}
