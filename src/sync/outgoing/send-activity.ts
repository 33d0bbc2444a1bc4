// Sending an email activity written in the application: it goes out through its owner's mailbox
// (or a queue's the owner belongs to) as an email on the one outbound queue, provider `mailbox`.
// The tracking token goes into the subject and the Message-ID is fixed at hand-in, both stored on
// the activity with the email, in one transaction, so a reply correlates by either.
import type { AppContext } from '../../app-context.ts';
import { resolveAddresses } from '../../crm/address-resolution.ts';
import { createActivity, deleteActivity, getActivity, type ActivityInput } from '../../crm/email-activity.service.ts';
import { draftForSending, markQueued, queuedEmailOf, cancelDraft, type OutgoingParty } from '../../crm/email-activity.outgoing.ts';
import type { EmailActivityDetail } from '../../crm/email-activity.view.ts';
import { assertUserReads } from '../../crm/email-activity.access.ts';
import { findQueueRow } from '../../crm/queues.service.ts';
import { MailroomError } from '../../errors.ts';
import { formatMailbox, sameAddress } from '../../mime/addresses.ts';
import { newMessageId } from '../../mime/message-builder.ts';
import { cancelEmail, resendEmail } from '../../outbound/outbound.service.ts';
import { handIn } from '../../outbound/hand-in.ts';
import type { User } from '../../users/users.service.ts';
import { readEmailSettings } from '../email-settings.ts';
import { mayView, type MailboxRow } from '../mailboxes.service.ts';
import { applyTemplate, type TemplatedInput } from './activity-template.ts';
import { outgoingChannel } from './outgoing-channel.ts';
import { nextTrackingToken, subjectWithToken } from './tracking-number.ts';

export interface SendOptions {
  /** Send from this queue's mailbox (id, name or address) instead of the owner's own. */
  readonly queue?: string;
}

/** The mailbox an activity goes out through: the actor's own, or a queue's they own or belong to. */
async function sendingMailbox(ctx: AppContext, actor: User, queue: string | undefined): Promise<MailboxRow> {
  if (queue === undefined) {
    const own = await ctx.db.selectFrom('mailbox').selectAll().where('user_id', '=', actor.id).executeTakeFirst();
    if (!own) throw new MailroomError('NOT_FOUND', { message: `${actor.username} has no mailbox to send from.` });
    return own;
  }
  const row = await findQueueRow(ctx, queue);
  const mailbox = await ctx.db.selectFrom('mailbox').selectAll().where('queue_id', '=', row.id).executeTakeFirst();
  if (!mailbox || !(await mayView(ctx, actor, mailbox))) {
    throw new MailroomError('FORBIDDEN', { message: `Only the owner and members of the queue ${row.name} send email from its mailbox.` });
  }
  return mailbox;
}

/** Queues the Draft: it is Pending send at once, and follows its email from there. */
export async function sendActivity(ctx: AppContext, actor: User, id: string, options: SendOptions = {}): Promise<EmailActivityDetail> {
  // One the actor may not read does not exist for them (404), whatever else it is.
  await assertUserReads(ctx, actor, id);
  const draft = await draftForSending(ctx, actor, id);
  const mailbox = await sendingMailbox(ctx, actor, options.queue);
  // A queue's email comes from the queue unless its writer chose another From (which needs Send-As).
  const from: OutgoingParty = !draft.from || (options.queue !== undefined && sameAddress(draft.from.address, actor.email))
    ? { address: mailbox.email, name: options.queue !== undefined ? '' : actor.name }
    : draft.from;
  const settings = await readEmailSettings(ctx);
  const token = await nextTrackingToken(ctx, actor.id, settings);
  const subject = subjectWithToken(draft.subject, token);
  const messageId = newMessageId(from.address.split('@')[1] ?? 'mailroom.invalid');
  const [resolved] = await resolveAddresses(ctx, [from.address]);
  // Said at once when the mailbox cannot send yet, not only after the distributor's first look.
  const channel = await outgoingChannel(ctx, mailbox.id);
  const waitReason = channel.kind === 'wait' ? `${channel.code}: ${channel.message}` : null;
  const list = (parties: readonly OutgoingParty[]) => parties.map((p) => formatMailbox(p));
  await handIn(ctx, actor, {
    from: formatMailbox(from), to: list(draft.to), cc: list(draft.cc), bcc: list(draft.bcc), subject,
    body: draft.text ?? undefined, html: draft.html ?? undefined, attachments: draft.attachments,
  }, {
    mode: 'batch', mailboxId: mailbox.id, authorizedFrom: mailbox.email, messageId,
    within: (tx, row) => markQueued(tx, id, {
      emailId: row.id, messageId, subject, trackingToken: token && subject.endsWith(token) ? token : null, mailboxId: mailbox.id,
      from, fromRecords: resolved?.records ?? [], sentFolder: 'pending', waitReason, at: row.created_at,
    }),
  });
  return getActivity(ctx, id);
}

export interface ComposeOptions extends SendOptions {
  readonly maxAttachmentKb?: number;
  /** A general email template (id or Email ID) that gives the subject and body the writer left empty. */
  readonly template?: string;
}

/** Writes an outgoing Draft, from a template when one is named. */
export async function composeDraft(ctx: AppContext, actor: User, input: TemplatedInput, options: ComposeOptions = {}): Promise<EmailActivityDetail> {
  const filled = options.template ? await applyTemplate(ctx, options.template, input) : input;
  return createActivity(ctx, actor, { ...filled, direction: 'outgoing' }, { maxAttachmentKb: options.maxAttachmentKb });
}

/** Writes the activity and sends it in one go; when the send is refused, no draft is left behind. */
export async function composeAndSend(ctx: AppContext, actor: User, input: Omit<ActivityInput, 'direction' | 'owner'>, options: ComposeOptions = {}): Promise<EmailActivityDetail> {
  const draft = await composeDraft(ctx, actor, input, options);
  try {
    return await sendActivity(ctx, actor, draft.id, options);
  } catch (err) {
    await deleteActivity(ctx, actor, draft.id).catch(() => undefined);
    throw err;
  }
}

/** A Draft becomes Canceled; a Pending send one is taken off the queue. One being sent or sent is not. */
export async function cancelActivity(ctx: AppContext, actor: User, id: string): Promise<EmailActivityDetail> {
  // One the actor may not read does not exist for them (404), whatever else it is.
  await assertUserReads(ctx, actor, id);
  if (await cancelDraft(ctx, actor, id)) return getActivity(ctx, id);
  const { emailId } = await queuedEmailOf(ctx, actor, id);
  try {
    await cancelEmail(ctx, actor, emailId);
  } catch (err) {
    if (err instanceof MailroomError && err.code === 'NOT_CANCELLABLE') {
      throw new MailroomError('ACTIVITY_NOT_SENDABLE', { message: 'Only a Draft or a Pending send email activity is canceled; this one is being sent or has gone.', cause: err });
    }
    throw err;
  }
  return getActivity(ctx, id);
}

/** Puts a Failed activity's email back on the queue: the same message, Message-ID and token. */
export async function resendActivity(ctx: AppContext, actor: User, id: string): Promise<EmailActivityDetail> {
  // One the actor may not read does not exist for them (404), whatever else it is.
  await assertUserReads(ctx, actor, id);
  const { emailId, status } = await queuedEmailOf(ctx, actor, id);
  if (status !== 'failed') throw new MailroomError('ACTIVITY_NOT_SENDABLE', { message: `Only a Failed email activity is sent again; this one is ${status}.`, details: { status } });
  await resendEmail(ctx, actor, emailId);
  return getActivity(ctx, id);
}
