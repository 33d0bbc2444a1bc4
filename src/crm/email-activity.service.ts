// Email activities: the CRM record of an email, incoming (made by server-side synchronization)
// or outgoing (written in the application). What other domains call lives here:
// createIncomingActivity and storeIncomingActivity (idempotent on the caller's dedupe key), findByMessageId,
// findByTrackingToken, findCorrelationTargets, linkMailbox; resolveAddresses is in address-resolution.ts.
//
// An activity is Mailroom's own copy. Deleting it removes that copy and nothing else: Mailroom
// never deletes, moves or flags the message on the mail server because an activity went.
import { createHash, randomUUID } from 'node:crypto';
import { sql, type Insertable, type Kysely } from 'kysely';
import type { AppContext } from '../app-context.ts';
import { MailroomError } from '../errors.ts';
import { assertNoLineBreak, parseMailbox, parseMailboxes } from '../mime/addresses.ts';
import type {
  ActivityDirection, ActivityStatus, CorrelationMethod, Database, EmailActivityAttachmentTable, EmailActivityPartyTable, EmailActivityTable, PartyRole,
} from '../store/tables.ts';
import { ACTIVITY_DIRECTIONS, ACTIVITY_STATUSES } from '../store/tables.ts';
import { getUser, type User } from '../users/users.service.ts';
import { resolveAddresses, type AddressResolution, type ResolvedRecord } from './address-resolution.ts';
import { assertMayEdit, decodeCursor, encodeCursor, pageLimit, resolveOwner, type Page } from './crm-record.ts';
import { assertReadable, assertUserReads, type ActivityReader } from './email-activity.access.ts';
import * as repo from './email-activity.repository.ts';
import { toDetail, toViews, type EmailActivity, type EmailActivityDetail } from './email-activity.view.ts';
import { assertRegardingExists, parseRegarding, type RecordRef } from './record-types.ts';

/** Email settings' maximum attachment size (KB): its default and its upper bound. */
export const DEFAULT_MAX_ATTACHMENT_KB = 5_120;
export const MAX_ATTACHMENT_KB_LIMIT = 131_072;

export interface PartyInput {
  readonly address: string;
  readonly name?: string;
}

export interface AttachmentInput {
  readonly filename: string;
  readonly contentType?: string;
  readonly contentId?: string | null;
  readonly content: Uint8Array;
}

export interface ActivityOptions {
  /** The maximum attachment size of Email settings, in KB (5,120 by default, at most 131,072; 0 stores none). */
  readonly maxAttachmentKb?: number;
  /**
   * Incoming email: a To, Cc or Bcc address that matches more than one record is kept as an
   * unresolved party, the address only (Email settings' unresolvedOnMultipleMatches; default every match).
   */
  readonly unresolvedOnMultipleMatches?: boolean;
}

export interface IncomingActivityInput {
  /** The caller's identity of the message (for example a hash of its Message-ID): the same key never makes a second activity. */
  readonly dedupeKey: string;
  /** The receiving mailbox; linked also when the activity already existed. */
  readonly mailboxId?: string;
  readonly direction?: ActivityDirection;
  readonly messageId?: string | null;
  readonly inReplyTo?: string | null;
  readonly references?: readonly string[];
  readonly subject: string;
  readonly text?: string | null;
  readonly html?: string | null;
  readonly from?: PartyInput | null;
  readonly to?: readonly PartyInput[];
  readonly cc?: readonly PartyInput[];
  readonly bcc?: readonly PartyInput[];
  readonly receivedAt?: number | null;
  readonly sentAt?: number | null;
  readonly trackingToken?: string | null;
  readonly regarding?: RecordRef | null;
  readonly ownerId?: string | null;
  readonly accepting?: { readonly type: 'user' | 'queue'; readonly id: string } | null;
  readonly correlatedBy?: CorrelationMethod | null;
  readonly correlatedActivityId?: string | null;
  readonly attachments?: readonly AttachmentInput[];
  /** Resolutions the caller already made (resolveAddresses); the rest are resolved here. */
  readonly resolved?: readonly AddressResolution[];
}

