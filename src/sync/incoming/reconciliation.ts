// Reconciliation, the proof of no silent loss: per evaluated folder, what the server holds since the
// process-from date (UIDs and Message-IDs, listed cheaply) against what Mailroom processed. Every
// message is tracked, skipped with its reason, failing (retried), set aside as undeliverable, or not
// yet seen (after the cursor); anything else is a gap, kept on the mailbox and raised as an alert.
import type { AppContext } from '../../app-context.ts';
import { isMailroomError } from '../../errors.ts';
import type { MailboxConnector, ServerMessageRef } from '../connectors/connector.ts';
import { raiseMailboxAlert } from '../alerts.service.ts';
import type { MailboxRow } from '../mailboxes.service.ts';
import type { SyncOutcome } from '../../store/tables.ts';
import * as records from './sync-message.repository.ts';

/** At most this many gaps are listed per folder (all are counted). */
const LISTED_GAPS = 200;
export const RECONCILE_EVERY_MS = 24 * 3_600_000;

export interface ReconciledGap {
  readonly uid: string;
  readonly messageId: string | null;
  readonly receivedAt: number | null;
}

export interface FolderReconciliation {
  readonly folder: string;
  readonly uidValidity: string;
  readonly onServer: number;
  readonly tracked: number;
  readonly skipped: number;
  readonly failing: number;
  readonly undeliverable: number;
  readonly notYetSeen: number;
  readonly gapCount: number;
  readonly gaps: readonly ReconciledGap[];
}

export interface Reconciliation {
  readonly mailboxId: string;
  readonly ranAt: number;
  readonly gaps: number;
  readonly folders: readonly FolderReconciliation[];
}

const OUTCOME_FIELD: Record<SyncOutcome, 'tracked' | 'skipped' | 'failing' | 'undeliverable'> = {
  tracked: 'tracked', skipped: 'skipped', failed: 'failing', undeliverable: 'undeliverable',
};

async function reconcileFolder(ctx: AppContext, connector: MailboxConnector, mailboxId: string, folder: string, since: Date | null): Promise<FolderReconciliation> {
  const cursor = await records.cursorRow(ctx.db, mailboxId, folder);
  const counts = { onServer: 0, tracked: 0, skipped: 0, failing: 0, undeliverable: 0, notYetSeen: 0, gapCount: 0 };
  const gaps: ReconciledGap[] = [];
  let uidValidity = '';
  let batch: ServerMessageRef[] = [];
  // The process-from date moved earlier than the folder was read from: what is older than that is read on the next cycle.
  const readFrom = cursor?.read_from === null || cursor?.read_from === undefined ? null : Number(cursor.read_from);
  const rereadBefore = readFrom !== null && records.readFromOf(since?.getTime() ?? null) < readFrom ? readFrom : null;
  // A message without a record is not yet seen when the pull has not reached it: after the IMAP
  // cursor, or (POP3, no cursor) arrived after the last complete pass began, or older than the
  // date the folder was read from while it waits to be read again from an earlier one.
  const reached = (ref: ServerMessageRef) => {
    if (!cursor) return false;
    if (rereadBefore !== null && ref.receivedAt !== null && ref.receivedAt.getTime() < rereadBefore) return false;
    if (connector.type === 'pop3') return ref.receivedAt !== null && ref.receivedAt.getTime() < cursor.updated_at;
    return cursor.uid_validity === ref.uidValidity && Number(ref.uid) <= Number(cursor.last_uid);
  };
  const flush = async () => {
    if (!batch.length) return;
    const outcomes = await records.outcomesOf(ctx.db, mailboxId, batch);
    for (const ref of batch) {
      const outcome = outcomes.get(ref.uid);
      if (outcome) counts[OUTCOME_FIELD[outcome]]++;
      else if (!reached(ref)) counts.notYetSeen++;
      else {
        counts.gapCount++;
        if (gaps.length < LISTED_GAPS) gaps.push({ uid: ref.uid, messageId: ref.messageId, receivedAt: ref.receivedAt?.getTime() ?? null });
      }
    }
    batch = [];
  };
  for await (const ref of connector.list(folder, since)) {
    counts.onServer++;
    uidValidity = ref.uidValidity;
    batch.push(ref);
    if (batch.length >= 500) await flush();
  }
  await flush();
  return { folder, uidValidity, ...counts, gaps };
}

/**
 * Reconciles the folders, keeps the result on the mailbox (with the request it answers, when one
 * asked for it), and raises an alert when there is a gap.
 */
export async function reconcileMailbox(ctx: AppContext, connector: MailboxConnector, mailbox: Pick<MailboxRow, 'id' | 'email' | 'profile_id' | 'user_id' | 'queue_id'>, folders: readonly string[], processFrom: number | null, requestedAt: number | null = null): Promise<Reconciliation> {
  const since = processFrom === null ? null : new Date(processFrom);
  const results: FolderReconciliation[] = [];
  for (const folder of folders) {
    try {
      results.push(await reconcileFolder(ctx, connector, mailbox.id, folder, since));
    } catch (err) {
      // A folder rule's folder that is gone is already a warning of the cycle; the Inbox is never skipped.
      if (folder === 'INBOX' || !isMailroomError(err) || err.code !== 'MAILBOX_FOLDER_MISSING') throw err;
    }
  }
  const result: Reconciliation = { mailboxId: mailbox.id, ranAt: ctx.clock.now(), gaps: results.reduce((n, f) => n + f.gapCount, 0), folders: results };
  const values = { ran_at: result.ranAt, gaps: result.gaps, result: JSON.stringify(result), requested_at: requestedAt };
  await ctx.db.insertInto('sync_reconciliation').values({ mailbox_id: mailbox.id, ...values })
    .onConflict((oc) => oc.column('mailbox_id').doUpdateSet(values)).execute();
  if (result.gaps > 0) {
    const where = results.filter((f) => f.gapCount > 0).map((f) => `${f.gapCount} in ${f.folder}`).join(', ');
    await raiseMailboxAlert(ctx, mailbox, {
      level: 'error', channel: 'incoming', code: 'RECONCILIATION_GAP',
      message: `Reconciliation of ${mailbox.email}: ${result.gaps} message(s) on the server were never processed (${where}).`,
    });
  }
  return result;
}

export async function lastReconciliation(ctx: AppContext, mailboxId: string): Promise<Reconciliation | null> {
  const row = await ctx.db.selectFrom('sync_reconciliation').select('result').where('mailbox_id', '=', mailboxId).executeTakeFirst();
  return row ? (JSON.parse(row.result) as Reconciliation) : null;
}

/** The stored result when it answers a request made at `at` or later; null before. */
export async function reconciliationAnswering(ctx: AppContext, mailboxId: string, at: number): Promise<Reconciliation | null> {
  const row = await ctx.db.selectFrom('sync_reconciliation').select('result').where('mailbox_id', '=', mailboxId).where('requested_at', '>=', at).executeTakeFirst();
  return row ? (JSON.parse(row.result) as Reconciliation) : null;
}

export async function reconciliationDue(ctx: AppContext, mailboxId: string): Promise<boolean> {
  const row = await ctx.db.selectFrom('sync_reconciliation').select('ran_at').where('mailbox_id', '=', mailboxId).executeTakeFirst();
  return !row || Number(row.ran_at) + RECONCILE_EVERY_MS <= ctx.clock.now();
}
