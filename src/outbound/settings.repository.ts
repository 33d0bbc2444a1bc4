import type { Kysely } from 'kysely';
import type { Database } from '../store/tables.ts';

export async function readSetting<T>(db: Kysely<Database>, key: string): Promise<T | undefined> {
  const text = await readSettingText(db, key);
  return text === null ? undefined : (JSON.parse(text) as T);
}

/** The stored JSON text of a setting, or null when none is stored. */
export async function readSettingText(db: Kysely<Database>, key: string): Promise<string | null> {
  const row = await db.selectFrom('setting').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value ?? null;
}

export async function writeSetting(db: Kysely<Database>, key: string, value: unknown, now: number): Promise<void> {
  const json = JSON.stringify(value);
  await db.insertInto('setting').values({ key, value: json, updated_at: now })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: json, updated_at: now }))
    .execute();
}
