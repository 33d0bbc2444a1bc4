// Failed sign-ins counted per user name and per client address, in the database so that every
// serve process and worker sees the same counts. Too many failures in a window lock that name or
// address for a while, whatever password comes next.
import { sql, type Kysely } from 'kysely';
import { MailroomError } from '../errors.ts';
import type { Database } from '../store/tables.ts';

export const SIGN_IN_THROTTLE = {
  windowMs: 15 * 60_000,
  lockMs: 15 * 60_000,
  /** Failures per user name within the window before it is locked. */
  perUser: 5,
  /** Failures per client address within the window (several users behind one address). */
  perAddress: 20,
} as const;

export interface SignInKeys {
  readonly user: string;
  readonly address: string | null;
}

export const throttleKeys = (username: string, address: string | null | undefined): SignInKeys =>
  ({ user: `user:${username.toLowerCase()}`, address: address ? `addr:${address}` : null });

const keysOf = (keys: SignInKeys) => [keys.user, ...(keys.address ? [keys.address] : [])];

/** Refuses with SIGN_IN_THROTTLED while the user name or the address is locked. */
export async function assertSignInAllowed(db: Kysely<Database>, now: number, keys: SignInKeys): Promise<void> {
  const locked = await db.selectFrom('sign_in_failure').select(['key', 'locked_until'])
    .where('key', 'in', keysOf(keys)).where('locked_until', '>', now).execute();
  if (locked.length === 0) return;
  const until = Math.max(...locked.map((r) => Number(r.locked_until)));
  const retryAfterSeconds = Math.ceil((until - now) / 1000);
  throw new MailroomError('SIGN_IN_THROTTLED', { details: { retryAfterSeconds } });
}

/** Counts one failure for each key; a key that reaches its limit is locked from now. */
export async function recordSignInFailure(db: Kysely<Database>, now: number, keys: SignInKeys): Promise<void> {
  await countFailure(db, now, keys.user, SIGN_IN_THROTTLE.perUser);
  if (keys.address) await countFailure(db, now, keys.address, SIGN_IN_THROTTLE.perAddress);
}

/** A successful sign-in clears the user name's count (not the address's: one good account must not reset it). */
export async function clearSignInFailures(db: Kysely<Database>, now: number, keys: SignInKeys): Promise<void> {
  await db.deleteFrom('sign_in_failure').where((eb) => eb.or([
    eb('key', '=', keys.user),
    eb.and([eb('window_start', '<', now - SIGN_IN_THROTTLE.windowMs), eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)])]),
  ])).execute();
}

async function countFailure(db: Kysely<Database>, now: number, key: string, limit: number): Promise<void> {
  const windowOpen = now - SIGN_IN_THROTTLE.windowMs;
  // One statement, so concurrent failures from several processes all count.
  const row = await db.insertInto('sign_in_failure').values({ key, failures: 1, window_start: now, locked_until: null })
    .onConflict((oc) => oc.column('key').doUpdateSet({
      failures: sql<number>`case when sign_in_failure.window_start < ${windowOpen} then 1 else sign_in_failure.failures + 1 end`,
      window_start: sql<number>`case when sign_in_failure.window_start < ${windowOpen} then ${now} else sign_in_failure.window_start end`,
    }))
    .returning('failures').executeTakeFirstOrThrow();
  if (Number(row.failures) >= limit) {
    await db.updateTable('sign_in_failure').set({ locked_until: now + SIGN_IN_THROTTLE.lockMs, failures: 0, window_start: now })
      .where('key', '=', key).execute();
  }
}
