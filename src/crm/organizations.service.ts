// Organizations (legal entities): each has its own email templates, workflows and accounts.
import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { AppContext } from '../app-context.ts';
import { MailroomError } from '../errors.ts';
import { assertNoLineBreak } from '../mime/addresses.ts';
import type { OrganizationTable } from '../store/tables.ts';

export interface Organization {
  readonly id: string;
  readonly code: string;
  readonly name: string;
  readonly createdAt: number;
}

const toOrganization = (r: Selectable<OrganizationTable>): Organization => ({ id: r.id, code: r.code, name: r.name, createdAt: r.created_at });

function checkFields(code: string | undefined, name: string | undefined) {
  if (code !== undefined && !/^[A-Za-z0-9_-]{1,10}$/.test(code)) {
    throw new MailroomError('VALIDATION_FAILED', { message: 'An organization code has 1 to 10 letters, digits, dashes or underscores (for example USMF).', details: { field: 'code' } });
  }
  if (name !== undefined) {
    assertNoLineBreak('Name', name);
    if (!name.trim() || name.length > 200) throw new MailroomError('VALIDATION_FAILED', { message: 'An organization needs a name of up to 200 characters.', details: { field: 'name' } });
  }
}

export async function createOrganization(ctx: AppContext, input: { code: string; name: string }): Promise<Organization> {
  checkFields(input.code, input.name);
  const code = input.code.toUpperCase();
  if (await ctx.db.selectFrom('organization').select('id').where('code', '=', code).executeTakeFirst()) {
    throw new MailroomError('CONFLICT', { message: `There is already an organization ${code}.` });
  }
  const row = { id: randomUUID(), code, name: input.name.trim(), created_at: ctx.clock.now() };
  await ctx.db.insertInto('organization').values(row).execute();
  return toOrganization(row);
}

export async function listOrganizations(ctx: AppContext): Promise<Organization[]> {
  return (await ctx.db.selectFrom('organization').selectAll().orderBy('code').execute()).map(toOrganization);
}

/** By id or by code (any case). */
export async function getOrganization(ctx: AppContext, idOrCode: string): Promise<Organization> {
  const row = await ctx.db.selectFrom('organization').selectAll()
    .where((eb) => eb.or([eb('id', '=', idOrCode), eb('code', '=', idOrCode.toUpperCase())])).executeTakeFirst();
  if (!row) throw new MailroomError('NOT_FOUND', { message: `No organization ${idOrCode}.` });
  return toOrganization(row);
}

export async function renameOrganization(ctx: AppContext, idOrCode: string, name: string): Promise<Organization> {
  const org = await getOrganization(ctx, idOrCode);
  checkFields(undefined, name);
  await ctx.db.updateTable('organization').set({ name: name.trim() }).where('id', '=', org.id).execute();
  return { ...org, name: name.trim() };
}

/** Refuses while templates, workflows, documents or accounts still belong to the organization. */
export async function deleteOrganization(ctx: AppContext, idOrCode: string): Promise<void> {
  const org = await getOrganization(ctx, idOrCode);
  for (const table of ['email_template', 'workflow_definition', 'workflow_instance', 'account'] as const) {
    const used = await ctx.db.selectFrom(table).select('id').where('organization_id', '=', org.id).limit(1).executeTakeFirst();
    if (used) throw new MailroomError('CONFLICT', { message: `Organization ${org.code} still has records in ${table.replace('_', ' ')}.`, details: { table } });
  }
  await ctx.db.deleteFrom('organization').where('id', '=', org.id).execute();
}
