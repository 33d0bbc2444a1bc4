import { sql, type Insertable, type Kysely, type Selectable, type SelectQueryBuilder, type Transaction } from 'kysely';
import type { DialectName } from '../store/dialect.ts';
import { QUEUED_STATUSES, type Database, type EmailAttemptTable, type EmailStatus, type EmailTable } from '../store/tables.ts';
import { followMailboxEmails } from './activity-follow.ts';

export type EmailRow = Selectable<EmailTable>;
type Db = Kysely<Database> | Transaction<Database>;

const FINAL_STATUSES: readonly EmailStatus[] = ['sent', 'generated', 'failed', 'expired', 'cancelled'];

/** What a hand-in checked an email against, as stored then (see hand-in-snapshot.ts). */
export interface HandInBasis {
  readonly paramsKey: string;
  readonly paramsText: string | null;
  readonly sender?: { readonly userId: string; readonly senderEmail: string | null };
}

/**
 * Stores a new email and its message only if the Email parameters and the user's sender option
 * are still as `basis` says (without one, always); answers whether it did. On PostgreSQL it is one statement (one round
 * trip; outside a transaction it commits on its own), on SQLite two, which must run in a
 * transaction (SQLite's WITH cannot hold an INSERT).
 */
export async function insertEmailIfCurrent(db: Db, dialect: DialectName, row: EmailRow, raw: Buffer, basis: HandInBasis | undefined): Promise<boolean> {
  const columns = Object.keys(row) as (keyof EmailRow & string)[];
  // INSERT … SELECT the row's values WHERE the basis holds: no row at all when it does not.
  const values = db.selectNoFrom(columns.map((c) => sql`${row[c]}`.as(c))).where((eb) => eb.and(basis ? [
    eb(eb.selectFrom('setting').select('value').where('key', '=', basis.paramsKey), 'is not distinct from', basis.paramsText),
    ...(basis.sender ? [eb(eb.selectFrom('user_options').select('sender_email').where('user_id', '=', basis.sender.userId), 'is not distinct from', basis.sender.senderEmail)] : []),
  ] : []));
  const insertRow = db.insertInto('email').columns(columns).expression(values);
  if (dialect === 'postgres') {
    const result = await db.with('stored', () => insertRow.returning('id'))
      .insertInto('email_content').columns(['email_id', 'raw'])
      .expression((eb) => eb.selectFrom('stored').select(['stored.id', sql<Buffer>`${raw}`.as('raw')]))
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows) === 1;
  }
  const result = await insertRow.executeTakeFirst();
  if (Number(result.numInsertedOrUpdatedRows) !== 1) return false;
  await db.insertInto('email_content').values({ email_id: row.id, raw }).execute();
  return true;
}

export const findEmail = (db: Db, id: string) =>
  db.selectFrom('email').selectAll().where('id', '=', id).executeTakeFirst();

/** The status of each of these emails that is still in the history. */
export const findStatuses = (db: Db, ids: readonly string[]) => ids.length === 0 ? Promise.resolve([]) :
  db.selectFrom('email').select(['id', 'status', 'sent_at', 'user_id']).where('id', 'in', [...ids]).execute();

export async function loadRaw(db: Db, ids: readonly string[]): Promise<Map<string, Buffer>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('email_content').select(['email_id', 'raw']).where('email_id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.email_id, Buffer.from(r.raw)]));
}

export const listAttempts = (db: Db, emailId: string) =>
  db.selectFrom('email_attempt').selectAll().where('email_id', '=', emailId).orderBy('id').execute();

/** A claimed email; takenOver when it was another worker's, whose lease had run out. */
export type ClaimedRow = EmailRow & { readonly takenOver: boolean };

/**
 * Takes up to `limit` due emails for one worker: first sending ones whose worker's lease ran out
 * (it crashed, was killed, or lost the database for longer than the lease), then waiting or
 * deferred ones whose time has come. Each is one statement, so two workers never take the same
 * row; PostgreSQL skips rows another worker is taking right now.
 */
export async function claimDue(db: Db, dialect: DialectName, args: { worker: string; now: number; leaseMs: number; limit: number }): Promise<ClaimedRow[]> {
  const abandoned = db.selectFrom('email').select('id')
    .where('status', '=', 'sending').where('lease_until', '<', args.now)
    .orderBy('lease_until').limit(args.limit);
  const takenOver = await claimRows(db, dialect, abandoned, args);
  if (takenOver.length >= args.limit) return takenOver.map((r) => ({ ...r, takenOver: true }));
  const due = db.selectFrom('email').select('id')
    .where('status', 'in', ['waiting', 'deferred']).where('next_attempt_at', '<=', args.now)
    .orderBy('next_attempt_at').limit(args.limit - takenOver.length);
  const fresh = await claimRows(db, dialect, due, args);
  return [...takenOver.map((r) => ({ ...r, takenOver: true })), ...fresh.map((r) => ({ ...r, takenOver: false }))];
}

