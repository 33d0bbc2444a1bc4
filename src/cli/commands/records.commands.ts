// mailroom accounts|contacts|leads add|list|show|set, and activities list|show. Commands act as
// --user (else MAILROOM_USER, else the first administrator): the owner of what they create, and
// only an owner or an administrator may change a record.
import type { Command } from 'commander';
import * as accounts from '../../crm/accounts.service.ts';
import * as contacts from '../../crm/contacts.service.ts';
import * as activities from '../../crm/email-activity.service.ts';
import { findMailboxRow } from '../../sync/mailboxes.service.ts';
import type { EmailActivity } from '../../crm/email-activity.view.ts';
import * as leads from '../../crm/leads.service.ts';
import type { RecordListQuery } from '../../crm/crm-record.ts';
import { MailroomError } from '../../errors.ts';
import type { RecordState } from '../../store/tables.ts';
import { actingUser, withCli } from '../cli-context.ts';
import { registerOutgoingActivityCommands } from './outgoing.commands.ts';
import { collect } from '../cli-options.ts';
import { print, printJson, table, when } from '../output.ts';

interface Common { user?: string; json?: boolean }
interface ListFlags extends Common { search?: string; state?: string; owner?: string; limit?: string; cursor?: string }
interface RecordFlags extends Common { name?: string; email?: string[]; owner?: string; state?: string }

function limitOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new MailroomError('VALIDATION_FAILED', { message: `--limit takes a whole number, not ${value}.`, details: { field: '--limit' } });
  return Number(value);
}

const listQuery = (o: ListFlags): RecordListQuery => ({
  q: o.search, state: o.state as RecordState | 'all' | undefined, ownerId: o.owner, limit: limitOf(o.limit), cursor: o.cursor,
});

/** An array on --json; a table otherwise. The cursor of the next page goes to standard error. */
function printPage<T extends object>(page: { items: readonly T[]; nextCursor: string | null }, o: Common, columns: string[], row: (item: T) => object) {
  if (o.json) printJson(page.items); else table(page.items.map(row), columns);
  if (page.nextCursor) process.stderr.write(`more: --cursor ${page.nextCursor}\n`);
}

const emails = (list: readonly string[]) => list.join(', ');
const withListFlags = (cmd: Command) => cmd.option('--search <words>').option('--state <state>', 'active (default), inactive or all')
  .option('--owner <userId>').option('--limit <n>', '1 to 500 (default 50)').option('--cursor <cursor>').option('--json');
const withRecordFlags = (cmd: Command) => cmd.option('--name <name>').option('--email <address>', 'repeat for up to three; the first is the primary', collect)
  .option('--owner <user>', 'user id or user name').option('--state <state>', 'active or inactive').option('--user <username>', 'act as this user').option('--json');
const common = (o: RecordFlags) => ({ name: o.name, emails: o.email, owner: o.owner, state: o.state as RecordState | undefined });
const defined = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

function showRecord(o: Common, value: object & { id: string; name: string; emails: readonly string[]; state: string; ownerId: string | null }, extra: string[] = []) {
  if (o.json) return printJson(value);
  print(`${value.name}  (${value.state})  ${value.id}`);
  print(`  Email: ${emails(value.emails) || '-'}`);
  print(`  Owner: ${value.ownerId ?? '-'}`);
  for (const line of extra) print(`  ${line}`);
}

