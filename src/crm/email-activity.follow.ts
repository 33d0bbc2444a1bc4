// The status reason of an email activity sent from the application follows its queued email:
// waiting or deferred is Pending send (with the reason it waits, when there is one), sending is
// Sending, sent is Sent, failed or expired is Failed (with the failure), cancelled is Canceled.
// Outbound calls this in the same transaction as the email's own change.
import type { Kysely, Transaction } from 'kysely';
import type { ActivityStatus, Database, EmailStatus, SentFolderState } from '../store/tables.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface QueuedEmailState {
  readonly id: string;
  readonly status: EmailStatus;
  readonly last_error_code: string | null;
  readonly last_error_response: string | null;
  readonly sent_at: number | null;
}

const STATUS: Record<EmailStatus, ActivityStatus> = {
  waiting: 'pending-send', deferred: 'pending-send', sending: 'sending', sent: 'sent', generated: 'sent',
  failed: 'failed', expired: 'failed', cancelled: 'canceled',
};

/** Why a mailbox cannot send yet: the email waits with this reason, it did not fail an attempt. */
const WAIT_REASONS: ReadonlySet<string> = new Set([
  'MAILBOX_NOT_APPROVED', 'MAILBOX_OUTGOING_OFF', 'MAILBOX_OUTGOING_NOT_ENABLED', 'MAILBOX_OUTGOING_FAILING', 'MAILBOX_NO_PROFILE', 'MAILBOX_CREDENTIALS_MISSING',
]);

/** The activity's status and reason for an email in this state. */
export function activityStateOf(email: QueuedEmailState): { status: ActivityStatus; detail: string | null } {
  const status = STATUS[email.status];
  const error = email.last_error_code ? `${email.last_error_code}: ${email.last_error_response ?? ''}`.trim() : null;
  if (status === 'failed') return { status, detail: error ?? 'The email could not be sent.' };
  if (status === 'pending-send' && error) return { status, detail: WAIT_REASONS.has(email.last_error_code!) ? error : `Retrying after ${error}` };
  return { status, detail: null };
}

export async function followEmailStates(db: Db, emails: readonly QueuedEmailState[]): Promise<void> {
  for (const email of emails) {
    const { status, detail } = activityStateOf(email);
    await db.updateTable('email_activity')
      .set({ status, status_detail: detail, ...(email.sent_at !== null ? { sent_at: email.sent_at } : {}) })
      .where('email_id', '=', email.id).execute();
  }
}

/**
 * Takes the Sent-folder copy of a sent activity's email for this caller: true for exactly one
 * caller (the state moves from pending at once, so the copy is made at most once).
 */
export async function claimSentFolderCopy(db: Db, emailId: string, state: Exclude<SentFolderState, 'pending'>, now: number): Promise<boolean> {
  const result = await db.updateTable('email_activity').set({ sent_folder: state, sent_folder_at: now })
    .where('email_id', '=', emailId).where('sent_folder', '=', 'pending').executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Takes over a 'copying' claim older than `staleBefore` (its worker died mid-append): true for
 * exactly one caller, who must then check the Sent folder before appending.
 */
export async function reclaimStaleSentFolderCopy(db: Db, emailId: string, staleBefore: number, now: number): Promise<boolean> {
  const result = await db.updateTable('email_activity').set({ sent_folder_at: now })
    .where('email_id', '=', emailId).where('sent_folder', '=', 'copying')
    .where((eb) => eb.or([eb('sent_folder_at', 'is', null), eb('sent_folder_at', '<', staleBefore)])).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function setSentFolderState(db: Db, emailId: string, state: SentFolderState, now: number): Promise<void> {
  await db.updateTable('email_activity').set({ sent_folder: state, sent_folder_at: now }).where('email_id', '=', emailId).execute();
}

/**
 * Sent activities whose Sent-folder copy is still to be made: the worker that sent them stopped
 * before the copy (pending), or during it (a 'copying' claim older than `staleBefore`).
 */
export async function pendingSentFolderCopies(db: Db, limit: number, staleBefore: number): Promise<{ emailId: string; stale: boolean }[]> {
  const rows = await db.selectFrom('email_activity').select(['email_id', 'sent_folder'])
    .where('status', '=', 'sent').where('email_id', 'is not', null)
    .where((eb) => eb.or([
      eb('sent_folder', '=', 'pending'),
      eb.and([eb('sent_folder', '=', 'copying'), eb.or([eb('sent_folder_at', 'is', null), eb('sent_folder_at', '<', staleBefore)])]),
    ]))
    .limit(limit).execute();
  return rows.map((r) => ({ emailId: r.email_id!, stale: r.sent_folder === 'copying' }));
}
