import type { AppContext } from '../app-context.ts';
import { MailroomError } from '../errors.ts';
import { sameAddress } from '../mime/addresses.ts';
import type { EmailStatus, ProviderId } from '../store/tables.ts';
import { assertMaySendAs, defaultSender, getOptions, getUser, setOptions, type User } from '../users/users.service.ts';
import { followMailboxEmails } from './activity-follow.ts';
import { deliver } from './delivery.ts';
import { expirationMs, isExchangeConfigured, isGraphConfigured, readParameters, type StoredParameters } from './email-parameters.ts';
import * as repo from './email.repository.ts';
import { toView, type EmailView } from './email-view.ts';
import { handIn, type EmailInput } from './hand-in.ts';
import { assertSendable, NOT_SET_UP, type ProviderRegistry } from './provider-registry.ts';

export interface QueueOptions {
  readonly provider?: string;
  readonly idempotencyKey?: string;
  /** Store the email as failed (in the history, resendable) when its provider is not set up, instead of refusing it. */
  readonly keepWhenNotSetUp?: boolean;
}

/** Hands an email to the queue for the distributor batch (batch, non-interactive mode). */
export async function queueEmail(ctx: AppContext, actor: User | null, input: EmailInput, options: QueueOptions = {}) {
  const result = await handIn(ctx, actor, input, { mode: 'batch', ...options });
  return { email: actor ? viewFor(actor, toView(result.row)) : toView(result.row), duplicate: result.duplicate };
}

// ── interactive sending: the "How would you like to send email" and "Send email" dialogs ──

/** The choices of the first dialog; Exchange appears only when its settings are complete. */
const ALL_CHOICES = [
  { id: 'eml', label: 'Use an email app, such as Outlook' },
  { id: 'smtp', label: 'Use the system email client' },
  { id: 'graph', label: 'Use Microsoft Graph' },
  { id: 'exchange', label: 'Use Exchange' },
] as const;
export type InteractiveChoice = (typeof ALL_CHOICES)[number];

export function interactiveChoices(params: StoredParameters): InteractiveChoice[] {
  return ALL_CHOICES.filter((c) => (c.id === 'graph' ? isGraphConfigured(params) : c.id === 'exchange' ? isExchangeConfigured(params) : true));
}

export interface Draft extends Required<Pick<EmailInput, 'subject' | 'body'>> {
  readonly from: string;
  readonly to: readonly string[];
  readonly cc: readonly string[];
  readonly bcc: readonly string[];
  readonly html: string;
  readonly attachments: readonly { filename: string; contentType?: string; size: number }[];
  /** Whether the dialog must ask how to send, and what it would use otherwise. */
  readonly ask: boolean;
  readonly provider: ProviderId | null;
  readonly choices: readonly InteractiveChoice[];
  /** The Attachment size limit (Email parameters), so the form can refuse a big file before uploading it. */
  readonly attachmentSizeLimitMb: number;
}

/** The Send email dialog, prefilled by the calling process; every field stays editable. */
export async function composeDraft(ctx: AppContext, actor: User, prefill: EmailInput): Promise<Draft> {
  const options = await getOptions(ctx, actor.id);
  const provider = options.providerId ?? (options.doNotAskAgain ? options.lastChoice : null);
  const list = (v: EmailInput['to']) => (v === undefined ? [] : typeof v === 'string' ? [v] : [...v]);
  const params = await readParameters(ctx);
  return {
    from: prefill.from ?? (await defaultSender(ctx, actor)),
    to: list(prefill.to), cc: list(prefill.cc), bcc: list(prefill.bcc),
    subject: prefill.subject ?? '', body: prefill.body ?? '', html: prefill.html ?? '',
    attachments: (prefill.attachments ?? []).map((a) => ({ filename: a.filename, contentType: a.contentType, size: a.content.length })),
    ask: provider === null,
    provider,
    choices: interactiveChoices(params),
    attachmentSizeLimitMb: params.attachmentSizeLimitMb,
  };
}