function registerAccounts(program: Command) {
  const c = program.command('accounts').description('accounts: the companies you deal with (the Statements scenario\'s customers)');
  withListFlags(c.command('list')).action((o: ListFlags) => withCli(async ({ ctx }) =>
    printPage(await accounts.listAccounts(ctx, listQuery(o)), o, ['number', 'name', 'email', 'state', 'id'], (a: accounts.Account) => ({ number: a.accountNumber ?? '', name: a.name, email: emails(a.emails), state: a.state, id: a.id }))));
  withRecordFlags(c.command('add').option('--number <accountNumber>', 'e.g. US-008').option('--org <code>').option('--currency <code>'))
    .action((o: RecordFlags & { number?: string; org?: string; currency?: string }) => withCli(async ({ ctx }) => {
      if (!o.name) throw new MailroomError('VALIDATION_FAILED', { message: '--name is required.', details: { field: '--name' } });
      const a = await accounts.createAccount(ctx, await actingUser(ctx, o.user), { ...defined(common(o)), name: o.name, accountNumber: o.number, organization: o.org, currency: o.currency });
      if (o.json) printJson(a); else print(`created account ${a.accountNumber ?? a.name} ${a.id}`);
    }));
  c.command('show <account>').option('--json').action((ref: string, o: Common) => withCli(async ({ ctx }) => {
    const a = await accounts.getAccountDetail(ctx, ref);
    showRecord(o, a, [
      `Account number: ${a.accountNumber ?? '-'}  currency ${a.currency}`,
      ...a.contacts.map((k) => `contact ${k.name} <${emails(k.emails)}>${k.purpose ? ` purpose ${k.purpose}` : ''}${k.language ? ` [${k.language}]` : ''} ${k.id}`),
      ...a.openInvoices.map((i) => `invoice ${i.number} ${i.invoiceDate} due ${i.dueDate}: open ${(i.openMinor / 100).toFixed(2)} of ${(i.amountMinor / 100).toFixed(2)}`),
    ]);
  }));
  withRecordFlags(c.command('set <account>').option('--number <accountNumber>').option('--org <code>').option('--currency <code>'))
    .action((ref: string, o: RecordFlags & { number?: string; org?: string; currency?: string }) => withCli(async ({ ctx }) => {
      const a = await accounts.updateAccount(ctx, await actingUser(ctx, o.user), ref, defined({ ...common(o), accountNumber: o.number, organization: o.org, currency: o.currency }));
      if (o.json) printJson(a); else print(`updated account ${a.accountNumber ?? a.name}`);
    }));
  c.command('add-invoice <account>').requiredOption('--number <number>').requiredOption('--date <YYYY-MM-DD>').requiredOption('--due <YYYY-MM-DD>')
    .requiredOption('--amount <amount>').option('--open <amount>').option('--user <username>').option('--json')
    .action((ref: string, o: Common & { number: string; date: string; due: string; amount: string; open?: string }) => withCli(async ({ ctx }) => {
      const inv = await accounts.addAccountInvoice(ctx, await actingUser(ctx, o.user), ref, {
        number: o.number, invoiceDate: o.date, dueDate: o.due, amount: Number(o.amount), open: o.open === undefined ? undefined : Number(o.open),
      });
      if (o.json) printJson(inv); else print(`added invoice ${inv.number}`);
    }));
}

function registerContacts(program: Command) {
  const c = program.command('contacts').description('contacts: people, usually of an account');
  withListFlags(c.command('list').option('--account <account>')).action((o: ListFlags & { account?: string }) => withCli(async ({ ctx }) =>
    printPage(await contacts.listContacts(ctx, { ...listQuery(o), accountId: o.account }), o, ['name', 'email', 'purpose', 'state', 'id'],
      (k: contacts.Contact) => ({ name: k.name, email: emails(k.emails), purpose: k.purpose ?? '', state: k.state, id: k.id }))));
  const flags = (cmd: Command) => withRecordFlags(cmd.option('--account <account>', 'account id or number').option('--purpose <purpose>', 'e.g. Statements').option('--language <code>'));
  type Flags = RecordFlags & { account?: string; purpose?: string; language?: string };
  flags(c.command('add')).action((o: Flags) => withCli(async ({ ctx }) => {
    if (!o.name) throw new MailroomError('VALIDATION_FAILED', { message: '--name is required.', details: { field: '--name' } });
    const k = await contacts.createContact(ctx, await actingUser(ctx, o.user), { ...defined(common(o)), name: o.name, account: o.account, purpose: o.purpose, language: o.language });
    if (o.json) printJson(k); else print(`created contact ${k.name} ${k.id}`);
  }));
  c.command('show <id>').option('--json').action((id: string, o: Common) => withCli(async ({ ctx }) => {
    const k = await contacts.getContact(ctx, id);
    showRecord(o, k, [`Account: ${k.accountId ?? '-'}`, `Purpose: ${k.purpose ?? '-'}  language ${k.language ?? '-'}`]);
  }));
  flags(c.command('set <id>')).action((id: string, o: Flags) => withCli(async ({ ctx }) => {
    const k = await contacts.updateContact(ctx, await actingUser(ctx, o.user), id, defined({ ...common(o), account: o.account, purpose: o.purpose, language: o.language }));
    if (o.json) printJson(k); else print(`updated contact ${k.name}`);
  }));
}

