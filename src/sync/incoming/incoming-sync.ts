// One incoming cycle of a mailbox's folder: pull after the folder's cursor (messages already done
// are not read), decide, correlate, store the activity through crm, then write the message's
// processing record and move the cursor. A message is never tracked twice: crm's activity is
// idempotent on the dedupe key (the Message-ID), and the processing record is keyed by the server's
// UID, so a crash, a kill -9 or a UIDVALIDITY change only re-reads, never re-creates.
import { createHash } from 'node:crypto';
import type { AppContext } from '../../app-context.ts';
import { isMailroomError } from '../../errors.ts';
import { resolveAddresses } from '../../crm/address-resolution.ts';
import { createIncomingActivity, findByMessageId, findByTrackingToken } from '../../crm/email-activity.service.ts';
import type { EmailActivity } from '../../crm/email-activity.view.ts';
import type { IncomingItem, ItemRef, MailboxConnector } from '../connectors/connector.ts';
import { messageIdOf } from '../connectors/header-lines.ts';
import { automatedReason } from './automated-sender.ts';
import { correlate, type CorrelatedActivity, type CorrelationSettings } from './correlation.ts';
import { parseMessage } from './message-parser.ts';
import * as records from './sync-message.repository.ts';
import { decideTracking, type TrackingOption } from './tracking-decision.ts';

/** After this many failed attempts a message is set aside as undeliverable. */
export const MAX_MESSAGE_ATTEMPTS = 5;

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
}

export interface IncomingSettings extends CorrelationSettings {
  readonly maxAttachmentKb: number;
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

const toCorrelated = (a: EmailActivity | null): CorrelatedActivity | null => (a ? { id: a.id, regarding: a.regarding ? { type: a.regarding.type, id: a.regarding.id } : null } : null);

export async function syncMailboxFolders(ctx: AppContext, connector: MailboxConnector, mailbox: IncomingMailbox, settings: IncomingSettings, plans: readonly FolderPlan[] = [{ folder: 'INBOX' }]): Promise<CycleResult> {
  const result: CycleResult = { tracked: 0, skipped: 0, failed: 0, undeliverable: 0 };
  for (const plan of plans) await syncFolder(ctx, connector, mailbox, settings, plan, result);
  return result;
}

async function syncFolder(ctx: AppContext, connector: MailboxConnector, mailbox: IncomingMailbox, settings: IncomingSettings, plan: FolderPlan, result: CycleResult): Promise<void> {
  const cursor = await records.readCursor(ctx.db, mailbox.id, plan.folder);
  let blocked = false;
  const removals: ItemRef[] = [];
  const toMove: ItemRef[] = [];
  const pulled = connector.pull(plan.folder, cursor, {
    since: mailbox.processFrom === null ? null : new Date(mailbox.processFrom),
    known: (refs) => records.doneUids(ctx.db, mailbox.id, refs),
  });
  for await (const item of pulled) {
    const outcome = await processItem(ctx, mailbox, settings, plan, item);
    result[outcome]++;
    if (outcome === 'undeliverable' && mailbox.moveFailedToUndeliverable && connector.moveToUndeliverable) toMove.push(item.ref);
    if ((outcome === 'tracked' || outcome === 'skipped') && mailbox.deleteAfterProcessing && connector.remove) removals.push(item.ref);
    // The cursor stops before the first message that still fails, so it is read again next cycle.
    if (outcome === 'failed') blocked = true;
    if (!blocked && item.cursor) {
      await records.writeCursor(ctx.db, mailbox.id, plan.folder, item.cursor, ctx.clock.now());
    }
  }
  // Only after every activity above is committed: POP3 DELE (carried out at QUIT) and moves.
  for (const ref of removals) await connector.remove!(ref);
  for (const ref of toMove) await connector.moveToUndeliverable!(ref);
}

type Outcome = keyof CycleResult;

async function processItem(ctx: AppContext, mailbox: IncomingMailbox, settings: IncomingSettings, plan: FolderPlan, item: IncomingItem): Promise<Outcome> {
  const messageId = messageIdOf(item.headers);
  const base = { mailboxId: mailbox.id, ref: item.ref, messageId, receivedAt: item.receivedAt?.getTime() ?? null, at: ctx.clock.now() };
  try {
    const parsed = await parseMessage(await item.loadSource());
    const { match, token } = await correlate(parsed, settings, {
      byMessageId: async (id) => toCorrelated(await findByMessageId(ctx, id)),
      byTrackingToken: async (t) => toCorrelated(await findByTrackingToken(ctx, t)),
    });
    const [sender] = parsed.from ? await resolveAddresses(ctx, [parsed.from.address]) : [];
    const decision = decideTracking({
      option: mailbox.tracking, folderRule: plan.regarding !== undefined, correlated: match !== null, senderTypes: (sender?.records ?? []).map((r) => r.type),
    });
    if (!decision.track) {
      const automated = automatedReason(item.headers, parsed.from?.address ?? null);
      await records.record(ctx.db, { ...base, outcome: 'skipped', reason: automated ? `${decision.reason}; automated sender (${automated})` : decision.reason });
      return 'skipped';
    }
    const dedupeKey = `message:${createHash('sha256').update(parsed.messageId ?? item.headers).digest('hex')}`;
    const { activity, created } = await createIncomingActivity(ctx, {
      dedupeKey, mailboxId: mailbox.id, messageId: parsed.messageId, inReplyTo: parsed.inReplyTo, references: parsed.references,
      subject: parsed.subject, text: parsed.text, html: parsed.html, from: parsed.from, to: parsed.to, cc: parsed.cc, bcc: parsed.bcc,
      receivedAt: base.receivedAt, sentAt: parsed.date, trackingToken: token,
      regarding: plan.regarding ?? match?.activity.regarding ?? null, ownerId: mailbox.ownerId, accepting: mailbox.accepting,
      correlatedBy: match?.method ?? null, correlatedActivityId: match?.activity.id ?? null,
      attachments: parsed.attachments, resolved: sender ? [sender] : [],
    }, { maxAttachmentKb: settings.maxAttachmentKb });
    await records.record(ctx.db, { ...base, outcome: 'tracked', reason: created ? decision.why : `already tracked as activity ${activity.id}: this mailbox linked to it`, activityId: activity.id });
    return 'tracked';
  } catch (err) {
    if (!isMailroomError(err) || err.code.startsWith('MAILBOX_')) throw err; // the connection: the scheduler's alerts handle it
    const attempts = (await records.attempts(ctx.db, mailbox.id, item.ref)) + 1;
    const outcome = attempts >= MAX_MESSAGE_ATTEMPTS ? 'undeliverable' : 'failed';
    await records.record(ctx.db, { ...base, outcome, reason: err.message, errorCode: err.code, attempts });
    return outcome;
  }
}
