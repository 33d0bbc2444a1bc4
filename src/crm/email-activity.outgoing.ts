// The crm side of sending an email activity written in the application: the draft as it is to be
// sent (parties and attachment content), and the marks it gets when it is queued. Synchronization's
// outgoing half (src/sync/outgoing) does the sending itself, on the email queue.
import type { Kysely, Transaction } from 'kysely';
import type { AppContext } from '../app-context.ts';
import { MailroomError } from '../errors.ts';
import type { Database, SentFolderState } from '../store/tables.ts';
import type { User } from '../users/users.service.ts';
import * as repo from './email-activity.repository.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface OutgoingParty {
  readonly address: string;
  readonly name: string;
}

export interface OutgoingDraft {
  readonly id: string;
  readonly ownerId: string;
  readonly subject: string;
  readonly text: string | null;
  readonly html: string | null;
  readonly from: OutgoingParty | null;
  readonly to: readonly OutgoingParty[];
  readonly cc: readonly OutgoingParty[];
  readonly bcc: readonly OutgoingParty[];
  readonly attachments: readonly { readonly filename: string; readonly contentType: string; readonly content: Buffer }[];
}

function byRole(parties: readonly repo.PartyRow[], role: string): OutgoingParty[] {
  // A party that resolved to several records has a row per record: one address per position.
  const seen = new Set<number>();
  const out: OutgoingParty[] = [];
  for (const p of parties) {
    if (p.role !== role || seen.has(p.position)) continue;
    seen.add(p.position);
    out.push({ address: p.address, name: p.name });
  }
  return out;
}

/** The outgoing Draft the actor may send: only its owner sends it, as themselves. */
export async function draftForSending(ctx: AppContext, actor: User, id: string): Promise<OutgoingDraft> {
  const row = await repo.findById(ctx.db, id);
  if (!row) throw new MailroomError('NOT_FOUND', { message: `No email activity ${id}.` });
  if (row.owner_id !== actor.id) {
    throw new MailroomError('FORBIDDEN', { message: 'Only the owner of an email activity sends it, through their own mailbox or a queue\'s they belong to.' });
  }
  if (row.direction !== 'outgoing' || row.status !== 'draft') {
    throw new MailroomError('ACTIVITY_NOT_SENDABLE', { message: `A ${row.direction} email activity that is ${row.status} is not sent again; only an outgoing Draft is sent.`, details: { status: row.status } });
  }
  const parties = await repo.partiesOf(ctx.db, [id]);
  const stored = await repo.attachmentsOf(ctx.db, [id]);
  const attachments = [];
  for (const a of stored) {
    const full = await repo.attachmentContent(ctx.db, id, a.id);
    if (!full?.content) throw new MailroomError('ATTACHMENT_TOO_LARGE', { message: `${a.filename} was not stored, so it cannot be sent.`, details: { field: 'attachments', filename: a.filename } });
    attachments.push({ filename: a.filename, contentType: a.content_type, content: Buffer.from(full.content) });
  }
  return {
    id, ownerId: row.owner_id, subject: row.subject, text: row.body_text, html: row.body_html,
    from: byRole(parties, 'from')[0] ?? null, to: byRole(parties, 'to'), cc: byRole(parties, 'cc'), bcc: byRole(parties, 'bcc'), attachments,
  };
}

export interface QueuedMarks {
  readonly emailId: string;
  readonly messageId: string;
  readonly subject: string;
  readonly trackingToken: string | null;
  readonly mailboxId: string;
  readonly from: OutgoingParty;
  /** The records the From address resolves to (resolveAddresses, before the transaction); the first is kept. */
  readonly fromRecords?: readonly { readonly type: string; readonly id: string }[];
  readonly sentFolder: SentFolderState;
  /** Why the mailbox cannot send yet ("CODE: message"), known at hand-in; null when it can. */
  readonly waitReason?: string | null;
  readonly at: number;
}

/**
 * Marks the Draft as queued, in the transaction that stores its email: Pending send, with the
 * email, the Message-ID, the subject as sent (with its token) and the sending mailbox. Refuses
 * (and so rolls the email back) when it is no longer a Draft: two sends race, one wins.
 */
export async function markQueued(db: Db, id: string, marks: QueuedMarks): Promise<void> {
  const result = await db.updateTable('email_activity').set({
    status: 'pending-send', status_detail: marks.waitReason ?? null, email_id: marks.emailId, message_id: marks.messageId, subject: marks.subject,
    tracking_token: marks.trackingToken, sent_folder: marks.sentFolder, updated_at: marks.at,
  }).where('id', '=', id).where('status', '=', 'draft').executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) throw new MailroomError('ACTIVITY_NOT_SENDABLE', { message: 'The email activity was sent meanwhile; it is not sent twice.' });
  // The From as sent (a queue's address when sent from a queue), resolved records kept when unchanged.
  const current = await db.selectFrom('email_activity_party').select(['address']).where('activity_id', '=', id).where('role', '=', 'from').executeTakeFirst();
  if (!current || current.address.toLowerCase() !== marks.from.address.toLowerCase()) {
    await db.deleteFrom('email_activity_party').where('activity_id', '=', id).where('role', '=', 'from').execute();
    const record = marks.fromRecords?.[0];
    await repo.insertParties(db, [{ activity_id: id, role: 'from', position: 0, address: marks.from.address, name: marks.from.name, record_type: record?.type ?? null, record_id: record?.id ?? null }]);
  }
  await repo.linkMailbox(db, id, marks.mailboxId, marks.at);
}

/** The activity of a queued email, for the commands that act on it (cancel, resend). */
export async function queuedEmailOf(ctx: AppContext, actor: User, id: string): Promise<{ emailId: string; status: string }> {
  const row = await repo.findById(ctx.db, id);
  if (!row) throw new MailroomError('NOT_FOUND', { message: `No email activity ${id}.` });
  if (row.owner_id !== actor.id && actor.role !== 'admin') throw new MailroomError('FORBIDDEN', { message: 'Only the owner of an email activity or an administrator may cancel or resend it.' });
  if (!row.email_id) throw new MailroomError('ACTIVITY_NOT_SENDABLE', { message: `This email activity is ${row.status}; it was never queued.`, details: { status: row.status } });
  return { emailId: row.email_id, status: row.status };
}

/** Cancels an outgoing Draft of the actor's (true), or tells the caller it is not a Draft (false). */
export async function cancelDraft(ctx: AppContext, actor: User, id: string): Promise<boolean> {
  const row = await repo.findById(ctx.db, id);
  if (!row) throw new MailroomError('NOT_FOUND', { message: `No email activity ${id}.` });
  if (row.direction !== 'outgoing' || row.status !== 'draft') return false;
  if (row.owner_id !== actor.id && actor.role !== 'admin') throw new MailroomError('FORBIDDEN', { message: 'Only the owner of an email activity or an administrator may cancel it.' });
  const result = await ctx.db.updateTable('email_activity').set({ status: 'canceled', updated_at: ctx.clock.now() })
    .where('id', '=', id).where('status', '=', 'draft').executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
