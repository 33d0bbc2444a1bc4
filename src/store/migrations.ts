import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { MailroomError } from '../errors.ts';
import { bigintType, blobType, type DialectName, type Store } from './dialect.ts';
import { createCrmRecordTables, createEmailActivityTables, moveCustomersToAccounts } from './migrations-crm.ts';

type AnyDb = Kysely<any>; // migrations work on the schema as it was, not as it is

function migrations(dialect: DialectName): Record<string, Migration> {
  const big = bigintType(dialect);
  return {
    '0001_outbound': {
      async up(db: AnyDb) {
        await db.schema.createTable('app_user')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('username', 'text', (c) => c.notNull().unique())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('email', 'text', (c) => c.notNull())
          .addColumn('role', 'text', (c) => c.notNull())
          .addColumn('password_hash', 'text')
          .addColumn('language', 'text', (c) => c.notNull().defaultTo('en-us'))
          .addColumn('created_at', big, (c) => c.notNull())
          .execute();
        await db.schema.createTable('user_options')
          .addColumn('user_id', 'text', (c) => c.primaryKey().references('app_user.id').onDelete('cascade'))
          .addColumn('provider_id', 'text')
          .addColumn('sender_email', 'text')
          .addColumn('do_not_ask_again', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('last_choice', 'text')
          .addColumn('send_notifications_email', 'integer', (c) => c.notNull().defaultTo(1))
          .execute();
        await db.schema.createTable('send_as_grant')
          .addColumn('user_id', 'text', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
          .addColumn('address', 'text', (c) => c.notNull())
          .addColumn('created_at', big, (c) => c.notNull())
          .addPrimaryKeyConstraint('send_as_grant_pk', ['user_id', 'address'])
          .execute();
        await db.schema.createTable('token')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('user_id', 'text', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
          .addColumn('token_hash', 'text', (c) => c.notNull().unique())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('created_at', big, (c) => c.notNull())
          .addColumn('expires_at', big)
          .execute();
        await db.schema.createTable('setting')
          .addColumn('key', 'text', (c) => c.primaryKey())
          .addColumn('value', 'text', (c) => c.notNull())
          .addColumn('updated_at', big, (c) => c.notNull())
          .execute();
        await db.schema.createTable('email')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('message_id', 'text', (c) => c.notNull())
          .addColumn('mode', 'text', (c) => c.notNull())
          .addColumn('provider', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('user_id', 'text')
          .addColumn('sender', 'text', (c) => c.notNull())
          .addColumn('sender_name', 'text')
          .addColumn('to_addrs', 'text', (c) => c.notNull())
          .addColumn('cc_addrs', 'text', (c) => c.notNull())
          .addColumn('bcc_addrs', 'text', (c) => c.notNull())
          .addColumn('subject', 'text', (c) => c.notNull())
          .addColumn('size_bytes', 'integer', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('deferrals', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('next_attempt_at', big, (c) => c.notNull())
          .addColumn('claimed_by', 'text')
          .addColumn('lease_until', big)
          .addColumn('expires_at', big, (c) => c.notNull())
          .addColumn('created_at', big, (c) => c.notNull())
          .addColumn('updated_at', big, (c) => c.notNull())
          .addColumn('sent_at', big)
          .addColumn('last_error_code', 'text')
          .addColumn('last_error_response', 'text')
          .addColumn('last_error_command', 'text')
          .addColumn('recipient_results', 'text')
          .addColumn('resent_from', 'text')
          .execute();
        // The distributor's scan: due rows by status and time.
        await db.schema.createIndex('email_due_idx').on('email').columns(['status', 'next_attempt_at']).execute();
        // History pages: newest first, by sender, keyset paging on (created_at, id).
        await db.schema.createIndex('email_created_idx').on('email').columns(['created_at', 'id']).execute();
        await db.schema.createIndex('email_sender_idx').on('email').columns(['sender', 'created_at']).execute();
        await db.schema.createIndex('email_status_created_idx').on('email').columns(['status', 'created_at']).execute();
        await db.schema.createTable('email_content')
          .addColumn('email_id', 'text', (c) => c.primaryKey().references('email.id').onDelete('cascade'))
          .addColumn('raw', blobType(dialect), (c) => c.notNull())
          .execute();
        await db.schema.createTable('email_attempt')
          .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) => c.primaryKey())
          .addColumn('email_id', 'text', (c) => c.notNull().references('email.id').onDelete('cascade'))
          .addColumn('attempt', 'integer', (c) => c.notNull())
          .addColumn('worker', 'text', (c) => c.notNull())
          .addColumn('started_at', big, (c) => c.notNull())
          .addColumn('finished_at', big, (c) => c.notNull())
          .addColumn('outcome', 'text', (c) => c.notNull())
          .addColumn('error_code', 'text')
          .addColumn('response', 'text')
          .execute();
        await db.schema.createIndex('email_attempt_email_idx').on('email_attempt').column('email_id').execute();
        await db.schema.createTable('idempotency_key')
          .addColumn('key', 'text', (c) => c.notNull())
          .addColumn('user_id', 'text', (c) => c.notNull())
          .addColumn('email_id', 'text', (c) => c.notNull())
          .addColumn('created_at', big, (c) => c.notNull())
          .addPrimaryKeyConstraint('idempotency_key_pk', ['user_id', 'key'])
          .execute();
        await db.schema.createTable('throttle_window')
          .addColumn('provider', 'text', (c) => c.notNull())
          .addColumn('minute', big, (c) => c.notNull())
          .addColumn('sent', 'integer', (c) => c.notNull())
          .addPrimaryKeyConstraint('throttle_window_pk', ['provider', 'minute'])
          .execute();
      },
    },
    '0002_templates_workflow': {
      async up(db: AnyDb) {
        await db.schema.createTable('organization')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('code', 'text', (c) => c.notNull().unique())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('created_at', big, (c) => c.notNull())
          .execute();
        await db.schema.createTable('email_template')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('scope_key', 'text', (c) => c.notNull())
          .addColumn('organization_id', 'text', (c) => c.references('organization.id'))
          .addColumn('email_id', 'text', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('description', 'text', (c) => c.notNull())
          .addColumn('sender_name', 'text', (c) => c.notNull())
          .addColumn('sender_email', 'text', (c) => c.notNull())
          .addColumn('default_language', 'text', (c) => c.notNull())
          .addColumn('priority', 'text', (c) => c.notNull())
          .addColumn('created_at', big, (c) => c.notNull())
          .addColumn('updated_at', big, (c) => c.notNull())
          // organization_id is NULL for system templates, and NULLs never collide in a unique
          // index on either dialect; scope_key ('system' or the organization id) does.
          .addUniqueConstraint('email_template_scope_email_id_uq', ['scope_key', 'email_id'])
          .execute();
        await db.schema.createTable('email_template_message')
          .addColumn('template_id', 'text', (c) => c.notNull().references('email_template.id').onDelete('cascade'))
          .addColumn('language', 'text', (c) => c.notNull())
          .addColumn('subject', 'text', (c) => c.notNull())
          .addColumn('html', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('email_template_message_pk', ['template_id', 'language'])
          .execute();
        await db.schema.createTable('workflow_definition')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('scope_key', 'text', (c) => c.notNull())
          .addColumn('organization_id', 'text', (c) => c.references('organization.id'))
          .addColumn('code', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('document_type', 'text', (c) => c.notNull())
          .addColumn('template_email_id', 'text', (c) => c.notNull())
          .addColumn('enabled', 'integer', (c) => c.notNull())
          .addColumn('version', 'integer', (c) => c.notNull())
          .addColumn('settings', 'text', (c) => c.notNull())
          .addColumn('created_at', big, (c) => c.notNull())
          .addColumn('updated_at', big, (c) => c.notNull())
          .addUniqueConstraint('workflow_definition_scope_code_uq', ['scope_key', 'code'])
          .execute();
        await db.schema.createTable('workflow_instance')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('definition_id', 'text', (c) => c.notNull().references('workflow_definition.id'))
          .addColumn('definition_version', 'integer', (c) => c.notNull())
          .addColumn('definition_snapshot', 'text', (c) => c.notNull())
          .addColumn('organization_id', 'text', (c) => c.references('organization.id'))
          .addColumn('document_type', 'text', (c) => c.notNull())
          .addColumn('document_ref', 'text', (c) => c.notNull())
          .addColumn('document_title', 'text', (c) => c.notNull())
          .addColumn('originator_id', 'text', (c) => c.notNull().references('app_user.id'))
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('current_step', 'integer', (c) => c.notNull())
          .addColumn('event_seq', 'integer', (c) => c.notNull())
          .addColumn('created_at', big, (c) => c.notNull())
          .addColumn('updated_at', big, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('workflow_instance_originator_idx').on('workflow_instance').columns(['originator_id', 'created_at']).execute();
        await db.schema.createTable('work_item')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('instance_id', 'text', (c) => c.notNull().references('workflow_instance.id').onDelete('cascade'))
          .addColumn('step', 'integer', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('owner_id', 'text', (c) => c.notNull().references('app_user.id'))
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('subject', 'text', (c) => c.notNull())
          .addColumn('instructions', 'text', (c) => c.notNull())
          .addColumn('due_at', big)
          .addColumn('resume_step', 'integer')
          .addColumn('created_at', big, (c) => c.notNull())
          .addColumn('completed_at', big)
          .addColumn('completed_by', 'text')
          .addColumn('comment', 'text')
          .execute();
        // The inbox: a user's pending work items; the escalation pass: pending items by due time.
        await db.schema.createIndex('work_item_owner_idx').on('work_item').columns(['owner_id', 'status', 'created_at']).execute();
        await db.schema.createIndex('work_item_instance_idx').on('work_item').columns(['instance_id', 'step']).execute();
        await db.schema.createIndex('work_item_due_idx').on('work_item').columns(['status', 'due_at']).execute();
        await db.schema.createTable('workflow_event')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('instance_id', 'text', (c) => c.notNull().references('workflow_instance.id').onDelete('cascade'))
          .addColumn('seq', 'integer', (c) => c.notNull())
          .addColumn('at', big, (c) => c.notNull())
          .addColumn('event', 'text', (c) => c.notNull())
          .addColumn('step', 'integer')
          .addColumn('work_item_id', 'text')
          .addColumn('actor_id', 'text')
          .addColumn('assignee_id', 'text')
          .addColumn('comment', 'text')
          .addColumn('details', 'text')
          .addColumn('notify_state', 'text', (c) => c.notNull())
          .addUniqueConstraint('workflow_event_seq_uq', ['instance_id', 'seq'])
          .execute();
        await db.schema.createIndex('workflow_event_notify_idx').on('workflow_event').columns(['notify_state', 'at']).execute();
        await db.schema.createTable('workflow_notification')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('event_id', 'text', (c) => c.notNull().references('workflow_event.id').onDelete('cascade'))
          .addColumn('instance_id', 'text', (c) => c.notNull())
          .addColumn('user_id', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('reason', 'text')
          .addColumn('email_id', 'text')
          .addColumn('language', 'text')
          .addColumn('created_at', big, (c) => c.notNull())
          .addUniqueConstraint('workflow_notification_event_user_uq', ['event_id', 'user_id'])
          .execute();
        await db.schema.createIndex('workflow_notification_instance_idx').on('workflow_notification').column('instance_id').execute();
        await db.schema.createTable('customer')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('account', 'text', (c) => c.notNull().unique())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('organization_id', 'text', (c) => c.references('organization.id'))
          .addColumn('currency', 'text', (c) => c.notNull())
          .addColumn('created_at', big, (c) => c.notNull())
          .execute();
        await db.schema.createTable('customer_contact')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('customer_id', 'text', (c) => c.notNull().references('customer.id').onDelete('cascade'))
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('email', 'text', (c) => c.notNull())
          .addColumn('purpose', 'text', (c) => c.notNull())
          .addColumn('language', 'text')
          .addColumn('created_at', big, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('customer_contact_customer_idx').on('customer_contact').column('customer_id').execute();
        await db.schema.createTable('customer_invoice')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('customer_id', 'text', (c) => c.notNull().references('customer.id').onDelete('cascade'))
          .addColumn('number', 'text', (c) => c.notNull())
          .addColumn('invoice_date', big, (c) => c.notNull())
          .addColumn('due_date', big, (c) => c.notNull())
          .addColumn('amount_minor', big, (c) => c.notNull())
          .addColumn('open_minor', big, (c) => c.notNull())
          .addColumn('created_at', big, (c) => c.notNull())
          .addUniqueConstraint('customer_invoice_number_uq', ['customer_id', 'number'])
          .execute();
      },
    },
    '0003_history_sender_index': {
      async up(db: AnyDb) {
        // The history's sender filter compares case-insensitively; an index on the expression
        // keeps it fast on a large history (both dialects accept this form).
        await db.schema.dropIndex('email_sender_idx').execute();
        await sql`create index email_sender_lower_idx on email (lower(sender), created_at)`.execute(db);
      },
    },
    '0006_crm_records': {
      async up(db: AnyDb) {
        await createCrmRecordTables(db, dialect);
        await moveCustomersToAccounts(db);
        await createEmailActivityTables(db, dialect);
      },
    },
    '0007_sync_control': {
      async up(db: AnyDb) {
        await db.schema.createTable('queue')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull().unique())
          .addColumn('email', 'text', (c) => c.notNull().unique())
          .addColumn('owner_id', 'text', (c) => c.notNull().references('app_user.id'))
          .addColumn('active', 'integer', (c) => c.notNull())
          .addColumn('tracking', 'text', (c) => c.notNull())
          .addColumn('created_at', big, (c) => c.notNull())
          .addColumn('updated_at', big, (c) => c.notNull())
          .execute();
        await db.schema.createTable('queue_member')
          .addColumn('queue_id', 'text', (c) => c.notNull().references('queue.id').onDelete('cascade'))
          .addColumn('user_id', 'text', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
          .addPrimaryKeyConstraint('queue_member_pk', ['queue_id', 'user_id'])
          .execute();
        await db.schema.createTable('email_server_profile')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull().unique())
          .addColumn('description', 'text', (c) => c.notNull())
          .addColumn('server_type', 'text', (c) => c.notNull())
          .addColumn('owner_id', 'text', (c) => c.notNull().references('app_user.id'))
          .addColumn('is_default', 'integer', (c) => c.notNull())
          .addColumn('incoming_host', 'text', (c) => c.notNull())
          .addColumn('incoming_port', 'integer', (c) => c.notNull())
          .addColumn('incoming_ssl', 'integer', (c) => c.notNull())
          .addColumn('outgoing_host', 'text', (c) => c.notNull())
          .addColumn('outgoing_port', 'integer', (c) => c.notNull())
          .addColumn('outgoing_ssl', 'integer', (c) => c.notNull())
          .addColumn('incoming_auth', 'text', (c) => c.notNull())
          .addColumn('outgoing_auth', 'text', (c) => c.notNull())
          .addColumn('credentials_from', 'text', (c) => c.notNull())
          .addColumn('username', 'text', (c) => c.notNull())
          .addColumn('password_sealed', 'text', (c) => c.notNull())
          .addColumn('outgoing_same_settings', 'integer', (c) => c.notNull())
          .addColumn('outgoing_username', 'text', (c) => c.notNull())
          .addColumn('outgoing_password_sealed', 'text', (c) => c.notNull())
          .addColumn('verify_certificate', 'integer', (c) => c.notNull())
          .addColumn('process_email_from', big)
          .addColumn('min_polling_minutes', 'integer', (c) => c.notNull())
          .addColumn('max_connections', 'integer', (c) => c.notNull())
          .addColumn('move_failed_to_undeliverable', 'integer', (c) => c.notNull())
          .addColumn('alert_on_majority_failure', 'integer', (c) => c.notNull())
          .addColumn('last_test_at', big)
          .addColumn('last_test_result', 'text')
          .addColumn('majority_alert_at', big)
          .addColumn('created_at', big, (c) => c.notNull())
          .addColumn('updated_at', big, (c) => c.notNull())
          .execute();
        await db.schema.createTable('mailbox')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('owner_kind', 'text', (c) => c.notNull())
          .addColumn('user_id', 'text', (c) => c.unique().references('app_user.id').onDelete('cascade'))
          .addColumn('queue_id', 'text', (c) => c.unique().references('queue.id').onDelete('cascade'))
          .addColumn('email', 'text', (c) => c.notNull())
          .addColumn('profile_id', 'text', (c) => c.references('email_server_profile.id'))
          .addColumn('incoming_method', 'text', (c) => c.notNull())
          .addColumn('outgoing_method', 'text', (c) => c.notNull())
          .addColumn('act_method', 'text', (c) => c.notNull())
          .addColumn('allow_credentials', 'integer', (c) => c.notNull())
          .addColumn('username', 'text', (c) => c.notNull())
          .addColumn('password_sealed', 'text', (c) => c.notNull())
          .addColumn('delete_after_processing', 'integer', (c) => c.notNull())
          .addColumn('process_after', big)
          .addColumn('incoming_enabled', 'integer', (c) => c.notNull())
          .addColumn('outgoing_enabled', 'integer', (c) => c.notNull())
          .addColumn('act_enabled', 'integer', (c) => c.notNull())
          .addColumn('incoming_status', 'text', (c) => c.notNull())
          .addColumn('outgoing_status', 'text', (c) => c.notNull())
          .addColumn('act_status', 'text', (c) => c.notNull())
          .addColumn('test_results', 'text', (c) => c.notNull())
          .addColumn('approval', 'text', (c) => c.notNull())
          .addColumn('approved_by', 'text')
          .addColumn('approved_at', big)
          .addColumn('last_success_at', big)
          .addColumn('last_error_code', 'text')
          .addColumn('last_error_count', 'integer', (c) => c.notNull())
          .addColumn('last_error_at', big)
          .addColumn('last_error_response', 'text')
          .addColumn('last_error_channel', 'text')
          .addColumn('next_retry_at', big)
          .addColumn('next_poll_at', big, (c) => c.notNull())
          .addColumn('claimed_by', 'text')
          .addColumn('lease_until', big)
          .addColumn('created_at', big, (c) => c.notNull())
          .addColumn('updated_at', big, (c) => c.notNull())
          .execute();
        // The scheduler's scan: due mailboxes by profile; the concurrency count: leases by profile.
        await db.schema.createIndex('mailbox_due_idx').on('mailbox').columns(['next_poll_at']).execute();
        await db.schema.createIndex('mailbox_profile_lease_idx').on('mailbox').columns(['profile_id', 'lease_until']).execute();
        await sql`create index mailbox_email_lower_idx on mailbox (lower(email))`.execute(db);
        await db.schema.createTable('mailbox_approver')
          .addColumn('user_id', 'text', (c) => c.primaryKey().references('app_user.id').onDelete('cascade'))
          .addColumn('granted_by', 'text', (c) => c.notNull())
          .addColumn('granted_at', big, (c) => c.notNull())
          .execute();
        await db.schema.createTable('mailbox_alert')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('mailbox_id', 'text', (c) => c.references('mailbox.id').onDelete('cascade'))
          .addColumn('profile_id', 'text', (c) => c.references('email_server_profile.id').onDelete('cascade'))
          .addColumn('wall_user_id', 'text')
          .addColumn('level', 'text', (c) => c.notNull())
          .addColumn('code', 'text')
          .addColumn('channel', 'text')
          .addColumn('message', 'text', (c) => c.notNull())
          .addColumn('response', 'text')
          .addColumn('created_at', big, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('mailbox_alert_mailbox_idx').on('mailbox_alert').columns(['mailbox_id', 'created_at']).execute();
        await db.schema.createIndex('mailbox_alert_wall_idx').on('mailbox_alert').columns(['wall_user_id', 'created_at']).execute();
        await db.schema.createTable('sync_job')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('profile_id', 'text', (c) => c.notNull().references('email_server_profile.id').onDelete('cascade'))
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('total', 'integer', (c) => c.notNull())
          .addColumn('done', 'integer', (c) => c.notNull())
          .addColumn('succeeded', 'integer', (c) => c.notNull())
          .addColumn('failed', 'integer', (c) => c.notNull())
          .addColumn('requested_by', 'text', (c) => c.notNull())
          .addColumn('error', 'text')
          .addColumn('created_at', big, (c) => c.notNull())
          .addColumn('updated_at', big, (c) => c.notNull())
          .execute();
        // Every existing user gets a mailbox, as new users do (Email settings defaults: incoming
        // and outgoing by server-side synchronization, no profile yet, pending approval).
        const now = Date.now();
        const users = await db.selectFrom('app_user').select(['id', 'email']).execute();
        for (const u of users) {
          await db.insertInto('mailbox').values({ ...newMailboxColumns(now), id: crypto.randomUUID(), owner_kind: 'user', user_id: u.id, email: u.email }).execute();
        }
      },
    },
    '0008_incoming_sync': {
      async up(db: AnyDb) {
        // Where each folder's pull got to, and one processing record per server message.
        await db.schema.createTable('sync_folder_cursor')
          .addColumn('mailbox_id', 'text', (c) => c.notNull())
          .addColumn('folder', 'text', (c) => c.notNull())
          .addColumn('uid_validity', 'text', (c) => c.notNull())
          .addColumn('last_uid', big, (c) => c.notNull())
          .addColumn('highest_modseq', 'text')
          .addColumn('updated_at', big, (c) => c.notNull())
          .addPrimaryKeyConstraint('sync_folder_cursor_pk', ['mailbox_id', 'folder'])
          .execute();
        await db.schema.createTable('sync_message')
          .addColumn('mailbox_id', 'text', (c) => c.notNull())
          .addColumn('folder', 'text', (c) => c.notNull())
          .addColumn('uid_validity', 'text', (c) => c.notNull())
          .addColumn('uid', 'text', (c) => c.notNull())
          .addColumn('message_id', 'text')
          .addColumn('received_at', big)
          .addColumn('outcome', 'text', (c) => c.notNull())
          .addColumn('reason', 'text')
          .addColumn('activity_id', 'text')
          .addColumn('attempts', 'integer', (c) => c.notNull())
          .addColumn('error_code', 'text')
          .addColumn('updated_at', big, (c) => c.notNull())
          .addPrimaryKeyConstraint('sync_message_pk', ['mailbox_id', 'folder', 'uid_validity', 'uid'])
          .execute();
      },
    },
    '0012_incoming_options': {
      async up(db: AnyDb) {
        // A user's personal email options for incoming mail (the queue's option is on the queue).
        await db.schema.createTable('email_tracking_option')
          .addColumn('user_id', 'text', (c) => c.primaryKey().references('app_user.id').onDelete('cascade'))
          .addColumn('tracking', 'text', (c) => c.notNull())
          .addColumn('auto_create', 'integer', (c) => c.notNull())
          .addColumn('create_as', 'text', (c) => c.notNull())
          .addColumn('updated_at', big, (c) => c.notNull())
          .execute();
        await db.schema.createTable('folder_tracking_rule')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('user_id', 'text', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
          .addColumn('folder', 'text', (c) => c.notNull())
          .addColumn('regarding_type', 'text')
          .addColumn('regarding_id', 'text')
          .addColumn('created_at', big, (c) => c.notNull())
          .addUniqueConstraint('folder_tracking_rule_user_folder', ['user_id', 'folder'])
          .execute();
        // The last reconciliation of each mailbox: what the server holds against what was processed.
        await db.schema.createTable('sync_reconciliation')
          .addColumn('mailbox_id', 'text', (c) => c.primaryKey().references('mailbox.id').onDelete('cascade'))
          .addColumn('ran_at', big, (c) => c.notNull())
          .addColumn('gaps', 'integer', (c) => c.notNull())
          .addColumn('result', 'text', (c) => c.notNull())
          .execute();
        // The sync status page: a mailbox's failures and its counts per outcome.
        await db.schema.createIndex('sync_message_outcome_idx').on('sync_message').columns(['mailbox_id', 'outcome']).execute();
      },
    },
    '0012_incoming_sync_request': {
      async up(db: AnyDb) {
        // "Synchronize now" for a mailbox another worker holds: the request, and the holder's last cycle.
        await db.schema.alterTable('mailbox').addColumn('sync_requested_at', big).execute();
        await db.schema.alterTable('mailbox').addColumn('last_cycle', 'text').execute();
      },
    },
    '0012_auto_created_sender': {
      async up(db: AnyDb) {
        // Automatic record creation keyed by the sender's address: the primary key makes a second
        // worker that meets the same new sender at the same moment reuse the first one's record.
        await db.schema.createTable('auto_created_sender')
          .addColumn('address', 'text', (c) => c.primaryKey())
          .addColumn('record_type', 'text', (c) => c.notNull())
          .addColumn('record_id', 'text', (c) => c.notNull())
          .addColumn('created_at', big, (c) => c.notNull())
          .execute();
      },
    },
    '0004_sign_in_throttle': {
      async up(db: AnyDb) {
        // Failed sign-ins per user name and per client address, shared by every process.
        await db.schema.createTable('sign_in_failure')
          .addColumn('key', 'text', (c) => c.primaryKey())
          .addColumn('failures', 'integer', (c) => c.notNull())
          .addColumn('window_start', big, (c) => c.notNull())
          .addColumn('locked_until', big)
          .execute();
        await db.schema.createIndex('token_user_idx').on('token').columns(['user_id', 'kind']).execute();
      },
    },
    '0013_outgoing_activities': {
      async up(db: AnyDb) {
        // An email activity sent from the application rides on the email queue: the email knows
        // the mailbox whose outgoing channel sends it, the activity knows its email.
        await db.schema.alterTable('email').addColumn('mailbox_id', 'text').execute();
        await db.schema.createIndex('email_mailbox_status_idx').on('email').columns(['mailbox_id', 'status']).execute();
        await db.schema.alterTable('email_activity').addColumn('email_id', 'text').execute();
        await db.schema.alterTable('email_activity').addColumn('sent_folder', 'text').execute();
        await db.schema.createIndex('email_activity_email_idx').on('email_activity').column('email_id').execute();
        await db.schema.createIndex('email_activity_sent_folder_idx').on('email_activity').column('sent_folder').execute();
        await db.schema.createTable('tracking_number')
          .addColumn('user_id', 'text', (c) => c.primaryKey().references('app_user.id').onDelete('cascade'))
          .addColumn('user_number', big, (c) => c.notNull().unique())
          .addColumn('counter', big, (c) => c.notNull())
          .execute();
      },
    },
    '0017_profile_trusted_ca': {
      async up(db: AnyDb) {
        // Certificates of a private authority the profile's servers are verified against.
        await db.schema.alterTable('email_server_profile').addColumn('trusted_ca', 'text', (c) => c.notNull().defaultTo('')).execute();
      },
    },
    '0018_reconcile_request': {
      async up(db: AnyDb) {
        // "Reconcile now" for a mailbox another worker holds: the request on the mailbox, and on the
        // stored result the request it answers (null for the daily one).
        await db.schema.alterTable('mailbox').addColumn('reconcile_requested_at', big).execute();
        await db.schema.alterTable('sync_reconciliation').addColumn('requested_at', big).execute();
      },
    },
    '0022_cursor_read_from': {
      async up(db: AnyDb) {
        // The process-from date each folder was last read from completely (0: from its first
        // message): once the profile's or the mailbox's date moves earlier, the folder is read again
        // from the new date. Folders read before this column were read from the date in force now.
        await db.schema.alterTable('sync_folder_cursor').addColumn('read_from', big).execute();
        const boxes = await db.selectFrom('mailbox').leftJoin('email_server_profile', 'email_server_profile.id', 'mailbox.profile_id')
          .select(['mailbox.id as id', 'mailbox.process_after as after', 'email_server_profile.process_email_from as from']).execute();
        for (const b of boxes as { id: string; after: number | string | null; from: number | string | null }[]) {
          const dates = [b.after, b.from].filter((d) => d !== null).map(Number);
          await db.updateTable('sync_folder_cursor').set({ read_from: dates.length ? Math.max(...dates) : 0 }).where('mailbox_id', '=', b.id).execute();
        }
      },
    },
    '0018_queue_email_lower_index': {
      async up(db: AnyDb) {
        // Address resolution (and queue lookups by address) compare lower(email): users, accounts,
        // contacts and leads have that index since 0006; queues only had the unique index on email.
        await sql`create index queue_email_lower_idx on queue (lower(email))`.execute(db);
      },
    },
    '0023_sent_folder_claim': {
      async up(db: AnyDb) {
        // When the Sent-folder copy was last claimed or settled: a claim left by a worker that died
        // mid-append is taken over once it is old enough that no live append can still hold it.
        await db.schema.alterTable('email_activity').addColumn('sent_folder_at', big).execute();
      },
    },
  };
}

/** The columns of a new mailbox before Email settings exist (the migration's own copy: it never changes). */
function newMailboxColumns(now: number) {
  return {
    queue_id: null, profile_id: null, incoming_method: 'sss', outgoing_method: 'sss', act_method: 'none',
    allow_credentials: 0, username: '', password_sealed: '', delete_after_processing: 0, process_after: null,
    incoming_enabled: 0, outgoing_enabled: 0, act_enabled: 0, incoming_status: 'not-run', outgoing_status: 'not-run', act_status: 'not-run',
    test_results: '{}', approval: 'pending', approved_by: null, approved_at: null, last_success_at: null,
    last_error_code: null, last_error_count: 0, last_error_at: null, last_error_response: null, last_error_channel: null,
    next_retry_at: null, next_poll_at: now, claimed_by: null, lease_until: null, created_at: now, updated_at: now,
  };
}

/** The names of every migration, in the order they run. */
export const migrationNames = (dialect: DialectName) => Object.keys(migrations(dialect)).sort();

function migrator(store: Store): Migrator {
  const provider: MigrationProvider = { getMigrations: async () => migrations(store.dialect) };
  // Each area of the product has its own reserved prefix (0004_…, 0006_…), and they land in any
  // order: a database that already ran 0006 must still accept a 0004 that lands after it.
  return new Migrator({
    db: store.db, provider, migrationTableName: 'mailroom_migration', migrationLockTableName: 'mailroom_migration_lock', allowUnorderedMigrations: true,
  });
}

function applied({ error, results = [] }: Awaited<ReturnType<Migrator['migrateToLatest']>>): string[] {
  if (error) throw new MailroomError('INTERNAL', { message: `Database migration failed: ${(error as Error).message}`, cause: error });
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

export async function migrateToLatest(store: Store): Promise<string[]> {
  return applied(await migrator(store).migrateToLatest());
}

/** Runs the migrations up to and including `name` (tests build an older schema this way). */
export async function migrateTo(store: Store, name: string): Promise<string[]> {
  return applied(await migrator(store).migrateTo(name));
}