function registerLeads(program: Command) {
  const c = program.command('leads').description('leads: prospects');
  withListFlags(c.command('list')).action((o: ListFlags) => withCli(async ({ ctx }) =>
    printPage(await leads.listLeads(ctx, listQuery(o)), o, ['name', 'company', 'email', 'state', 'id'],
      (l: leads.Lead) => ({ name: l.name, company: l.companyName ?? '', email: emails(l.emails), state: l.state, id: l.id }))));
  const flags = (cmd: Command) => withRecordFlags(cmd.option('--company <name>').option('--topic <text>'));
  type Flags = RecordFlags & { company?: string; topic?: string };
  flags(c.command('add')).action((o: Flags) => withCli(async ({ ctx }) => {
    if (!o.name) throw new MailroomError('VALIDATION_FAILED', { message: '--name is required.', details: { field: '--name' } });
    const l = await leads.createLead(ctx, await actingUser(ctx, o.user), { ...defined(common(o)), name: o.name, companyName: o.company, topic: o.topic });
    if (o.json) printJson(l); else print(`created lead ${l.name} ${l.id}`);
  }));
  c.command('show <id>').option('--json').action((id: string, o: Common) => withCli(async ({ ctx }) => {
    const l = await leads.getLead(ctx, id);
    showRecord(o, l, [`Company: ${l.companyName ?? '-'}`, `Topic: ${l.topic ?? '-'}`]);
  }));
  flags(c.command('set <id>')).action((id: string, o: Flags) => withCli(async ({ ctx }) => {
    const l = await leads.updateLead(ctx, await actingUser(ctx, o.user), id, defined({ ...common(o), companyName: o.company, topic: o.topic }));
    if (o.json) printJson(l); else print(`updated lead ${l.name}`);
  }));
}

const party = (p: { address: string; records: readonly { type: string; name: string | null }[] } | null) =>
  p ? `${p.address}${p.records.length ? ` (${p.records.map((r) => `${r.type} ${r.name ?? ''}`.trim()).join(', ')})` : ''}` : '-';

function registerActivities(program: Command) {
  const c = program.command('activities').description('email activities: tracked and written email');
  registerOutgoingActivityCommands(c);
  c.command('list').option('--mailbox <mailbox>', 'a mailbox id or email address').option('--regarding <TYPE:ID>', 'account:ID, contact:ID… or a record id')
    .option('--search <words>').option('--direction <incoming|outgoing>').option('--status <status>').option('--owner <userId>')
    .option('--limit <n>', '1 to 500 (default 50)').option('--cursor <cursor>').option('--json')
    .action((o: Common & { mailbox?: string; regarding?: string; search?: string; direction?: string; status?: string; owner?: string; limit?: string; cursor?: string }) => withCli(async ({ ctx }) => {
      const page = await activities.listActivities(ctx, {
        q: o.search, direction: o.direction, status: o.status, regarding: o.regarding, mailboxId: o.mailbox === undefined ? undefined : (await findMailboxRow(ctx, o.mailbox)).id, ownerId: o.owner, limit: limitOf(o.limit), cursor: o.cursor,
      });
      printPage(page, o, ['created', 'direction', 'status', 'from', 'subject', 'regarding', 'id'], (a: EmailActivity) => ({
        created: when(a.createdAt), direction: a.direction, status: a.status, from: a.from?.address ?? '', subject: a.subject,
        regarding: a.regarding ? `${a.regarding.type} ${a.regarding.name ?? a.regarding.id}` : '', id: a.id,
      }));
    }));
  c.command('show <id>').option('--json').action((id: string, o: Common) => withCli(async ({ ctx }) => {
    const a = await activities.getActivity(ctx, id);
    if (o.json) return printJson(a);
    print(`${a.id}  ${a.direction.toUpperCase()}  ${a.status}${a.statusDetail ? `: ${a.statusDetail}` : ''}`);
    print(`  Subject: ${a.subject}`);
    print(`  From: ${party(a.from)}`);
    for (const role of ['to', 'cc', 'bcc'] as const) if (a[role].length) print(`  ${role[0]!.toUpperCase()}${role.slice(1)}: ${a[role].map(party).join('; ')}`);
    print(`  Message-ID: ${a.messageId ?? '-'}  In-Reply-To: ${a.inReplyTo ?? '-'}`);
    print(`  Regarding: ${a.regarding ? `${a.regarding.type} ${a.regarding.name ?? ''} ${a.regarding.id}` : '-'}  correlated by ${a.correlatedBy ?? '-'}`);
    print(`  Received ${when(a.receivedAt)}, sent ${when(a.sentAt)}; mailboxes ${a.mailboxes.join(', ') || '-'}`);
    for (const f of a.attachments) print(`  attachment ${f.filename} (${f.size} bytes)${f.stored ? '' : ` not stored: ${f.skippedCode}`}`);
    if (a.text) print(`\n${a.text}`);
  }));
}

export function registerRecordCommands(program: Command) {
  registerAccounts(program);
  registerContacts(program);
  registerLeads(program);
  registerActivities(program);
}
