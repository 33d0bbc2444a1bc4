// An email activity as the API, the CLI and other domains read it: the row with its parties
// (each address with the records it resolved to), attachments, mailboxes and regarding record.
import type { AppContext } from '../app-context.ts';
import type { ActivityDirection, ActivityStatus, CorrelationMethod, PartyRole, SentFolderState } from '../store/tables.ts';
import * as repo from './email-activity.repository.ts';
import { recordNames, refKey, type RecordRef } from './record-types.ts';

export interface PartyRecord extends RecordRef {
  /** The record's name today; null for a record that is gone. */
  readonly name: string | null;
}

export interface ActivityParty {
  readonly address: string;
  readonly name: string;
  readonly records: readonly PartyRecord[];
}

export interface ActivityAttachment {
  readonly id: string;
  readonly filename: string;
  readonly contentType: string;
  readonly contentId: string | null;
  readonly size: number;
  /** False when the attachment was over the maximum attachment size: only its name and size are kept. */
  readonly stored: boolean;
  readonly skippedCode: string | null;
}

export interface EmailActivity {
  readonly id: string;
  readonly direction: ActivityDirection;
  readonly status: ActivityStatus;
  readonly statusDetail: string | null;
  readonly subject: string;
  readonly messageId: string | null;
  readonly inReplyTo: string | null;
  readonly references: readonly string[];
  readonly trackingToken: string | null;
  readonly receivedAt: number | null;
  readonly sentAt: number | null;
  readonly from: ActivityParty | null;
  readonly to: readonly ActivityParty[];
  readonly cc: readonly ActivityParty[];
  readonly bcc: readonly ActivityParty[];
  readonly regarding: PartyRecord | null;
  readonly ownerId: string | null;
  readonly accepting: { readonly type: 'user' | 'queue'; readonly id: string } | null;
  readonly correlatedBy: CorrelationMethod | null;
  readonly correlatedActivityId: string | null;
  /** Every mailbox the email was seen in. */
  readonly mailboxes: readonly string[];
  readonly attachments: readonly ActivityAttachment[];
  readonly createdAt: number;
  readonly updatedAt: number;
  /** The queued email of an activity sent from the application (its attempts and failure details). */
  readonly emailId: string | null;
  /** The sent email's copy in the mailbox's Sent folder: pending, copying, done, failed, none (POP3). */
  readonly sentFolder: SentFolderState | null;
}

export interface EmailActivityDetail extends EmailActivity {
  readonly text: string | null;
  /** As received: the console shows it only through its sanitizer. */
  readonly html: string | null;
}

function group<T extends { activity_id: string }>(rows: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) out.set(r.activity_id, [...(out.get(r.activity_id) ?? []), r]);
  return out;
}

function partiesByRole(rows: readonly repo.PartyRow[], names: Map<string, string>): Record<PartyRole, ActivityParty[]> {
  const out: Record<PartyRole, ActivityParty[]> = { from: [], to: [], cc: [], bcc: [] };
  let last: { role: PartyRole; position: number; party: { address: string; name: string; records: PartyRecord[] } } | undefined;
  for (const r of rows) {
    if (!last || last.role !== r.role || last.position !== r.position) {
      last = { role: r.role, position: r.position, party: { address: r.address, name: r.name, records: [] } };
      out[r.role].push(last.party);
    }
    if (r.record_type && r.record_id) {
      const ref = { type: r.record_type, id: r.record_id };
      last.party.records.push({ ...ref, name: names.get(refKey(ref)) ?? null });
    }
  }
  return out;
}

/** Views of the rows, in their order, with everything hanging off them loaded in a few queries. */
export async function toViews(ctx: AppContext, rows: readonly repo.ActivityRow[]): Promise<EmailActivity[]> {
  const ids = rows.map((r) => r.id);
  const [parties, attachments, mailboxes] = await Promise.all([repo.partiesOf(ctx.db, ids), repo.attachmentsOf(ctx.db, ids), repo.mailboxesOf(ctx.db, ids)]);
  const refs: RecordRef[] = parties.flatMap((p) => (p.record_type && p.record_id ? [{ type: p.record_type, id: p.record_id }] : []));
  for (const r of rows) if (r.regarding_type && r.regarding_id) refs.push({ type: r.regarding_type, id: r.regarding_id });
  const names = await recordNames(ctx, refs);
  const partiesById = group(parties);
  const attachmentsById = group(attachments);
  const mailboxesById = group(mailboxes);
  return rows.map((r) => {
    const p = partiesByRole(partiesById.get(r.id) ?? [], names);
    const regarding = r.regarding_type && r.regarding_id ? { type: r.regarding_type, id: r.regarding_id } : null;
    return {
      id: r.id, direction: r.direction, status: r.status, statusDetail: r.status_detail, subject: r.subject,
      messageId: r.message_id, inReplyTo: r.in_reply_to, references: r.references_header ? r.references_header.split(' ') : [],
      trackingToken: r.tracking_token, receivedAt: r.received_at, sentAt: r.sent_at,
      from: p.from[0] ?? null, to: p.to, cc: p.cc, bcc: p.bcc,
      regarding: regarding && { ...regarding, name: names.get(refKey(regarding)) ?? null },
      ownerId: r.owner_id, accepting: r.accepting_type && r.accepting_id ? { type: r.accepting_type, id: r.accepting_id } : null,
      correlatedBy: r.correlated_by, correlatedActivityId: r.correlated_activity_id,
      mailboxes: (mailboxesById.get(r.id) ?? []).map((m) => m.mailbox_id),
      attachments: (attachmentsById.get(r.id) ?? []).map((a) => ({
        id: a.id, filename: a.filename, contentType: a.content_type, contentId: a.content_id, size: a.size_bytes,
        stored: a.skipped_code === null, skippedCode: a.skipped_code,
      })),
      createdAt: r.created_at, updatedAt: r.updated_at, emailId: r.email_id, sentFolder: r.sent_folder,
    };
  });
}

export async function toDetail(ctx: AppContext, row: repo.ActivityRow): Promise<EmailActivityDetail> {
  const [view] = await toViews(ctx, [row]);
  return { ...view!, text: row.body_text, html: row.body_html };
}
