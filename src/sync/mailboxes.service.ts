// Mailboxes: one per user and one per queue, made with the Email settings defaults. Per channel
// the synchronization method, whether it is enabled and its last test; the credentials sealed;
// the approval of the email address; the scheduler's bookkeeping (last success, last error,
// next retry, lease).
import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { AppContext } from '../app-context.ts';
import { MailroomError } from '../errors.ts';
import { CHANNELS, SYNC_METHODS, type Channel, type MailboxTable, type SyncMethod } from '../store/tables.ts';
import type { User } from '../users/users.service.ts';
import { readEmailSettings } from './email-settings.ts';
import { findProfileRow, parseDate } from './server-profiles.service.ts';

export type MailboxRow = Selectable<MailboxTable>;

export interface ChannelTest {
  readonly status: 'success' | 'failure';
  /** The step that failed (connect, tls, greeting, login…), or the last one that passed. */
  readonly step: string;
  readonly steps: readonly { readonly step: string; readonly ok: boolean; readonly detail: string }[];
  readonly code?: string;
  readonly message?: string;
  /** The server's own words. */
  readonly response?: string;
  readonly at: number;
}

export interface MailboxView {
  readonly id: string;
  readonly ownerKind: 'user' | 'queue';
  readonly userId: string | null;
  readonly queueId: string | null;
  readonly email: string;
  readonly profileId: string | null;
  readonly channels: Record<Channel, { readonly method: SyncMethod; readonly enabled: boolean; readonly status: string; readonly test: ChannelTest | null }>;
  readonly allowCredentials: boolean;
  readonly username: string;
  readonly passwordSet: boolean;
  readonly deleteAfterProcessing: boolean;
  readonly processAfter: string | null;
  readonly approval: { readonly status: string; readonly by: string | null; readonly at: number | null };
  readonly lastSuccessAt: number | null;
  readonly lastError: { readonly code: string; readonly count: number; readonly at: number | null; readonly channel: string | null; readonly response: string | null } | null;
  readonly nextRetryAt: number | null;
  readonly nextPollAt: number;
  readonly lease: { readonly worker: string; readonly until: number } | null;
}

export function toMailboxView(row: MailboxRow, now: number): MailboxView {
  const tests = JSON.parse(row.test_results) as Partial<Record<Channel, ChannelTest>>;
  const channel = (c: Channel) => ({
    method: row[`${c}_method`], enabled: row[`${c}_enabled`] === 1, status: row[`${c}_status`], test: tests[c] ?? null,
  });
  return {
    id: row.id, ownerKind: row.owner_kind, userId: row.user_id, queueId: row.queue_id, email: row.email, profileId: row.profile_id,
    channels: { incoming: channel('incoming'), outgoing: channel('outgoing'), act: channel('act') },
    allowCredentials: row.allow_credentials === 1, username: row.username, passwordSet: row.password_sealed !== '',
    deleteAfterProcessing: row.delete_after_processing === 1,
    processAfter: row.process_after === null ? null : new Date(row.process_after).toISOString(),
    approval: { status: row.approval, by: row.approved_by, at: row.approved_at },
    lastSuccessAt: row.last_success_at,
    lastError: row.last_error_code === null ? null : {
      code: row.last_error_code, count: row.last_error_count, at: row.last_error_at, channel: row.last_error_channel, response: row.last_error_response,
    },
    nextRetryAt: row.next_retry_at, nextPollAt: row.next_poll_at,
    lease: row.claimed_by && row.lease_until !== null && row.lease_until > now ? { worker: row.claimed_by, until: row.lease_until } : null,
  };
}

/** A new mailbox's columns from the Email settings defaults. */
async function newMailboxRow(ctx: AppContext, owner: { kind: 'user' | 'queue'; id: string; email: string }): Promise<MailboxRow> {
  const s = await readEmailSettings(ctx);
  const now = ctx.clock.now();
  let profileId = s.defaultProfileId;
  if (profileId === null) {
    const flagged = await ctx.db.selectFrom('email_server_profile').select('id').where('is_default', '=', 1).executeTakeFirst();
    profileId = flagged?.id ?? null;
  }
  return {
    id: randomUUID(), owner_kind: owner.kind, user_id: owner.kind === 'user' ? owner.id : null, queue_id: owner.kind === 'queue' ? owner.id : null,
    email: owner.email, profile_id: profileId, incoming_method: s.defaultIncoming, outgoing_method: s.defaultOutgoing, act_method: 'none',
    allow_credentials: 0, username: '', password_sealed: '', delete_after_processing: 0, process_after: null,
    incoming_enabled: 0, outgoing_enabled: 0, act_enabled: 0, incoming_status: 'not-run', outgoing_status: 'not-run', act_status: 'not-run',
    test_results: '{}', approval: owner.email ? 'pending' : 'empty', approved_by: null, approved_at: null, last_success_at: null,
    last_error_code: null, last_error_count: 0, last_error_at: null, last_error_response: null, last_error_channel: null,
    next_retry_at: null, next_poll_at: now, claimed_by: null, lease_until: null, sync_requested_at: null, last_cycle: null, reconcile_requested_at: null, created_at: now, updated_at: now,
  };
}

