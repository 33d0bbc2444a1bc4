// The messages of a folder's pull, decided and written in batches. Each round of pulled messages
// (BATCH_MESSAGES, or BATCH_BYTES of them) is decided on its header blocks with one look-up of
// its senders, one of the activities it answers and one of its dedupe keys; the kept messages go
// to the parser thread, and while they parse the previous round is written in one transaction:
// a savepoint per message (a message that fails is rolled back alone and its failure recorded),
// its processing record, and the folder's cursor, so the cursor never passes an uncommitted message.
//
// The outcome is what deciding and writing one message at a time gives. A message decided before
// the one it answers is written sees that one among the pending messages (correlation looks at the
// database first: an activity stored earlier is older). Anything that makes an earlier decision
// wrong ends the batch there, and what follows is decided again once it is committed: a message
// that fails to parse or store, an activity another worker stored first, a sender record created.
import { createHash, randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { AppContext } from '../../app-context.ts';
import { resolveAddresses, type AddressResolution } from '../../crm/address-resolution.ts';
import {
  findByMessageId, findCorrelationTargets, findIdsByDedupeKeys, linkMailbox, listActivities, lockDedupeKeys, normalizeMessageId, prepareIncomingActivities,
  writeIncomingActivity, type CorrelationTarget, type IncomingActivityInput, type PreparedIncomingActivity,
} from '../../crm/email-activity.service.ts';
import { isMailroomError, MailroomError } from '../../errors.ts';
import { databaseFault, toDatabaseError } from '../../store/database-errors.ts';
import type { Database } from '../../store/tables.ts';
import type { FolderCursor, IncomingItem, ItemRef } from '../connectors/connector.ts';
import { messageIdOf } from '../connectors/header-lines.ts';
import { claimTransaction } from '../scheduler.ts';
import { automatedReason } from './automated-sender.ts';
import { correlate, type Correlation } from './correlation.ts';
import type { CycleResult, FolderPlan, IncomingMailbox, IncomingSettings } from './incoming-sync.ts';
import { parseHeaders, type ParsedMessage } from './message-parser.ts';
import type { MessageParsing } from './parser-thread.ts';
import { createSenderRecord } from './record-creation.ts';
import { bestSmartMatch, SMART_MATCH_CANDIDATES } from './smart-matching.ts';
import * as records from './sync-message.repository.ts';
import { decideTracking } from './tracking-decision.ts';
import { findToken, type TokenFormat } from './tracking-token.ts';

/** After this many failed attempts a message is set aside as undeliverable. */
export const MAX_MESSAGE_ATTEMPTS = 5;
/** Messages decided per round, and written per transaction. */
export const BATCH_MESSAGES = 50;
/** A round ends earlier once its messages reach this size (what the window holds stays small). */
export const BATCH_BYTES = 1024 * 1024;

type Verdict =
  | { readonly kind: 'skipped'; readonly reason: string }
  /** Mail between users as one activity: this mailbox linked to the sender's. */
  | { readonly kind: 'linked'; readonly activityId: string; readonly reason: string }
  | { readonly kind: 'failed'; readonly error: MailroomError }
  | {
    readonly kind: 'tracked'; readonly head: ParsedMessage; readonly match: Correlation | null; readonly token: string | null;
    readonly sender: AddressResolution | undefined; readonly why: string; readonly automated: string | null;
    /** The activity it makes (fresh) or already has (another mailbox's, or an earlier copy in this pull). */
    readonly activityId: string; readonly fresh: boolean; readonly dedupeKey: string;
    /** It creates the sender's record: nothing after it is decided before it is written. */
    readonly createsRecord: boolean;
  };
type Tracked = Extract<Verdict, { kind: 'tracked' }>;
type Parse = { readonly parsed: ParsedMessage } | { readonly error: unknown };
/** A tracked message's crm rows (or why it cannot be stored), with what its processing record adds. */
interface Store { readonly prepared: PreparedIncomingActivity | MailroomError | null; readonly note: string | null }

interface Entry {
  readonly item: IncomingItem;
  verdict: Verdict | null;
  /** Settles, never rejects: a parse failure is a value, so nothing is left unhandled. */
  parse: Promise<Parse> | null;
}

/** What a folder's pull hands on once it is over (and its activities committed). */
export interface WindowOutcome {
  readonly removals: ItemRef[];
  readonly toMove: ItemRef[];
}

/** The dedupe key of a message: its Message-ID (or, without one, its header block). */
export const dedupeKeyOf = (messageId: string | null, headers: Buffer) => `message:${createHash('sha256').update(messageId ?? headers).digest('hex')}`;

const bytesOf = (list: readonly Entry[]) => list.reduce((n, e) => n + e.item.size, 0);
const asMailroomError = (err: unknown) => (isMailroomError(err) ? err : null);
/** The connection's errors, the database's faults (and anything not in the registry) end the cycle: the scheduler's alerts handle them. Others fail the message. */
const isCycleError = (err: unknown) => !isMailroomError(err) || err.code.startsWith('MAILBOX_') || databaseFault(err) !== null;

export function createIngestWindow(ctx: AppContext, parsing: MessageParsing, mailbox: IncomingMailbox, settings: IncomingSettings, plan: FolderPlan, result: CycleResult, readFrom: number | null = null) {
  const entries: Entry[] = [];
  const outcome: WindowOutcome = { removals: [], toMove: [] };
  let blocked = false;
  let cursor: FolderCursor | null = null;
  const decidedCount = () => { const i = entries.findIndex((e) => !e.verdict); return i < 0 ? entries.length : i; };
  const undecided = () => entries.slice(decidedCount());

  /** The pending activity (decided, not yet written) with this Message-ID or tracking token, oldest first. */
  function pendingBy(by: 'message-id' | 'tracking-token', value: string): CorrelationTarget | null {
    const key = by === 'message-id' ? normalizeMessageId(value) : value.trim();
    for (const e of entries) {
      const v = e.verdict;
      if (v?.kind !== 'tracked' || !v.fresh) continue;
      if (by === 'message-id' ? normalizeMessageId(v.head.messageId) === key : v.token === key) return { id: v.activityId, regarding: regardingOf(v) };
    }
    return null;
  }
  const regardingOf = (v: Tracked) => plan.regarding ?? v.match?.activity.regarding ?? null;
  const pendingByDedupeKey = (key: string) => entries.find((e) => e.verdict?.kind === 'tracked' && e.verdict.fresh && e.verdict.dedupeKey === key)?.verdict as Tracked | undefined;

  /** Decides the undecided entries in order (stopping after one that creates a sender record), and sends the kept ones to parse. */
  async function decide(): Promise<void> {
    if (entries.some((e) => e.verdict?.kind === 'tracked' && e.verdict.createsRecord)) await write(decidedCount());
    const round = undecided();
    if (!round.length) return;
    const heads = round.map((e) => parseHeaders(e.item.headers).catch((err: unknown) => { if (isCycleError(err)) throw err; return err as MailroomError; }));
    const parsedHeads = await Promise.all(heads);
    const ok = parsedHeads.filter((h): h is ParsedMessage => !(h instanceof Error));
    const lookups = await roundLookups(ctx, mailbox, settings, ok, round.map((e, i) => (parsedHeads[i] instanceof Error ? null : dedupeKeyOf(messageIdOf(e.item.headers), e.item.headers))));
    for (const [i, entry] of round.entries()) {
      const head = parsedHeads[i]!;
      entry.verdict = head instanceof Error ? { kind: 'failed', error: head } : await judge(entry.item, head, lookups);
      if (entry.verdict.kind === 'tracked' && !entry.parse) {
        try {
          entry.parse = parsing.parse(await entry.item.loadSource()).then((parsed) => ({ parsed }), (error: unknown) => ({ error }));
        } catch (err) {
          if (isCycleError(err)) { entry.verdict = null; throw err; }
          entry.verdict = { kind: 'failed', error: err as MailroomError };
        }
      }
      if (entry.verdict.kind === 'tracked' && entry.verdict.createsRecord) return;
    }
  }

  /** One message's verdict, on its header block, the round's look-ups and the pending messages before it. */
  async function judge(item: IncomingItem, head: ParsedMessage, lookups: RoundLookups): Promise<Verdict> {
    try {
      const { match, token } = await correlate(head, settings, {
        byMessageId: async (id) => lookups.byMessageId.get(id) ?? pendingBy('message-id', id),
        byTrackingToken: async (t) => lookups.byToken.get(t) ?? pendingBy('tracking-token', t),
        bySmartMatch: (message) => smartMatchLookup(ctx, message, settings.token),
      });
      const sender = head.from ? lookups.senders.get(head.from.address.trim().toLowerCase()) : undefined;
      const senderTypes = (sender?.records ?? []).map((r) => r.type);
      const decision = decideTracking({ option: mailbox.tracking, folderRule: plan.regarding !== undefined, correlated: match !== null, senderTypes });
      const automated = automatedReason(item.headers, head.from?.address ?? null);
      if (!decision.track) return { kind: 'skipped', reason: automated ? `${decision.reason}; automated sender (${automated})` : decision.reason };
      // One activity for mail between users when Email settings say so: the sender's own activity.
      if (settings.trackBetweenUsersAsTwo === false && senderTypes.includes('user') && head.messageId) {
        const own = (await findByMessageId(ctx, head.messageId))?.id ?? pendingBy('message-id', head.messageId)?.id;
        if (own) return { kind: 'linked', activityId: own, reason: `sent between users: linked to activity ${own} (one activity, as Email settings say)` };
      }
      const dedupeKey = dedupeKeyOf(messageIdOf(item.headers), item.headers);
      const existing = lookups.dedupe.get(dedupeKey) ?? pendingByDedupeKey(dedupeKey)?.activityId;
      const createsRecord = Boolean(mailbox.autoCreate && head.from && sender && sender.records.length === 0 && !automated);
      return { kind: 'tracked', head, match, token, sender, why: decision.why, automated, activityId: existing ?? randomUUID(), fresh: !existing, dedupeKey, createsRecord };
    } catch (err) {
      if (isCycleError(err)) throw err;
      return { kind: 'failed', error: err as MailroomError };
    }
  }

  /**
   * Writes the first `count` decided entries in one transaction and drops them from the window.
   * At the first message that fails (or whose activity another worker stored first) the batch
   * ends; what follows is decided again. An error that is not the message's own is thrown once
   * the messages before it are committed.
   */
  async function write(count: number): Promise<void> {
    const batch = entries.slice(0, Math.min(count, decidedCount()));
    if (!batch.length) return;
    const parses = await Promise.all(batch.map((e) => e.parse));
    const stores = await prepareStores(batch, parses);
    let fatal: unknown = null;
    let written = 0;
    const counted: (keyof CycleResult)[] = [];
    await claimTransaction(ctx, async (trx) => {
      // The batch's new activities in one order (PostgreSQL): another worker writing some of the
      // same messages in another order waits for this commit instead of deadlocking with it.
      await lockDedupeKeys(ctx, trx, stores.flatMap((s) => (s.prepared && !(s.prepared instanceof Error) && s.prepared.row ? [s.prepared.dedupeKey] : [])));
      for (const [i, entry] of batch.entries()) {
        await sql`savepoint incoming_message`.execute(trx);
        try {
          const { outcome, cut } = await writeEntry(trx, entry, stores[i]!);
          await sql`release savepoint incoming_message`.execute(trx);
          counted.push(outcome);
          written = i + 1;
          if (cut) break;
        } catch (err) {
          await sql`rollback to savepoint incoming_message`.execute(trx);
          await sql`release savepoint incoming_message`.execute(trx);
          // A deadlock (40P01) or the database away ends the cycle as DATABASE_BUSY or _UNAVAILABLE, retried;
          // the messages before this one are committed below with the cursor, the rest are read again.
          if (isCycleError(err)) { fatal = toDatabaseError(err) ?? err; break; }
          counted.push(await recordFailure(trx, entry.item, asMailroomError(err)!));
          written = i + 1;
          break;
        }
      }
      const next = advanceCursor(batch.slice(0, written), counted);
      if (next) await records.writeCursor(trx, mailbox.id, plan.folder, next, ctx.clock.now(), readFrom);
    });
    for (const [i, o] of counted.entries()) settle(batch[i]!.item, o);
    entries.splice(0, written);
    if (written < batch.length || fatal) for (const e of entries) e.verdict = null;
    if (fatal) throw fatal;
  }

  /** The crm rows of the batch's tracked messages (one preparation for all), a parse failure or a refusal in place of a message's. */
  async function prepareStores(batch: readonly Entry[], parses: readonly (Parse | null)[]): Promise<Store[]> {
    const inputs: { index: number; input: IncomingActivityInput & { id?: string }; note: string | null }[] = [];
    const out: Store[] = batch.map(() => ({ prepared: null, note: null }));
    for (const [i, entry] of batch.entries()) {
      const v = entry.verdict!;
      const parse = parses[i];
      if (v.kind !== 'tracked' || !parse) continue;
      if ('error' in parse) {
        if (isCycleError(parse.error)) throw parse.error;
        out[i] = { prepared: parse.error as MailroomError, note: null };
        continue;
      }
      try {
        inputs.push({ index: i, ...(await activityInput(entry.item, v, parse.parsed)) });
      } catch (err) {
        if (isCycleError(err)) throw err;
        out[i] = { prepared: err as MailroomError, note: null };
      }
    }
    const prepared = await prepareIncomingActivities(ctx, inputs.map((x) => x.input), { maxAttachmentKb: settings.maxAttachmentKb, unresolvedOnMultipleMatches: settings.unresolvedOnMultipleMatches ?? false });
    for (const [k, x] of inputs.entries()) out[x.index] = { prepared: prepared[k]!, note: x.note };
    return out;
  }

  /** What crm stores for a tracked message; its sender's record is created first when the owner asks. */
  async function activityInput(item: IncomingItem, v: Tracked, parsed: ParsedMessage): Promise<{ input: IncomingActivityInput & { id?: string }; note: string | null }> {
    let resolution = v.sender ?? null;
    let note: string | null = null;
    if (v.createsRecord && parsed.from && v.sender) {
      const made = await createSenderRecord(ctx, mailbox.autoCreate!, parsed.from);
      resolution = { address: v.sender.address, records: [made] };
      note = `created ${made.type} ${made.id} for the sender`;
    } else if (v.sender && v.sender.records.length === 0 && parsed.from && mailbox.autoCreate && v.automated) {
      note = `no record created: automated sender (${v.automated})`;
    }
    return { note, input: {
      ...(v.fresh ? { id: v.activityId } : {}),
      dedupeKey: dedupeKeyOf(parsed.messageId, item.headers), mailboxId: mailbox.id, messageId: parsed.messageId, inReplyTo: parsed.inReplyTo, references: parsed.references,
      subject: parsed.subject, text: parsed.text, html: parsed.html, from: parsed.from, to: parsed.to, cc: parsed.cc, bcc: parsed.bcc,
      receivedAt: item.receivedAt?.getTime() ?? null, sentAt: parsed.date, trackingToken: v.token,
      regarding: regardingOf(v), ownerId: mailbox.ownerId, accepting: mailbox.accepting,
      correlatedBy: v.match?.method ?? null, correlatedActivityId: v.match?.activity.id ?? null,
      attachments: parsed.attachments, resolved: resolution ? [resolution] : [],
    } };
  }

  /** One message's writes under its savepoint; `cut`: the messages after it must be decided again. */
  async function writeEntry(trx: Kysely<Database>, entry: Entry, { prepared: store, note }: Store): Promise<{ outcome: keyof CycleResult; cut: boolean }> {
    const v = entry.verdict!;
    const base = baseRecord(entry.item);
    if (v.kind === 'skipped') { await records.record(trx, { ...base, outcome: 'skipped', reason: v.reason }); return { outcome: 'skipped', cut: false }; }
    if (v.kind === 'failed') return { outcome: await recordFailure(trx, entry.item, v.error), cut: false };
    if (v.kind === 'linked') {
      await linkMailbox({ ...ctx, db: trx }, v.activityId, mailbox.id);
      await records.record(trx, { ...base, outcome: 'tracked', reason: v.reason, activityId: v.activityId });
      return { outcome: 'tracked', cut: false };
    }
    if (store instanceof Error || !store) throw store ?? new MailroomError('INTERNAL', { message: 'The message was not prepared.' });
    const { id, created } = await writeIncomingActivity(trx, store, ctx.clock.now());
    const reason = created ? [v.why, note].filter(Boolean).join('; ') : [`already tracked as activity ${id}: this mailbox linked to it`, note].filter(Boolean).join('; ');
    await records.record(trx, { ...base, outcome: 'tracked', reason, activityId: id });
    // A fresh activity someone else stored first has another id than the one later messages may name.
    return { outcome: 'tracked', cut: (v.fresh && !created) || v.createsRecord };
  }

  async function recordFailure(trx: Kysely<Database>, item: IncomingItem, err: MailroomError): Promise<'failed' | 'undeliverable'> {
    const attempts = (await records.attempts(trx, mailbox.id, item.ref)) + 1;
    const outcome = attempts >= MAX_MESSAGE_ATTEMPTS ? 'undeliverable' : 'failed';
    await records.record(trx, { ...baseRecord(item), outcome, reason: err.message, errorCode: err.code, attempts });
    return outcome;
  }

  const baseRecord = (item: IncomingItem) => ({ mailboxId: mailbox.id, ref: item.ref, messageId: messageIdOf(item.headers), receivedAt: item.receivedAt?.getTime() ?? null, at: ctx.clock.now() });

  /** The cursor stops before the first message that still fails, so it is read again next cycle. */
  function advanceCursor(written: readonly Entry[], outcomes: readonly (keyof CycleResult)[]): FolderCursor | null {
    let moved = false;
    for (const [i, e] of written.entries()) {
      if (outcomes[i] === 'failed') blocked = true;
      if (!blocked && e.item.cursor) { cursor = e.item.cursor; moved = true; }
    }
    return moved ? cursor : null;
  }

  function settle(item: IncomingItem, o: keyof CycleResult): void {
    result[o]++;
    if (o === 'undeliverable' && mailbox.moveFailedToUndeliverable) outcome.toMove.push(item.ref);
    if ((o === 'tracked' || o === 'skipped') && mailbox.deleteAfterProcessing) outcome.removals.push(item.ref);
  }

  return {
    outcome,
    add(item: IncomingItem): void { entries.push({ item, verdict: null, parse: null }); },
    /**
     * Decides the undecided messages once they make a round, or at once when the newest one's
     * source is not in hand (its read is a round trip of its own, and a connection lost after it
     * keeps what was read). The messages decided before, while these parse, are written once they
     * make a batch.
     */
    async step(): Promise<void> {
      const open = undecided();
      const last = open.at(-1);
      if (!last || (open.length < BATCH_MESSAGES && bytesOf(open) < BATCH_BYTES && last.item.sourceInHand === true)) return;
      const older = entries.slice(0, decidedCount());
      await decide();
      if (older.length >= BATCH_MESSAGES || bytesOf(older) >= BATCH_BYTES) await write(Math.min(older.length, decidedCount()));
    },
    /** Everything left decided and written; `stopped`: only what is decided already is written. */
    async finish(stopped: boolean): Promise<void> {
      if (stopped) return write(decidedCount());
      while (entries.length) {
        await decide();
        await write(decidedCount());
      }
    },
    /** After an error: what is decided is written, when it can be. */
    async salvage(): Promise<void> {
      await write(decidedCount());
    },
  };
}

interface RoundLookups {
  readonly senders: ReadonlyMap<string, AddressResolution>;
  readonly byMessageId: ReadonlyMap<string, CorrelationTarget>;
  readonly byToken: ReadonlyMap<string, CorrelationTarget>;
  readonly dedupe: ReadonlyMap<string, string>;
}

/** A round's reads, one query each: its senders' records, the activities its messages answer, its dedupe keys. */
async function roundLookups(ctx: AppContext, mailbox: IncomingMailbox, settings: IncomingSettings, heads: readonly ParsedMessage[], dedupeKeys: readonly (string | null)[]): Promise<RoundLookups> {
  const senders = [...new Set(heads.map((h) => h.from?.address).filter((a): a is string => !!a))];
  const resolved = await resolveAddresses(ctx, senders, { trackingUserId: mailbox.accepting.type === 'user' ? mailbox.accepting.id : null });
  const ids = settings.useCorrelation ? heads.flatMap((h) => [h.inReplyTo, ...h.references].filter((x): x is string => !!x)) : [];
  const tokens = settings.useTrackingTokens ? heads.map((h) => findToken(settings.token, h.subject)).filter((t): t is string => !!t) : [];
  return {
    senders: new Map(resolved.map((r) => [r.address.trim().toLowerCase(), r])),
    byMessageId: ids.length ? await findCorrelationTargets(ctx, 'message-id', ids) : new Map(),
    byToken: tokens.length ? await findCorrelationTargets(ctx, 'tracking-token', tokens) : new Map(),
    dedupe: await findIdsByDedupeKeys(ctx, dedupeKeys.filter((k): k is string => !!k)),
  };
}

/** Smart matching (off by default): the newest outgoing activities with the same subject words and two shared addresses. */
async function smartMatchLookup(ctx: AppContext, message: ParsedMessage, token: TokenFormat): Promise<CorrelationTarget | null> {
  // The tracking token is not a word of the subject: sent subjects carry it, replies may not.
  const withoutToken = (subject: string) => { const t = findToken(token, subject); return t ? subject.replace(t, ' ').replace(t.toLowerCase(), ' ') : subject; };
  const page = await listActivities(ctx, { direction: 'outgoing', limit: SMART_MATCH_CANDIDATES });
  const candidates = page.items.map((a) => ({
    id: a.id, subject: withoutToken(a.subject), createdAt: a.createdAt,
    addresses: [a.from, ...a.to, ...a.cc, ...a.bcc].filter((p) => p !== null).map((p) => p.address),
  }));
  const addresses = [message.from, ...message.to, ...message.cc].filter((p) => p !== null).map((p) => p.address);
  const hit = bestSmartMatch({ subject: withoutToken(message.subject), addresses }, candidates, ctx.clock.now());
  const found = hit ? page.items.find((a) => a.id === hit.id) : undefined;
  return found ? { id: found.id, regarding: found.regarding ? { type: found.regarding.type, id: found.regarding.id } : null } : null;
}
