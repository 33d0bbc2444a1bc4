// A mailbox's incoming sync status: its health, the last cycle's time and error, the counts of
// processed messages per outcome, every message that fails or was set aside with its reason, the
// folders' cursors and the last reconciliation. A gap, a disabled channel or a failing message
// means the mailbox is not shown as healthy: mail that does not arrive is never silent.
import type { AppContext } from '../../app-context.ts';
import type { User } from '../../users/users.service.ts';
import { getMailboxFor, type MailboxRow } from '../mailboxes.service.ts';
import { lastReconciliation, RECONCILE_EVERY_MS, type Reconciliation } from './reconciliation.ts';
import { syncBlocker } from './sync-now.ts';

export const HEALTH_LEVELS = ['healthy', 'warning', 'error', 'not-synchronizing'] as const;
export type Health = (typeof HEALTH_LEVELS)[number];

/** At most this many failing or undeliverable messages are listed (newest first; all are counted). */
const LISTED_FAILURES = 100;

export interface MessageFailure {
  readonly folder: string;
  readonly uid: string;
  readonly messageId: string | null;
  readonly outcome: 'failed' | 'undeliverable';
  readonly reason: string | null;
  readonly code: string | null;
  readonly attempts: number;
  readonly at: number;
}

export interface SyncStatus {
  readonly mailboxId: string;
  readonly email: string;
  readonly health: Health;
  /** Why the health is not "healthy", one sentence each. */
  readonly reasons: readonly string[];
  readonly lastSuccessAt: number | null;
  readonly lastError: { readonly code: string; readonly count: number; readonly at: number | null; readonly response: string | null } | null;
  readonly nextPollAt: number;
  /** The worker that holds the mailbox now (synchronizing it, or watching its Inbox with IDLE). */
  readonly heldBy: { readonly worker: string; readonly until: number } | null;
  readonly counts: { readonly tracked: number; readonly skipped: number; readonly failing: number; readonly undeliverable: number };
  readonly failures: readonly MessageFailure[];
  readonly folders: readonly { readonly folder: string; readonly uidValidity: string; readonly lastUid: number; readonly updatedAt: number }[];
  readonly reconciliation: Reconciliation | null;
}

async function outcomeCounts(ctx: AppContext, mailboxId: string) {
  const rows = await ctx.db.selectFrom('sync_message').select(['outcome', (eb) => eb.fn.countAll<number>().as('n')])
    .where('mailbox_id', '=', mailboxId).groupBy('outcome').execute();
  const n = (o: string) => Number(rows.find((r) => r.outcome === o)?.n ?? 0);
  return { tracked: n('tracked'), skipped: n('skipped'), failing: n('failed'), undeliverable: n('undeliverable') };
}

function healthOf(row: MailboxRow, blocked: string | null, counts: SyncStatus['counts'], reconciliation: Reconciliation | null, now: number, folderWarnings: readonly string[]): { health: Health; reasons: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [...folderWarnings];
  if (reconciliation && reconciliation.gaps > 0) errors.push(`Reconciliation found ${reconciliation.gaps} message(s) on the server that were never processed.`);
  if (row.incoming_status === 'failure' || (row.incoming_enabled === 0 && row.last_error_code)) errors.push(`The incoming channel is disabled after ${row.last_error_code ?? 'a failed test'}.`);
  if (row.last_error_code && row.incoming_enabled === 1) warnings.push(`The last cycle failed (${row.last_error_code}, ${row.last_error_count} time(s)); it is retried.`);
  if (counts.failing > 0) warnings.push(`${counts.failing} message(s) failed and are retried on the next cycles.`);
  if (counts.undeliverable > 0) warnings.push(`${counts.undeliverable} message(s) were set aside as undeliverable.`);
  if (reconciliation && reconciliation.ranAt + 2 * RECONCILE_EVERY_MS < now) warnings.push('The last reconciliation is more than two days old.');
  if (errors.length) return { health: 'error', reasons: [...errors, ...warnings] };
  if (blocked) return { health: 'not-synchronizing', reasons: [blocked, ...warnings] };
  if (warnings.length) return { health: 'warning', reasons: warnings };
  return { health: 'healthy', reasons: [] };
}

export async function mailboxSyncStatus(ctx: AppContext, actor: User, ref: string): Promise<SyncStatus> {
  const row = await getMailboxFor(ctx, actor, ref);
  const [counts, reconciliation, blocker] = [await outcomeCounts(ctx, row.id), await lastReconciliation(ctx, row.id), await syncBlocker(ctx, row)];
  const failed = await ctx.db.selectFrom('sync_message').selectAll().where('mailbox_id', '=', row.id).where('outcome', 'in', ['failed', 'undeliverable'])
    .orderBy('updated_at', 'desc').orderBy('uid').limit(LISTED_FAILURES).execute();
  const cursors = await ctx.db.selectFrom('sync_folder_cursor').selectAll().where('mailbox_id', '=', row.id).orderBy('folder').execute();
  // A folder rule whose folder is gone is raised once a day by the cycle; until then it stays a reason here.
  const folderWarnings = await ctx.db.selectFrom('mailbox_alert').select('message').distinct().where('mailbox_id', '=', row.id)
    .where('code', '=', 'MAILBOX_FOLDER_MISSING').where('created_at', '>', ctx.clock.now() - RECONCILE_EVERY_MS).execute();
  const { health, reasons } = healthOf(row, blocker?.message ?? null, counts, reconciliation, ctx.clock.now(), folderWarnings.map((w) => w.message));
  return {
    mailboxId: row.id, email: row.email, health, reasons, lastSuccessAt: row.last_success_at,
    lastError: row.last_error_code ? { code: row.last_error_code, count: row.last_error_count, at: row.last_error_at, response: row.last_error_response } : null,
    nextPollAt: row.next_poll_at, counts,
    heldBy: row.claimed_by && row.lease_until !== null && Number(row.lease_until) > ctx.clock.now() ? { worker: row.claimed_by, until: Number(row.lease_until) } : null,
    failures: failed.map((f) => ({
      folder: f.folder, uid: f.uid, messageId: f.message_id, outcome: f.outcome as 'failed' | 'undeliverable', reason: f.reason, code: f.error_code, attempts: Number(f.attempts), at: Number(f.updated_at),
    })),
    folders: cursors.map((c) => ({ folder: c.folder, uidValidity: c.uid_validity, lastUid: Number(c.last_uid), updatedAt: Number(c.updated_at) })),
    reconciliation,
  };
}
