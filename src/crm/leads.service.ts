// Leads: prospects not yet qualified into an account and contact.
import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { AppContext } from '../app-context.ts';
import { MailroomError } from '../errors.ts';
import type { LeadTable, RecordState } from '../store/tables.ts';
import type { User } from '../users/users.service.ts';
import {
  assertMayEdit, checkEmails, checkName, checkOptionalText, checkState, emailsOf, pageLimit, recordFilters, resolveOwner, toPage,
  type Page, type RecordListQuery,
} from './crm-record.ts';

export interface Lead {
  readonly id: string;
  readonly name: string;
  readonly companyName: string | null;
  /** What the lead is about (Dynamics' Topic). */
  readonly topic: string | null;
  readonly emails: readonly string[];
  readonly ownerId: string | null;
  readonly state: RecordState;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface LeadInput {
  readonly name: string;
  readonly companyName?: string | null;
  readonly topic?: string | null;
  readonly emails?: readonly string[];
  readonly owner?: string;
  readonly state?: RecordState;
}

export type LeadChanges = Partial<LeadInput>;

const toLead = (r: Selectable<LeadTable>): Lead => ({
  id: r.id, name: r.name, companyName: r.company_name, topic: r.topic, emails: emailsOf(r),
  ownerId: r.owner_id, state: r.state, createdAt: r.created_at, updatedAt: r.updated_at,
});

export async function createLead(ctx: AppContext, actor: User, input: LeadInput): Promise<Lead> {
  const now = ctx.clock.now();
  const row: Selectable<LeadTable> = {
    id: randomUUID(), name: checkName('Name', input.name), company_name: checkOptionalText('Company name', input.companyName),
    topic: checkOptionalText('Topic', input.topic, 300), ...checkEmails(input.emails ?? []),
    owner_id: await resolveOwner(ctx, actor, input.owner), state: checkState(input.state ?? 'active'), created_at: now, updated_at: now,
  };
  await ctx.db.insertInto('lead').values(row).execute();
  return toLead(row);
}

async function findLeadRow(ctx: AppContext, id: string) {
  const row = await ctx.db.selectFrom('lead').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new MailroomError('NOT_FOUND', { message: `No lead ${id}.` });
  return row;
}

export const getLead = async (ctx: AppContext, id: string): Promise<Lead> => toLead(await findLeadRow(ctx, id));

export async function listLeads(ctx: AppContext, query: RecordListQuery = {}): Promise<Page<Lead>> {
  const limit = pageLimit(query.limit);
  const rows = await ctx.db.selectFrom('lead').selectAll()
    .where((eb) => recordFilters(eb, query, ['name', 'company_name', 'topic', 'email1', 'email2', 'email3']))
    .orderBy('name').orderBy('id').limit(limit + 1).execute();
  return toPage(rows, limit, toLead);
}

export async function updateLead(ctx: AppContext, actor: User, id: string, changes: LeadChanges): Promise<Lead> {
  const row = await findLeadRow(ctx, id);
  assertMayEdit(actor, row.owner_id, 'lead');
  const set: Partial<Selectable<LeadTable>> = { updated_at: ctx.clock.now() };
  if (changes.name !== undefined) set.name = checkName('Name', changes.name);
  if (changes.companyName !== undefined) set.company_name = checkOptionalText('Company name', changes.companyName);
  if (changes.topic !== undefined) set.topic = checkOptionalText('Topic', changes.topic, 300);
  if (changes.emails !== undefined) Object.assign(set, checkEmails(changes.emails));
  if (changes.owner !== undefined) set.owner_id = await resolveOwner(ctx, actor, changes.owner);
  if (changes.state !== undefined) set.state = checkState(changes.state);
  await ctx.db.updateTable('lead').set(set).where('id', '=', row.id).execute();
  return toLead({ ...row, ...set });
}

export async function deleteLead(ctx: AppContext, actor: User, id: string): Promise<void> {
  const row = await findLeadRow(ctx, id);
  assertMayEdit(actor, row.owner_id, 'lead');
  await ctx.db.deleteFrom('lead').where('id', '=', row.id).execute();
}
