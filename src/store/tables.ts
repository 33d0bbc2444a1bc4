// Row types of every table. Timestamps are epoch milliseconds (bigint on PostgreSQL), booleans
// are 0/1 integers, JSON columns are text: the same shapes on both dialects.
import type { Generated } from 'kysely';

export const ROLES = ['admin', 'user'] as const;
export type Role = (typeof ROLES)[number];

export const PROVIDER_IDS = ['smtp', 'eml', 'graph', 'exchange'] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];
/** What an email on the queue goes out through: a provider, or a mailbox's own outgoing channel. */
export const QUEUE_PROVIDER_IDS = [...PROVIDER_IDS, 'mailbox'] as const;
export type QueueProviderId = (typeof QUEUE_PROVIDER_IDS)[number];

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
  provider: QueueProviderId;
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
  /** The mailbox whose outgoing channel sends it (provider 'mailbox'); null otherwise. */
  mailbox_id: string | null;
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
  // crm records (0006)
  account: AccountTable;
  contact: ContactTable;
  lead: LeadTable;
  invoice: InvoiceTable;
  email_activity: EmailActivityTable;
  email_activity_party: EmailActivityPartyTable;
  email_activity_attachment: EmailActivityAttachmentTable;
  email_activity_mailbox: EmailActivityMailboxTable;
  // sync control plane (0007)
  queue: QueueTable;
  queue_member: QueueMemberTable;
  email_server_profile: EmailServerProfileTable;
  mailbox: MailboxTable;
  mailbox_approver: MailboxApproverTable;
  mailbox_alert: MailboxAlertTable;
  sync_job: SyncJobTable;
  // incoming synchronization (0008)
  sync_folder_cursor: SyncFolderCursorTable;
  sync_message: SyncMessageTable;
  // incoming options, folder rules, reconciliation (0012)
  email_tracking_option: EmailTrackingOptionTable;
  folder_tracking_rule: FolderTrackingRuleTable;
  sync_reconciliation: SyncReconciliationTable;
  auto_created_sender: AutoCreatedSenderTable;
  // security (0004)
  sign_in_failure: SignInFailureTable;
  tracking_number: TrackingNumberTable;
}

// ── crm records (issue 7, migration 0006): accounts, contacts, leads, invoices, email activities ──
// The customers and customer contacts of the Statements scenario became accounts and contacts.

export const RECORD_STATES = ['active', 'inactive'] as const;
export type RecordState = (typeof RECORD_STATES)[number];

export interface AccountTable {
  id: string;
  /** The account number the Statements scenario names customers by (US-008); unique when set. */
  account_number: string | null;
  name: string;
  /** Primary and additional addresses, as Dynamics' emailaddress1..3. */
  email1: string | null;
  email2: string | null;
  email3: string | null;
  organization_id: string | null;
  currency: string;
  owner_id: string | null;
  state: RecordState;
  created_at: number;
  updated_at: number;
}

export interface ContactTable {
  id: string;
  /** The account the contact works for (Dynamics' parent customer). */
  account_id: string | null;
  name: string;
  email1: string | null;
  email2: string | null;
  email3: string | null;
  /** What the contact is for at the account, such as Statements. */
  purpose: string | null;
  language: string | null;
  owner_id: string | null;
  state: RecordState;
  created_at: number;
  updated_at: number;
}

export interface LeadTable {
  id: string;
  name: string;
  company_name: string | null;
  topic: string | null;
  email1: string | null;
  email2: string | null;
  email3: string | null;
  owner_id: string | null;
  state: RecordState;
  created_at: number;
  updated_at: number;
}

export interface InvoiceTable {
  id: string;
  account_id: string;
  number: string;
  invoice_date: number;
  due_date: number;
  /** Minor units (cents). */
  amount_minor: number;
  open_minor: number;
  created_at: number;
}

export const ACTIVITY_DIRECTIONS = ['incoming', 'outgoing'] as const;
export type ActivityDirection = (typeof ACTIVITY_DIRECTIONS)[number];
export const ACTIVITY_STATUSES = ['draft', 'pending-send', 'sending', 'sent', 'received', 'failed', 'canceled'] as const;
export type ActivityStatus = (typeof ACTIVITY_STATUSES)[number];
export const CORRELATION_METHODS = ['in-reply-to', 'tracking-token', 'references', 'smart-matching'] as const;
export type CorrelationMethod = (typeof CORRELATION_METHODS)[number];
export const PARTY_ROLES = ['from', 'to', 'cc', 'bcc'] as const;
export type PartyRole = (typeof PARTY_ROLES)[number];

