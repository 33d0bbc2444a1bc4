// An account named by its id or its account number (US-008, any case).
import type { AppContext } from '../app-context.ts';
import { MailroomError } from '../errors.ts';

export async function findAccountRow(ctx: AppContext, ref: string, field?: string) {
  const row = await ctx.db.selectFrom('account').selectAll()
    .where((eb) => eb.or([eb('id', '=', ref), eb('account_number', '=', ref.trim().toUpperCase())])).executeTakeFirst();
  if (!row) throw new MailroomError('NOT_FOUND', { message: `No account ${ref}.`, details: field ? { field } : undefined });
  return row;
}