export interface InteractiveOptions {
  /** The choice made in the dialog; omitted, the user's options decide. */
  readonly provider?: string;
  /** "Do not ask again": remember this choice for the next sends. */
  readonly doNotAskAgain?: boolean;
}

export interface InteractiveResult {
  readonly email: EmailView;
  /** The .eml, when the email app was chosen. */
  readonly eml?: Buffer;
}

/**
 * Sends now, as the user: through SMTP (recorded in history; a temporary failure leaves it queued
 * for retry) or as an .eml the user's mail app opens.
 */
export async function sendInteractive(ctx: AppContext, providers: ProviderRegistry, actor: User, input: EmailInput, choice: InteractiveOptions = {}): Promise<InteractiveResult> {
  const options = await getOptions(ctx, actor.id);
  const provider = choice.provider ?? options.providerId ?? (options.doNotAskAgain ? options.lastChoice : null);
  if (!provider) throw new MailroomError('PROVIDER_CHOICE_REQUIRED', { details: { choices: interactiveChoices(await readParameters(ctx)) } });
  if (provider === 'eml') {
    const { row, raw } = await handIn(ctx, actor, input, { mode: 'interactive', provider, draft: true, initialStatus: 'generated' });
    await rememberChoice(ctx, actor, 'eml', choice);
    return { email: viewFor(actor, toView(row)), eml: raw };
  }
  const { row, raw } = await handIn(ctx, actor, input, { mode: 'interactive', provider, initialStatus: 'sending' });
  // Interactive sends name a provider, never a mailbox.
  await rememberChoice(ctx, actor, row.provider as ProviderId, choice);
  await deliver(ctx, providers, await readParameters(ctx), row, raw, { throttle: false });
  return { email: viewFor(actor, toView((await repo.findEmail(ctx.db, row.id))!)) };
}

/** A choice made in the dialog becomes the last choice; with "Do not ask again" it becomes the Email provider ID too. */
async function rememberChoice(ctx: AppContext, actor: User, provider: ProviderId, choice: InteractiveOptions) {
  if (choice.provider === undefined) return;
  await setOptions(ctx, actor.id, { lastChoice: provider, ...(choice.doNotAskAgain ? { doNotAskAgain: true, providerId: provider } : {}) });
}

const TEST_PROVIDERS = ['smtp', 'graph', 'exchange'] as const;
export type TestProvider = (typeof TEST_PROVIDERS)[number];

function describeRoute(params: StoredParameters, provider: TestProvider, from: string): string {
  if (provider === 'smtp') return `${params.smtp.host}:${params.smtp.port} to check the SMTP settings`;
  if (provider === 'graph') return `Microsoft Graph from the mailbox ${from} to check the Microsoft Graph settings`;
  return `Exchange Web Services from the mailbox ${from} to check the Exchange settings`;
}

/** Email parameters > Test email: sends with the current settings and reports at once, no retry. */
export async function sendTestEmail(ctx: AppContext, providers: ProviderRegistry, admin: User, to: string, provider: string = 'smtp'): Promise<EmailView> {
  if (!TEST_PROVIDERS.includes(provider as TestProvider)) {
    throw new MailroomError('VALIDATION_FAILED', { message: `A test email goes through smtp, graph or exchange, not "${provider}".`, details: { provider } });
  }
  const params = await readParameters(ctx);
  const from = await defaultSender(ctx, admin);
  const input: EmailInput = {
    to,
    subject: 'Mailroom test email',
    body: `This test email was sent by ${admin.name} through ${describeRoute(params, provider as TestProvider, from)}.\n`,
  };
  const { row, raw } = await handIn(ctx, admin, input, { mode: 'interactive', provider, initialStatus: 'sending' });
  await deliver(ctx, providers, params, row, raw, { retry: false, throttle: false });
  return toView((await repo.findEmail(ctx.db, row.id))!);
}

// ── status, history, resend ─────────────────────────────────────────────────────────────────

const canSeeAll = (actor: User) => actor.role === 'admin';

/** Where an email stands now, for a page that links to it; visible: whether this actor may open it. */
export interface EmailState {
  readonly status: EmailStatus;
  readonly sentAt: number | null;
  readonly visible: boolean;
}

