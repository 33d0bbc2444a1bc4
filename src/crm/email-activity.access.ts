// Who reads which email activity. Administrators read all. A user reads the activities they own;
// those synchronized through or sent from a mailbox of theirs — their own mailbox, or the mailbox
// of a queue they own or belong to; and those a queue of theirs (or they) accepted. A Draft is its
// owner's unsent work: only its owner (and an administrator) reads it. The rule is one SQL
// condition (readableBy), so a list is filtered by the database and a page is never short.
import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import type { AppContext } from '../app-context.ts';
import { MailroomError } from '../errors.ts';
import type { Database } from '../store/tables.ts';
import { mailboxIdsOf } from '../sync/mailboxes.service.ts';
import type { User } from '../users/users.service.ts';
import { queueIdsOf } from './queues.service.ts';

export type ActivityReader =
  | { readonly all: true }
  | { readonly all: false; readonly userId: string; readonly queueIds: readonly string[]; readonly mailboxIds: readonly string[] };

/** What a user may read, looked up once per request. */
export async function activityReader(ctx: AppContext, user: Pick<User, 'id' | 'role'>): Promise<ActivityReader> {
  if (user.role === 'admin') return { all: true };
  const queueIds = await queueIdsOf(ctx, user.id);
  return { all: false, userId: user.id, queueIds, mailboxIds: await mailboxIdsOf(ctx, user.id, queueIds) };
}

/** The rule as a condition on email_activity. */
export function readableBy(eb: ExpressionBuilder<Database, 'email_activity'>, reader: ActivityReader): Expression<SqlBool> {
  if (reader.all) return eb.lit(true);
  const { userId, queueIds, mailboxIds } = reader;
  const shared: Expression<SqlBool>[] = [eb.and([eb('email_activity.accepting_type', '=', 'user'), eb('email_activity.accepting_id', '=', userId)])];
  if (queueIds.length) shared.push(eb.and([eb('email_activity.accepting_type', '=', 'queue'), eb('email_activity.accepting_id', 'in', [...queueIds])]));
  if (mailboxIds.length) {
    shared.push(eb.exists(eb.selectFrom('email_activity_mailbox as am').select('am.activity_id')
      .whereRef('am.activity_id', '=', 'email_activity.id').where('am.mailbox_id', 'in', [...mailboxIds])));
  }
  return eb.or([eb('email_activity.owner_id', '=', userId), eb.and([eb('email_activity.status', '!=', 'draft'), eb.or(shared)])]);
}

/** Refuses (NOT_FOUND, as for an id that does not exist) an activity the reader may not read. */
export async function assertReadable(ctx: AppContext, reader: ActivityReader, id: string): Promise<void> {
  const row = await ctx.db.selectFrom('email_activity').select('id').where('id', '=', id).where((eb) => readableBy(eb, reader)).executeTakeFirst();
  if (!row) throw new MailroomError('NOT_FOUND', { message: `No email activity ${id}.` });
}

/** assertReadable for a user: what send, cancel, resend, change and delete check first. */
export const assertUserReads = async (ctx: AppContext, user: Pick<User, 'id' | 'role'>, id: string) => assertReadable(ctx, await activityReader(ctx, user), id);
