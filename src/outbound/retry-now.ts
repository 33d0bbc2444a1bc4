// "Retry now": an administrator brings a waiting or deferred email's next try forward to now, and
// the distributor is woken to take it (with everything else that is due) at once.
import type { AppContext } from '../app-context.ts';
import { MailroomError } from '../errors.ts';
import * as repo from './email.repository.ts';
import { toView, type EmailView } from './email-view.ts';

/** Brings the email's next try forward to now; the change is logged like every other, with who asked. */
export async function retryNow(ctx: AppContext, id: string, actorId?: string): Promise<EmailView> {
  const now = ctx.clock.now();
  const result = await ctx.db.updateTable('email').set({ next_attempt_at: now, updated_at: now })
    .where('id', '=', id).where('status', 'in', ['waiting', 'deferred']).executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) {
    if (!(await repo.findEmail(ctx.db, id))) throw new MailroomError('NOT_FOUND', { message: 'No such email.' });
    throw new MailroomError('NOT_RETRYABLE_NOW');
  }
  const row = (await repo.findEmail(ctx.db, id))!;
  ctx.events.emit('email:changed', { id, event: 'retry-now', status: row.status, provider: row.provider, nextAttemptAt: now, ...(actorId ? { actor: actorId } : {}) });
  ctx.events.emit('email:queued', id);
  return toView(row);
}