/** The current state of each email still in the history (purged ones are absent). */
export async function emailStates(ctx: AppContext, actor: User, ids: readonly string[]): Promise<Map<string, EmailState>> {
  const rows = await repo.findStatuses(ctx.db, [...new Set(ids)]);
  return new Map(rows.map((r) => [r.id, { status: r.status, sentAt: r.sent_at, visible: canSeeAll(actor) || r.user_id === actor.id }]));
}

/**
 * What a user who is not an administrator does not see of an email: which Mailroom process holds
 * or tried it (host name and process id), and the text of an internal failure (it may name files
 * on the server). The mail server's own replies stay: they are about the user's email.
 */
export function viewFor(actor: User, view: EmailView): EmailView {
  if (canSeeAll(actor)) return view;
  const failure = view.failure?.code === 'INTERNAL' ? { ...view.failure, response: null, command: null } : view.failure;
  return { ...view, claimedBy: null, failure };
}

export async function getEmail(ctx: AppContext, actor: User, id: string) {
  const row = await repo.findEmail(ctx.db, id);
  if (!row || (!canSeeAll(actor) && row.user_id !== actor.id)) throw new MailroomError('NOT_FOUND', { message: 'No such email.' });
  const attempts = await repo.listAttempts(ctx.db, id);
  const admin = canSeeAll(actor);
  return {
    ...viewFor(actor, toView(row)),
    attemptLog: attempts.map((a) => ({
      attempt: a.attempt, worker: admin ? a.worker : null, startedAt: a.started_at, finishedAt: a.finished_at, outcome: a.outcome, code: a.error_code,
      response: admin || a.error_code !== 'INTERNAL' ? a.response : null,
    })),
  };
}

export async function getRawEmail(ctx: AppContext, actor: User, id: string): Promise<Buffer> {
  await getEmail(ctx, actor, id);
  const raw = (await repo.loadRaw(ctx.db, [id])).get(id);
  if (!raw) throw new MailroomError('NOT_FOUND', { message: 'The message content is no longer stored.' });
  if (raw.length === 0) throw new MailroomError('NOT_FOUND', { message: 'This email was refused before its message was built: there is no message; its failure says why.' });
  return raw;
}

export interface HistoryQuery {
  readonly status?: readonly EmailStatus[];
  readonly sender?: string;
  readonly from?: number;
  readonly to?: number;
  readonly text?: string;
  readonly cursor?: string;
  readonly limit?: number;
}

