// One incoming cycle of a mailbox's folders: pull after the folder's cursor (messages already done
// are not read), decide from the header block, correlate, and only for a message that is kept read
// its source, parse it (on the parser thread), store the activity through crm with the message's
// processing record, and move the cursor: in batches, each one transaction (incoming-batch.ts). A
// message is never tracked twice: crm's activity is idempotent on the dedupe key (the Message-ID),
// and the processing record is keyed by the server's UID, so a crash, a kill -9 or a UIDVALIDITY
// change only re-reads, never re-creates.
import type { AppContext } from '../../app-context.ts';
import { applyRegarding } from '../../crm/email-activity.service.ts';
import { isMailroomError } from '../../errors.ts';
import type { MailboxConnector } from '../connectors/connector.ts';
import { raiseMailboxAlert } from '../alerts.service.ts';
import type { CorrelationSettings } from './correlation.ts';
import { createIngestWindow } from './incoming-batch.ts';
import { createMessageParsing, type MessageParsing } from './parser-thread.ts';
import type { AutoCreate } from './record-creation.ts';
import * as records from './sync-message.repository.ts';
import type { TrackingOption } from './tracking-decision.ts';

export { MAX_MESSAGE_ATTEMPTS } from './incoming-batch.ts';

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
  /** Email settings' "set To, cc, bcc as unresolved if multiple matches are found" (default off). */
  readonly unresolvedOnMultipleMatches?: boolean;
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
  const { cursor, readFrom } = await records.readFolderState(ctx.db, mailbox.id, plan.folder);
  const from = records.readFromOf(mailbox.processFrom);
  // The process-from date moved earlier than the folder was read from: the folder is read again
  // from the new date (what is done is not read, the cursor stays); a later date needs nothing.
  const reread = cursor !== null && readFrom !== null && from < readFrom;
  const failedBefore = result.failed;
  const startedAt = ctx.clock.now();
  const pulled = connector.pull(plan.folder, cursor, {
    since: mailbox.processFrom === null ? null : new Date(mailbox.processFrom), reread,
    known: (refs) => records.doneUids(ctx.db, mailbox.id, refs),
    // Expunged on the server (QRESYNC): a failing message is closed; the cursor keeps the folder's HIGHESTMODSEQ.
    changes: async ({ cursor: next, vanished }) => {
      await records.recordExpunged(ctx.db, mailbox.id, plan.folder, next.uidValidity, vanished, ctx.clock.now());
      await records.writeCursor(ctx.db, mailbox.id, plan.folder, next, ctx.clock.now());
    },
  });
  const window = createIngestWindow(ctx, parsing, mailbox, settings, plan, result, from);
  try {
    for await (const item of pulled) {
      window.add(item);
      await window.step();
      // A stop between messages: what is decided is committed, the rest is read by whoever holds the mailbox next.
      if (signal?.aborted) break;
    }
    await window.finish(signal?.aborted ?? false);
  } catch (err) {
    // A dropped connection (or a database away) mid-pull: the messages already decided are kept.
    await window.salvage().catch(() => undefined);
    throw err;
  }
  // POP3 has no cursor: the time of its last complete pass tells reconciliation what it has seen.
  if (connector.type === 'pop3' && !signal?.aborted) await records.writeCursor(ctx.db, mailbox.id, plan.folder, { uidValidity: '', lastUid: 0 }, startedAt, from);
  // Read whole from this date; a message that failed below the cursor is retried only by reading again.
  if (!signal?.aborted && (!reread || result.failed === failedBefore)) await records.markReadFrom(ctx.db, mailbox.id, plan.folder, from);
  // Only after every activity above is committed: POP3 DELE (carried out at QUIT) and moves.
  if (connector.remove) for (const ref of window.outcome.removals) await connector.remove(ref);
  if (connector.moveToUndeliverable) for (const ref of window.outcome.toMove) await connector.moveToUndeliverable(ref);
  if (plan.regarding) await applyRegarding(ctx, await records.activityIdsIn(ctx.db, mailbox.id, plan.folder), plan.regarding);
}
