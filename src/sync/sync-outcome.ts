// What a scheduled mailbox job's outcome does to the mailbox: success records the time (and says
// so after a warning); a transient failure is a warning retried on the Email settings' schedule,
// then an error that disables the channel; a permanent failure disables the channel at once.
import type { AppContext } from '../app-context.ts';
import { describeError, isMailroomError, MailroomError } from '../errors.ts';
import { toDatabaseError } from '../store/database-errors.ts';
import type { Channel } from '../store/tables.ts';
import { raiseMailboxAlert, raiseProfileAlert } from './alerts.service.ts';
import { readEmailSettings, retryIntervalMs } from './email-settings.ts';
import type { MailboxRow } from './mailboxes.service.ts';
import type { ProfileRow } from './server-profiles.service.ts';

const HOUR_MS = 3_600_000;
export const pollIntervalMs = (profile: Pick<ProfileRow, 'min_polling_minutes'>) => profile.min_polling_minutes * 60_000;

/** Writes columns only while this worker still holds the mailbox; false when the lease was lost. */
async function writeHeld(ctx: AppContext, mailbox: MailboxRow, columns: Partial<MailboxRow>): Promise<boolean> {
  const result = await ctx.db.updateTable('mailbox').set({ ...columns, claimed_by: null, lease_until: null, updated_at: ctx.clock.now() })
    .where('id', '=', mailbox.id).where('claimed_by', '=', ctx.workerId).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** startedAt: when the job began; the next poll is one interval after it (a job that held the mailbox for the interval is due again at once). */
export async function recordJobSuccess(ctx: AppContext, mailbox: MailboxRow, profile: ProfileRow, startedAt = ctx.clock.now()): Promise<void> {
  const now = ctx.clock.now();
  const held = await writeHeld(ctx, mailbox, {
    last_success_at: now, last_error_code: null, last_error_count: 0, last_error_at: null, last_error_response: null, last_error_channel: null,
    next_retry_at: null, next_poll_at: Math.max(now, startedAt + pollIntervalMs(profile)),
  });
  if (held && mailbox.last_error_count > 0) {
    await raiseMailboxAlert(ctx, mailbox, {
      level: 'information', channel: mailbox.last_error_channel ?? 'incoming',
      message: `The mailbox ${mailbox.email} synchronizes again after ${mailbox.last_error_count} failed attempt(s) (${mailbox.last_error_code}).`,
    });
  }
}

export async function recordJobFailure(ctx: AppContext, mailbox: MailboxRow, profile: ProfileRow, channel: Channel, err: unknown): Promise<void> {
  // A database fault (a deadlock, a connection lost) is retried like a busy server, not taken for a bug.
  const error = isMailroomError(err) ? err : toDatabaseError(err) ?? new MailroomError('INTERNAL', { cause: err });
  const settings = await readEmailSettings(ctx);
  const now = ctx.clock.now();
  const count = mailbox.last_error_code === error.code ? mailbox.last_error_count + 1 : 1;
  const retry = error.retryable && count <= settings.transientRetries;
  const columns: Partial<MailboxRow> = {
    last_error_code: error.code, last_error_count: count, last_error_at: now, last_error_response: error.response ?? error.message, last_error_channel: channel,
    next_retry_at: retry ? now + retryIntervalMs(settings) : null,
    next_poll_at: retry ? now + retryIntervalMs(settings) : now + pollIntervalMs(profile),
  };
  if (!retry) { columns[`${channel}_enabled`] = 0; columns[`${channel}_status`] = 'failure'; }
  if (!(await writeHeld(ctx, mailbox, columns))) return;
  const { fix } = describeError(error.code);
  const base = { code: error.code, channel, response: error.response };
  if (retry) {
    await raiseMailboxAlert(ctx, mailbox, { ...base, level: 'warning', message: `${error.message} Attempt ${count} failed; Mailroom tries again in ${settings.retryIntervalMinutes} minute(s) (${settings.transientRetries - count + 1} retries left).` });
  } else {
    const why = error.retryable ? `It kept failing after ${settings.transientRetries} retries` : 'This failure does not go away by retrying';
    await raiseMailboxAlert(ctx, mailbox, { ...base, level: 'error', message: `${error.message} ${why}, so the ${channel} channel of ${mailbox.email} is disabled until it is tested and enabled again.${fix ? ` ${fix}` : ''}` });
  }
  await checkMajorityFailure(ctx, profile);
}

/** The profile owner hears once an hour at most when more than half of the profile's mailboxes failed within the hour. */
async function checkMajorityFailure(ctx: AppContext, profile: ProfileRow): Promise<void> {
  if (profile.alert_on_majority_failure !== 1) return;
  const now = ctx.clock.now();
  const counts = await ctx.db.selectFrom('mailbox').where('profile_id', '=', profile.id)
    .select((eb) => [eb.fn.countAll<number>().as('total'), eb.fn.sum<number>(eb.case().when('last_error_at', '>', now - HOUR_MS).then(1).else(0).end()).as('failing')])
    .executeTakeFirstOrThrow();
  const total = Number(counts.total);
  const failing = Number(counts.failing ?? 0);
  if (failing * 2 <= total) return;
  const claimed = await ctx.db.updateTable('email_server_profile').set({ majority_alert_at: now }).where('id', '=', profile.id)
    .where((eb) => eb.or([eb('majority_alert_at', 'is', null), eb('majority_alert_at', '<=', now - HOUR_MS)])).executeTakeFirst();
  if (Number(claimed.numUpdatedRows) !== 1) return;
  await raiseProfileAlert(ctx, profile, {
    level: 'error',
    message: `${failing} of the ${total} mailboxes of the profile ${profile.name} failed to synchronize within the last hour.`,
  });
}
