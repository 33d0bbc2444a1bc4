import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database, EmailTemplateMessageTable, EmailTemplateTable } from '../store/tables.ts';

type Db = Kysely<Database> | Transaction<Database>;
export type TemplateRow = Selectable<EmailTemplateTable>;
export type MessageRow = Selectable<EmailTemplateMessageTable>;

export const SYSTEM_SCOPE = 'system';
export const scopeKey = (organizationId: string | null) => organizationId ?? SYSTEM_SCOPE;

export const findTemplate = (db: Db, id: string) =>
  db.selectFrom('email_template').selectAll().where('id', '=', id).executeTakeFirst();

export const findByEmailId = (db: Db, organizationId: string | null, emailId: string) =>
  db.selectFrom('email_template').selectAll()
    .where('scope_key', '=', scopeKey(organizationId)).where('email_id', '=', emailId).executeTakeFirst();

export function listTemplates(db: Db, filter: { organizationId?: string | null; kind?: string }) {
  let q = db.selectFrom('email_template').selectAll();
  if (filter.organizationId !== undefined) q = q.where('scope_key', '=', scopeKey(filter.organizationId));
  if (filter.kind !== undefined) q = q.where('kind', '=', filter.kind);
  return q.orderBy('scope_key').orderBy('email_id').execute();
}

export const listMessages = (db: Db, templateIds: readonly string[]) =>
  templateIds.length === 0
    ? Promise.resolve([] as MessageRow[])
    : db.selectFrom('email_template_message').selectAll().where('template_id', 'in', templateIds).orderBy('language').execute();

/** Writes the header and replaces every message line, in one transaction. */
export async function saveTemplate(db: Kysely<Database>, row: TemplateRow, messages: readonly MessageRow[], isNew: boolean): Promise<void> {
  await db.transaction().execute(async (tx) => {
    if (isNew) await tx.insertInto('email_template').values(row).execute();
    else {
      const { id, created_at: _created, ...rest } = row;
      await tx.updateTable('email_template').set(rest).where('id', '=', id).execute();
      await tx.deleteFrom('email_template_message').where('template_id', '=', id).execute();
    }
    if (messages.length) await tx.insertInto('email_template_message').values([...messages]).execute();
  });
}

export async function deleteTemplate(db: Db, id: string): Promise<boolean> {
  const result = await db.deleteFrom('email_template').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}
