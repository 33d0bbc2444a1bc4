// What accounts, contacts and leads share: names, the three email addresses, owner and state,
// who may change them, and search with keyset paging by name.
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { AppContext } from '../app-context.ts';
import { MailroomError } from '../errors.ts';
import { assertNoLineBreak, isValidAddress } from '../mime/addresses.ts';
import { RECORD_STATES, type RecordState } from '../store/tables.ts';
import { findUser, type User } from '../users/users.service.ts';

/** Dynamics keeps emailaddress1..3 on each record: the first is the primary address. */
export const MAX_EMAILS = 3;

export interface RecordListQuery {
  /** Words matched, case-insensitively, against the name, the email addresses and the record's other text fields. */
  readonly q?: string;
  /** active (the default), inactive or all. */
  readonly state?: RecordState | 'all';
  readonly ownerId?: string;
  readonly limit?: number;
  readonly cursor?: string;
}

export interface Page<T> {
  readonly items: readonly T[];
  /** Pass it as `cursor` for the next page; null on the last page. */
  readonly nextCursor: string | null;
}

export function checkName(field: string, value: string, max = 200): string {
  assertNoLineBreak(field, value);
  const trimmed = value.trim();
  if (!trimmed || trimmed.length > max) throw new MailroomError('VALIDATION_FAILED', { message: `${field} needs 1 to ${max} characters.`, details: { field } });
  return trimmed;
}

/** An optional text field: empty means none. */
export function checkOptionalText(field: string, value: string | null | undefined, max = 200): string | null {
  if (value === undefined || value === null || value.trim() === '') return null;
  return checkName(field, value, max);
}

export function checkState(value: string): RecordState {
  if (!RECORD_STATES.includes(value as RecordState)) {
    throw new MailroomError('VALIDATION_FAILED', { message: `State is one of: ${RECORD_STATES.join(', ')}.`, details: { field: 'state' } });
  }
  return value as RecordState;
}

/** Up to three distinct, valid addresses, primary first, as the email1..3 columns. */
export function checkEmails(list: readonly string[]): { email1: string | null; email2: string | null; email3: string | null } {
  const emails = list.map((e) => e.trim()).filter(Boolean);
  if (emails.length > MAX_EMAILS) throw new MailroomError('VALIDATION_FAILED', { message: `A record has at most ${MAX_EMAILS} email addresses.`, details: { field: 'emails' } });
  for (const email of emails) {
    assertNoLineBreak('Email', email);
    if (!isValidAddress(email)) throw new MailroomError('INVALID_ADDRESS', { message: `"${email}" is not a valid email address.`, details: { field: 'emails', value: email } });
  }
  if (new Set(emails.map((e) => e.toLowerCase())).size !== emails.length) {
    throw new MailroomError('VALIDATION_FAILED', { message: 'The same email address is given twice.', details: { field: 'emails' } });
  }
  return { email1: emails[0] ?? null, email2: emails[1] ?? null, email3: emails[2] ?? null };
}

export const emailsOf = (row: { email1: string | null; email2: string | null; email3: string | null }): string[] =>
  [row.email1, row.email2, row.email3].filter((e): e is string => e !== null);

/** The owner named by id or user name; the acting user when none is given. */
export async function resolveOwner(ctx: AppContext, actor: User, owner: string | undefined): Promise<string> {
  return owner === undefined ? actor.id : (await findUser(ctx, owner)).id;
}

/** Owners and administrators change a record; everyone signed in may read it. */
export function assertMayEdit(actor: User, ownerId: string | null, what: string): void {
  if (actor.role !== 'admin' && actor.id !== ownerId) {
    throw new MailroomError('FORBIDDEN', { message: `Only the owner of the ${what} or an administrator may change it.` });
  }
}

export function pageLimit(limit: number | undefined): number {
  const n = limit ?? 50;
  if (!Number.isInteger(n) || n < 1 || n > 500) throw new MailroomError('VALIDATION_FAILED', { message: 'limit is a whole number from 1 to 500.', details: { field: 'limit' } });
  return n;
}

export const encodeCursor = (key: string, id: string) => Buffer.from(JSON.stringify([key, id]), 'utf8').toString('base64url');

export function decodeCursor(cursor: string): { key: string; id: string } {
  try {
    const [key, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof key === 'string' && typeof id === 'string') return { key, id };
  } catch { /* refused below */ }
  throw new MailroomError('VALIDATION_FAILED', { message: 'The paging cursor is not valid.', details: { field: 'cursor' } });
}

/** `%word%` for LIKE, with the wildcards of the word itself escaped. */
export const likePattern = (q: string) => `%${q.trim().toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Every word of q appears in one of the columns (case-insensitive). */
export function matchesWords<DB, TB extends keyof DB>(eb: ExpressionBuilder<DB, TB>, columns: readonly string[], q: string): Expression<SqlBool> {
  const words = q.trim().split(/\s+/).filter(Boolean).slice(0, 10);
  return eb.and(words.map((w) => eb.or(columns.map((c) => sql<SqlBool>`lower(${sql.ref(c)}) like ${likePattern(w)} escape '\\'`))));
}

/** Applies state, owner, search and the name cursor to a list query over a record table. */
export function recordFilters<DB, TB extends keyof DB>(eb: ExpressionBuilder<DB, TB>, query: RecordListQuery, searchColumns: readonly string[]): Expression<SqlBool> {
  const conditions: Expression<SqlBool>[] = [];
  const state = query.state ?? 'active';
  if (state !== 'all') conditions.push(sql<SqlBool>`${sql.ref('state')} = ${checkState(state)}`);
  if (query.ownerId) conditions.push(sql<SqlBool>`${sql.ref('owner_id')} = ${query.ownerId}`);
  if (query.q?.trim()) conditions.push(matchesWords(eb, searchColumns, query.q));
  if (query.cursor) {
    const { key, id } = decodeCursor(query.cursor);
    conditions.push(sql<SqlBool>`(${sql.ref('name')}, ${sql.ref('id')}) > (${key}, ${id})`);
  }
  return eb.and(conditions);
}

/** Cuts the extra row fetched to know whether another page follows. */
export function toPage<R extends { name: string; id: string }, T>(rows: readonly R[], limit: number, map: (r: R) => T): Page<T> {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  return { items: kept.map(map), nextCursor: more && last ? encodeCursor(last.name, last.id) : null };
}

export const EMAIL_COLUMNS = ['email1', 'email2', 'email3'] as const;
