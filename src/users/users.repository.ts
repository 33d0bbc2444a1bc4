import type { Kysely, Selectable } from 'kysely';
import type { Database, UserOptionsTable, UserTable } from '../store/tables.ts';

export type UserRow = Selectable<UserTable>;
export type UserOptionsRow = Selectable<UserOptionsTable>;

export const findUserById = (db: Kysely<Database>, id: string) =>
  db.selectFrom('app_user').selectAll().where('id', '=', id).executeTakeFirst();

export const findUserByUsername = (db: Kysely<Database>, username: string) =>
  db.selectFrom('app_user').selectAll().where('username', '=', username).executeTakeFirst();

export const listUsers = (db: Kysely<Database>) =>
  db.selectFrom('app_user').selectAll().orderBy('username').execute();

export async function findOptions(db: Kysely<Database>, userId: string): Promise<UserOptionsRow> {
  const row = await db.selectFrom('user_options').selectAll().where('user_id', '=', userId).executeTakeFirst();
  return row ?? { user_id: userId, provider_id: null, sender_email: null, do_not_ask_again: 0, last_choice: null, send_notifications_email: 1 };
}

export async function saveOptions(db: Kysely<Database>, row: UserOptionsRow): Promise<void> {
  await db.insertInto('user_options').values(row)
    .onConflict((oc) => oc.column('user_id').doUpdateSet({
      provider_id: row.provider_id,
      sender_email: row.sender_email,
      do_not_ask_again: row.do_not_ask_again,
      last_choice: row.last_choice,
      send_notifications_email: row.send_notifications_email,
    }))
    .execute();
}

export const listGrants = (db: Kysely<Database>, userId: string) =>
  db.selectFrom('send_as_grant').select(['address', 'created_at']).where('user_id', '=', userId).orderBy('address').execute();
