// An email activity sent from the application rides on the queue as an email with the `mailbox`
// provider; each change of such an email is handed to crm, which gives the activity the matching
// status reason. Emails of the other providers carry no activity and cost nothing here.
import type { Kysely, Transaction } from 'kysely';
import { followEmailStates } from '../crm/email-activity.follow.ts';
import type { Database, QueueProviderId } from '../store/tables.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** Re-reads the mailbox emails among these rows and lets their activities follow them. */
export async function followMailboxEmails(db: Db, rows: readonly { id: string; provider: QueueProviderId }[]): Promise<void> {
  const ids = rows.filter((r) => r.provider === 'mailbox').map((r) => r.id);
  if (ids.length === 0) return;
  const states = await db.selectFrom('email').select(['id', 'status', 'last_error_code', 'last_error_response', 'sent_at'])
    .where('id', 'in', ids).execute();
  await followEmailStates(db, states);
}
