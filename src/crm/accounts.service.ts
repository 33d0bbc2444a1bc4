// Accounts: the companies the business deals with (the Statements scenario's customers), with
// up to three email addresses, an owner and an active/inactive state.
import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { AppContext } from '../app-context.ts';
import { MailroomError } from '../errors.ts';
import type { AccountTable, RecordState } from '../store/tables.ts';
import type { User } from '../users/users.service.ts';
import {
  assertMayEdit, checkEmails, checkName, checkOptionalText, checkState, emailsOf, pageLimit, recordFilters, resolveOwner, toPage,
  type Page, type RecordListQuery,
} from './crm-record.ts';
import { findAccountRow } from './account-ref.ts';
import { listContactsOfAccount, type Contact } from './contacts.service.ts';
import { addInvoice, listOpenInvoices, type Invoice, type InvoiceInput } from './invoices.service.ts';
import { getOrganization } from './organizations.service.ts';

export interface Account {
  readonly id: string;
  readonly accountNumber: string | null;
  readonly name: string;
  /** Primary first; at most three. */
  readonly emails: readonly string[];
  readonly organizationId: string | null;
  readonly currency: string;
  readonly ownerId: string | null;
  readonly state: RecordState;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface AccountDetail extends Account {
  readonly contacts: readonly Contact[];
  readonly openInvoices: readonly Invoice[];
}

export interface AccountInput {
  readonly name: string;
  readonly accountNumber?: string | null;
  readonly emails?: readonly string[];
  readonly organization?: string | null;
  readonly currency?: string;
  /** A user id or user name; the acting user by default. */
  readonly owner?: string;
  readonly state?: RecordState;
}

export type AccountChanges = Partial<AccountInput>;

const toAccount = (r: Selectable<AccountTable>): Account => ({
  id: r.id, accountNumber: r.account_number, name: r.name, emails: emailsOf(r), organizationId: r.organization_id,
  currency: r.currency, ownerId: r.owner_id, state: r.state, createdAt: r.created_at, updatedAt: r.updated_at,
});

function checkAccountNumber(value: string | null | undefined): string | null {
  const number = checkOptionalText('Account number', value, 20);
  if (number !== null && !/^[A-Za-z0-9._-]+$/.test(number)) {
    throw new MailroomError('VALIDATION_FAILED', { message: 'An account number has letters, digits, dots, dashes or underscores (for example US-008).', details: { field: 'accountNumber' } });
  }
  return number?.toUpperCase() ?? null;
}

function checkCurrency(value: string): string {
  const currency = value.toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency)) throw new MailroomError('VALIDATION_FAILED', { message: 'A currency is a three-letter code such as USD.', details: { field: 'currency' } });
  return currency;
}

async function assertNumberFree(ctx: AppContext, number: string | null, exceptId?: string): Promise<void> {
  if (number === null) return;
  const taken = await ctx.db.selectFrom('account').select('id').where('account_number', '=', number).executeTakeFirst();
  if (taken && taken.id !== exceptId) throw new MailroomError('CONFLICT', { message: `There is already an account ${number}.`, details: { field: 'accountNumber' } });
}

const organizationId = async (ctx: AppContext, ref: string | null | undefined) => (ref ? (await getOrganization(ctx, ref)).id : null);

export async function createAccount(ctx: AppContext, actor: User, input: AccountInput): Promise<Account> {
  const accountNumber = checkAccountNumber(input.accountNumber);
  await assertNumberFree(ctx, accountNumber);
  const now = ctx.clock.now();
  const row: Selectable<AccountTable> = {
    id: randomUUID(), account_number: accountNumber, name: checkName('Name', input.name), ...checkEmails(input.emails ?? []),
    organization_id: await organizationId(ctx, input.organization), currency: checkCurrency(input.currency ?? 'USD'),
    owner_id: await resolveOwner(ctx, actor, input.owner), state: checkState(input.state ?? 'active'), created_at: now, updated_at: now,
  };
  await ctx.db.insertInto('account').values(row).execute();
  return toAccount(row);
}

/** By id or account number (US-008, any case). */
export const getAccount = async (ctx: AppContext, ref: string): Promise<Account> => toAccount(await findAccountRow(ctx, ref));

/** The account with its contacts and open invoices. */
export async function getAccountDetail(ctx: AppContext, ref: string): Promise<AccountDetail> {
  const account = await getAccount(ctx, ref);
  return { ...account, contacts: await listContactsOfAccount(ctx, account.id), openInvoices: await listOpenInvoices(ctx, account.id) };
}

export async function listAccounts(ctx: AppContext, query: RecordListQuery = {}): Promise<Page<Account>> {
  const limit = pageLimit(query.limit);
  const rows = await ctx.db.selectFrom('account').selectAll()
    .where((eb) => recordFilters(eb, query, ['name', 'account_number', 'email1', 'email2', 'email3']))
    .orderBy('name').orderBy('id').limit(limit + 1).execute();
  return toPage(rows, limit, toAccount);
}

export async function updateAccount(ctx: AppContext, actor: User, ref: string, changes: AccountChanges): Promise<Account> {
  const row = await findAccountRow(ctx, ref);
  assertMayEdit(actor, row.owner_id, 'account');
  const set: Partial<Selectable<AccountTable>> = { updated_at: ctx.clock.now() };
  if (changes.name !== undefined) set.name = checkName('Name', changes.name);
  if (changes.accountNumber !== undefined) {
    set.account_number = checkAccountNumber(changes.accountNumber);
    await assertNumberFree(ctx, set.account_number, row.id);
  }
  if (changes.emails !== undefined) Object.assign(set, checkEmails(changes.emails));
  if (changes.organization !== undefined) set.organization_id = await organizationId(ctx, changes.organization);
  if (changes.currency !== undefined) set.currency = checkCurrency(changes.currency);
  if (changes.owner !== undefined) set.owner_id = await resolveOwner(ctx, actor, changes.owner);
  if (changes.state !== undefined) set.state = checkState(changes.state);
  await ctx.db.updateTable('account').set(set).where('id', '=', row.id).execute();
  return toAccount({ ...row, ...set });
}

/** Deletes the account and its invoices; its contacts stay, without an account. */
export async function deleteAccount(ctx: AppContext, actor: User, ref: string): Promise<void> {
  const row = await findAccountRow(ctx, ref);
  assertMayEdit(actor, row.owner_id, 'account');
  await ctx.db.deleteFrom('account').where('id', '=', row.id).execute();
}

/** Records an invoice on the account (owners and administrators). */
export async function addAccountInvoice(ctx: AppContext, actor: User, ref: string, input: InvoiceInput): Promise<Invoice> {
  const row = await findAccountRow(ctx, ref);
  assertMayEdit(actor, row.owner_id, 'account');
  return addInvoice(ctx, row.id, input);
}