async function claimRows(db: Db, dialect: DialectName, ids: SelectQueryBuilder<Database, 'email', { id: string }>, args: { worker: string; now: number; leaseMs: number }) {
  const locked = dialect === 'postgres' ? ids.forUpdate().skipLocked() : ids;
  const rows = await db.updateTable('email')
    .set({ status: 'sending', claimed_by: args.worker, lease_until: args.now + args.leaseMs, attempts: sql`attempts + 1`, updated_at: args.now })
    .where('id', 'in', locked)
    .returningAll()
    .execute();
  await followMailboxEmails(db, rows);
  return rows;
}

/**
 * Just before a claimed email is sent: confirms the worker still holds the claim and starts its
 * lease afresh. False when another worker took it over (this worker's batch outlasted the lease):
 * then this worker must not send it.
 */
export async function renewClaim(db: Db, args: { id: string; worker: string; now: number; leaseMs: number }): Promise<boolean> {
  const result = await db.updateTable('email')
    .set({ lease_until: args.now + args.leaseMs })
    .where('id', '=', args.id).where('claimed_by', '=', args.worker).where('status', '=', 'sending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * The heartbeat of a live worker: starts the lease of every email it holds afresh, in one
 * statement. On PostgreSQL the rows another transaction is writing right now (this worker's own
 * outcomes, being recorded) are skipped rather than waited for, so the heartbeat never waits on
 * or deadlocks with them. Answers how many claims it renewed.
 */
export async function renewClaims(db: Db, dialect: DialectName, args: { worker: string; now: number; leaseMs: number }): Promise<number> {
  let held = db.selectFrom('email').select('id').where('status', '=', 'sending').where('claimed_by', '=', args.worker);
  if (dialect === 'postgres') held = held.forUpdate().skipLocked();
  const result = await db.updateTable('email').set({ lease_until: args.now + args.leaseMs }).where('id', 'in', held).executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * Gives claimed emails that were not started back to the queue at once (a stopping worker): they
 * are waiting again, due as they were, and the claim's attempt is taken back. Only the worker's
 * own claims change.
 */
export async function releaseClaims(db: Db, args: { worker: string; ids: readonly string[]; now: number }) {
  if (args.ids.length === 0) return [];
  const rows = await db.updateTable('email')
    .set({ status: 'waiting', claimed_by: null, lease_until: null, attempts: sql`attempts - 1`, updated_at: args.now })
    .where('id', 'in', args.ids).where('claimed_by', '=', args.worker).where('status', '=', 'sending')
    .returning(['id', 'provider', 'attempts'])
    .execute();
  await followMailboxEmails(db, rows);
  return rows;
}

/** Whether some worker's claim has run out (it died): another worker should take it over now. */
export async function hasAbandonedClaims(db: Db, now: number): Promise<boolean> {
  const row = await db.selectFrom('email').select('id').where('status', '=', 'sending').where('lease_until', '<', now).limit(1).executeTakeFirst();
  return row !== undefined;
}

export type Outcome =
  | { kind: 'sent'; recipientResults: string; response: string }
  | { kind: 'failed' | 'retry' | 'expired'; code: string; response: string | null; command: string | null; nextAttemptAt?: number }
  | { kind: 'deferred'; nextAttemptAt: number }
  /** Not tried: what it goes out through cannot send yet (a mailbox not approved or enabled); looked at again later. */
  | { kind: 'held'; code: string; response: string; nextAttemptAt: number };

const STATUS_OF: Record<Outcome['kind'], EmailStatus> = { sent: 'sent', failed: 'failed', retry: 'waiting', expired: 'expired', deferred: 'deferred', held: 'waiting' };

/** What became of one claimed email, as the worker that sent it reports it. */
export interface OutcomeReport {
  readonly row: EmailRow;
  readonly startedAt: number;
  readonly now: number;
  readonly outcome: Outcome;
}

/**
 * Records what became of one claimed email, with its attempt, in one transaction. Only the
 * worker that holds the claim may record it: a worker whose lease was taken over changes nothing.
 */
export async function recordOutcome(db: Kysely<Database>, args: OutcomeReport & { worker: string }): Promise<boolean> {
  const [recorded] = await recordOutcomes(db, args.worker, [args]);
  return recorded!;
}

/**
 * Records several claimed emails' outcomes, with their attempts, in one transaction: all of them
 * or, if it fails, none. Each email is checked on its own: one whose claim this worker no longer
 * holds changes nothing and answers false, and the others are still written.
 */
export async function recordOutcomes(db: Kysely<Database>, worker: string, reports: readonly OutcomeReport[]): Promise<boolean[]> {
  if (reports.length === 0) return [];
  return db.transaction().execute(async (tx) => {
    // Most outcomes are sends: those go in one statement (one round trip on PostgreSQL).
    const sentHeld = await markSent(tx, worker, reports.filter((r) => r.outcome.kind === 'sent'));
    const recorded: boolean[] = [];
    const attempts: Insertable<EmailAttemptTable>[] = [];
    for (const report of reports) {
      const { row, now, outcome } = report;
      const held = outcome.kind === 'sent' ? sentHeld.has(row.id) : await markOther(tx, worker, row, now, outcome);
      recorded.push(held);
      if (held && outcome.kind !== 'deferred' && outcome.kind !== 'held') attempts.push(attemptRow(report, worker, outcome));
    }
    // One statement for the batch's attempt rows: one round trip on PostgreSQL.
    if (attempts.length > 0) await tx.insertInto('email_attempt').values(attempts).execute();
    // An email activity riding on one of these emails follows it, in the same transaction.
    await followMailboxEmails(tx, reports.filter((_, i) => recorded[i]).map((r) => r.row));
    return recorded;
  });
}

/**
 * Marks these emails sent in one UPDATE, each only where this worker still holds its claim;
 * answers the ids it wrote. The values travel as a VALUES list, whose columns both dialects name
 * column1, column2, …; the time is cast, which PostgreSQL would otherwise take for text.
 */
async function markSent(tx: Transaction<Database>, worker: string, reports: readonly OutcomeReport[]): Promise<Set<string>> {
  if (reports.length === 0) return new Set();
  const values = sql.join(reports.map(({ row, now, outcome }) =>
    sql`(${row.id}, cast(${now} as bigint), ${outcome.kind === 'sent' ? outcome.recipientResults : null})`));
  const { rows } = await sql<{ id: string }>`
    update email set status = 'sent', claimed_by = null, lease_until = null, updated_at = v.column2, sent_at = v.column2,
      recipient_results = v.column3, last_error_code = null, last_error_response = null, last_error_command = null
    from (values ${values}) as v
    where email.id = v.column1 and email.claimed_by = ${worker} and email.status = 'sending'
    returning id`.execute(tx);
  return new Set(rows.map((r) => r.id));
}

/** Writes an outcome other than sent, where this worker still holds the claim; answers whether it did. */
async function markOther(tx: Transaction<Database>, worker: string, row: EmailRow, now: number, outcome: Exclude<Outcome, { kind: 'sent' }>): Promise<boolean> {
  const result = await outcomeUpdate(tx, worker, row, now, outcome).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

function outcomeUpdate(tx: Transaction<Database>, worker: string, row: EmailRow, now: number, outcome: Exclude<Outcome, { kind: 'sent' }>) {
  const base = { status: STATUS_OF[outcome.kind], claimed_by: null, lease_until: null, updated_at: now };
  const update = tx.updateTable('email').where('id', '=', row.id).where('claimed_by', '=', worker).where('status', '=', 'sending');
  if (outcome.kind === 'deferred') {
    return update.set({ ...base, next_attempt_at: outcome.nextAttemptAt, deferrals: sql`deferrals + 1`, attempts: sql`attempts - 1` });
  }
  if (outcome.kind === 'held') {
    // The claim was no attempt; the reason stays on the row for the people waiting on it.
    return update.set({
      ...base, next_attempt_at: outcome.nextAttemptAt, attempts: sql`attempts - 1`,
      last_error_code: outcome.code, last_error_response: outcome.response, last_error_command: null,
    });
  }
  return update.set({
    // An expired email says so; the attempt row keeps the failure of that last try.
    ...base, last_error_code: outcome.kind === 'expired' ? 'EXPIRED' : outcome.code,
    last_error_response: outcome.response, last_error_command: outcome.command,
    ...(outcome.nextAttemptAt !== undefined ? { next_attempt_at: outcome.nextAttemptAt } : {}),
  });
}

function attemptRow({ row, startedAt, now }: OutcomeReport, worker: string, outcome: Exclude<Outcome, { kind: 'deferred' | 'held' }>): Insertable<EmailAttemptTable> {
  const error = outcome.kind === 'sent' ? { error_code: null, response: outcome.response } : { error_code: outcome.code, response: outcome.response };
  return { email_id: row.id, attempt: row.attempts, worker, started_at: startedAt, finished_at: now, outcome: outcome.kind === 'sent' ? 'sent' : outcome.kind, ...error };
}

/** Unsent emails past their expiry become Expired; answers which. */
export async function expireDue(db: Kysely<Database>, now: number) {
  const rows = await db.updateTable('email')
    .set({ status: 'expired', last_error_code: 'EXPIRED', claimed_by: null, lease_until: null, updated_at: now })
    .where('expires_at', '<=', now)
    .where((eb) => eb.or([
      eb('status', 'in', ['waiting', 'deferred']),
      eb.and([eb('status', '=', 'sending'), eb('lease_until', '<', now)]),
    ]))
    .returning(['id', 'provider', 'attempts'])
    .execute();
  await followMailboxEmails(db, rows);
  return rows;
}

/**
 * Deletes finished emails older than the retention period, with their content and attempts. The
 * age counts from when an email finished (updated_at), so one that expired or failed late stays in
 * history for the whole period; created_at is never later, and lets the (status, created_at) index
 * narrow the scan.
 */
export async function purgeHistory(db: Kysely<Database>, before: number, batch = 5_000): Promise<number> {
  const ids = (await db.selectFrom('email').select('id').where('status', 'in', FINAL_STATUSES)
    .where('created_at', '<', before).where('updated_at', '<', before).limit(batch).execute()).map((r) => r.id);
  if (ids.length === 0) return 0;
  return db.transaction().execute(async (tx) => {
    // Checked again as it is deleted: an email resent since the select is back in the queue.
    const gone = (await tx.deleteFrom('email').where('id', 'in', ids).where('status', 'in', FINAL_STATUSES)
      .where('updated_at', '<', before).returning('id').execute()).map((r) => r.id);
    if (gone.length === 0) return 0;
    await tx.deleteFrom('email_attempt').where('email_id', 'in', gone).execute();
    await tx.deleteFrom('email_content').where('email_id', 'in', gone).execute();
    await tx.deleteFrom('idempotency_key').where('email_id', 'in', gone).execute();
    return gone.length;
  });
}

export interface HistoryFilter {
  readonly status?: readonly EmailStatus[];
  readonly sender?: string;
  readonly userId?: string;
  readonly from?: number;
  readonly to?: number;
  readonly text?: string;
  /** Keyset cursor: the (created_at, id) of the last row of the previous page. */
  readonly before?: { readonly createdAt: number; readonly id: string };
  readonly limit: number;
}

export function listHistory(db: Db, f: HistoryFilter) {
  let q = db.selectFrom('email').selectAll();
  if (f.status && f.status.length > 0) q = q.where('status', 'in', f.status);
  if (f.sender) q = q.where(sql<string>`lower(sender)`, '=', f.sender.toLowerCase());
  if (f.userId) q = q.where('user_id', '=', f.userId);
  if (f.from !== undefined) q = q.where('created_at', '>=', f.from);
  // Past the first page the cursor is the tighter upper bound; giving SQLite both makes it pick
  // the looser one and walk the index from the end of the range.
  if (f.to !== undefined && !(f.before && f.before.createdAt < f.to)) q = q.where('created_at', '<', f.to);
  if (f.text) {
    const like = `%${f.text.toLowerCase().replace(/[\\%_]/g, (c) => '\\' + c)}%`;
    q = q.where((eb) => eb.or([
      eb(sql`lower(subject)`, 'like', sql`${like} escape '\\'`),
      eb(sql`lower(to_addrs)`, 'like', sql`${like} escape '\\'`),
      eb(sql`lower(sender)`, 'like', sql`${like} escape '\\'`),
    ]));
  }
  if (f.before) {
    const { createdAt, id } = f.before;
    // A row-value comparison lets both databases walk the (…, created_at) indexes from the cursor.
    q = q.where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(createdAt, id)));
  }
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(f.limit).execute();
}

export function listQueue(db: Db, f: { userId?: string; limit: number }) {
  let q = db.selectFrom('email').selectAll().where('status', 'in', QUEUED_STATUSES);
  if (f.userId) q = q.where('user_id', '=', f.userId);
  return q.orderBy('next_attempt_at').limit(f.limit).execute();
}

/** Emails handed in since `since`, per hour from then (0 = the first hour) and status. */
export async function countByHourSince(db: Db, since: number, userId?: string) {
  // Integer division on both dialects: created_at and since are integers (bigint in PostgreSQL).
  // since is written as a literal so that PostgreSQL sees the same expression in GROUP BY.
  const hour = sql<number>`(created_at - ${sql.lit(Math.floor(since))}) / 3600000`;
  let q = db.selectFrom('email').select([hour.as('hour'), 'status', (eb) => eb.fn.countAll<number>().as('n')]).where('created_at', '>=', since);
  if (userId) q = q.where('user_id', '=', userId);
  const rows = await q.groupBy([hour, 'status']).execute();
  return rows.map((r) => ({ hour: Number(r.hour), status: r.status, n: Number(r.n) }));
}

export async function countByStatusSince(db: Db, since: number, userId?: string) {
  let q = db.selectFrom('email').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).where('created_at', '>=', since);
  if (userId) q = q.where('user_id', '=', userId);
  const rows = await q.groupBy('status').execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)])) as Partial<Record<EmailStatus, number>>;
}
