// "Statements to contact": the account's open invoices as a workbook, mailed to the account's
// Statements contact through a statement template, in the interactive Send email dialogs. The
// template's placeholders keep their names (customer.account, customer.name): the customer is
// the account.
import type { AppContext } from '../app-context.ts';
import { isMailroomError, MailroomError } from '../errors.ts';
import { formatMailbox } from '../mime/addresses.ts';
import type { EmailInput } from '../outbound/hand-in.ts';
import { composeDraft, sendInteractive, type Draft, type InteractiveOptions, type InteractiveResult } from '../outbound/outbound.service.ts';
import type { ProviderRegistry } from '../outbound/provider-registry.ts';
import { renderTemplate, type EmailTemplate } from '../templates/template-render.ts';
import { findTemplate } from '../templates/templates.service.ts';
import { assertMaySendAs, type User } from '../users/users.service.ts';
import { getAccountDetail, type AccountDetail } from './accounts.service.ts';
import type { Contact } from './contacts.service.ts';
import { isoDate } from './invoices.service.ts';
import { isCalendarDate } from '../outbound/history-query.ts';
import { getOrganization } from './organizations.service.ts';
import { buildStatementWorkbook, XLSX_TYPE } from './statement-workbook.ts';

export const STATEMENT_EMAIL_ID = 'STATEMENT';

export interface StatementOptions {
  /** Statement date, YYYY-MM-DD; today by default. Invoices dated later are left out. */
  readonly asOf?: string;
  /** The template's Email ID; STATEMENT by default. */
  readonly templateEmailId?: string;
}

const money = (minor: number) => (minor / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** The contact statements go to: the first active one with the purpose Statements and an address. */
export function statementContact(account: AccountDetail): Contact | undefined {
  return account.contacts.find((c) => c.state === 'active' && c.purpose?.toLowerCase() === 'statements' && c.emails.length > 0);
}

/** The account's organization's template first, else the system template with that Email ID. */
async function statementTemplate(ctx: AppContext, customer: AccountDetail, emailId: string): Promise<EmailTemplate> {
  const template = (customer.organizationId ? await findTemplate(ctx, customer.organizationId, emailId) : null) ?? (await findTemplate(ctx, null, emailId));
  if (!template || template.kind !== 'statement') {
    throw new MailroomError('NOT_FOUND', { message: `There is no statement template ${emailId} for ${customer.accountNumber ?? customer.name} (organization or system email templates).`, details: { emailId } });
  }
  return template;
}

/** The From: the template's sender when the user may send as it, else the user's own default. */
async function statementSender(ctx: AppContext, actor: User, template: EmailTemplate): Promise<string | undefined> {
  if (!template.senderEmail) return undefined;
  try {
    await assertMaySendAs(ctx, actor, template.senderEmail);
    return formatMailbox({ name: template.senderName, address: template.senderEmail });
  } catch (err) {
    if (isMailroomError(err, 'SEND_AS_DENIED')) return undefined;
    throw err;
  }
}

/** The email the Statements to contact process hands to the Send email dialog. */
export async function statementEmail(ctx: AppContext, actor: User, customerRef: string, options: StatementOptions & { toGiven?: boolean } = {}): Promise<EmailInput> {
  const customer = await getAccountDetail(ctx, customerRef);
  const contact = statementContact(customer);
  if (!contact && !options.toGiven) throw new MailroomError('STATEMENT_NO_CONTACT', { details: { account: customer.accountNumber ?? customer.id } });
  const asOf = options.asOf ?? isoDate(ctx.clock.now());
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf) || !isCalendarDate(asOf)) throw new MailroomError('VALIDATION_FAILED', { message: 'The statement date is written YYYY-MM-DD.', details: { field: 'asOf' } });
  const template = await statementTemplate(ctx, customer, options.templateEmailId ?? STATEMENT_EMAIL_ID);
  const accountNumber = customer.accountNumber ?? customer.name;
  const company = customer.organizationId ? (await getOrganization(ctx, customer.organizationId)).name : '';
  const rows = customer.openInvoices.filter((i) => i.invoiceDate <= asOf);
  const total = rows.reduce((sum, r) => sum + r.openMinor, 0);
  const mail = renderTemplate(template, contact?.language, {
    values: {
      company, 'customer.account': accountNumber, 'customer.name': customer.name, 'contact.name': contact?.name ?? '',
      'statement.date': asOf, 'statement.total': money(total), currency: customer.currency, sender: actor.name,
    },
    tables: {
      invoice: rows.map((r) => ({
        'invoice.number': r.number, 'invoice.date': r.invoiceDate, 'invoice.due': r.dueDate, 'invoice.amount': money(r.amountMinor), 'invoice.open': money(r.openMinor),
      })),
    },
  });
  const workbook = await buildStatementWorkbook({
    company, customerAccount: accountNumber, customerName: customer.name, asOf, currency: customer.currency, rows,
  });
  return {
    from: await statementSender(ctx, actor, template),
    to: contact ? [formatMailbox({ name: contact.name, address: contact.emails[0]! })] : [],
    subject: mail.subject, html: mail.html, priority: template.priority,
    attachments: [{ filename: `Statement ${accountNumber} ${asOf}.xlsx`, content: workbook, contentType: XLSX_TYPE }],
  };
}

export interface StatementDraft {
  readonly draft: Draft;
  /** The attachments themselves, so the dialog can send them back unchanged. */
  readonly attachments: readonly { filename: string; contentType?: string; contentBase64: string }[];
}

/** The Send email dialog, prefilled: To = the Statements contact, subject and body from the template, the workbook attached. */
export async function statementDraft(ctx: AppContext, actor: User, customerRef: string, options: StatementOptions = {}): Promise<StatementDraft> {
  const email = await statementEmail(ctx, actor, customerRef, options);
  return {
    draft: await composeDraft(ctx, actor, email),
    attachments: (email.attachments ?? []).map((a) => ({ filename: a.filename, contentType: a.contentType, contentBase64: a.content.toString('base64') })),
  };
}

/** What the user changed in the dialog; anything left out keeps the prefilled value. */
export type StatementEdits = Pick<EmailInput, 'from' | 'to' | 'cc' | 'bcc' | 'subject' | 'body' | 'html'>;

/** Sends the statement as the user chose: the email app (.eml returned) or SMTP (sent now). */
export async function sendStatement(
  ctx: AppContext, providers: ProviderRegistry, actor: User, customerRef: string,
  options: StatementOptions & InteractiveOptions & { edits?: StatementEdits } = {},
): Promise<InteractiveResult> {
  const edits = Object.fromEntries(Object.entries(options.edits ?? {}).filter(([, v]) => v !== undefined));
  const email = await statementEmail(ctx, actor, customerRef, { ...options, toGiven: 'to' in edits });
  return sendInteractive(ctx, providers, actor, { ...email, ...edits }, { provider: options.provider, doNotAskAgain: options.doNotAskAgain });
}