export async function createUserMailbox(ctx: AppContext, user: { id: string; email: string }): Promise<void> {
  await ctx.db.insertInto('mailbox').values(await newMailboxRow(ctx, { kind: 'user', id: user.id, email: user.email })).execute();
}

export async function createQueueMailbox(ctx: AppContext, queue: { id: string; email: string }): Promise<void> {
  await ctx.db.insertInto('mailbox').values(await newMailboxRow(ctx, { kind: 'queue', id: queue.id, email: queue.email })).execute();
}

/** A user's new address is a new mailbox address: it needs approving again. */
export async function followUserEmail(ctx: AppContext, userId: string, email: string): Promise<void> {
  await ctx.db.updateTable('mailbox').set({ email, approval: 'pending', approved_by: null, approved_at: null, updated_at: ctx.clock.now() })
    .where('user_id', '=', userId).where('email', '!=', email).execute();
}

/** A mailbox by its id or its email address. */
export async function findMailboxRow(ctx: AppContext, ref: string): Promise<MailboxRow> {
  const row = await ctx.db.selectFrom('mailbox').selectAll().where('id', '=', ref).executeTakeFirst()
    ?? await ctx.db.selectFrom('mailbox').selectAll().where((eb) => eb(eb.fn('lower', ['email']), '=', ref.toLowerCase())).orderBy('owner_kind', 'desc').executeTakeFirst();
  if (!row) throw new MailroomError('NOT_FOUND', { message: `No mailbox ${ref}.` });
  return row;
}

/** Administrators see every mailbox; a user their own and their queues' (owned or as a member). */
export async function mayView(ctx: AppContext, actor: User, row: MailboxRow): Promise<boolean> {
  if (actor.role === 'admin' || row.user_id === actor.id) return true;
  if (!row.queue_id) return false;
  const queue = await ctx.db.selectFrom('queue').select('owner_id').where('id', '=', row.queue_id).executeTakeFirst();
  if (queue?.owner_id === actor.id) return true;
  return !!(await ctx.db.selectFrom('queue_member').select('user_id').where('queue_id', '=', row.queue_id).where('user_id', '=', actor.id).executeTakeFirst());
}

/** The mailboxes a user's email comes through: their own, and those of the queues given (theirs). */
export async function mailboxIdsOf(ctx: AppContext, userId: string, queueIds: readonly string[]): Promise<string[]> {
  const rows = await ctx.db.selectFrom('mailbox').select('id')
    .where((eb) => eb.or([eb('user_id', '=', userId), ...(queueIds.length ? [eb('queue_id', 'in', [...queueIds])] : [])])).execute();
  return rows.map((r) => r.id);
}

export async function getMailboxFor(ctx: AppContext, actor: User, ref: string): Promise<MailboxRow> {
  const row = await findMailboxRow(ctx, ref);
  if (!(await mayView(ctx, actor, row))) throw new MailroomError('NOT_FOUND', { message: `No mailbox ${ref}.` });
  return row;
}

export async function listMailboxes(ctx: AppContext, actor: User): Promise<MailboxView[]> {
  const rows = await ctx.db.selectFrom('mailbox').selectAll().orderBy('email').orderBy('id').execute();
  const visible: MailboxView[] = [];
  for (const row of rows) if (await mayView(ctx, actor, row)) visible.push(toMailboxView(row, ctx.clock.now()));
  return visible;
}

export interface MailboxChange {
  /** A profile id or name; null: none. */
  readonly profile?: string | null;
  readonly incoming?: string;
  readonly outgoing?: string;
  readonly act?: string;
  readonly allowCredentials?: boolean;
  readonly username?: string;
  readonly password?: string | null;
  readonly deleteAfterProcessing?: boolean;
  readonly processAfter?: string | null;
}

/** What a user may change on their own mailbox; the rest is the administrator's. */
const OWNER_FIELDS: readonly (keyof MailboxChange)[] = ['allowCredentials', 'username', 'password'];

