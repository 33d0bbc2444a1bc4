import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { AppContext } from '../app-context.ts';
import { isMailroomError, MailroomError } from '../errors.ts';
import { assertNoLineBreak, parseMailbox, parseMailboxes, sameAddress, type Mailbox } from '../mime/addresses.ts';
import { buildMessage, newMessageId, type AttachmentInput } from '../mime/message-builder.ts';
import type { Database, EmailStatus, ProviderId, QueueProviderId, SendMode } from '../store/tables.ts';
import { assertMaySendAs, defaultSender, type User } from '../users/users.service.ts';
import { expirationMs, PARAMETERS_KEY, sizeLimitBytes, type StoredParameters } from './email-parameters.ts';
import { findEmail, insertEmailIfCurrent, type EmailRow, type HandInBasis } from './email.repository.ts';
import { joinHandInGroup } from './hand-in-group.ts';
import { defaultSenderOf, handInSnapshot, type HandInSnapshot } from './hand-in-snapshot.ts';
import { assertProviderId, assertSendable, NOT_SET_UP } from './provider-registry.ts';

/** An email as a process or a person hands it in. */
export interface EmailInput {
  readonly from?: string;
  readonly to?: readonly string[] | string;
  readonly cc?: readonly string[] | string;
  readonly bcc?: readonly string[] | string;
  readonly subject?: string;
  readonly body?: string;
  readonly html?: string;
  readonly attachments?: readonly AttachmentInput[];
  readonly priority?: 'high' | 'normal' | 'low';
}

export interface HandInOptions {
  readonly mode: SendMode;
  /** Defaults to the batch email provider for batch mode. */
  readonly provider?: string;
  readonly idempotencyKey?: string;
  /** For .eml drafts handed to a mail app: keep Bcc and mark the message unsent. */
  readonly draft?: boolean;
  /**
   * Keep the email when its provider is not set up: stored as failed with the refusal, so that it
   * shows in the email history and can be resent once the provider is set up (notifications).
   */
  readonly keepWhenNotSetUp?: boolean;
  /** The status the new row starts in; an interactive send claims its own row at once. */
  readonly initialStatus?: Extract<EmailStatus, 'waiting' | 'sending' | 'generated'>;
  /** Send through this mailbox's outgoing channel (provider `mailbox`) instead of a provider. */
  readonly mailboxId?: string;
  /**
   * A From address the caller has already authorized for the actor (the mailbox's own address):
   * only another address needs the actor's Send-As grant.
   */
  readonly authorizedFrom?: string;
  /** A Message-ID fixed by the caller before hand-in (it is stored on an email activity too). */
  readonly messageId?: string;
  /** Runs in the transaction that stores the email: what rides on it is written with it, or neither is. */
  readonly within?: (tx: Transaction<Database>, row: EmailRow) => Promise<void>;
}

export interface HandInResult {
  readonly row: EmailRow;
  readonly raw: Buffer;
  /** True when the idempotency key named an email already handed in. */
  readonly duplicate: boolean;
}

const IDEMPOTENCY_WINDOW_MS = 48 * 3600_000;

/** A checked email, ready to build: nothing here is written yet. */
export interface PreparedEmail {
  readonly from: Mailbox;
  readonly to: Mailbox[];
  readonly cc: Mailbox[];
  readonly bcc: Mailbox[];
  readonly subject: string;
  readonly input: EmailInput;
}

