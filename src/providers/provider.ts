import type { ProviderId, SendMode } from '../store/tables.ts';

/** What every provider receives: the message exactly as it was built when it was queued. */
export interface OutgoingMessage {
  readonly id: string;
  readonly messageId: string;
  /** Every recipient (To, Cc and Bcc); bcc repeats the Bcc ones, which the built message does not name. */
  readonly envelope: { readonly from: string; readonly to: readonly string[]; readonly bcc?: readonly string[] };
  readonly raw: Buffer;
  /** Interactive sends go out from the sender's own mailbox; batch sends may use a batch account. */
  readonly mode: SendMode;
}

export interface RecipientResult {
  readonly address: string;
  readonly accepted: boolean;
  readonly code?: string;
  readonly response?: string;
}

export interface SendReceipt {
  readonly recipients: readonly RecipientResult[];
  /** The server's final reply, or where the message was written. */
  readonly response: string;
}

export interface TestStep {
  readonly step: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface TestReport {
  readonly ok: boolean;
  readonly steps: readonly TestStep[];
}

export interface VerifyOptions {
  /** The mailbox to look up, where the provider sends from a mailbox (Graph, Exchange). */
  readonly mailbox?: string;
}

/**
 * One way of sending. send() resolves when the provider has accepted the message for every
 * recipient it accepted, and throws a MailroomError with the provider's verbatim reply otherwise.
 */
export interface EmailProvider {
  readonly id: ProviderId;
  /** How many sends it takes at once (its connections); unlimited when not given. */
  readonly maxConcurrent?: number;
  send(message: OutgoingMessage): Promise<SendReceipt>;
  /** A connection test; throws the first failure as a MailroomError whose details hold the steps so far. */
  verify?(options?: VerifyOptions): Promise<TestReport>;
  close?(): Promise<void>;
}
