import type { ProviderId } from '../store/tables.ts';

/** What every provider receives: the message exactly as it was built when it was queued. */
export interface OutgoingMessage {
  readonly id: string;
  readonly messageId: string;
  readonly envelope: { readonly from: string; readonly to: readonly string[] };
  readonly raw: Buffer;
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

export interface TestReport {
  readonly ok: boolean;
  readonly steps: readonly { readonly step: string; readonly ok: boolean; readonly detail: string }[];
}

/**
 * One way of sending. send() resolves when the provider has accepted the message for every
 * recipient it accepted, and throws a MailroomError with the provider's verbatim reply otherwise.
 */
export interface EmailProvider {
  readonly id: ProviderId;
  send(message: OutgoingMessage): Promise<SendReceipt>;
  verify?(): Promise<TestReport>;
  close?(): Promise<void>;
}
