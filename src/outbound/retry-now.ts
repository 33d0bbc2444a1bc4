// "Retry now": an administrator brings a waiting or deferred email's next try forward to now, and
// the distributor is woken to take it (with everything else that is due) at once.
import type { AppContext } from '../app-context.ts';
import { MailroomError } from '../errors.ts';
import * as repo from './email.repository.ts';
import { toView, type EmailView } from './email-view.ts';

export async function retryNow(ctx: AppContext, id: string): Promise<EmailView> {
  const now = ctx.clock.now();
  const result = await ctx.db.updateTable('email').set({ next_attempt_at: now, updated_at: now })
    .where('id', '=', id).where('status', 'in', ['waiting', 'deferred']).executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) {
    if (!(await repo.findEmail(ctx.db, id))) throw new MailroomError('NOT_FOUND', { message: 'No such email.' });
    throw new MailroomError('NOT_RETRYABLE_NOW');
  }
  ctx.events.emit('email:queued', id);
  return toView((await repo.findEmail(ctx.db, id))!);
}