export function checkMaxAttachmentKb(value: number | undefined): number {
  const kb = value ?? DEFAULT_MAX_ATTACHMENT_KB;
  if (!Number.isInteger(kb) || kb < 0 || kb > MAX_ATTACHMENT_KB_LIMIT) {
    throw new MailroomError('INVALID_PARAMETER', { message: `The maximum attachment size is a whole number of KB from 0 to ${MAX_ATTACHMENT_KB_LIMIT.toLocaleString('en-US')}.`, details: { field: 'maxAttachmentKb' } });
  }
  return kb;
}

/** "<id@host>" whatever way it was written; null when empty. */
export function normalizeMessageId(value: string | null | undefined): string | null {
  const v = value?.trim().replace(/^<+|>+$/g, '');
  return v ? `<${v}>` : null;
}

/** The records of each of these addresses, by lowered address: the caller's own resolutions, one look-up for the rest. */
async function resolveParties(ctx: AppContext, addresses: readonly string[], known: readonly AddressResolution[] = []): Promise<Map<string, readonly ResolvedRecord[]>> {
  const knownBy = new Map<string, readonly ResolvedRecord[]>();
  for (const r of known) if (!knownBy.has(r.address.trim().toLowerCase())) knownBy.set(r.address.trim().toLowerCase(), r.records);
  const missing = [...new Set(addresses.filter((a) => !knownBy.has(a.trim().toLowerCase())))];
  for (const r of await resolveAddresses(ctx, missing)) knownBy.set(r.address.trim().toLowerCase(), r.records);
  return knownBy;
}

async function partyRows(ctx: AppContext, activityId: string, parties: Record<PartyRole, readonly PartyInput[]>, known: readonly AddressResolution[] = []) {
  return partyRowsFrom(activityId, parties, await resolveParties(ctx, Object.values(parties).flat().map((p) => p.address), known));
}

function partyRowsFrom(activityId: string, parties: Record<PartyRole, readonly PartyInput[]>, knownBy: ReadonlyMap<string, readonly ResolvedRecord[]>, unresolvedOnMultiple = false) {
  const rows: Insertable<EmailActivityPartyTable>[] = [];
  for (const role of ['from', 'to', 'cc', 'bcc'] as const) {
    parties[role].forEach((p, position) => {
      const base = { activity_id: activityId, role, position, address: p.address.trim(), name: p.name?.trim() ?? '' };
      const records = knownBy.get(p.address.trim().toLowerCase()) ?? [];
      // The sender is the first match (§2.4 item 38); To, Cc and Bcc list every match, or none when
      // there are several and Email settings say to leave such an address unresolved.
      const kept = role === 'from' ? records.slice(0, 1) : unresolvedOnMultiple && records.length > 1 ? [] : records;
      if (!kept.length) rows.push({ ...base, record_type: null, record_id: null });
      for (const r of kept) rows.push({ ...base, record_type: r.type, record_id: r.id });
    });
  }
  return rows;
}

/**
 * Attachments over the limit: refused when a person adds them (`refuse`), kept by name and size
 * only when they arrive in mail that must be tracked anyway, so nothing disappears unseen.
 */
function attachmentRows(activityId: string, list: readonly AttachmentInput[], maxKb: number, refuse: boolean): Insertable<EmailActivityAttachmentTable>[] {
  const maxBytes = maxKb * 1024;
  return list.map((a, position) => {
    const tooLarge = a.content.byteLength > maxBytes;
    if (tooLarge && refuse) {
      throw new MailroomError('ATTACHMENT_TOO_LARGE', { message: `${a.filename} is ${Math.ceil(a.content.byteLength / 1024)} KB; the maximum attachment size is ${maxKb} KB.`, details: { field: 'attachments', filename: a.filename } });
    }
    return {
      id: randomUUID(), activity_id: activityId, position, filename: a.filename.trim() || 'attachment', content_type: a.contentType || 'application/octet-stream',
      content_id: a.contentId ?? null, size_bytes: a.content.byteLength, content: tooLarge ? null : a.content, skipped_code: tooLarge ? 'ATTACHMENT_TOO_LARGE' : null,
    };
  });
}

/**
 * Records an email that synchronization found, once: a second call with the same dedupe key
 * returns the activity already made (and links the mailbox to it), even when both calls race.
 */