/** Checks addresses, headers, the number of recipients and the sender's right to the From address. */
export async function prepareEmail(ctx: AppContext, actor: User | null, input: EmailInput, authorizedFrom?: string, recipientLimit = DEFAULT_RECIPIENT_LIMIT): Promise<PreparedEmail> {
  const to = parseMailboxes('To', input.to);
  const cc = parseMailboxes('Cc', input.cc);
  const bcc = parseMailboxes('Bcc', input.bcc);
  const count = to.length + cc.length + bcc.length;
  if (count === 0) throw new MailroomError('NO_RECIPIENTS');
  if (count > recipientLimit) {
    throw new MailroomError('TOO_MANY_RECIPIENTS', {
      message: `The email has ${count} recipients in To, Cc and Bcc; the limit is ${recipientLimit}.`, details: { count, limit: recipientLimit },
    });
  }
  const subject = input.subject ?? '';
  assertNoLineBreak('Subject', subject);
  let from: Mailbox;
  if (actor) {
    const given = input.from?.trim() ? parseMailbox('From', input.from) : undefined;
    from = given ?? { name: actor.name, address: authorizedFrom ?? await defaultSender(ctx, actor) };
    if (given && !(authorizedFrom && sameAddress(given.address, authorizedFrom))) await assertMaySendAs(ctx, actor, given.address);
    if (!from.name) from = { ...from, name: actor.name };
  } else {
    if (!input.from) throw new MailroomError('VALIDATION_FAILED', { message: 'A system email needs a From address.' });
    from = parseMailbox('From', input.from);
  }
  assertHonestName(from, actor);
  return { from, to, cc, bcc, subject, input };
}

const DEFAULT_RECIPIENT_LIMIT = 500;
const ADDRESS_IN_TEXT = /[^\s<>()[\]",;:@]+@[^\s<>()[\]",;:@]+/gu;

/**
 * A display name may not show another address: `"admin@example.com" <june@example.com>` reads as
 * mail from admin in most mail apps. The sender's own address in the name is allowed, and so is
 * the acting user's (a user named by their address, sending from a queue or with Send-As).
 */
function assertHonestName(from: Mailbox, actor: User | null): void {
  const own = [from.address, ...(actor ? [actor.email] : [])];
  for (const [shown] of from.name.matchAll(ADDRESS_IN_TEXT)) {
    const address = shown.replace(/^[.'`]+|[.'`]+$/g, '');
    if (!own.some((a) => sameAddress(a, address))) {
      throw new MailroomError('SENDER_NAME_MISLEADING', {
        message: `The sender name "${from.name}" shows the address ${shown}, which is not the sender's own (${from.address}).`,
        details: { field: 'from', name: from.name, address: from.address },
      });
    }
  }
}

/**
 * Hands an email to Mailroom: checks it, builds the message once (its Message-ID is fixed here,
 * so every retry sends the very same message), enforces the size limit and stores it, all or
 * nothing. With an idempotency key seen in the last 48 hours, returns that email instead.
 */
export async function handIn(ctx: AppContext, actor: User | null, input: EmailInput, options: HandInOptions): Promise<HandInResult> {
  const owner = actor?.id ?? '';
  if (options.idempotencyKey !== undefined) {
    const existing = await findByIdempotencyKey(ctx, owner, options.idempotencyKey);
    if (existing) return { ...existing, duplicate: true };
  }
  // The parameters and sender kept from earlier hand-ins. When they changed since, nothing is
  // stored, and the email is checked and built again with what is stored now; a refusal made
  // with kept ones stands only once made again with them read afresh.
  for (let tries = 1; ; tries++) {
    const result = await tryHandIn(ctx, actor, input, options, tries > 1);
    if (result) return result;
    if (tries >= MAX_SNAPSHOT_TRIES) throw new MailroomError('DATABASE_BUSY', { message: 'The Email parameters changed during every try to store the email; nothing was stored.' });
  }
}

/** One try; null when the snapshot was out of date (nothing stored: try again with a fresh one). */
async function tryHandIn(ctx: AppContext, actor: User | null, input: EmailInput, options: HandInOptions, fresh: boolean): Promise<HandInResult | null> {
  const owner = actor?.id ?? '';
  // On SQLite a plain hand-in is stored with those under way at the same time (hand-in-group.ts).
  const plain = options.idempotencyKey === undefined && options.within === undefined;
  const group = plain && ctx.dialect === 'sqlite' ? joinHandInGroup(ctx) : undefined;
  try {
    const snapshot = await handInSnapshot(ctx, actor, fresh);
    let built: BuiltEmail;
    try {
      built = await buildEmail(ctx, actor, input, options, snapshot);
    } catch (err) {
      if (snapshot.kept && isMailroomError(err)) return null;
      throw err;
    }
    const basis = { paramsKey: PARAMETERS_KEY, paramsText: snapshot.paramsText, sender: snapshot.sender };
    const { row, raw } = built;
    const stored = group ? ((await group.store(row, raw, basis)) ? { row, raw, duplicate: false } : null) : await store(ctx, row, raw, owner, basis, options);
    return stored && (stored.duplicate ? stored : announce(ctx, stored, built.refusal));
  } finally {
    group?.leave();
  }
}

