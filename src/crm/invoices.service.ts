// An account's invoices: the open ones make up the Statements scenario's workbook.
import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { AppContext } from '../app-context.ts';
import { MailroomError } from '../errors.ts';
import type { InvoiceTable } from '../store/tables.ts';
import { checkName } from './crm-record.ts';

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

const toInvoice = (r: Selectable<InvoiceTable>): Invoice => ({
  id: r.id, number: r.number, invoiceDate: isoDate(r.invoice_date), dueDate: isoDate(r.due_date), amountMinor: r.amount_minor, openMinor: r.open_minor,
});

export interface InvoiceInput {
  readonly number: string;
  readonly invoiceDate: string;
  readonly dueDate: string;
  /** Major units (12.50). */
  readonly amount: number;
  /** The whole amount by default. */
  readonly open?: number;
}

export async function addInvoice(ctx: AppContext, accountId: string, input: InvoiceInput): Promise<Invoice> {
  const number = checkName('Invoice number', input.number, 40);
  if (await ctx.db.selectFrom('invoice').select('id').where('account_id', '=', accountId).where('number', '=', number).executeTakeFirst()) {
    throw new MailroomError('CONFLICT', { message: `The account already has invoice ${number}.` });
  }
  const amount = toMinor('Amount', input.amount);
  const open = input.open === undefined ? amount : toMinor('Open amount', input.open);
  if (open > amount) throw new MailroomError('VALIDATION_FAILED', { message: 'The open amount cannot exceed the invoice amount.', details: { field: 'open' } });
  const row = {
    id: randomUUID(), account_id: accountId, number, invoice_date: parseDate('Invoice date', input.invoiceDate), due_date: parseDate('Due date', input.dueDate),
    amount_minor: amount, open_minor: open, created_at: ctx.clock.now(),
  };
  await ctx.db.insertInto('invoice').values(row).execute();
  return toInvoice(row);
}

export async function listOpenInvoices(ctx: AppContext, accountId: string): Promise<Invoice[]> {
  const rows = await ctx.db.selectFrom('invoice').selectAll().where('account_id', '=', accountId).where('open_minor', '>', 0)
    .orderBy('invoice_date').orderBy('number').execute();
  return rows.map(toInvoice);
}
