// The tracking token of an email sent from the application: Email settings' format with the
// sender's user number (given once, from the base tracking number up) and the sender's message
// counter (which wraps at its digits). The subject carries the token at its end, within the 255
// characters a mail server keeps; the subject is shortened to make room, and a token that alone
// would not fit is left out.
import { sql } from 'kysely';
import type { AppContext } from '../../app-context.ts';
import type { EmailSettings } from '../email-settings.ts';
import { formatToken } from '../incoming/tracking-token.ts';

export const MAX_SUBJECT_LENGTH = 255;

/** The next token for this user, or null when Email settings turn tracking tokens off. */
export async function nextTrackingToken(ctx: AppContext, userId: string, settings: EmailSettings): Promise<string | null> {
  if (!settings.useTrackingTokens) return null;
  const { userNumber, counter } = await takeCounter(ctx, userId, settings.trackingTokenBase);
  return formatToken({ prefix: settings.trackingTokenPrefix, userDigits: settings.trackingTokenUserDigits, counterDigits: settings.trackingTokenCounterDigits }, userNumber, counter);
}

async function takeCounter(ctx: AppContext, userId: string, base: number): Promise<{ userNumber: number; counter: number }> {
  for (let tries = 0; ; tries++) {
    const taken = await ctx.db.updateTable('tracking_number').set({ counter: sql`counter + 1` })
      .where('user_id', '=', userId).returning(['user_number', 'counter']).executeTakeFirst();
    if (taken) return { userNumber: Number(taken.user_number), counter: Number(taken.counter) };
    // A new sender: the next number after the highest given (base + 1 for the first). Two new
    // senders at once may pick the same number; the unique index refuses one, which tries again.
    const highest = await ctx.db.selectFrom('tracking_number').select((eb) => eb.fn.max('user_number').as('n')).executeTakeFirst();
    const number = Math.max(Number(highest?.n ?? 0), base) + 1;
    try {
      await ctx.db.insertInto('tracking_number').values({ user_id: userId, user_number: number, counter: 0 })
        .onConflict((oc) => oc.column('user_id').doNothing()).execute();
    } catch (err) {
      if (tries >= 5) throw err;
    }
  }
}

/** The subject as sent: the token at the end, the subject cut to fit 255 characters; no token when it alone is too long. */
export function subjectWithToken(subject: string, token: string | null, max = MAX_SUBJECT_LENGTH): string {
  // Counted in code points, so a cut never splits a character in two.
  const chars = Array.from(subject);
  if (!token || token.length > max) return chars.slice(0, max).join('');
  if (chars.length === 0) return token;
  const room = max - token.length - 1;
  return `${chars.slice(0, Math.max(room, 0)).join('')} ${token}`.trimStart();
}