/** Tries before giving up on parameters that change faster than an email is stored. */
const MAX_SNAPSHOT_TRIES = 5;

interface BuiltEmail {
  readonly row: EmailRow;
  readonly raw: Buffer;
  /** Why the email is stored as failed (its provider is not set up, and it is kept anyway). */
  readonly refusal: MailroomError | null;
}

/** Checks the email against the snapshot and builds its message and row; writes nothing. */
async function buildEmail(ctx: AppContext, actor: User | null, input: EmailInput, options: HandInOptions, snapshot: HandInSnapshot): Promise<BuiltEmail> {
  const { params } = snapshot;
  // The actor's default sender may always send as the actor (assertMaySendAs allows it too).
  const authorizedFrom = options.authorizedFrom ?? (actor ? defaultSenderOf(actor, snapshot) : undefined);
  const prepared = await prepareEmail(ctx, actor, input, authorizedFrom, params.recipientLimit);
  const { provider, refusal } = options.mailboxId ? { provider: 'mailbox' as const, refusal: null } : resolveProvider(options, params);
  const now = ctx.clock.now();
  const messageId = options.messageId ?? newMessageId(prepared.from.address.split('@')[1]!);
  const raw = await buildMessage({
    from: prepared.from, to: prepared.to, cc: prepared.cc, bcc: prepared.bcc, subject: prepared.subject,
    text: input.body, html: input.html, attachments: input.attachments ?? [], priority: input.priority,
    messageId, date: new Date(now),
  }, { draft: options.draft });
  const limit = sizeLimitBytes(params);
  if (raw.length > limit) {
    throw new MailroomError('MESSAGE_TOO_LARGE', {
      message: `The email is ${(raw.length / 1048576).toFixed(1)} MB; the limit is ${params.attachmentSizeLimitMb} MB.`,
      details: { sizeBytes: raw.length, limitBytes: limit },
    });
  }
  const status = refusal ? 'failed' : options.initialStatus ?? 'waiting';
  const row: EmailRow = {
    id: randomUUID(),
    message_id: messageId,
    mode: options.mode,
    provider,
    status,
    user_id: actor?.id ?? null,
    sender: prepared.from.address,
    sender_name: prepared.from.name || null,
    to_addrs: JSON.stringify(prepared.to),
    cc_addrs: JSON.stringify(prepared.cc),
    bcc_addrs: JSON.stringify(prepared.bcc),
    subject: prepared.subject,
    size_bytes: raw.length,
    attempts: status === 'sending' ? 1 : 0,
    deferrals: 0,
    next_attempt_at: now,
    claimed_by: status === 'sending' ? ctx.workerId : null,
    lease_until: status === 'sending' ? now + ctx.leaseMs : null,
    expires_at: now + expirationMs(params),
    created_at: now,
    updated_at: now,
    sent_at: status === 'generated' ? now : null,
    last_error_code: refusal?.code ?? null,
    last_error_response: refusal?.message ?? null,
    last_error_command: null,
    recipient_results: null,
    resent_from: null,
    mailbox_id: options.mailboxId ?? null,
  };
  return { row, raw, refusal };
}

/** Tells of a stored email: queued (the distributor is kicked), claimed, or kept as failed. */
function announce(ctx: AppContext, stored: HandInResult, refusal: MailroomError | null): HandInResult {
  const { row } = stored;
  if (refusal) {
    ctx.events.emit('email:changed', { id: row.id, event: 'failed', status: row.status, provider: row.provider, code: refusal.code });
    return stored;
  }
  ctx.events.emit('email:changed', {
    id: row.id, event: row.status === 'sending' ? 'claimed' : 'queued', status: row.status, provider: row.provider,
    ...(row.status === 'sending' ? { worker: ctx.workerId, attempts: row.attempts } : {}),
  });
  if (row.status === 'waiting') ctx.events.emit('email:queued', row.id);
  return stored;
}