export async function createIncomingActivity(ctx: AppContext, input: IncomingActivityInput, options: ActivityOptions = {}): Promise<{ activity: EmailActivityDetail; created: boolean }> {
  const { id, created } = await storeIncomingActivity(ctx, input, options);
  return { activity: await toDetail(ctx, (await repo.findById(ctx.db, id))!), created };
}

/** createIncomingActivity without reading the activity back: its id, and whether this call made it. */
export async function storeIncomingActivity(ctx: AppContext, input: IncomingActivityInput, options: ActivityOptions = {}): Promise<{ id: string; created: boolean }> {
  const [prepared] = await prepareIncomingActivities(ctx, [input], options);
  if (prepared instanceof Error) throw prepared;
  if (!prepared!.row) return { id: await linkExisting(ctx, prepared!.id, input.mailboxId), created: false };
  return ctx.db.transaction().execute((trx) => writeIncomingActivity(trx, prepared!, ctx.clock.now()));
}

/** An incoming email ready to be written: its rows, or (row null) the id of the activity it already has. */
export interface PreparedIncomingActivity {
  readonly id: string;
  readonly dedupeKey: string;
  readonly mailboxId: string | undefined;
  readonly row: Insertable<EmailActivityTable> | null;
  readonly parties: readonly Insertable<EmailActivityPartyTable>[];
  readonly attachments: readonly Insertable<EmailActivityAttachmentTable>[];
}

/**
 * The reads storeIncomingActivity makes, for several emails at once: one look-up of their dedupe
 * keys, one address resolution for all their parties (less those the caller resolved), one check
 * per distinct regarding record. Each input gives its prepared rows, or the error that refuses it
 * (a missing regarding record, a bad dedupe key): one refused email does not refuse the others.
 * `id` fixes the id of a new activity (a caller that refers to it before it is written).
 */
export async function prepareIncomingActivities(ctx: AppContext, inputs: readonly (IncomingActivityInput & { readonly id?: string })[], options: ActivityOptions = {}): Promise<(PreparedIncomingActivity | MailroomError)[]> {
  const maxKb = checkMaxAttachmentKb(options.maxAttachmentKb);
  const keys = inputs.map((input) => input.dedupeKey.trim());
  const existing = await repo.findIdsByDedupeKeys(ctx.db, keys.filter(Boolean));
  const fresh = inputs.filter((input, i) => keys[i] && !existing.has(keys[i]!));
  const regardingChecks = new Map<string, Promise<MailroomError | null>>();
  for (const input of fresh) {
    const ref = input.regarding;
    if (ref && !regardingChecks.has(`${ref.type}:${ref.id}`)) regardingChecks.set(`${ref.type}:${ref.id}`, assertRegardingExists(ctx, ref).then(() => null, (err: unknown) => { if (err instanceof MailroomError) return err; throw err; }));
  }
  const partiesOf = (input: IncomingActivityInput) => ({ from: input.from ? [input.from] : [], to: input.to ?? [], cc: input.cc ?? [], bcc: input.bcc ?? [] });
  const known = await resolveParties(ctx, fresh.flatMap((input) => Object.values(partiesOf(input)).flat().map((p) => p.address)), fresh.flatMap((input) => input.resolved ?? []));
  const now = ctx.clock.now();
  const out: (PreparedIncomingActivity | MailroomError)[] = [];
  for (const [i, input] of inputs.entries()) {
    const key = keys[i]!;
    if (!key) { out.push(new MailroomError('VALIDATION_FAILED', { message: 'A dedupe key is required.', details: { field: 'dedupeKey' } })); continue; }
    const already = existing.get(key);
    if (already) { out.push({ id: already, dedupeKey: key, mailboxId: input.mailboxId, row: null, parties: [], attachments: [] }); continue; }
    const refused = input.regarding ? await regardingChecks.get(`${input.regarding.type}:${input.regarding.id}`) : null;
    if (refused) { out.push(refused); continue; }
    const id = input.id ?? randomUUID();
    out.push({
      id, dedupeKey: key, mailboxId: input.mailboxId, row: activityRow(id, key, input, now),
      parties: partyRowsFrom(id, partiesOf(input), known, options.unresolvedOnMultipleMatches ?? false),
      attachments: attachmentRows(id, input.attachments ?? [], maxKb, false),
    });
  }
  return out;
}

