// A batch email refused before its message could be built — a workflow notification whose
// template does not render or has no valid sender, whose recipient's address is not valid, whose
// provider cannot send — is kept in the email history as failed, with the refusal as its failure
// and no message (size 0). Nothing is ever sent from such a row: resendEmail refuses it, and
// rebuildRefused builds the message again from the caller's corrected input and queues it on the
// same row, so the history keeps one email per notification.
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../app-context.ts';
import { MailroomError } from '../errors.ts';
import { buildMessage, newMessageId } from '../mime/message-builder.ts';
import type { EmailStatus } from '../store/tables.ts';
import { expirationMs, readParameters, sizeLimitBytes } from './email-parameters.ts';
import { findEmail, type EmailRow } from './email.repository.ts';
import { toView, type EmailView } from './email-view.ts';
import { prepareEmail, storeWithKey, type EmailInput } from './hand-in.ts';
import { assertSendable } from './provider-registry.ts';

export interface Refusal {
  /** The From it would have had (a template's sender), or '' when not known. */
  readonly from: string;
  readonly fromName?: string;
  readonly to: { readonly name: string; readonly address: string };
  readonly subject: string;
  readonly refusal: MailroomError;
  /** The key the email would have been handed in with: a second refusal of it is the same row. */
  readonly idempotencyKey?: string;
}

/** Whether the email is one refused before its message was built. */
export const isUnbuilt = (email: Pick<EmailView, 'sizeBytes' | 'status'>) => email.sizeBytes === 0 && (email.status === 'failed' || email.status === 'expired');

/** Keeps a refused system email in the history as failed, with the refusal and no message. */
export async function recordRefusedEmail(ctx: AppContext, r: Refusal): Promise<EmailView> {
  const params = await readParameters(ctx);
  const now = ctx.clock.now();
  const row: EmailRow = {
    id: randomUUID(), message_id: newMessageId(r.from.split('@')[1] || 'mailroom.invalid'), mode: 'batch', provider: params.batchProvider,
    status: 'failed', user_id: null, sender: r.from, sender_name: r.fromName || null,
    to_addrs: JSON.stringify([{ name: r.to.name, address: r.to.address }]), cc_addrs: '[]', bcc_addrs: '[]',
    subject: r.subject.replace(/[\r\n]+/g, ' '), size_bytes: 0, attempts: 0, deferrals: 0, next_attempt_at: now, claimed_by: null, lease_until: null,
    expires_at: now + expirationMs(params), created_at: now, updated_at: now, sent_at: null,
    last_error_code: r.refusal.code, last_error_response: r.refusal.message, last_error_command: null, recipient_results: null, resent_from: null, mailbox_id: null,
  };
  const stored = await storeWithKey(ctx, row, Buffer.alloc(0), '', r.idempotencyKey, undefined);
  if (!stored.duplicate) ctx.events.emit('email:changed', { id: row.id, event: 'failed', status: 'failed', provider: row.provider, code: r.refusal.code });
  return toView(stored.row);
}

/** A refused email refused again (the resend's rebuild failed too): its failure becomes the new refusal. */
export async function updateRefusal(ctx: AppContext, id: string, refusal: MailroomError): Promise<void> {
  await ctx.db.updateTable('email').set({ last_error_code: refusal.code, last_error_response: refusal.message, updated_at: ctx.clock.now() })
    .where('id', '=', id).where('size_bytes', '=', 0).execute();
}

/**
 * Builds the message of a refused email from a corrected input and queues it on the same row,
 * through the batch provider of now (refused as the hand-in would refuse it).
 */
export async function rebuildRefused(ctx: AppContext, id: string, input: EmailInput, actorId?: string): Promise<EmailView> {
  const priorStatuses: readonly EmailStatus[] = ['failed', 'expired'];
  const current = await findEmail(ctx.db, id);
  if (!current || current.size_bytes !== 0 || !priorStatuses.includes(current.status)) throw new MailroomError('NOT_RESENDABLE', { details: { status: current?.status } });
  const params = await readParameters(ctx);
  assertSendable(params.batchProvider, params);
  const prepared = await prepareEmail(ctx, null, input, undefined, params.recipientLimit);
  const now = ctx.clock.now();
  const messageId = newMessageId(prepared.from.address.split('@')[1]!);
  const raw = await buildMessage({
    from: prepared.from, to: prepared.to, cc: prepared.cc, bcc: prepared.bcc, subject: prepared.subject,
    text: input.body, html: input.html, attachments: input.attachments ?? [], priority: input.priority, messageId, date: new Date(now),
  });
  if (raw.length > sizeLimitBytes(params)) throw new MailroomError('MESSAGE_TOO_LARGE', { details: { sizeBytes: raw.length, limitBytes: sizeLimitBytes(params) } });
  const updated = await ctx.db.transaction().execute(async (tx) => {
    const result = await tx.updateTable('email').set({
      message_id: messageId, provider: params.batchProvider, status: 'waiting', sender: prepared.from.address, sender_name: prepared.from.name || null,
      to_addrs: JSON.stringify(prepared.to), cc_addrs: JSON.stringify(prepared.cc), bcc_addrs: JSON.stringify(prepared.bcc), subject: prepared.subject,
      size_bytes: raw.length, next_attempt_at: now, deferrals: 0, expires_at: now + expirationMs(params), updated_at: now, claimed_by: null, lease_until: null, resent_from: id,
    }).where('id', '=', id).where('size_bytes', '=', 0).where('status', 'in', [...priorStatuses]).executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return false;
    await tx.updateTable('email_content').set({ raw }).where('email_id', '=', id).execute();
    return true;
  });
  if (!updated) throw new MailroomError('NOT_RESENDABLE', { message: 'The email was resent meanwhile.' });
  ctx.events.emit('email:changed', { id, event: 'resent', status: 'waiting', provider: params.batchProvider, ...(actorId ? { actor: actorId } : {}) });
  ctx.events.emit('email:queued', id);
  return toView((await findEmail(ctx.db, id))!);
}
