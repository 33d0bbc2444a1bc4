// Customers with their contacts (each with a purpose such as Statements) and open invoices.
import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { AppContext } from '../app-context.ts';
import { MailroomError } from '../errors.ts';
import { assertNoLineBreak, isValidAddress } from '../mime/addresses.ts';
import type { CustomerContactTable, CustomerInvoiceTable, CustomerTable } from '../store/tables.ts';
import { getOrganization } from './organizations.service.ts';

export interface Contact {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly purpose: string;
  readonly language: string | null;
}

export interface Invoice {
  readonly id: string;
  readonly number: string;
  /** ISO dates (YYYY-MM-DD). */
  readonly invoiceDate: string;
  readonly dueDate: string;
  /** Amounts in minor units (cents). */
  readonly amountMinor: number;
  readonly openMinor: number;
}

export interface Customer {
  readonly id: string;
  readonly account: string;
  readonly name: string;
  readonly organizationId: string | null;
  readonly currency: string;
  readonly createdAt: number;
}

export interface CustomerDetail extends Customer {
  readonly contacts: readonly Contact[];
  readonly openInvoices: readonly Invoice[];
}

export const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function parseDate(field: string, value: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`) : Number.NaN;
  if (Number.isNaN(ms)) throw new MailroomError('VALIDATION_FAILED', { message: `${field} must be a date written YYYY-MM-DD.`, details: { field } });
  return ms;
}

function toMinor(field: string, value: number): number {
  if (!Number.isFinite(value) || value < 0 || value > 1e12) throw new MailroomError('VALIDATION_FAILED', { message: `${field} must be a positive amount.`, details: { field } });
  return Math.round(value * 100);
}

function checkText(field: string, value: string, max = 200): string {
  assertNoLineBreak(field, value);
  const trimmed = value.trim();
  if (!trimmed || trimmed.length > max) throw new MailroomError('VALIDATION_FAILED', { message: `${field} needs 1 to ${max} characters.`, details: { field } });
  return trimmed;
}

const toCustomer = (r: Selectable<CustomerTable>): Customer => ({ id: r.id, account: r.account, name: r.name, organizationId: r.organization_id, currency: r.currency, createdAt: r.created_at });
const toContact = (r: Selectable<CustomerContactTable>): Contact => ({ id: r.id, name: r.name, email: r.email, purpose: r.purpose, language: r.language });
const toInvoice = (r: Selectable<CustomerInvoiceTable>): Invoice => ({
  id: r.id, number: r.number, invoiceDate: isoDate(r.invoice_date), dueDate: isoDate(r.due_date), amountMinor: r.amount_minor, openMinor: r.open_minor,
});

export async function createCustomer(ctx: AppContext, input: { account: string; name: string; organization?: string | null; currency?: string }): Promise<Customer> {
  const account = checkText('Account', input.account, 20).toUpperCase();
  const currency = (input.currency ?? 'USD').toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency)) throw new MailroomError('VALIDATION_FAILED', { message: 'A currency is a three-letter code such as USD.', details: { field: 'currency' } });
  if (await ctx.db.selectFrom('customer').select('id').where('account', '=', account).executeTakeFirst()) {
    throw new MailroomError('CONFLICT', { message: `There is already a customer ${account}.` });
  }
  const row = {
    id: randomUUID(), account, name: checkText('Name', input.name), currency, created_at: ctx.clock.now(),
    organization_id: input.organization ? (await getOrganization(ctx, input.organization)).id : null,
  };
  await ctx.db.insertInto('customer').values(row).execute();
  return toCustomer(row);
}

export async function listCustomers(ctx: AppContext): Promise<Customer[]> {
  return (await ctx.db.selectFrom('customer').selectAll().orderBy('account').execute()).map(toCustomer);
}

/** By id or account (US-008), with its contacts and open invoices. */
export async function getCustomer(ctx: AppContext, idOrAccount: string): Promise<CustomerDetail> {
  const row = await ctx.db.selectFrom('customer').selectAll()
    .where((eb) => eb.or([eb('id', '=', idOrAccount), eb('account', '=', idOrAccount.toUpperCase())])).executeTakeFirst();
  if (!row) throw new MailroomError('NOT_FOUND', { message: `No customer ${idOrAccount}.` });
  const contacts = await ctx.db.selectFrom('customer_contact').selectAll().where('customer_id', '=', row.id).orderBy('created_at').orderBy('id').execute();
  const invoices = await ctx.db.selectFrom('customer_invoice').selectAll().where('customer_id', '=', row.id).where('open_minor', '>', 0)
    .orderBy('invoice_date').orderBy('number').execute();
  return { ...toCustomer(row), contacts: contacts.map(toContact), openInvoices: invoices.map(toInvoice) };
}

export async function addContact(ctx: AppContext, customer: string, input: { name: string; email: string; purpose?: string; language?: string | null }): Promise<Contact> {
  const { id: customerId } = await getCustomer(ctx, customer);
  const email = input.email.trim();
  assertNoLineBreak('Email', email);
  if (!isValidAddress(email)) throw new MailroomError('INVALID_ADDRESS', { message: `"${email}" is not a valid email address.`, details: { field: 'email' } });
  const row = {
    id: randomUUID(), customer_id: customerId, name: checkText('Name', input.name), email,
    purpose: checkText('Purpose', input.purpose ?? 'Business', 60), language: input.language?.trim().toLowerCase() || null, created_at: ctx.clock.now(),
  };
  await ctx.db.insertInto('customer_contact').values(row).execute();
  return toContact(row);
}

/** Records an invoice; `open` defaults to the whole amount. Amounts in major units (12.50). */
export async function addInvoice(ctx: AppContext, customer: string, input: { number: string; invoiceDate: string; dueDate: string; amount: number; open?: number }): Promise<Invoice> {
  const { id: customerId } = await getCustomer(ctx, customer);
  const number = checkText('Invoice number', input.number, 40);
  if (await ctx.db.selectFrom('customer_invoice').select('id').where('customer_id', '=', customerId).where('number', '=', number).executeTakeFirst()) {
    throw new MailroomError('CONFLICT', { message: `The customer already has invoice ${number}.` });
  }
  const amount = toMinor('Amount', input.amount);
  const open = input.open === undefined ? amount : toMinor('Open amount', input.open);
  if (open > amount) throw new MailroomError('VALIDATION_FAILED', { message: 'The open amount cannot exceed the invoice amount.', details: { field: 'open' } });
  const row = {
    id: randomUUID(), customer_id: customerId, number, invoice_date: parseDate('Invoice date', input.invoiceDate), due_date: parseDate('Due date', input.dueDate),
    amount_minor: amount, open_minor: open, created_at: ctx.clock.now(),
  };
  await ctx.db.insertInto('customer_invoice').values(row).execute();
  return toInvoice(row);
}

/** The contact statements go to: the first with the purpose Statements. */
export function statementContact(customer: CustomerDetail): Contact | undefined {
  return customer.contacts.find((c) => c.purpose.toLowerCase() === 'statements');
}