function resolveProvider(options: HandInOptions, params: StoredParameters): { provider: ProviderId; refusal: MailroomError | null } {
  const id = options.provider ?? params.batchProvider;
  assertProviderId(id);
  try {
    assertSendable(id, params);
    return { provider: id, refusal: null };
  } catch (err) {
    if (options.keepWhenNotSetUp && isMailroomError(err) && (NOT_SET_UP as readonly string[]).includes(err.code)) return { provider: id, refusal: err };
    throw err;
  }
}

async function findByIdempotencyKey(ctx: AppContext, owner: string, key: string): Promise<{ row: EmailRow; raw: Buffer } | undefined> {
  if (!/^[\x21-\x7e]{1,200}$/.test(key)) {
    throw new MailroomError('VALIDATION_FAILED', { message: 'An idempotency key is 1 to 200 printable characters without spaces.' });
  }
  const hit = await ctx.db.selectFrom('idempotency_key').select(['email_id', 'created_at'])
    .where('user_id', '=', owner).where('key', '=', key).executeTakeFirst();
  if (!hit || hit.created_at < ctx.clock.now() - IDEMPOTENCY_WINDOW_MS) return undefined;
  const row = await findEmail(ctx.db, hit.email_id);
  if (!row) return undefined;
  const content = await ctx.db.selectFrom('email_content').select('raw').where('email_id', '=', row.id).executeTakeFirstOrThrow();
  return { row, raw: Buffer.from(content.raw) };
}

/** Stores the email and its message (with the idempotency key, when given) in one transaction; a lost race returns the winner's. */
export async function storeWithKey(ctx: AppContext, row: EmailRow, raw: Buffer, owner: string, key: string | undefined, within: HandInOptions['within']): Promise<HandInResult> {
  return (await store(ctx, row, raw, owner, undefined, { idempotencyKey: key, within }))!;
}

/** Thrown inside the storing transaction to roll it back when the snapshot was out of date. */
class SnapshotChanged extends Error {}

/**
 * Stores the email with its key and what rides on it; null when its basis (the snapshot it was
 * checked against) was out of date: nothing stored. Without a basis nothing is checked.
 */
async function store(ctx: AppContext, row: EmailRow, raw: Buffer, owner: string, basis: HandInBasis | undefined, options: Pick<HandInOptions, 'idempotencyKey' | 'within'>): Promise<HandInResult | null> {
  const { idempotencyKey: key, within } = options;
  // The plain case on PostgreSQL: one statement, committed on its own (one round trip).
  if (ctx.dialect === 'postgres' && key === undefined && within === undefined) {
    return (await insertEmailIfCurrent(ctx.db, ctx.dialect, row, raw, basis)) ? { row, raw, duplicate: false } : null;
  }
  try {
    await ctx.db.transaction().execute(async (tx) => {
      if (key !== undefined) {
        // A key older than the window is free again.
        await tx.deleteFrom('idempotency_key').where('user_id', '=', owner).where('key', '=', key)
          .where('created_at', '<', row.created_at - IDEMPOTENCY_WINDOW_MS).execute();
        await tx.insertInto('idempotency_key').values({ key, user_id: owner, email_id: row.id, created_at: row.created_at }).execute();
      }
      if (!(await insertEmailIfCurrent(tx, ctx.dialect, row, raw, basis))) throw new SnapshotChanged();
      await within?.(tx, row);
    });
    return { row, raw, duplicate: false };
  } catch (err) {
    if (err instanceof SnapshotChanged) return null;
    // Two hand-ins raced with the same key: the other one won, return its email.
    const existing = key !== undefined ? await findByIdempotencyKey(ctx, owner, key) : undefined;
    if (existing) return { ...existing, duplicate: true };
    throw err;
  }
}
