// Rows of email activities: the activity, its parties, attachments and mailbox links.
import type { Insertable, Kysely, Selectable, Transaction } from 'kysely';
import { executeCompiledOnce } from '../store/compiled-once.ts';
import type {
  ActivityDirection, ActivityStatus, Database, EmailActivityAttachmentTable, EmailActivityPartyTable, EmailActivityTable,
} from '../store/tables.ts';
import { readableBy, type ActivityReader } from './email-activity.access.ts';

export type ActivityRow = Selectable<EmailActivityTable>;
export type PartyRow = Selectable<EmailActivityPartyTable>;
export type AttachmentRow = Omit<Selectable<EmailActivityAttachmentTable>, 'content'>;
type Db = Kysely<Database> | Transaction<Database>;

/** Inserts the activity unless its dedupe key is taken; true when this call inserted it. */
export async function insertActivity(db: Db, row: Insertable<EmailActivityTable>): Promise<boolean> {
  // ON CONFLICT DO NOTHING waits for a concurrent insert of the same key and then skips, on both
  // dialects: two workers racing on one message never make two activities, and neither fails.
  const inserted = await executeCompiledOnce(db, `email_activity insert ${Object.keys(row).join()}`, Object.values(row),
    () => db.insertInto('email_activity').values(row).onConflict((oc) => oc.column('dedupe_key').doNothing()).returning('id'));
  return inserted.rows.length > 0;
}

export async function insertParties(db: Db, rows: readonly Insertable<EmailActivityPartyTable>[]): Promise<void> {
  if (rows.length) await db.insertInto('email_activity_party').values([...rows]).execute();
}

export async function insertAttachments(db: Db, rows: readonly Insertable<EmailActivityAttachmentTable>[]): Promise<void> {
  for (const row of rows) await db.insertInto('email_activity_attachment').values(row).execute();
}

export async function linkMailbox(db: Db, activityId: string, mailboxId: string, at: number): Promise<void> {
  await db.insertInto('email_activity_mailbox').values({ activity_id: activityId, mailbox_id: mailboxId, linked_at: at })
    .onConflict((oc) => oc.columns(['activity_id', 'mailbox_id']).doNothing()).execute();
}

export const findById = (db: Db, id: string) => db.selectFrom('email_activity').selectAll().where('id', '=', id).executeTakeFirst();

export const findIdByDedupeKey = async (db: Db, key: string): Promise<string | undefined> =>
  (await db.selectFrom('email_activity').select('id').where('dedupe_key', '=', key).executeTakeFirst())?.id;

/** The activity of each of these dedupe keys that has one. */
export async function findIdsByDedupeKeys(db: Db, keys: readonly string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (let i = 0; i < keys.length; i += 400) {
    const rows = await db.selectFrom('email_activity').select(['id', 'dedupe_key']).where('dedupe_key', 'in', keys.slice(i, i + 400)).execute();
    for (const r of rows) if (r.dedupe_key) found.set(r.dedupe_key, r.id);
  }
  return found;
}

/** The oldest activity of each of these column values that has one (id and regarding record only). */
export async function findOldestTargets(db: Db, column: 'message_id' | 'tracking_token', values: readonly string[]): Promise<Map<string, { id: string; regarding_type: string | null; regarding_id: string | null }>> {
  const found = new Map<string, { id: string; regarding_type: string | null; regarding_id: string | null }>();
  for (let i = 0; i < values.length; i += 400) {
    const rows = await db.selectFrom('email_activity').select(['id', 'regarding_type', 'regarding_id', column]).where(column, 'in', values.slice(i, i + 400))
      .orderBy('created_at').orderBy('id').execute();
    for (const r of rows) { const v = r[column]; if (v && !found.has(v)) found.set(v, { id: r.id, regarding_type: r.regarding_type, regarding_id: r.regarding_id }); }
  }
  return found;
}

