// Alerts: information, warning and error entries on a mailbox and on the alerts wall of its
// profile's owner (and of the mailbox owner, when Email settings say so). Which levels are
// recorded is an Email setting.
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../app-context.ts';
import { describeError, ERROR_CODES, type ErrorCode } from '../errors.ts';
import type { AlertLevel, Channel } from '../store/tables.ts';
import type { User } from '../users/users.service.ts';
import { readEmailSettings } from './email-settings.ts';
import { getMailboxFor, type MailboxRow } from './mailboxes.service.ts';

export interface AlertInput {
  readonly level: AlertLevel;
  readonly message: string;
  readonly code?: string;
  readonly channel?: Channel;
  readonly response?: string;
}

export interface Alert {
  readonly id: string;
  readonly mailboxId: string | null;
  readonly profileId: string | null;
  readonly level: AlertLevel;
  readonly code: string | null;
  readonly channel: Channel | null;
  readonly message: string;
  readonly response: string | null;
  readonly fix: string | null;
  readonly createdAt: number;
}

const LEVEL_SETTING = { information: 'alertInformation', warning: 'alertWarnings', error: 'alertErrors' } as const;

/** Records an alert on the mailbox and the walls it belongs on; a level turned off in Email settings is not recorded. */
export async function raiseMailboxAlert(ctx: AppContext, mailbox: Pick<MailboxRow, 'id' | 'profile_id' | 'user_id' | 'queue_id'>, alert: AlertInput): Promise<void> {
  const settings = await readEmailSettings(ctx);
  if (!settings[LEVEL_SETTING[alert.level]]) return;
  const walls = new Set<string | null>();
  if (mailbox.profile_id) {
    const profile = await ctx.db.selectFrom('email_server_profile').select('owner_id').where('id', '=', mailbox.profile_id).executeTakeFirst();
    if (profile) walls.add(profile.owner_id);
  }
  if (settings.notifyMailboxOwner) walls.add(await mailboxOwner(ctx, mailbox));
  if (walls.size === 0) walls.add(null);
  const now = ctx.clock.now();
  for (const wall of walls) {
    await ctx.db.insertInto('mailbox_alert').values({
      id: randomUUID(), mailbox_id: mailbox.id, profile_id: mailbox.profile_id, wall_user_id: wall, level: alert.level,
      code: alert.code ?? null, channel: alert.channel ?? null, message: alert.message, response: alert.response ?? null, created_at: now,
    }).execute();
  }
  ctx.events.emit('mailbox:alert', { mailboxId: mailbox.id, profileId: mailbox.profile_id, level: alert.level, code: alert.code ?? null, channel: alert.channel ?? null });
}

/** An alert about a profile as a whole (the majority-failure alert), on its owner's wall. */
export async function raiseProfileAlert(ctx: AppContext, profile: { id: string; owner_id: string }, alert: AlertInput): Promise<void> {
  const settings = await readEmailSettings(ctx);
  if (!settings[LEVEL_SETTING[alert.level]]) return;
  await ctx.db.insertInto('mailbox_alert').values({
    id: randomUUID(), mailbox_id: null, profile_id: profile.id, wall_user_id: profile.owner_id, level: alert.level,
    code: alert.code ?? null, channel: alert.channel ?? null, message: alert.message, response: alert.response ?? null, created_at: ctx.clock.now(),
  }).execute();
  ctx.events.emit('mailbox:alert', { mailboxId: null, profileId: profile.id, level: alert.level, code: alert.code ?? null, channel: alert.channel ?? null });
}

async function mailboxOwner(ctx: AppContext, mailbox: Pick<MailboxRow, 'user_id' | 'queue_id'>): Promise<string | null> {
  if (mailbox.user_id) return mailbox.user_id;
  if (!mailbox.queue_id) return null;
  const queue = await ctx.db.selectFrom('queue').select('owner_id').where('id', '=', mailbox.queue_id).executeTakeFirst();
  return queue?.owner_id ?? null;
}

type AlertRow = { id: string; mailbox_id: string | null; profile_id: string | null; level: AlertLevel; code: string | null; channel: Channel | null; message: string; response: string | null; created_at: number };

function toAlert(row: AlertRow): Alert {
  const fix = row.code && (ERROR_CODES as string[]).includes(row.code) ? describeError(row.code as ErrorCode).fix ?? null : null;
  return { id: row.id, mailboxId: row.mailbox_id, profileId: row.profile_id, level: row.level, code: row.code, channel: row.channel, message: row.message, response: row.response, fix, createdAt: row.created_at };
}

const COLUMNS = ['id', 'mailbox_id', 'profile_id', 'level', 'code', 'channel', 'message', 'response', 'created_at'] as const;

/** One mailbox's alerts, newest first, one entry each (not one per wall). */
export async function mailboxAlerts(ctx: AppContext, actor: User, ref: string, limit = 100): Promise<Alert[]> {
  const mailbox = await getMailboxFor(ctx, actor, ref);
  const rows = await ctx.db.selectFrom('mailbox_alert').select(COLUMNS).where('mailbox_id', '=', mailbox.id)
    .orderBy('created_at', 'desc').orderBy('id').limit(limit * 3).execute();
  const seen = new Set<string>();
  return rows.filter((r) => { const k = `${r.created_at}|${r.level}|${r.message}`; if (seen.has(k)) return false; seen.add(k); return true; })
    .slice(0, limit).map(toAlert);
}

/** The user's alerts wall: what was raised on the profiles they own (and their mailboxes, when notified), newest first. */
export async function alertsWall(ctx: AppContext, user: User, limit = 100): Promise<Alert[]> {
  const rows = await ctx.db.selectFrom('mailbox_alert').select(COLUMNS).where('wall_user_id', '=', user.id)
    .orderBy('created_at', 'desc').orderBy('id').limit(limit).execute();
  return rows.map(toAlert);
}
