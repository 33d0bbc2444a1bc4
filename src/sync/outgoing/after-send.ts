// What a mailbox's send means for the mailbox, once the email's outcome is committed: a failure of
// the channel itself (sign-in, TLS, connection) is an alert on the mailbox, and a permanent one
// disables its outgoing channel until Test and enable passes again; a success after such a failure
// says so. A sent email is then copied into the mailbox's Sent folder over IMAP: at most once, and
// a failed copy is a warning, never a second send.
import type { AppContext } from '../../app-context.ts';
import { claimSentFolderCopy, pendingSentFolderCopies, reclaimStaleSentFolderCopy, setSentFolderState } from '../../crm/email-activity.follow.ts';
import { describeError, ERRORS, isMailroomError, MailroomError, type ErrorCode } from '../../errors.ts';
import { findEmail, loadRaw, type EmailRow, type Outcome } from '../../outbound/email.repository.ts';
import { databaseFault } from '../../store/database-errors.ts';
import { raiseMailboxAlert } from '../alerts.service.ts';
import { createConnector } from '../connectors/create-connector.ts';
import type { MailboxRow } from '../mailboxes.service.ts';
import { findProfileRow } from '../server-profiles.service.ts';
import { connectorConfig, type ConnectorFactory } from '../test-enable.ts';

/** Failures of the outgoing server or the mailbox's sign-in, as opposed to one message's recipients or content. */
const CHANNEL_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'AUTH_FAILED', 'AUTH_NOT_SUPPORTED', 'AUTH_CRITERIA_NOT_MET', 'SMTP_CLIENT_AUTH_DISABLED', 'TLS_FAILED', 'TLS_REQUIRED',
  'CONNECTION_FAILED', 'CONNECTION_DROPPED', 'TIMEOUT', 'SMTP_TRANSIENT',
]);

export interface AfterSendOptions {
  readonly connectorFactory?: ConnectorFactory;
}

/**
 * How old a 'copying' claim must be before another worker takes it over: far beyond one append,
 * which the connection's timeouts bound to a couple of minutes.
 */
export const STALE_COPY_MS = 15 * 60_000;

export async function afterMailboxSend(ctx: AppContext, row: EmailRow, raw: Buffer, outcome: Outcome, options: AfterSendOptions = {}): Promise<void> {
  if (!row.mailbox_id) return;
  const mailbox = await ctx.db.selectFrom('mailbox').selectAll().where('id', '=', row.mailbox_id).executeTakeFirst();
  if (!mailbox) return;
  if (outcome.kind === 'sent') {
    await channelRecovered(ctx, mailbox);
    await copyToSent(ctx, mailbox, row.id, raw, options);
  } else if ((outcome.kind === 'failed' || outcome.kind === 'retry' || outcome.kind === 'expired') && CHANNEL_CODES.has(outcome.code)) {
    await channelFailed(ctx, mailbox, outcome.code as ErrorCode, outcome.response ?? '', outcome.kind === 'retry');
  }
}

async function channelFailed(ctx: AppContext, mailbox: MailboxRow, code: ErrorCode, response: string, retrying: boolean): Promise<void> {
  const now = ctx.clock.now();
  const permanent = !ERRORS[code].retryable;
  const count = mailbox.last_error_code === code && mailbox.last_error_channel === 'outgoing' ? mailbox.last_error_count + 1 : 1;
  await ctx.db.updateTable('mailbox').set({
    last_error_code: code, last_error_count: count, last_error_at: now, last_error_response: response, last_error_channel: 'outgoing', updated_at: now,
    ...(permanent ? { outgoing_enabled: 0, outgoing_status: 'failure' as const } : {}),
  }).where('id', '=', mailbox.id).execute();
  const { message, fix } = describeError(code);
  const base = { code, channel: 'outgoing' as const, response };
  if (permanent) {
    await raiseMailboxAlert(ctx, mailbox, {
      ...base, level: 'error',
      message: `${message} Sending through ${mailbox.email} failed in a way retrying does not fix, so its outgoing channel is disabled until it is tested and enabled again; email activities wait as Pending send meanwhile.${fix ? ` ${fix}` : ''}`,
    });
  } else {
    await raiseMailboxAlert(ctx, mailbox, {
      ...base, level: 'warning',
      message: `${message} Sending through ${mailbox.email} failed for a reason that may pass${retrying ? '; the email is tried again' : ''}.`,
    });
  }
}