/** The oldest activity with this column value. */
export const findOldestBy = (db: Db, column: 'message_id' | 'tracking_token', value: string) =>
  db.selectFrom('email_activity').selectAll().where(column, '=', value).orderBy('created_at').orderBy('id').limit(1).executeTakeFirst();

export interface ActivityFilter {
  readonly q?: string;
  readonly direction?: ActivityDirection;
  readonly status?: ActivityStatus;
  readonly regarding?: { readonly type: string; readonly id: string };
  readonly mailboxId?: string;
  readonly ownerId?: string;
  /** Only what this reader may read (email-activity.access.ts); every activity when left out (Mailroom's own callers). */
  readonly reader?: ActivityReader;
  /** Keyset: the (created_at, id) of the last row of the previous page, newest first. */
  readonly before?: { readonly createdAt: number; readonly id: string };
  readonly limit: number;
}

export async function listActivities(db: Db, f: ActivityFilter): Promise<ActivityRow[]> {
  let q = db.selectFrom('email_activity').selectAll('email_activity');
  if (f.direction) q = q.where('direction', '=', f.direction);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.ownerId) q = q.where('owner_id', '=', f.ownerId);
  if (f.reader && !f.reader.all) {
    const reader = f.reader;
    q = q.where((eb) => readableBy(eb, reader));
  }
  if (f.regarding) q = q.where('regarding_type', '=', f.regarding.type).where('regarding_id', '=', f.regarding.id);
  if (f.mailboxId) {
    const mailboxId = f.mailboxId;
    q = q.where((eb) => eb.exists(eb.selectFrom('email_activity_mailbox as m').select('m.activity_id')
      .whereRef('m.activity_id', '=', 'email_activity.id').where('m.mailbox_id', '=', mailboxId)));
  }
  if (f.q?.trim()) {
    const pattern = `%${f.q.trim().toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) => eb.or([
      eb(eb.fn('lower', ['email_activity.subject']), 'like', pattern),
      eb.exists(eb.selectFrom('email_activity_party as p').select('p.activity_id').whereRef('p.activity_id', '=', 'email_activity.id')
        .where((pb) => pb.or([pb(pb.fn('lower', ['p.address']), 'like', pattern), pb(pb.fn('lower', ['p.name']), 'like', pattern)]))),
    ]));
  }
  if (f.before) {
    const { createdAt, id } = f.before;
    q = q.where((eb) => eb(eb.refTuple('email_activity.created_at', 'email_activity.id'), '<', eb.tuple(createdAt, id)));
  }
  return q.orderBy('email_activity.created_at', 'desc').orderBy('email_activity.id', 'desc').limit(f.limit).execute();
}

export async function partiesOf(db: Db, ids: readonly string[]): Promise<PartyRow[]> {
  if (!ids.length) return [];
  return db.selectFrom('email_activity_party').selectAll().where('activity_id', 'in', [...ids]).orderBy('activity_id').orderBy('role').orderBy('position').orderBy('id').execute();
}

export async function attachmentsOf(db: Db, ids: readonly string[]): Promise<AttachmentRow[]> {
  if (!ids.length) return [];
  return db.selectFrom('email_activity_attachment')
    .select(['id', 'activity_id', 'position', 'filename', 'content_type', 'content_id', 'size_bytes', 'skipped_code'])
    .where('activity_id', 'in', [...ids]).orderBy('activity_id').orderBy('position').execute();
}

export async function mailboxesOf(db: Db, ids: readonly string[]): Promise<{ activity_id: string; mailbox_id: string }[]> {
  if (!ids.length) return [];
  return db.selectFrom('email_activity_mailbox').select(['activity_id', 'mailbox_id']).where('activity_id', 'in', [...ids])
    .orderBy('activity_id').orderBy('linked_at').orderBy('mailbox_id').execute();
}

export const attachmentContent = (db: Db, activityId: string, attachmentId: string) =>
  db.selectFrom('email_activity_attachment').selectAll().where('activity_id', '=', activityId).where('id', '=', attachmentId).executeTakeFirst();