/**
 * Writes a prepared email in the caller's transaction: the activity with its parties, attachments
 * and mailbox link, or, when its dedupe key is taken (prepared so, or by another writer since), the
 * mailbox linked to the activity that has it. Idempotent on the dedupe key, even when two writers race.
 */
export async function writeIncomingActivity(trx: Kysely<Database>, prepared: PreparedIncomingActivity, at: number): Promise<{ id: string; created: boolean }> {
  if (prepared.row && (await repo.insertActivity(trx, prepared.row))) {
    await repo.insertParties(trx, prepared.parties);
    await repo.insertAttachments(trx, prepared.attachments);
    if (prepared.mailboxId) await repo.linkMailbox(trx, prepared.id, prepared.mailboxId, at);
    return { id: prepared.id, created: true };
  }
  // Another writer inserted the same key between the look-up and this insert (ON CONFLICT waited for its commit).
  const stored = prepared.row ? await repo.findIdByDedupeKey(trx, prepared.dedupeKey) : prepared.id;
  if (!stored) throw new MailroomError('INTERNAL', { message: 'The email activity was not stored.' });
  if (prepared.mailboxId) await repo.linkMailbox(trx, stored, prepared.mailboxId, at);
  return { id: stored, created: false };
}

/**
 * PostgreSQL: takes the transaction's lock of each of these dedupe keys, in one order whatever
 * order they come in (the keys' 64-bit hashes, ascending), before any of them is inserted. Two
 * writers of overlapping batches then wait for one another instead of each holding a key the
 * other needs next (a deadlock). SQLite has one writer at a time and needs nothing.
 */
