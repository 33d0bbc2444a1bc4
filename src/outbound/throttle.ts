import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/tables.ts';

/**
 * Takes one send from a provider's per-minute allowance, shared by every worker through the
 * database. Returns false when this minute's allowance is used up. `force` counts the send
 * without asking (an email deferred too often goes out regardless).
 */
export async function takeSendSlot(db: Kysely<Database>, args: { provider: string; minute: number; limit: number; force?: boolean }): Promise<boolean> {
  const { provider, minute, limit, force = false } = args;
  if (limit <= 0) return true;
  const row = await db.insertInto('throttle_window').values({ provider, minute, sent: 1 })
    .onConflict((oc) => {
      const update = oc.columns(['provider', 'minute']).doUpdateSet({ sent: sql`throttle_window.sent + 1` });
      return force ? update : update.where('throttle_window.sent', '<', limit);
    })
    .returning('sent')
    .executeTakeFirst();
  return row !== undefined;
}

/** Old windows are of no use once their minute has passed. */
export async function pruneWindows(db: Kysely<Database>, beforeMinute: number): Promise<void> {
  await db.deleteFrom('throttle_window').where('minute', '<', beforeMinute).execute();
}
