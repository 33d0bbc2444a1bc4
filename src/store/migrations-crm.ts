// Migration 0006: the CRM records that server-side synchronization writes to. The Statements
// scenario's customers and customer contacts become accounts and contacts (same ids), its
// invoices move to `invoice`, and the old tables go: one CRM model, no second contact table.
import { sql, type Kysely } from 'kysely';
import { bigintType, blobType, type DialectName } from './dialect.ts';

type AnyDb = Kysely<any>; // the schema as it was when 0006 ran

const EMAIL_INDEXED_TABLES = ['account', 'contact', 'lead'] as const;

export async function createCrmRecordTables(db: AnyDb, dialect: DialectName): Promise<void> {
  const big = bigintType(dialect);
  await db.schema.createTable('account')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // NULLs never collide in a unique index on either dialect: accounts without a number are fine.
    .addColumn('account_number', 'text', (c) => c.unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('email1', 'text').addColumn('email2', 'text').addColumn('email3', 'text')
    .addColumn('organization_id', 'text', (c) => c.references('organization.id'))
    .addColumn('currency', 'text', (c) => c.notNull().defaultTo('USD'))
    .addColumn('owner_id', 'text', (c) => c.references('app_user.id').onDelete('set null'))
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('updated_at', big, (c) => c.notNull())
    .execute();
  await db.schema.createTable('contact')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.references('account.id').onDelete('set null'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('email1', 'text').addColumn('email2', 'text').addColumn('email3', 'text')
    .addColumn('purpose', 'text')
    .addColumn('language', 'text')
    .addColumn('owner_id', 'text', (c) => c.references('app_user.id').onDelete('set null'))
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('updated_at', big, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('contact_account_idx').on('contact').column('account_id').execute();
  await db.schema.createTable('lead')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('company_name', 'text')
    .addColumn('topic', 'text')
    .addColumn('email1', 'text').addColumn('email2', 'text').addColumn('email3', 'text')
    .addColumn('owner_id', 'text', (c) => c.references('app_user.id').onDelete('set null'))
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('updated_at', big, (c) => c.notNull())
    .execute();
  await db.schema.createTable('invoice')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('account.id').onDelete('cascade'))
    .addColumn('number', 'text', (c) => c.notNull())
    .addColumn('invoice_date', big, (c) => c.notNull())
    .addColumn('due_date', big, (c) => c.notNull())
    .addColumn('amount_minor', big, (c) => c.notNull())
    .addColumn('open_minor', big, (c) => c.notNull())
    .addColumn('created_at', big, (c) => c.notNull())
    .addUniqueConstraint('invoice_account_number_uq', ['account_id', 'number'])
    .execute();
  // Address resolution looks every address up case-insensitively in each column; list pages sort by name.
  for (const table of EMAIL_INDEXED_TABLES) {
    for (const column of ['email1', 'email2', 'email3']) {
      await sql`create index ${sql.raw(`${table}_${column}_lower_idx`)} on ${sql.table(table)} (lower(${sql.ref(column)}))`.execute(db);
    }
    await db.schema.createIndex(`${table}_name_idx`).on(table).columns(['name', 'id']).execute();
  }
  await sql`create index app_user_email_lower_idx on app_user (lower(email))`.execute(db);
}

/** Copies customers, their contacts and invoices into the new tables, then drops the old ones. */
export async function moveCustomersToAccounts(db: AnyDb): Promise<void> {
  // The old rows had no owner; the first administrator (if there is one) takes them.
  const owner = sql`(select id from app_user where role = 'admin' order by created_at, id limit 1)`;
  await sql`insert into account (id, account_number, name, organization_id, currency, owner_id, state, created_at, updated_at)
    select id, account, name, organization_id, currency, ${owner}, 'active', created_at, created_at from customer`.execute(db);
  await sql`insert into contact (id, account_id, name, email1, purpose, language, owner_id, state, created_at, updated_at)
    select id, customer_id, name, email, purpose, language, ${owner}, 'active', created_at, created_at from customer_contact`.execute(db);
  await sql`insert into invoice (id, account_id, number, invoice_date, due_date, amount_minor, open_minor, created_at)
    select id, customer_id, number, invoice_date, due_date, amount_minor, open_minor, created_at from customer_invoice`.execute(db);
  await db.schema.dropTable('customer_invoice').execute();
  await db.schema.dropTable('customer_contact').execute();
  await db.schema.dropTable('customer').execute();
}

export async function createEmailActivityTables(db: AnyDb, dialect: DialectName): Promise<void> {
  const big = bigintType(dialect);
  await db.schema.createTable('email_activity')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_detail', 'text')
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('body_text', 'text')
    .addColumn('body_html', 'text')
    .addColumn('message_id', 'text')
    .addColumn('in_reply_to', 'text')
    .addColumn('references_header', 'text')
    .addColumn('tracking_token', 'text')
    .addColumn('received_at', big)
    .addColumn('sent_at', big)
    .addColumn('regarding_type', 'text')
    .addColumn('regarding_id', 'text')
    .addColumn('owner_id', 'text', (c) => c.references('app_user.id').onDelete('set null'))
    .addColumn('accepting_type', 'text')
    .addColumn('accepting_id', 'text')
    .addColumn('correlated_by', 'text')
    .addColumn('correlated_activity_id', 'text')
    .addColumn('dedupe_key', 'text', (c) => c.unique())
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('updated_at', big, (c) => c.notNull())
    .execute();
  // Part 2 correlates In-Reply-To and References against Message-ID, and subjects by token.
  await db.schema.createIndex('email_activity_message_id_idx').on('email_activity').column('message_id').execute();
  await db.schema.createIndex('email_activity_tracking_token_idx').on('email_activity').column('tracking_token').execute();
  await db.schema.createIndex('email_activity_regarding_idx').on('email_activity').columns(['regarding_type', 'regarding_id', 'created_at']).execute();
  await db.schema.createIndex('email_activity_created_idx').on('email_activity').columns(['created_at', 'id']).execute();
  await db.schema.createTable('email_activity_party')
    .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) => c.primaryKey())
    .addColumn('activity_id', 'text', (c) => c.notNull().references('email_activity.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('record_type', 'text')
    .addColumn('record_id', 'text')
    .execute();
  await db.schema.createIndex('email_activity_party_activity_idx').on('email_activity_party').columns(['activity_id', 'role', 'position']).execute();
  await db.schema.createIndex('email_activity_party_record_idx').on('email_activity_party').columns(['record_type', 'record_id']).execute();
  await db.schema.createTable('email_activity_attachment')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('activity_id', 'text', (c) => c.notNull().references('email_activity.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('content_id', 'text')
    .addColumn('size_bytes', big, (c) => c.notNull())
    .addColumn('content', blobType(dialect))
    .addColumn('skipped_code', 'text')
    .execute();
  await db.schema.createIndex('email_activity_attachment_activity_idx').on('email_activity_attachment').columns(['activity_id', 'position']).execute();
  await db.schema.createTable('email_activity_mailbox')
    .addColumn('activity_id', 'text', (c) => c.notNull().references('email_activity.id').onDelete('cascade'))
    .addColumn('mailbox_id', 'text', (c) => c.notNull())
    .addColumn('linked_at', big, (c) => c.notNull())
    .addPrimaryKeyConstraint('email_activity_mailbox_pk', ['activity_id', 'mailbox_id'])
    .execute();
  await db.schema.createIndex('email_activity_mailbox_mailbox_idx').on('email_activity_mailbox').columns(['mailbox_id', 'activity_id']).execute();
}