export async function lockDedupeKeys(ctx: Pick<AppContext, 'dialect'>, trx: Kysely<Database>, keys: readonly string[]): Promise<void> {
  if (ctx.dialect !== 'postgres' || !keys.length) return;
  const hashes = [...new Set(keys.map((k) => createHash('sha256').update(`email_activity.dedupe_key:${k.trim()}`).digest().readBigInt64BE(0)))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  // unnest yields the array in its order and the aggregate takes the locks as the rows come.
  await sql`select count(pg_advisory_xact_lock(k)) from unnest(${hashes.map(String)}::bigint[]) as k`.execute(trx);
}

function activityRow(id: string, key: string, input: IncomingActivityInput, now: number): Insertable<EmailActivityTable> {
  return {
    id, direction: input.direction ?? 'incoming', status: input.direction === 'outgoing' ? 'sent' : 'received', status_detail: null,
    subject: input.subject, body_text: input.text ?? null, body_html: input.html ?? null,
    message_id: normalizeMessageId(input.messageId), in_reply_to: normalizeMessageId(input.inReplyTo),
    references_header: (input.references ?? []).map(normalizeMessageId).filter(Boolean).join(' ') || null,
    tracking_token: input.trackingToken ?? null, received_at: input.receivedAt ?? null, sent_at: input.sentAt ?? null,
    regarding_type: input.regarding?.type ?? null, regarding_id: input.regarding?.id ?? null, owner_id: input.ownerId ?? null,
    accepting_type: input.accepting?.type ?? null, accepting_id: input.accepting?.id ?? null,
    correlated_by: input.correlatedBy ?? null, correlated_activity_id: input.correlatedActivityId ?? null,
    dedupe_key: key, email_id: null, sent_folder: null, created_at: now, updated_at: now,
  };
}

async function linkExisting(ctx: AppContext, id: string, mailboxId: string | undefined): Promise<string> {
  if (mailboxId) await repo.linkMailbox(ctx.db, id, mailboxId, ctx.clock.now());
  return id;
}

/** Links one more mailbox that saw the email (idempotent). */
export async function linkMailbox(ctx: AppContext, activityId: string, mailboxId: string): Promise<void> {
  if (!(await repo.findById(ctx.db, activityId))) throw new MailroomError('NOT_FOUND', { message: `No email activity ${activityId}.` });
  await repo.linkMailbox(ctx.db, activityId, mailboxId, ctx.clock.now());
}

/**
 * Sets the regarding record of these activities (a folder tracking rule's, applied again on every
 * sync); returns how many changed. The record must exist.
 */
export async function applyRegarding(ctx: AppContext, activityIds: readonly string[], regarding: RecordRef): Promise<number> {
  if (!activityIds.length) return 0;
  await assertRegardingExists(ctx, regarding);
  let changed = 0;
  for (let i = 0; i < activityIds.length; i += 400) {
    const result = await ctx.db.updateTable('email_activity').set({ regarding_type: regarding.type, regarding_id: regarding.id, updated_at: ctx.clock.now() })
      .where('id', 'in', activityIds.slice(i, i + 400))
      .where((eb) => eb.or([eb('regarding_type', 'is', null), eb('regarding_type', '!=', regarding.type), eb('regarding_id', 'is', null), eb('regarding_id', '!=', regarding.id)]))
      .executeTakeFirst();
    changed += Number(result.numUpdatedRows);
  }
  return changed;
}

/** The oldest activity with this Message-ID (with or without angle brackets), or null. */
export async function findByMessageId(ctx: AppContext, messageId: string): Promise<EmailActivity | null> {
  const id = normalizeMessageId(messageId);
  const row = id ? await repo.findOldestBy(ctx.db, 'message_id', id) : undefined;
  return row ? (await toViews(ctx, [row]))[0]! : null;
}

export async function findByTrackingToken(ctx: AppContext, token: string): Promise<EmailActivity | null> {
  const row = token.trim() ? await repo.findOldestBy(ctx.db, 'tracking_token', token.trim()) : undefined;
  return row ? (await toViews(ctx, [row]))[0]! : null;
}

/** What correlation needs of an activity: its id and regarding record, without its parties. */
export interface CorrelationTarget {
  readonly id: string;
  readonly regarding: RecordRef | null;
}

/** The activity of each of these dedupe keys that has one. */
export const findIdsByDedupeKeys = (ctx: AppContext, keys: readonly string[]): Promise<Map<string, string>> => repo.findIdsByDedupeKeys(ctx.db, [...new Set(keys.map((k) => k.trim()).filter(Boolean))]);

/** findByMessageId and findByTrackingToken for many values at once, reduced to what correlation needs (one query a few hundred values): the target of each value that has one. */
export async function findCorrelationTargets(ctx: AppContext, by: 'message-id' | 'tracking-token', values: readonly string[]): Promise<Map<string, CorrelationTarget>> {
  const keyOf = (value: string) => (by === 'message-id' ? normalizeMessageId(value) : value.trim()) || null;
  const keys = [...new Set(values.map(keyOf).filter((k): k is string => k !== null))];
  const rows = await repo.findOldestTargets(ctx.db, by === 'message-id' ? 'message_id' : 'tracking_token', keys);
  const out = new Map<string, CorrelationTarget>();
  for (const value of values) {
    const row = rows.get(keyOf(value) ?? '');
    if (row) out.set(value, { id: row.id, regarding: row.regarding_type && row.regarding_id ? { type: row.regarding_type, id: row.regarding_id } : null });
  }
  return out;
}

async function findRow(ctx: AppContext, id: string) {
  const row = await repo.findById(ctx.db, id);
  if (!row) throw new MailroomError('NOT_FOUND', { message: `No email activity ${id}.` });
  return row;
}

/** One activity; with a reader, NOT_FOUND unless the reader may read it. */
export async function getActivity(ctx: AppContext, id: string, reader?: ActivityReader): Promise<EmailActivityDetail> {
  if (reader) await assertReadable(ctx, reader, id);
  return toDetail(ctx, await findRow(ctx, id));
}

export interface ActivityListQuery {
  readonly q?: string;
  readonly direction?: string;
  readonly status?: string;
  /** TYPE:ID, or a record id of any regarding type. */
  readonly regarding?: string;
  readonly mailboxId?: string;
  readonly ownerId?: string;
  /** Only the activities this reader may read (email-activity.access.ts); all when left out. */
  readonly reader?: ActivityReader;
  readonly limit?: number;
  readonly cursor?: string;
}

function checkOneOf<T extends string>(field: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined || value === '') return undefined;
  if (!allowed.includes(value as T)) throw new MailroomError('VALIDATION_FAILED', { message: `${field} is one of: ${allowed.join(', ')}.`, details: { field } });
  return value as T;
}

