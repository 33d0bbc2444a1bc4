// Contacts: people, usually working for an account (the Statements scenario's customer contacts
// are contacts of their account, with the purpose Statements).
import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { AppContext } from '../app-context.ts';
import { MailroomError } from '../errors.ts';
import type { ContactTable, RecordState } from '../store/tables.ts';
import type { User } from '../users/users.service.ts';
import {
  assertMayEdit, checkEmails, checkName, checkOptionalText, checkState, emailsOf, pageLimit, recordFilters, resolveOwner, toPage,
  type Page, type RecordListQuery,
} from './crm-record.ts';
import { findAccountRow } from './account-ref.ts';

export interface Contact {
  readonly id: string;
  readonly accountId: string | null;
  readonly name: string;
  /** Primary first; at most three. */
  readonly emails: readonly string[];
  /** What the contact is for at the account, such as Statements. */
  readonly purpose: string | null;
  readonly language: string | null;
  readonly ownerId: string | null;
  readonly state: RecordState;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface ContactInput {
  readonly name: string;
  /** The account's id or account number. */
  readonly account?: string | null;
  readonly emails?: readonly string[];
  readonly purpose?: string | null;
  readonly language?: string | null;
  readonly owner?: string;
  readonly state?: RecordState;
}

export type ContactChanges = Partial<ContactInput>;

export interface ContactListQuery extends RecordListQuery {
  readonly accountId?: string;
}

const toContact = (r: Selectable<ContactTable>): Contact => ({
  id: r.id, accountId: r.account_id, name: r.name, emails: emailsOf(r), purpose: r.purpose, language: r.language,
  ownerId: r.owner_id, state: r.state, createdAt: r.created_at, updatedAt: r.updated_at,
});

const checkLanguage = (value: string | null | undefined) => checkOptionalText('Language', value, 20)?.toLowerCase() ?? null;

const accountIdOf = async (ctx: AppContext, ref: string | null | undefined) => (ref ? (await findAccountRow(ctx, ref, 'account')).id : null);

export async function createContact(ctx: AppContext, actor: User, input: ContactInput): Promise<Contact> {
  const now = ctx.clock.now();
  const row: Selectable<ContactTable> = {
    id: randomUUID(), account_id: await accountIdOf(ctx, input.account), name: checkName('Name', input.name), ...checkEmails(input.emails ?? []),
    purpose: checkOptionalText('Purpose', input.purpose, 60), language: checkLanguage(input.language),
    owner_id: await resolveOwner(ctx, actor, input.owner), state: checkState(input.state ?? 'active'), created_at: now, updated_at: now,
  };
  await ctx.db.insertInto('contact').values(row).execute();
  return toContact(row);
}

async function findContactRow(ctx: AppContext, id: string) {
  const row = await ctx.db.selectFrom('contact').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new MailroomError('NOT_FOUND', { message: `No contact ${id}.` });
  return row;
}

export const getContact = async (ctx: AppContext, id: string): Promise<Contact> => toContact(await findContactRow(ctx, id));

export async function listContacts(ctx: AppContext, query: ContactListQuery = {}): Promise<Page<Contact>> {
  const limit = pageLimit(query.limit);
  let select = ctx.db.selectFrom('contact').selectAll()
    .where((eb) => recordFilters(eb, query, ['name', 'email1', 'email2', 'email3', 'purpose']));
  if (query.accountId) select = select.where('account_id', '=', await accountIdOf(ctx, query.accountId));
  return toPage(await select.orderBy('name').orderBy('id').limit(limit + 1).execute(), limit, toContact);
}

/** Every contact of the account, active or not, in the order they were added. */
export async function listContactsOfAccount(ctx: AppContext, accountId: string): Promise<Contact[]> {
  const rows = await ctx.db.selectFrom('contact').selectAll().where('account_id', '=', accountId).orderBy('created_at').orderBy('id').execute();
  return rows.map(toContact);
}

export async function updateContact(ctx: AppContext, actor: User, id: string, changes: ContactChanges): Promise<Contact> {
  const row = await findContactRow(ctx, id);
  assertMayEdit(actor, row.owner_id, 'contact');
  const set: Partial<Selectable<ContactTable>> = { updated_at: ctx.clock.now() };
  if (changes.name !== undefined) set.name = checkName('Name', changes.name);
  if (changes.account !== undefined) set.account_id = await accountIdOf(ctx, changes.account);
  if (changes.emails !== undefined) Object.assign(set, checkEmails(changes.emails));
  if (changes.purpose !== undefined) set.purpose = checkOptionalText('Purpose', changes.purpose, 60);
  if (changes.language !== undefined) set.language = checkLanguage(changes.language);
  if (changes.owner !== undefined) set.owner_id = await resolveOwner(ctx, actor, changes.owner);
  if (changes.state !== undefined) set.state = checkState(changes.state);
  await ctx.db.updateTable('contact').set(set).where('id', '=', row.id).execute();
  return toContact({ ...row, ...set });
}

export async function deleteContact(ctx: AppContext, actor: User, id: string): Promise<void> {
  const row = await findContactRow(ctx, id);
  assertMayEdit(actor, row.owner_id, 'contact');
  await ctx.db.deleteFrom('contact').where('id', '=', row.id).execute();
}