export interface EmailActivityTable {
  id: string;
  direction: ActivityDirection;
  status: ActivityStatus;
  /** Why it waits or failed (Pending send, Failed), for people. */
  status_detail: string | null;
  subject: string;
  body_text: string | null;
  body_html: string | null;
  message_id: string | null;
  in_reply_to: string | null;
  /** The References header's message ids, space-separated, oldest first. */
  references_header: string | null;
  tracking_token: string | null;
  received_at: number | null;
  sent_at: number | null;
  regarding_type: string | null;
  regarding_id: string | null;
  owner_id: string | null;
  /** The user or queue whose tracking option accepted the email. */
  accepting_type: 'user' | 'queue' | null;
  accepting_id: string | null;
  correlated_by: CorrelationMethod | null;
  correlated_activity_id: string | null;
  /** The caller's key that makes createIncomingActivity idempotent; unique when set. */
  dedupe_key: string | null;
  /** The queued email of an outgoing activity once it is sent from the application. */
  email_id: string | null;
  /** The sent message's copy in the mailbox's Sent folder (IMAP): pending, copying, done, failed, none (POP3). */
  sent_folder: SentFolderState | null;
  /** When sent_folder last changed (epoch ms); an old 'copying' is a claim nobody holds any more. */
  sent_folder_at: number | null;
  created_at: number;
  updated_at: number;
}

// 'copying' is taken before the append starts, so two workers never append the same copy. A worker
// that dies mid-append leaves it there; once the claim is old, the next worker looks for the
// message's Message-ID in the Sent folder and appends only when it is not there.
export const SENT_FOLDER_STATES = ['pending', 'copying', 'done', 'failed', 'none'] as const;
export type SentFolderState = (typeof SENT_FOLDER_STATES)[number];

/** Per user: the user number of the tracking token and the message counter (migration 0013). */
export interface TrackingNumberTable {
  user_id: string;
  user_number: number;
  counter: number;
}

export interface EmailActivityPartyTable {
  id: Generated<number>;
  activity_id: string;
  role: PartyRole;
  /** Order of the address within its role. */
  position: number;
  address: string;
  name: string;
  /** The record the address resolved to; null when it resolved to none. */
  record_type: string | null;
  record_id: string | null;
}

export interface EmailActivityAttachmentTable {
  id: string;
  activity_id: string;
  position: number;
  filename: string;
  content_type: string;
  content_id: string | null;
  size_bytes: number;
  /** Null when the attachment was over the size limit and not stored (skipped_code says so). */
  content: Uint8Array | null;
  skipped_code: string | null;
}

export interface EmailActivityMailboxTable {
  activity_id: string;
  mailbox_id: string;
  linked_at: number;
}

// ── Synchronization control plane (migration 0007): queues, email server profiles, mailboxes,
// approvers, alerts and background jobs. Booleans 0/1, times epoch ms, JSON as text.

export const SERVER_TYPES = ['imap', 'pop3', 'exchange', 'exchange-hybrid', 'exchange-online'] as const;
export type ServerType = (typeof SERVER_TYPES)[number];
export const SYNC_METHODS = ['none', 'sss'] as const;
export type SyncMethod = (typeof SYNC_METHODS)[number];
export const CHANNELS = ['incoming', 'outgoing', 'act'] as const;
export type Channel = (typeof CHANNELS)[number];
export const CHANNEL_STATUSES = ['not-run', 'success', 'failure'] as const;
export type ChannelStatus = (typeof CHANNEL_STATUSES)[number];
export const APPROVAL_STATUSES = ['empty', 'pending', 'approved', 'rejected'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];
export const ALERT_LEVELS = ['information', 'warning', 'error'] as const;
export type AlertLevel = (typeof ALERT_LEVELS)[number];
export const TRACKING_OPTIONS = ['all', 'replies', 'records', 'email-enabled'] as const;
export type TrackingOption = (typeof TRACKING_OPTIONS)[number];

export interface QueueTable {
  id: string;
  name: string;
  email: string;
  owner_id: string;
  active: number;
  /** Which incoming email becomes an activity (issue 8 reads it). */
  tracking: TrackingOption;
  created_at: number;
  updated_at: number;
}

export interface QueueMemberTable {
  queue_id: string;
  user_id: string;
}