/** Newest first. */
export async function listActivities(ctx: AppContext, query: ActivityListQuery = {}): Promise<Page<EmailActivity>> {
  const limit = pageLimit(query.limit);
  let before: { createdAt: number; id: string } | undefined;
  if (query.cursor) {
    const c = decodeCursor(query.cursor);
    before = { createdAt: Number(c.key), id: c.id };
  }
  const rows = await repo.listActivities(ctx.db, {
    q: query.q, direction: checkOneOf('direction', query.direction, ACTIVITY_DIRECTIONS), status: checkOneOf('status', query.status, ACTIVITY_STATUSES),
    regarding: query.regarding ? await parseRegarding(ctx, query.regarding) : undefined, mailboxId: query.mailboxId, ownerId: query.ownerId, reader: query.reader, before, limit: limit + 1,
  });
  const kept = rows.slice(0, limit);
  const last = kept[kept.length - 1];
  return { items: await toViews(ctx, kept), nextCursor: rows.length > limit && last ? encodeCursor(String(last.created_at), last.id) : null };
}

export interface ActivityInput {
  readonly direction: ActivityDirection;
  readonly subject: string;
  readonly text?: string | null;
  readonly html?: string | null;
  /** One address; for an outgoing draft the owner's own address by default. */
  readonly from?: string;
  readonly to?: string | readonly string[];
  readonly cc?: string | readonly string[];
  readonly bcc?: string | readonly string[];
  readonly regarding?: RecordRef | null;
  readonly owner?: string;
  readonly attachments?: readonly AttachmentInput[];
}

function checkSubject(subject: string): string {
  assertNoLineBreak('Subject', subject);
  if (subject.length > 2_000) throw new MailroomError('VALIDATION_FAILED', { message: 'A subject has at most 2,000 characters.', details: { field: 'subject' } });
  return subject.trim();
}

const toParties = (field: string, value: string | readonly string[] | undefined): PartyInput[] =>
  parseMailboxes(field, value as string[] | string | undefined).map((m) => ({ address: m.address, name: m.name }));

/**
 * An activity written by a person: an outgoing one is a Draft (sending it is the next issue's
 * job), an incoming one is recorded as Received.
 */
export async function createActivity(ctx: AppContext, actor: User, input: ActivityInput, options: ActivityOptions = {}): Promise<EmailActivityDetail> {
  const direction = checkOneOf('direction', input.direction, ACTIVITY_DIRECTIONS)!;
  const maxKb = checkMaxAttachmentKb(options.maxAttachmentKb);
  if (input.regarding) await assertRegardingExists(ctx, input.regarding);
  const ownerId = await resolveOwner(ctx, actor, input.owner);
  const fromText = input.from ?? (direction === 'outgoing' ? (ownerId === actor.id ? actor : await getUser(ctx, ownerId)).email : undefined);
  if (!fromText) throw new MailroomError('VALIDATION_FAILED', { message: 'An incoming email activity needs a From address.', details: { field: 'from' } });
  const from = parseMailbox('From', fromText);
  const now = ctx.clock.now();
  const id = randomUUID();
  const status: ActivityStatus = direction === 'outgoing' ? 'draft' : 'received';
  const parties = await partyRows(ctx, id, {
    from: [{ address: from.address, name: from.name }], to: toParties('To', input.to), cc: toParties('Cc', input.cc), bcc: toParties('Bcc', input.bcc),
  });
  const attachments = attachmentRows(id, input.attachments ?? [], maxKb, true);
  await ctx.db.transaction().execute(async (trx) => {
    await trx.insertInto('email_activity').values({
      id, direction, status, status_detail: null, subject: checkSubject(input.subject), body_text: input.text ?? null, body_html: input.html ?? null,
      message_id: null, in_reply_to: null, references_header: null, tracking_token: null, received_at: direction === 'incoming' ? now : null, sent_at: null,
      regarding_type: input.regarding?.type ?? null, regarding_id: input.regarding?.id ?? null, owner_id: ownerId,
      accepting_type: null, accepting_id: null, correlated_by: null, correlated_activity_id: null, dedupe_key: null, email_id: null, sent_folder: null, created_at: now, updated_at: now,
    }).execute();
    await repo.insertParties(trx, parties);
    await repo.insertAttachments(trx, attachments);
  });
  return getActivity(ctx, id);
}