/** Email history, newest first; users see their own emails, administrators everyone's. */
export async function listHistory(ctx: AppContext, actor: User, q: HistoryQuery) {
  const limit = Math.min(Math.max(q.limit ?? 50, 1), 500);
  const rows = await repo.listHistory(ctx.db, {
    status: q.status, sender: q.sender, from: q.from, to: q.to, text: q.text,
    userId: canSeeAll(actor) ? undefined : actor.id,
    before: q.cursor ? decodeCursor(q.cursor) : undefined,
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { items: page.map((r) => viewFor(actor, toView(r))), nextCursor: rows.length > limit && last ? encodeCursor(last.created_at, last.id) : null };
}

/** Batch email sending status: what is waiting, deferred or being sent. */
export async function listQueue(ctx: AppContext, actor: User, limit = 200) {
  const rows = await repo.listQueue(ctx.db, { userId: canSeeAll(actor) ? undefined : actor.id, limit });
  return rows.map((r) => viewFor(actor, toView(r)));
}

const HOUR = 3600_000;

/** What became of the email handed in over the last day: per status, and per hour as sent, failed and still queued. */
export async function summary(ctx: AppContext, actor: User, sinceMs = 24 * HOUR) {
  // From the first whole hour of the window, so the hours read 14:00, 15:00… and the last is this one.
  const since = Math.ceil((ctx.clock.now() - sinceMs) / HOUR) * HOUR;
  const userId = canSeeAll(actor) ? undefined : actor.id;
  const hours = Array.from({ length: Math.ceil(sinceMs / HOUR) }, (_, i) => ({ start: since + i * HOUR, sent: 0, failed: 0, waiting: 0 }));
  for (const { hour, status, n } of await repo.countByHourSince(ctx.db, since, userId)) {
    // An email handed in this very millisecond is 24 h after since: it belongs to the last hour.
    const bucket = hours[Math.min(hour, hours.length - 1)];
    if (!bucket) continue;
    if (status === 'sent') bucket.sent += n;
    else if (status === 'failed' || status === 'expired') bucket.failed += n;
    else if (status === 'waiting' || status === 'deferred' || status === 'sending') bucket.waiting += n;
  }
  return { since, counts: await repo.countByStatusSince(ctx.db, since, userId), hours };
}

/** Puts a failed or expired email back in the queue; the same message, with its Message-ID, goes out. */
export async function resendEmail(ctx: AppContext, actor: User, id: string): Promise<EmailView> {
  const row = (await getEmail(ctx, actor, id));
  if (row.status !== 'failed' && row.status !== 'expired') throw new MailroomError('NOT_RESENDABLE', { details: { status: row.status } });
  if (row.sizeBytes === 0) {
    throw new MailroomError('NOT_RESENDABLE', { message: 'This email was refused before its message was built; nothing was stored to send again.', details: { status: row.status, code: row.failure?.code } });
  }
  // The grant that allowed this From may have been revoked since the email was handed in. A
  // mailbox's email from the mailbox's own address was authorized by the mailbox, not a grant.
  const mailboxAddress = row.mailboxId
    ? (await ctx.db.selectFrom('mailbox').select('email').where('id', '=', row.mailboxId).executeTakeFirst())?.email
    : undefined;
  if (row.userId && !(mailboxAddress && sameAddress(mailboxAddress, row.sender))) await assertMaySendAs(ctx, await getUser(ctx, row.userId), row.sender);
  const params = await readParameters(ctx);
  const now = ctx.clock.now();
  const expiresAt = now + expirationMs(params);
  // A batch email refused because its provider was not set up goes through the batch provider of now.
  const provider = row.mode === 'batch' && (NOT_SET_UP as readonly string[]).includes(row.failure?.code ?? '') ? params.batchProvider : row.provider;
  if (provider !== 'mailbox') assertSendable(provider, params);
  const result = await ctx.db.updateTable('email')
    .set({ provider, status: 'waiting', next_attempt_at: now, deferrals: 0, expires_at: expiresAt, updated_at: now, claimed_by: null, lease_until: null, resent_from: id })
    .where('id', '=', id).where('status', 'in', ['failed', 'expired']).executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) throw new MailroomError('NOT_RESENDABLE');
  await followMailboxEmails(ctx.db, [row]);
  ctx.events.emit('email:changed', { id, event: 'resent', status: 'waiting', provider, actor: actor.id });
  ctx.events.emit('email:queued', id);
  return viewFor(actor, toView((await repo.findEmail(ctx.db, id))!));
}

export async function cancelEmail(ctx: AppContext, actor: User, id: string): Promise<EmailView> {
  const row = await getEmail(ctx, actor, id);
  const now = ctx.clock.now();
  const result = await ctx.db.updateTable('email').set({ status: 'cancelled', updated_at: now })
    .where('id', '=', id).where('status', 'in', ['waiting', 'deferred']).executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) throw new MailroomError('NOT_CANCELLABLE');
  await followMailboxEmails(ctx.db, [row]);
  ctx.events.emit('email:changed', { id, event: 'cancelled', status: 'cancelled', provider: row.provider, actor: actor.id });
  return viewFor(actor, toView((await repo.findEmail(ctx.db, id))!));
}

const encodeCursor = (createdAt: number, id: string) => Buffer.from(JSON.stringify([createdAt, id])).toString('base64url');
function decodeCursor(cursor: string): { createdAt: number; id: string } {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [number, string];
    if (typeof createdAt !== 'number' || typeof id !== 'string') throw new Error('shape');
    return { createdAt, id };
  } catch {
    throw new MailroomError('VALIDATION_FAILED', { message: 'The paging cursor is not valid.' });
  }
}