async function channelRecovered(ctx: AppContext, mailbox: MailboxRow): Promise<void> {
  if (mailbox.last_error_channel !== 'outgoing' || mailbox.last_error_code === null) return;
  const result = await ctx.db.updateTable('mailbox')
    .set({ last_error_code: null, last_error_count: 0, last_error_at: null, last_error_response: null, last_error_channel: null, updated_at: ctx.clock.now() })
    .where('id', '=', mailbox.id).where('last_error_channel', '=', 'outgoing').executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) return;
  await raiseMailboxAlert(ctx, mailbox, {
    level: 'information', channel: 'outgoing',
    message: `Email goes out through ${mailbox.email} again after ${mailbox.last_error_count} failure(s) (${mailbox.last_error_code}).`,
  });
}

/**
 * Copies a sent email into the mailbox's Sent folder (IMAP profiles only). The copy is claimed
 * first, so two workers never make it; a claim taken over from a worker that died mid-append
 * (`takeOver`) appends only when the Sent folder does not already hold the Message-ID.
 */
export async function copyToSent(ctx: AppContext, mailbox: MailboxRow, emailId: string, raw: Buffer, options: AfterSendOptions & { takeOver?: { messageId: string } } = {}): Promise<void> {
  const now = ctx.clock.now();
  // A profile deleted since means no copy; any other error (the database away) is raised, not taken for "not IMAP".
  const profile = mailbox.profile_id ? await findProfileRow(ctx, mailbox.profile_id).catch((err: unknown) => { if (isMailroomError(err, 'NOT_FOUND')) return null; throw err; }) : null;
  if (!profile || profile.server_type !== 'imap') {
    if (options.takeOver) await setSentFolderState(ctx.db, emailId, 'none', now);
    else await claimSentFolderCopy(ctx.db, emailId, 'none', now);
    return;
  }
  const claimed = options.takeOver
    ? await reclaimStaleSentFolderCopy(ctx.db, emailId, now - STALE_COPY_MS, now)
    : await claimSentFolderCopy(ctx.db, emailId, 'copying', now);
  if (!claimed) return;
  try {
    const connector = (options.connectorFactory ?? createConnector)(connectorConfig(ctx, mailbox, profile, ['incoming']));
    try {
      if (!connector.appendToSent) throw new MailroomError('MAILBOX_CHANNEL_UNSUPPORTED', { message: 'This connector cannot put mail in a Sent folder.' });
      await connector.appendToSent(raw, options.takeOver ? { unlessMessageId: options.takeOver.messageId } : {});
    } finally {
      await connector.close();
    }
    await setSentFolderState(ctx.db, emailId, 'done', ctx.clock.now());
  } catch (err) {
    if (databaseFault(err)) throw err;
    await setSentFolderState(ctx.db, emailId, 'failed', ctx.clock.now());
    const cause = isMailroomError(err) ? err : new MailroomError('INTERNAL', { cause: err });
    await raiseMailboxAlert(ctx, mailbox, {
      level: 'warning', channel: 'outgoing', code: 'SENT_FOLDER_APPEND_FAILED', response: cause.response ?? cause.message,
      message: `An email sent through ${mailbox.email} could not be put in its Sent folder (${cause.code}: ${cause.message}). It was sent and is not sent again.`,
    });
  }
}

/** Sent-folder copies that a stopped worker left to make: it sent the emails, then stopped before or during the copy. */
export async function copyPendingToSent(ctx: AppContext, options: AfterSendOptions = {}, limit = 20): Promise<number> {
  const left = await pendingSentFolderCopies(ctx.db, limit, ctx.clock.now() - STALE_COPY_MS);
  for (const { emailId, stale } of left) {
    const email = await findEmail(ctx.db, emailId);
    const raw = (await loadRaw(ctx.db, [emailId])).get(emailId);
    const mailbox = email?.mailbox_id ? await ctx.db.selectFrom('mailbox').selectAll().where('id', '=', email.mailbox_id).executeTakeFirst() : undefined;
    if (!email || !mailbox || !raw) { await setSentFolderState(ctx.db, emailId, 'failed', ctx.clock.now()); continue; }
    await copyToSent(ctx, mailbox, emailId, raw, stale ? { ...options, takeOver: { messageId: email.message_id } } : options);
  }
  return left.length;
}