export interface ActivityChanges {
  readonly subject?: string;
  readonly text?: string | null;
  readonly html?: string | null;
  readonly to?: string | readonly string[];
  readonly cc?: string | readonly string[];
  readonly bcc?: string | readonly string[];
  /** null clears it. */
  readonly regarding?: RecordRef | null;
  readonly owner?: string;
}

/** Regarding and owner change on any activity; the text and recipients only on a Draft. */
export async function updateActivity(ctx: AppContext, actor: User, id: string, changes: ActivityChanges): Promise<EmailActivityDetail> {
  await assertUserReads(ctx, actor, id);
  const row = await findRow(ctx, id);
  assertMayEdit(actor, row.owner_id, 'email activity');
  const content = (['subject', 'text', 'html', 'to', 'cc', 'bcc'] as const).filter((k) => changes[k] !== undefined);
  if (content.length && row.status !== 'draft') {
    throw new MailroomError('ACTIVITY_NOT_DRAFT', { message: `The ${content.join(', ')} of a ${row.status} email activity cannot change.`, details: { field: content[0] } });
  }
  const set: Partial<Insertable<EmailActivityTable>> = { updated_at: ctx.clock.now() };
  if (changes.subject !== undefined) set.subject = checkSubject(changes.subject);
  if (changes.text !== undefined) set.body_text = changes.text;
  if (changes.html !== undefined) set.body_html = changes.html;
  if (changes.regarding !== undefined) {
    if (changes.regarding) await assertRegardingExists(ctx, changes.regarding);
    set.regarding_type = changes.regarding?.type ?? null;
    set.regarding_id = changes.regarding?.id ?? null;
  }
  if (changes.owner !== undefined) set.owner_id = await resolveOwner(ctx, actor, changes.owner);
  const roles = (['to', 'cc', 'bcc'] as const).filter((r) => changes[r] !== undefined);
  const parties = roles.length ? await partyRows(ctx, id, { from: [], to: [], cc: [], bcc: [], ...Object.fromEntries(roles.map((r) => [r, toParties(r, changes[r])])) }) : [];
  await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('email_activity').set(set).where('id', '=', id).execute();
    if (roles.length) await trx.deleteFrom('email_activity_party').where('activity_id', '=', id).where('role', 'in', roles).execute();
    await repo.insertParties(trx, parties);
  });
  return getActivity(ctx, id);
}

/** Deletes Mailroom's activity (parties, attachments, mailbox links). The mail on the server is never touched. */
export async function deleteActivity(ctx: AppContext, actor: User, id: string): Promise<void> {
  await assertUserReads(ctx, actor, id);
  const row = await findRow(ctx, id);
  assertMayEdit(actor, row.owner_id, 'email activity');
  await ctx.db.deleteFrom('email_activity').where('id', '=', id).execute();
}

/** An attachment's bytes; refused when it was over the size limit and only its name was kept. */
export async function getAttachment(ctx: AppContext, activityId: string, attachmentId: string, reader?: ActivityReader): Promise<{ filename: string; contentType: string; content: Uint8Array }> {
  if (reader) await assertReadable(ctx, reader, activityId);
  const row = await repo.attachmentContent(ctx.db, activityId, attachmentId);
  if (!row) throw new MailroomError('NOT_FOUND', { message: 'No such attachment on this email activity.' });
  if (!row.content) {
    throw new MailroomError('NOT_FOUND', { message: `${row.filename} was over the maximum attachment size when the email arrived; only its name and size were kept.`, details: { skippedCode: row.skipped_code } });
  }
  return { filename: row.filename, contentType: row.content_type, content: row.content };
}
