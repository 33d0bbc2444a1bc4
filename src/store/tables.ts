// Row types of every table. Timestamps are epoch milliseconds (bigint on PostgreSQL), booleans
// are 0/1 integers, JSON columns are text: the same shapes on both dialects.
import type { Generated } from 'kysely';

export const ROLES = ['admin', 'user'] as const;
export type Role = (typeof ROLES)[number];

export const PROVIDER_IDS = ['smtp', 'eml', 'graph', 'exchange'] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];

export const EMAIL_STATUSES = ['waiting', 'deferred', 'sending', 'sent', 'generated', 'failed', 'expired', 'cancelled'] as const;
export type EmailStatus = (typeof EMAIL_STATUSES)[number];
export const QUEUED_STATUSES = ['waiting', 'deferred', 'sending'] as const satisfies readonly EmailStatus[];

export const SEND_MODES = ['batch', 'interactive'] as const;
export type SendMode = (typeof SEND_MODES)[number];

export interface UserTable {
  id: string;
  username: string;
  name: string;
  email: string;
  role: Role;
  password_hash: string | null;
  language: string;
  created_at: number;
}

export interface UserOptionsTable {
  user_id: string;
  provider_id: ProviderId | null;
  sender_email: string | null;
  do_not_ask_again: number;
  last_choice: ProviderId | null;
  send_notifications_email: number;
}

export interface SendAsGrantTable {
  user_id: string;
  address: string;
  created_at: number;
}

export interface TokenTable {
  id: string;
  user_id: string;
  token_hash: string;
  kind: 'session' | 'api';
  name: string;
  created_at: number;
  expires_at: number | null;
}

export interface SettingTable {
  key: string;
  value: string;
  updated_at: number;
}

export interface EmailTable {
  id: string;
  message_id: string;
  mode: SendMode;
  provider: ProviderId;
  status: EmailStatus;
  user_id: string | null;
  sender: string;
  sender_name: string | null;
  to_addrs: string;
  cc_addrs: string;
  bcc_addrs: string;
  subject: string;
  size_bytes: number;
  attempts: number;
  deferrals: number;
  next_attempt_at: number;
  claimed_by: string | null;
  lease_until: number | null;
  expires_at: number;
  created_at: number;
  updated_at: number;
  sent_at: number | null;
  last_error_code: string | null;
  last_error_response: string | null;
  last_error_command: string | null;
  recipient_results: string | null;
  resent_from: string | null;
}

export interface EmailContentTable {
  email_id: string;
  raw: Uint8Array;
}

export interface EmailAttemptTable {
  id: Generated<number>;
  email_id: string;
  attempt: number;
  worker: string;
  started_at: number;
  finished_at: number;
  outcome: 'sent' | 'retry' | 'failed' | 'deferred' | 'expired';
  error_code: string | null;
  response: string | null;
}

export interface IdempotencyKeyTable {
  key: string;
  user_id: string;
  email_id: string;
  created_at: number;
}

export interface ThrottleWindowTable {
  provider: string;
  minute: number;
  sent: number;
}

// ── organizations, email templates, workflow, customers (issue 4) ──────────────────────────────

export interface OrganizationTable {
  id: string;
  code: string;
  name: string;
  created_at: number;
}

export interface EmailTemplateTable {
  id: string;
  /** 'system', or the organization id: one Email ID per store. */
  scope_key: string;
  organization_id: string | null;
  email_id: string;
  kind: string;
  description: string;
  sender_name: string;
  sender_email: string;
  default_language: string;
  priority: 'low' | 'normal' | 'high';
  created_at: number;
  updated_at: number;
}

export interface EmailTemplateMessageTable {
  template_id: string;
  language: string;
  subject: string;
  html: string;
}

export interface WorkflowDefinitionTable {
  id: string;
  scope_key: string;
  organization_id: string | null;
  code: string;
  name: string;
  document_type: string;
  template_email_id: string;
  enabled: number;
  version: number;
  /** JSON: workflow-level notifications and the approval steps. */
  settings: string;
  created_at: number;
  updated_at: number;
}

export interface WorkflowInstanceTable {
  id: string;
  definition_id: string;
  definition_version: number;
  /** JSON: the definition as it was at submission; later edits do not change running instances. */
  definition_snapshot: string;
  organization_id: string | null;
  document_type: string;
  document_ref: string;
  document_title: string;
  originator_id: string;
  status: string;
  current_step: number;
  event_seq: number;
  created_at: number;
  updated_at: number;
}

export interface WorkItemTable {
  id: string;
  instance_id: string;
  step: number;
  kind: 'approval' | 'change-request';
  owner_id: string;
  status: string;
  subject: string;
  instructions: string;
  due_at: number | null;
  resume_step: number | null;
  created_at: number;
  completed_at: number | null;
  completed_by: string | null;
  comment: string | null;
}

export interface WorkflowEventTable {
  id: string;
  instance_id: string;
  seq: number;
  at: number;
  event: string;
  step: number | null;
  work_item_id: string | null;
  actor_id: string | null;
  assignee_id: string | null;
  comment: string | null;
  details: string | null;
  /** 'pending' until its notifications are queued, 'done' after, 'none' when nothing is set up. */
  notify_state: 'pending' | 'done' | 'none';
}

export interface WorkflowNotificationTable {
  id: string;
  event_id: string;
  instance_id: string;
  user_id: string;
  status: 'queued' | 'skipped' | 'failed';
  reason: string | null;
  email_id: string | null;
  language: string | null;
  created_at: number;
}

export interface CustomerTable {
  id: string;
  account: string;
  name: string;
  organization_id: string | null;
  currency: string;
  created_at: number;
}

export interface CustomerContactTable {
  id: string;
  customer_id: string;
  name: string;
  email: string;
  purpose: string;
  language: string | null;
  created_at: number;
}

export interface CustomerInvoiceTable {
  id: string;
  customer_id: string;
  number: string;
  invoice_date: number;
  due_date: number;
  /** Minor units (cents). */
  amount_minor: number;
  open_minor: number;
  created_at: number;
}

export interface Database {
  app_user: UserTable;
  user_options: UserOptionsTable;
  send_as_grant: SendAsGrantTable;
  token: TokenTable;
  setting: SettingTable;
  email: EmailTable;
  email_content: EmailContentTable;
  email_attempt: EmailAttemptTable;
  idempotency_key: IdempotencyKeyTable;
  throttle_window: ThrottleWindowTable;
  organization: OrganizationTable;
  email_template: EmailTemplateTable;
  email_template_message: EmailTemplateMessageTable;
  workflow_definition: WorkflowDefinitionTable;
  workflow_instance: WorkflowInstanceTable;
  work_item: WorkItemTable;
  workflow_event: WorkflowEventTable;
  workflow_notification: WorkflowNotificationTable;
  customer: CustomerTable;
  customer_contact: CustomerContactTable;
  customer_invoice: CustomerInvoiceTable;
}
