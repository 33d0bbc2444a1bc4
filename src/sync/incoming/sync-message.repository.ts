// Folder cursors and processing records (tables of migration 0008).
import { sql, type Kysely } from 'kysely';
import { executeCompiledOnce } from '../../store/compiled-once.ts';
import type { Database, SyncOutcome } from '../../store/tables.ts';
import type { FolderCursor, ItemRef } from '../connectors/connector.ts';

type Db = Kysely<Database>;
const DONE: readonly SyncOutcome[] = ['tracked', 'skipped', 'undeliverable'];

/** The date a folder is read from, as its cursor keeps it: 0 for no process-from date (from the first message). */
export const readFromOf = (processFrom: number | null) => processFrom ?? 0;

export interface FolderState {
  readonly cursor: FolderCursor | null;
  /** The process-from date the folder was last read from completely (0: from its first message); null: not known. */
  readonly readFrom: number | null;
}

export async function readFolderState(db: Db, mailboxId: string, folder: string): Promise<FolderState> {
  const row = await db.selectFrom('sync_folder_cursor').selectAll().where('mailbox_id', '=', mailboxId).where('folder', '=', folder).executeTakeFirst();
  if (!row) return { cursor: null, readFrom: null };
  const cursor = { uidValidity: row.uid_validity, lastUid: Number(row.last_uid), ...(row.highest_modseq ? { highestModseq: row.highest_modseq } : {}) };
  return { cursor, readFrom: row.read_from === null ? null : Number(row.read_from) };
}

/** `readFrom` is kept on a folder's first cursor only: a pass says when it read the folder whole (markReadFrom). */
export async function writeCursor(db: Db, mailboxId: string, folder: string, cursor: FolderCursor, at: number, readFrom: number | null = null): Promise<void> {
  const values = { uid_validity: cursor.uidValidity, last_uid: cursor.lastUid, highest_modseq: cursor.highestModseq ?? null, updated_at: at };
  await db.insertInto('sync_folder_cursor').values({ mailbox_id: mailboxId, folder, ...values, read_from: readFrom })
    .onConflict((oc) => oc.columns(['mailbox_id', 'folder']).doUpdateSet(values)).execute();
}

/** The folder was read whole from this process-from date (0: from its first message). */
export async function markReadFrom(db: Db, mailboxId: string, folder: string, readFrom: number): Promise<void> {
  await db.updateTable('sync_folder_cursor').set({ read_from: readFrom }).where('mailbox_id', '=', mailboxId).where('folder', '=', folder)
    .where((eb) => eb.or([eb('read_from', 'is', null), eb('read_from', '!=', readFrom)])).execute();
}

/** The uids among refs (one folder, one UIDVALIDITY) that are done and need no reading. */
export async function doneUids(db: Db, mailboxId: string, refs: readonly ItemRef[]): Promise<Set<string>> {
  const first = refs[0];
  if (!first) return new Set();
  const rows = await db.selectFrom('sync_message').select('uid').where('mailbox_id', '=', mailboxId).where('folder', '=', first.folder)
    .where('uid_validity', '=', first.uidValidity).where('uid', 'in', refs.map((r) => r.uid)).where('outcome', 'in', DONE).execute();
  return new Set(rows.map((r) => r.uid));
}

/**
 * Messages the server expunged (QRESYNC's VANISHED). One still failing has nothing left to retry:
 * it becomes skipped with that reason, so it no longer keeps the mailbox from healthy. Tracked,
 * skipped and set-aside records stay as they are: deleting mail in the mailbox never removes its
 * activity. Returns how many failing records were closed.
 */
export async function recordExpunged(db: Db, mailboxId: string, folder: string, uidValidity: string, uids: readonly string[], at: number): Promise<number> {
  let closed = 0;
  for (let i = 0; i < uids.length; i += 500) {
    const result = await db.updateTable('sync_message')
      .set({ outcome: 'skipped', reason: sql<string>`cast(${'expunged on the server before it could be processed; it had failed: '} as text) || coalesce(reason, '')`, updated_at: at })
      .where('mailbox_id', '=', mailboxId).where('folder', '=', folder).where('uid_validity', '=', uidValidity)
      .where('uid', 'in', uids.slice(i, i + 500)).where('outcome', '=', 'failed').executeTakeFirst();
    closed += Number(result.numUpdatedRows);
  }
  return closed;
}

export async function attempts(db: Db, mailboxId: string, ref: ItemRef): Promise<number> {
  const row = await db.selectFrom('sync_message').select('attempts').where('mailbox_id', '=', mailboxId).where('folder', '=', ref.folder)
    .where('uid_validity', '=', ref.uidValidity).where('uid', '=', ref.uid).executeTakeFirst();
  return row ? Number(row.attempts) : 0;
}

export interface ProcessingRecord {
  readonly mailboxId: string;
  readonly ref: ItemRef;
  readonly messageId: string | null;
  readonly receivedAt: number | null;
  readonly outcome: SyncOutcome;
  readonly reason: string | null;
  readonly activityId?: string | null;
  readonly errorCode?: string | null;
  readonly attempts?: number;
  readonly at: number;
}

export async function record(db: Db, r: ProcessingRecord): Promise<void> {
  const values = {
    message_id: r.messageId, received_at: r.receivedAt, outcome: r.outcome, reason: r.reason, activity_id: r.activityId ?? null,
    attempts: r.attempts ?? 1, error_code: r.errorCode ?? null, updated_at: r.at,
  };
  const row = { mailbox_id: r.mailboxId, folder: r.ref.folder, uid_validity: r.ref.uidValidity, uid: r.ref.uid, ...values };
  // Built once (store/compiled-once.ts): the row's values, then the updated ones again.
  await executeCompiledOnce(db, 'sync_message upsert', [...Object.values(row), ...Object.values(values)],
    () => db.insertInto('sync_message').values(row).onConflict((oc) => oc.columns(['mailbox_id', 'folder', 'uid_validity', 'uid']).doUpdateSet(values)));
}

export async function listRecords(db: Db, mailboxId: string) {
  return db.selectFrom('sync_message').selectAll().where('mailbox_id', '=', mailboxId).orderBy('folder').orderBy('uid_validity').orderBy('uid').execute();
}

/** The activities tracked from a folder (a folder rule's regarding is applied to them again). */
export async function activityIdsIn(db: Db, mailboxId: string, folder: string): Promise<string[]> {
  const rows = await db.selectFrom('sync_message').select('activity_id').where('mailbox_id', '=', mailboxId).where('folder', '=', folder)
    .where('outcome', '=', 'tracked').where('activity_id', 'is not', null).execute();
  return [...new Set(rows.map((r) => r.activity_id!))];
}

export async function cursorRow(db: Db, mailboxId: string, folder: string) {
  return db.selectFrom('sync_folder_cursor').selectAll().where('mailbox_id', '=', mailboxId).where('folder', '=', folder).executeTakeFirst();
}

/** The outcome of each of these server messages (one folder, one UIDVALIDITY) that has a record. */
export async function outcomesOf(db: Db, mailboxId: string, refs: readonly ItemRef[]): Promise<Map<string, SyncOutcome>> {
  const first = refs[0];
  if (!first) return new Map();
  const rows = await db.selectFrom('sync_message').select(['uid', 'outcome']).where('mailbox_id', '=', mailboxId).where('folder', '=', first.folder)
    .where('uid_validity', '=', first.uidValidity).where('uid', 'in', refs.map((r) => r.uid)).execute();
  return new Map(rows.map((r) => [r.uid, r.outcome]));
}
