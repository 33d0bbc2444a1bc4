// One incoming cycle of a mailbox's folders: pull after the folder's cursor (messages already done
// are not read), decide from the header block, correlate, and only for a message that is kept read
// its source, store the activity through crm, then write the message's processing record and move
// the cursor. A message is never tracked twice: crm's activity is idempotent on the dedupe key (the
// Message-ID), and the processing record is keyed by the server's UID, so a crash, a kill -9 or a
// UIDVALIDITY change only re-reads, never re-creates.
import { createHash } from 'node:crypto';
import type { AppContext } from '../../app-context.ts';
import { isMailroomError } from '../../errors.ts';
import { resolveAddresses, type AddressResolution } from '../../crm/address-resolution.ts';
import { applyRegarding, findByMessageId, findCorrelationTarget, linkMailbox, listActivities, storeIncomingActivity } from '../../crm/email-activity.service.ts';
import type { EmailActivity } from '../../crm/email-activity.view.ts';
import type { FolderCursor, IncomingItem, ItemRef, MailboxConnector } from '../connectors/connector.ts';
import { messageIdOf } from '../connectors/header-lines.ts';
import { raiseMailboxAlert } from '../alerts.service.ts';
import { automatedReason } from './automated-sender.ts';
import { correlate, type CorrelatedActivity, type CorrelationSettings } from './correlation.ts';
import { parseHeaders, type ParsedMessage } from './message-parser.ts';
import { createMessageParsing, type MessageParsing } from './parser-thread.ts';
import { createSenderRecord, type AutoCreate } from './record-creation.ts';
import { bestSmartMatch, SMART_MATCH_CANDIDATES } from './smart-matching.ts';
import * as records from './sync-message.repository.ts';
import { findToken, type TokenFormat } from './tracking-token.ts';
import { decideTracking, type TrackingOption } from './tracking-decision.ts';

/** After this many failed attempts a message is set aside as undeliverable. */
export const MAX_MESSAGE_ATTEMPTS = 5;
/** How many processed messages between two writes of a folder's cursor. */
const CURSOR_EVERY = 25;

/** What the pipeline needs to know of a mailbox (sync-control's mailbox row, reduced). */
export interface IncomingMailbox {
  readonly id: string;
  readonly accepting: { readonly type: 'user' | 'queue'; readonly id: string };
  readonly ownerId: string | null;
  readonly tracking: TrackingOption;
  /** The later of the profile's "process email from" and the mailbox's "process email received after". */
  readonly processFrom: number | null;
  readonly deleteAfterProcessing: boolean;
  readonly moveFailedToUndeliverable: boolean;
  /** The owner's "automatically create records" option; null: off. */
  readonly autoCreate?: AutoCreate | null;
}

export interface IncomingSettings extends CorrelationSettings {
  readonly maxAttachmentKb: number;
  /** Email settings' "track email sent between users as two activities" (default on). */
  readonly trackBetweenUsersAsTwo?: boolean;
}

export interface FolderPlan {
  readonly folder: string;
  /** Set for a folder tracking rule: tracked regardless of the option, this regarding applied. */
  readonly regarding?: { readonly type: string; readonly id: string } | null;
}

export interface CycleResult {
  tracked: number;
  skipped: number;
  failed: number;
  undeliverable: number;
}

export const emptyCycle = (): CycleResult => ({ tracked: 0, skipped: 0, failed: 0, undeliverable: 0 });

const toCorrelated = (a: EmailActivity | null): CorrelatedActivity | null => (a ? { id: a.id, regarding: a.regarding ? { type: a.regarding.type, id: a.regarding.id } : null } : null);

export async function syncMailboxFolders(ctx: AppContext, connector: MailboxConnector, mailbox: IncomingMailbox, settings: IncomingSettings, plans: readonly FolderPlan[] = [{ folder: 'INBOX' }], signal?: AbortSignal): Promise<CycleResult> {
  const result = emptyCycle();
  const parsing = createMessageParsing();
  try {
    for (const plan of plans) {
      if (signal?.aborted) break;
      try {
        await syncFolder(ctx, connector, parsing, mailbox, settings, plan, result, signal);
      } catch (err) {
        // A folder rule naming a folder that is gone must not stop the Inbox: it is a warning.
        if (plan.regarding === undefined || !isMailroomError(err) || err.code !== 'MAILBOX_FOLDER_MISSING') throw err;
        await warnMissingFolder(ctx, mailbox.id, plan.folder);
      }
    }
  } finally {
    await parsing.close();
  }
  return result;
}

const DAY_MS = 86_400_000;