const invalid = (field: string, message: string) => new MailroomError('INVALID_PARAMETER', { message: `${field}: ${message}`, details: [{ field, message }] });

function checkMethod(field: string, value: string): SyncMethod {
  if (!(SYNC_METHODS as readonly string[]).includes(value)) throw invalid(field, `Choose one of: ${SYNC_METHODS.join(', ')}.`);
  return value as SyncMethod;
}

export async function updateMailbox(ctx: AppContext, actor: User, ref: string, change: MailboxChange): Promise<MailboxView> {
  const row = await getMailboxFor(ctx, actor, ref);
  if (actor.role !== 'admin') {
    const other = Object.keys(change).filter((k) => !OWNER_FIELDS.includes(k as keyof MailboxChange));
    if (row.user_id !== actor.id || other.length > 0) {
      throw new MailroomError('FORBIDDEN', { message: `Only administrators may change ${other.join(', ') || 'this mailbox'}; you may set your own mailbox's user name, password and use of credentials.` });
    }
  }
  const next: MailboxRow = { ...row, updated_at: ctx.clock.now() };
  if (change.profile !== undefined) next.profile_id = change.profile === null ? null : (await findProfileRow(ctx, change.profile)).id;
  if (change.incoming !== undefined) next.incoming_method = checkMethod('incoming', change.incoming);
  if (change.outgoing !== undefined) next.outgoing_method = checkMethod('outgoing', change.outgoing);
  if (change.act !== undefined) next.act_method = checkMethod('act', change.act);
  if (change.allowCredentials !== undefined) next.allow_credentials = change.allowCredentials ? 1 : 0;
  if (change.username !== undefined) {
    if (change.username.length > 320 || /[\r\n\s]/.test(change.username)) throw invalid('username', 'Use at most 320 characters, without spaces or line breaks.');
    next.username = change.username;
  }
  if (change.password && /[\r\n]/.test(change.password)) throw invalid('password', 'A password cannot contain line breaks.');
  if (change.password !== undefined) next.password_sealed = change.password ? ctx.secrets.seal(change.password) : '';
  if (change.deleteAfterProcessing !== undefined) next.delete_after_processing = change.deleteAfterProcessing ? 1 : 0;
  if (change.processAfter !== undefined) next.process_after = change.processAfter === null ? null : parseDate('processAfter', change.processAfter);
  if (next.act_method === 'sss' && next.profile_id !== null) {
    const profile = await findProfileRow(ctx, next.profile_id);
    if (profile.server_type === 'imap' || profile.server_type === 'pop3') {
      throw new MailroomError('MAILBOX_CHANNEL_UNSUPPORTED', { message: `Appointments, contacts and tasks cannot be synchronized over ${profile.server_type.toUpperCase()}; set them to none.`, details: { field: 'act', serverType: profile.server_type } });
    }
  }
  // A changed server, method or credential means the last tests no longer say anything: test again.
  const retest = (['profile', 'incoming', 'outgoing', 'act', 'username', 'password', 'allowCredentials'] as const).some((k) => change[k] !== undefined);
  if (retest) {
    for (const c of CHANNELS) { next[`${c}_enabled`] = 0; next[`${c}_status`] = 'not-run'; }
    next.test_results = '{}';
  }
  const { id, created_at, ...columns } = next;
  await ctx.db.updateTable('mailbox').set(columns).where('id', '=', id).execute();
  return toMailboxView(next, ctx.clock.now());
}

/** The credentials a channel signs in with: the mailbox's or the profile's, as the profile says. */
export function credentialsFor(ctx: AppContext, mailbox: MailboxRow, profile: { credentials_from: string; username: string; password_sealed: string; outgoing_same_settings: number; outgoing_username: string; outgoing_password_sealed: string }, channel: 'incoming' | 'outgoing') {
  if (profile.credentials_from === 'profile') {
    const own = channel === 'outgoing' && profile.outgoing_same_settings === 0;
    const username = own ? profile.outgoing_username : profile.username;
    const sealed = own ? profile.outgoing_password_sealed : profile.password_sealed;
    if (!username || !sealed) throw new MailroomError('MAILBOX_CREDENTIALS_MISSING', { message: 'The profile holds the credentials, but its user name or password is empty.' });
    return { username, password: ctx.secrets.open(sealed) };
  }
  if (mailbox.allow_credentials !== 1 || !mailbox.username || !mailbox.password_sealed) throw new MailroomError('MAILBOX_CREDENTIALS_MISSING');
  return { username: mailbox.username, password: ctx.secrets.open(mailbox.password_sealed) };
}
