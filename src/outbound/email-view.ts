import { describeError, ERRORS, type ErrorCode } from '../errors.ts';
import type { Mailbox } from '../mime/addresses.ts';
import type { RecipientResult } from '../providers/provider.ts';
import type { EmailRow } from './email.repository.ts';

/** An email as the API, CLI and console show it. */
export interface EmailView {
  readonly id: string;
  readonly messageId: string;
  readonly mode: EmailRow['mode'];
  readonly provider: EmailRow['provider'];
  /** The mailbox whose outgoing channel sends it (provider mailbox). */
  readonly mailboxId: string | null;
  readonly status: EmailRow['status'];
  readonly userId: string | null;
  readonly sender: string;
  readonly senderName: string | null;
  readonly to: Mailbox[];
  readonly cc: Mailbox[];
  readonly bcc: Mailbox[];
  readonly subject: string;
  readonly sizeBytes: number;
  readonly attempts: number;
  readonly deferrals: number;
  readonly nextAttemptAt: number | null;
  readonly claimedBy: string | null;
  readonly leaseUntil: number | null;
  readonly expiresAt: number;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly sentAt: number | null;
  readonly resentFrom: string | null;
  readonly recipients: RecipientResult[] | null;
  readonly failure: FailureDetails | null;
}

export interface FailureDetails {
  readonly code: string;
  readonly message: string;
  readonly explanation?: string;
  readonly fix?: string;
  readonly retryable: boolean;
  /** The server's reply, word for word. */
  readonly response: string | null;
  readonly command: string | null;
}

export function failureDetails(code: string | null, response: string | null, command: string | null): FailureDetails | null {
  if (!code) return null;
  const known = code in ERRORS ? describeError(code as ErrorCode) : { code, message: 'Unknown failure.', retryable: false };
  return { ...known, response, command };
}

export function toView(row: EmailRow): EmailView {
  const queued = row.status === 'waiting' || row.status === 'deferred' || row.status === 'sending';
  return {
    id: row.id,
    messageId: row.message_id,
    mode: row.mode,
    provider: row.provider,
    mailboxId: row.mailbox_id,
    status: row.status,
    userId: row.user_id,
    sender: row.sender,
    senderName: row.sender_name,
    to: JSON.parse(row.to_addrs),
    cc: JSON.parse(row.cc_addrs),
    bcc: JSON.parse(row.bcc_addrs),
    subject: row.subject,
    sizeBytes: row.size_bytes,
    attempts: row.attempts,
    deferrals: row.deferrals,
    nextAttemptAt: queued ? row.next_attempt_at : null,
    claimedBy: row.claimed_by,
    leaseUntil: row.lease_until,
    expiresAt: row.expires_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    sentAt: row.sent_at,
    resentFrom: row.resent_from,
    recipients: row.recipient_results ? JSON.parse(row.recipient_results) : null,
    failure: failureDetails(row.last_error_code, row.last_error_response, row.last_error_command),
  };
}