/** Once a day at most per folder: the alert says which rule to correct. */
async function warnMissingFolder(ctx: AppContext, mailboxId: string, folder: string): Promise<void> {
  const message = `The folder tracking rule for ${folder} names a folder the server does not have; its mail is not tracked until the rule is corrected or the folder exists.`;
  const recent = await ctx.db.selectFrom('mailbox_alert').select('id').where('mailbox_id', '=', mailboxId).where('code', '=', 'MAILBOX_FOLDER_MISSING')
    .where('message', '=', message).where('created_at', '>', ctx.clock.now() - DAY_MS).executeTakeFirst();
  if (recent) return;
  const row = await ctx.db.selectFrom('mailbox').select(['id', 'profile_id', 'user_id', 'queue_id']).where('id', '=', mailboxId).executeTakeFirst();
  if (row) await raiseMailboxAlert(ctx, row, { level: 'warning', channel: 'incoming', code: 'MAILBOX_FOLDER_MISSING', message });
}

async function syncFolder(ctx: AppContext, connector: MailboxConnector, parsing: MessageParsing, mailbox: IncomingMailbox, settings: IncomingSettings, plan: FolderPlan, result: CycleResult, signal?: AbortSignal): Promise<void> {
  const cursor = await records.readCursor(ctx.db, mailbox.id, plan.folder);
  const startedAt = ctx.clock.now();
  let blocked = false;
  let pending: FolderCursor | null = null;
  let sinceWrite = 0;
  const removals: ItemRef[] = [];
  const toMove: ItemRef[] = [];
  const pulled = connector.pull(plan.folder, cursor, {
    since: mailbox.processFrom === null ? null : new Date(mailbox.processFrom),
    known: (refs) => records.doneUids(ctx.db, mailbox.id, refs),
    // Expunged on the server (QRESYNC): a failing message is closed; the cursor keeps the folder's HIGHESTMODSEQ.
    changes: async ({ cursor: next, vanished }) => {
      await records.recordExpunged(ctx.db, mailbox.id, plan.folder, next.uidValidity, vanished, ctx.clock.now());
      await records.writeCursor(ctx.db, mailbox.id, plan.folder, next, ctx.clock.now());
    },
  });
  for await (const item of pulled) {
    const outcome = await processItem(ctx, parsing, mailbox, settings, plan, item);
    result[outcome]++;
    if (outcome === 'undeliverable' && mailbox.moveFailedToUndeliverable && connector.moveToUndeliverable) toMove.push(item.ref);
    if ((outcome === 'tracked' || outcome === 'skipped') && mailbox.deleteAfterProcessing && connector.remove) removals.push(item.ref);
    // The cursor stops before the first message that still fails, so it is read again next cycle.
    // It is written every CURSOR_EVERY messages: after a crash the few done messages past it are
    // skipped by their processing records without being read.
    if (outcome === 'failed') blocked = true;
    if (!blocked && item.cursor) {
      pending = item.cursor;
      if (++sinceWrite >= CURSOR_EVERY) { await records.writeCursor(ctx.db, mailbox.id, plan.folder, pending, ctx.clock.now()); pending = null; sinceWrite = 0; }
    }
    // A stop between messages: what is committed stays, the rest is read by whoever holds the mailbox next.
    if (signal?.aborted) break;
  }
  if (pending) await records.writeCursor(ctx.db, mailbox.id, plan.folder, pending, ctx.clock.now());
  // POP3 has no cursor: the time of its last complete pass tells reconciliation what it has seen.
  if (connector.type === 'pop3' && !signal?.aborted) await records.writeCursor(ctx.db, mailbox.id, plan.folder, { uidValidity: '', lastUid: 0 }, startedAt);
  // Only after every activity above is committed: POP3 DELE (carried out at QUIT) and moves.
  for (const ref of removals) await connector.remove!(ref);
  for (const ref of toMove) await connector.moveToUndeliverable!(ref);
  if (plan.regarding) await applyRegarding(ctx, await records.activityIdsIn(ctx.db, mailbox.id, plan.folder), plan.regarding);
}

type Outcome = keyof CycleResult;

/** Smart matching (off by default): the newest outgoing activities with the same subject words and two shared addresses. */
async function smartMatchLookup(ctx: AppContext, message: ParsedMessage, token: TokenFormat): Promise<CorrelatedActivity | null> {
  // The tracking token is not a word of the subject: sent subjects carry it, replies may not.
  const withoutToken = (subject: string) => { const t = findToken(token, subject); return t ? subject.replace(t, ' ').replace(t.toLowerCase(), ' ') : subject; };
  const page = await listActivities(ctx, { direction: 'outgoing', limit: SMART_MATCH_CANDIDATES });
  const candidates = page.items.map((a) => ({
    id: a.id, subject: withoutToken(a.subject), createdAt: a.createdAt,
    addresses: [a.from, ...a.to, ...a.cc, ...a.bcc].filter((p) => p !== null).map((p) => p.address),
  }));
  const addresses = [message.from, ...message.to, ...message.cc].filter((p) => p !== null).map((p) => p.address);
  const hit = bestSmartMatch({ subject: withoutToken(message.subject), addresses }, candidates, ctx.clock.now());
  return hit ? toCorrelated(page.items.find((a) => a.id === hit.id) ?? null) : null;
}

