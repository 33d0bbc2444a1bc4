// Waking the emails that wait for a mailbox, when what they waited for has happened.
import type { AppContext } from '../../app-context.ts';

/**
 * Emails of this mailbox that wait for it become due now: called when it is approved or passes
 * Test and enable, so they go out without waiting for their next look.
 */
export async function wakeWaitingEmails(ctx: AppContext, mailboxId: string): Promise<number> {
  const now = ctx.clock.now();
  const result = await ctx.db.updateTable('email').set({ next_attempt_at: now, updated_at: now })
    .where('mailbox_id', '=', mailboxId).where('status', 'in', ['waiting', 'deferred']).where('next_attempt_at', '>', now)
    .executeTakeFirst();
  const woken = Number(result.numUpdatedRows);
  if (woken > 0) ctx.events.emit('email:queued', mailboxId);
  return woken;
}

/** Every mailbox's waiting emails become due now: Email settings stopped requiring approval. */
export async function wakeAllWaitingEmails(ctx: AppContext): Promise<number> {
  const now = ctx.clock.now();
  const result = await ctx.db.updateTable('email').set({ next_attempt_at: now, updated_at: now })
    .where('provider', '=', 'mailbox').where('status', 'in', ['waiting', 'deferred']).where('next_attempt_at', '>', now)
    .executeTakeFirst();
  const woken = Number(result.numUpdatedRows);
  if (woken > 0) ctx.events.emit('email:queued', 'mailbox');
  return woken;
}
