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
}