/** The dedupe key of a message: its Message-ID (or, without one, its header block). */
const dedupeKeyOf = (messageId: string | null, headers: Buffer) => `message:${createHash('sha256').update(messageId ?? headers).digest('hex')}`;

async function processItem(ctx: AppContext, parsing: MessageParsing, mailbox: IncomingMailbox, settings: IncomingSettings, plan: FolderPlan, item: IncomingItem): Promise<Outcome> {
  const base = { mailboxId: mailbox.id, ref: item.ref, messageId: messageIdOf(item.headers), receivedAt: item.receivedAt?.getTime() ?? null, at: ctx.clock.now() };
  try {
    // Decided on the header block: a message that is not kept is never read whole.
    const head = await parseHeaders(item.headers);
    const { match, token } = await correlate(head, settings, {
      byMessageId: (id) => findCorrelationTarget(ctx, 'message-id', id),
      byTrackingToken: (t) => findCorrelationTarget(ctx, 'tracking-token', t),
      bySmartMatch: (message) => smartMatchLookup(ctx, message, settings.token),
    });
    const [sender] = head.from ? await resolveAddresses(ctx, [head.from.address], { trackingUserId: mailbox.accepting.type === 'user' ? mailbox.accepting.id : null }) : [];
    const senderTypes = (sender?.records ?? []).map((r) => r.type);
    const decision = decideTracking({ option: mailbox.tracking, folderRule: plan.regarding !== undefined, correlated: match !== null, senderTypes });
    const automated = automatedReason(item.headers, head.from?.address ?? null);
    if (!decision.track) {
      await records.record(ctx.db, { ...base, outcome: 'skipped', reason: automated ? `${decision.reason}; automated sender (${automated})` : decision.reason });
      return 'skipped';
    }
    // One activity for mail between users when Email settings say so: the sender's own activity.
    if (settings.trackBetweenUsersAsTwo === false && senderTypes.includes('user') && head.messageId) {
      const own = await findByMessageId(ctx, head.messageId);
      if (own) {
        await linkMailbox(ctx, own.id, mailbox.id);
        await records.record(ctx.db, { ...base, outcome: 'tracked', reason: `sent between users: linked to activity ${own.id} (one activity, as Email settings say)`, activityId: own.id });
        return 'tracked';
      }
    }
    const parsed = await parsing.parse(await item.loadSource());
    const resolved = await senderRecords(ctx, mailbox, parsed, sender, automated);
    const why = (first: string) => [first, resolved.note].filter(Boolean).join('; ');
    // The processing record is committed with a new activity: there is no moment when one exists without the other.
    const { id, created } = await storeIncomingActivity(ctx, {
      dedupeKey: dedupeKeyOf(parsed.messageId, item.headers), mailboxId: mailbox.id, messageId: parsed.messageId, inReplyTo: parsed.inReplyTo, references: parsed.references,
      subject: parsed.subject, text: parsed.text, html: parsed.html, from: parsed.from, to: parsed.to, cc: parsed.cc, bcc: parsed.bcc,
      receivedAt: base.receivedAt, sentAt: parsed.date, trackingToken: token,
      regarding: plan.regarding ?? match?.activity.regarding ?? null, ownerId: mailbox.ownerId, accepting: mailbox.accepting,
      correlatedBy: match?.method ?? null, correlatedActivityId: match?.activity.id ?? null,
      attachments: parsed.attachments, resolved: resolved.resolution ? [resolved.resolution] : [],
    }, {
      maxAttachmentKb: settings.maxAttachmentKb,
      alsoCommit: (trx, activityId) => records.record(trx, { ...base, outcome: 'tracked', reason: why(decision.why), activityId }),
    });
    if (!created) await records.record(ctx.db, { ...base, outcome: 'tracked', reason: why(`already tracked as activity ${id}: this mailbox linked to it`), activityId: id });
    return 'tracked';
  } catch (err) {
    if (!isMailroomError(err) || err.code.startsWith('MAILBOX_')) throw err; // the connection: the scheduler's alerts handle it
    const attempts = (await records.attempts(ctx.db, mailbox.id, item.ref)) + 1;
    const outcome = attempts >= MAX_MESSAGE_ATTEMPTS ? 'undeliverable' : 'failed';
    await records.record(ctx.db, { ...base, outcome, reason: err.message, errorCode: err.code, attempts });
    return outcome;
  }
}

/** The sender's records; a new contact or lead for an unresolved person when the owner asks. */
async function senderRecords(ctx: AppContext, mailbox: IncomingMailbox, parsed: ParsedMessage, sender: AddressResolution | undefined, automated: string | null): Promise<{ resolution: AddressResolution | null; note: string | null }> {
  if (!sender || sender.records.length > 0 || !parsed.from || !mailbox.autoCreate) return { resolution: sender ?? null, note: null };
  if (automated) return { resolution: sender, note: `no record created: automated sender (${automated})` };
  const made = await createSenderRecord(ctx, mailbox.autoCreate, parsed.from);
  return { resolution: { address: sender.address, records: [made] }, note: `created ${made.type} ${made.id} for the sender` };
}