export interface EmailServerProfileTable {
  id: string;
  name: string;
  description: string;
  server_type: ServerType;
  owner_id: string;
  is_default: number;
  incoming_host: string;
  incoming_port: number;
  incoming_ssl: number;
  outgoing_host: string;
  outgoing_port: number;
  outgoing_ssl: number;
  incoming_auth: string;
  outgoing_auth: string;
  /** 'mailbox': the user's or queue's own credentials; 'profile': the profile's. */
  credentials_from: 'mailbox' | 'profile';
  username: string;
  password_sealed: string;
  outgoing_same_settings: number;
  outgoing_username: string;
  outgoing_password_sealed: string;
  verify_certificate: number;
  /** PEM certificates of the authorities the servers are verified against besides the system's; '' for none. */
  trusted_ca: string;
  process_email_from: number | null;
  min_polling_minutes: number;
  max_connections: number;
  move_failed_to_undeliverable: number;
  alert_on_majority_failure: number;
  last_test_at: number | null;
  last_test_result: string | null;
  /** When the majority-failure alert was last raised, so it is raised once an hour at most. */
  majority_alert_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface MailboxTable {
  id: string;
  owner_kind: 'user' | 'queue';
  user_id: string | null;
  queue_id: string | null;
  email: string;
  profile_id: string | null;
  incoming_method: SyncMethod;
  outgoing_method: SyncMethod;
  act_method: SyncMethod;
  allow_credentials: number;
  username: string;
  password_sealed: string;
  delete_after_processing: number;
  process_after: number | null;
  incoming_enabled: number;
  outgoing_enabled: number;
  act_enabled: number;
  incoming_status: ChannelStatus;
  outgoing_status: ChannelStatus;
  act_status: ChannelStatus;
  /** JSON: per channel, the last test's steps, code and the server's words. */
  test_results: string;
  approval: ApprovalStatus;
  approved_by: string | null;
  approved_at: number | null;
  last_success_at: number | null;
  last_error_code: string | null;
  last_error_count: number;
  last_error_at: number | null;
  last_error_response: string | null;
  last_error_channel: Channel | null;
  next_retry_at: number | null;
  next_poll_at: number;
  claimed_by: string | null;
  lease_until: number | null;
  /** When someone asked for a cycle while another worker held the mailbox (migration 0012). */
  sync_requested_at: number | null;
  /** JSON: the last incoming cycle { startedAt, endedAt, result } (migration 0012). */
  last_cycle: string | null;
  /** When someone asked for a reconciliation while another worker held the mailbox (migration 0018). */
  reconcile_requested_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface MailboxApproverTable {
  user_id: string;
  granted_by: string;
  granted_at: number;
}

export interface MailboxAlertTable {
  id: string;
  mailbox_id: string | null;
  profile_id: string | null;
  /** The profile owner, whose alerts wall shows the entry. */
  wall_user_id: string | null;
  level: AlertLevel;
  code: string | null;
  channel: Channel | null;
  message: string;
  response: string | null;
  created_at: number;
}

export interface SyncJobTable {
  id: string;
  kind: 'profile-test-enable';
  profile_id: string;
  status: 'running' | 'done' | 'failed';
  total: number;
  done: number;
  succeeded: number;
  failed: number;
  requested_by: string;
  error: string | null;
  created_at: number;
  updated_at: number;
}

// ── Incoming synchronization (migration 0008): folder cursors and per-message processing records.
export const SYNC_OUTCOMES = ['tracked', 'skipped', 'failed', 'undeliverable'] as const;
export type SyncOutcome = (typeof SYNC_OUTCOMES)[number];

export interface SyncFolderCursorTable {
  mailbox_id: string;
  folder: string;
  uid_validity: string;
  /** Every message up to this UID is done (tracked, skipped or undeliverable). */
  last_uid: number;
  highest_modseq: string | null;
  updated_at: number;
  /**
   * The process-from date the folder was last read from completely (0: from its first message;
   * migration 0022). A date in force now that is earlier has the folder read again from it.
   */
  read_from: number | null;
}

export interface SyncMessageTable {
  mailbox_id: string;
  folder: string;
  /** '' for POP3, whose uid is the UIDL. */
  uid_validity: string;
  uid: string;
  message_id: string | null;
  received_at: number | null;
  outcome: SyncOutcome;
  /** Why it was skipped, or the last failure's message. */
  reason: string | null;
  activity_id: string | null;
  attempts: number;
  error_code: string | null;
  updated_at: number;
}

// ── Incoming options (migration 0012): personal tracking options, folder rules, reconciliation.
export const AUTO_CREATE_AS = ['contact', 'lead'] as const;
export type AutoCreateAs = (typeof AUTO_CREATE_AS)[number];

export interface EmailTrackingOptionTable {
  user_id: string;
  tracking: TrackingOption;
  /** Automatically create records for unresolved senders of tracked email (1) or not (0). */
  auto_create: number;
  create_as: AutoCreateAs;
  updated_at: number;
}

/** The record made automatically for a sender address: one per address, however many workers meet it at once. */
export interface AutoCreatedSenderTable {
  /** Trimmed and lower-cased. */
  address: string;
  record_type: AutoCreateAs;
  record_id: string;
  created_at: number;
}

export interface FolderTrackingRuleTable {
  id: string;
  user_id: string;
  /** The folder's path on the server, under the Inbox (INBOX/Projects). */
  folder: string;
  regarding_type: string | null;
  regarding_id: string | null;
  created_at: number;
}

export interface SyncReconciliationTable {
  mailbox_id: string;
  ran_at: number;
  gaps: number;
  /** JSON: the reconciliation report (per folder: counts and the gaps). */
  result: string;
  /** The reconcile_requested_at this run answered; null when nobody asked (migration 0018). */
  requested_at: number | null;
}

// ── security (issue 12) ────────────────────────────────────────────────────────────────────

/** Failed sign-ins for one key (`user:<name>` or `addr:<ip>`) in the current window. */
export interface SignInFailureTable {
  key: string;
  failures: number;
  window_start: number;
  locked_until: number | null;
}
