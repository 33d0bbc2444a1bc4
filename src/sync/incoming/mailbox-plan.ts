// What one mailbox's incoming cycle works with, read from the control plane: the accepting user or
// queue and its tracking option, the owner's record-creation option, the process-from date, the
// folders to evaluate (the Inbox, and a user's folder tracking rules on IMAP) and Email settings.
import type { AppContext } from '../../app-context.ts';
import { MailroomError } from '../../errors.ts';
import { readEmailSettings } from '../email-settings.ts';
import { listFolderRules } from '../folder-rules.service.ts';
import type { MailboxRow } from '../mailboxes.service.ts';
import type { ProfileRow } from '../server-profiles.service.ts';
import { readTrackingOptions } from '../tracking-options.service.ts';
import type { FolderPlan, IncomingMailbox, IncomingSettings } from './incoming-sync.ts';

export const INBOX = 'INBOX';

export interface IncomingPlan {
  readonly mailbox: IncomingMailbox;
  readonly settings: IncomingSettings;
  readonly folders: readonly FolderPlan[];
}

const later = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));

export async function incomingPlan(ctx: AppContext, row: MailboxRow, profile: ProfileRow): Promise<IncomingPlan> {
  const s = await readEmailSettings(ctx);
  const settings: IncomingSettings = {
    useCorrelation: s.useCorrelation, useTrackingTokens: s.useTrackingTokens, smartMatching: s.smartMatching,
    token: { prefix: s.trackingTokenPrefix, userDigits: s.trackingTokenUserDigits, counterDigits: s.trackingTokenCounterDigits },
    maxAttachmentKb: s.maxAttachmentKb, trackBetweenUsersAsTwo: s.trackBetweenUsersAsTwo,
    unresolvedOnMultipleMatches: s.unresolvedOnMultipleMatches,
  };
  const common = {
    id: row.id, processFrom: later(profile.process_email_from, row.process_after),
    deleteAfterProcessing: row.delete_after_processing === 1, moveFailedToUndeliverable: profile.move_failed_to_undeliverable === 1,
  };
  if (row.owner_kind === 'queue' && row.queue_id) {
    const queue = await ctx.db.selectFrom('queue').select(['id', 'owner_id', 'tracking']).where('id', '=', row.queue_id).executeTakeFirst();
    if (!queue) throw new MailroomError('NOT_FOUND', { message: `The queue of mailbox ${row.email} no longer exists.` });
    const owner = await readTrackingOptions(ctx, queue.owner_id);
    return {
      settings, folders: [{ folder: INBOX }],
      mailbox: { ...common, accepting: { type: 'queue', id: queue.id }, ownerId: queue.owner_id, tracking: queue.tracking, autoCreate: owner.autoCreate ? { as: owner.createAs, ownerId: queue.owner_id } : null },
    };
  }
  if (!row.user_id) throw new MailroomError('NOT_FOUND', { message: `The mailbox ${row.email} belongs to no user or queue.` });
  const options = await readTrackingOptions(ctx, row.user_id);
  // Folder tracking rules: the folders exist on IMAP only, and only while Email settings allow them.
  const rules = s.folderLevelTracking && profile.server_type === 'imap' ? await listFolderRules(ctx, row.user_id) : [];
  return {
    settings,
    folders: [{ folder: INBOX }, ...rules.map((r) => ({ folder: r.folder, regarding: r.regarding }))],
    mailbox: { ...common, accepting: { type: 'user', id: row.user_id }, ownerId: row.user_id, tracking: options.tracking, autoCreate: options.autoCreate ? { as: options.createAs, ownerId: row.user_id } : null },
  };
}
