// The shapes the REST API returns, as the console reads them. The console talks to Mailroom
// only through the public API, so these mirror its JSON, not the server's code.

export type Role = 'admin' | 'user';
export type ProviderId = 'smtp' | 'eml' | 'graph' | 'exchange';
export const PROVIDER_IDS: readonly ProviderId[] = ['smtp', 'eml', 'graph', 'exchange'];

export const EMAIL_STATUSES = ['waiting', 'deferred', 'sending', 'sent', 'generated', 'failed', 'expired', 'cancelled'] as const;
export type EmailStatus = (typeof EMAIL_STATUSES)[number];

export interface User {
  readonly id: string;
  readonly username: string;
  readonly name: string;
  readonly email: string;
  readonly role: Role;
  readonly language: string;
}

export interface UserOptions {
  readonly providerId: ProviderId | null;
  readonly senderEmail: string | null;
  readonly doNotAskAgain: boolean;
  readonly lastChoice: ProviderId | null;
  readonly sendNotificationsInEmail: boolean;
}

export interface Me {
  readonly user: User;
  readonly options: UserOptions;
  readonly sendAs: string[];
}

export interface Session {
  readonly token: string;
  readonly user: User;
  readonly expiresAt: number;
}

export interface Mailbox {
  readonly name: string;
  readonly address: string;
}

export interface RecipientResult {
  readonly address: string;
  readonly accepted: boolean;
  readonly code?: string;
  readonly response?: string;
}

export interface FailureDetails {
  readonly code: string;
  readonly message: string;
  readonly explanation?: string;
  readonly fix?: string;
  readonly retryable: boolean;
  readonly response: string | null;
  readonly command: string | null;
}

export interface EmailView {
  readonly id: string;
  readonly messageId: string;
  readonly mode: 'batch' | 'interactive';
  readonly provider: ProviderId;
  readonly status: EmailStatus;
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

export interface AttemptEntry {
  readonly attempt: number;
  readonly worker: string;
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly outcome: 'sent' | 'retry' | 'failed' | 'deferred' | 'expired';
  readonly code: string | null;
  readonly response: string | null;
}

export interface EmailDetail extends EmailView {
  readonly attemptLog: AttemptEntry[];
}

export interface HistoryPage {
  readonly items: EmailView[];
  readonly nextCursor: string | null;
}

export interface Summary {
  readonly since: number;
  readonly counts: Partial<Record<EmailStatus, number>>;
}

export interface MessageContent {
  readonly headers: string[];
  readonly text: string;
  readonly html: string | null;
  readonly attachments: { index?: number; filename: string | null; contentType: string; size: number; inline?: boolean }[];
}

export type Throttle = Record<ProviderId, number>;

export interface SmtpParameters {
  readonly host: string;
  readonly port: number;
  readonly sslRequired: boolean;
  readonly implicitTls: boolean;
  readonly authRequired: boolean;
  readonly username: string;
  readonly verifyCertificate: boolean;
  readonly passwordSet: boolean;
}

export interface GraphParameters {
  readonly tenantId: string;
  readonly clientId: string;
  readonly authorityHost: string;
  readonly graphEndpoint: string;
  readonly saveToSentItems: boolean;
  readonly batchAccount: string;
  readonly clientSecretSet: boolean;
  readonly configured: boolean;
}

export interface ExchangeParameters {
  readonly ewsUrl: string;
  readonly autodiscover: boolean;
  readonly autodiscoverUrl: string;
  readonly authentication: 'basic' | 'ntlm';
  readonly username: string;
  readonly domain: string;
  readonly impersonation: boolean;
  readonly batchAccount: string;
  readonly passwordSet: boolean;
  readonly configured: boolean;
}

export interface EmailParameters {
  readonly batchProvider: ProviderId;
  readonly attachmentSizeLimitMb: number;
  readonly expirationDays: number;
  readonly historyRetentionDays: number;
  readonly throttle: Throttle;
  readonly smtp: SmtpParameters;
  readonly graph: GraphParameters;
  readonly exchange: ExchangeParameters;
  readonly effective: { expirationDays: number; historyRetentionDays: number; throttle: Throttle; smtpLimitAutomatic: boolean };
  /** Settings that work but are not recommended, such as a throttle for Graph. */
  readonly warnings: { readonly field: string; readonly message: string }[];
}

export interface ConnectionReport {
  readonly ok: boolean;
  readonly steps: { readonly step: string; readonly ok: boolean; readonly detail: string }[];
}

export interface DistributorRun {
  readonly at: number;
  readonly worker: string;
  readonly claimed: number;
  readonly sent: number;
  readonly failed: number;
  readonly retried: number;
  readonly deferred: number;
  readonly expired: number;
  readonly purged: number;
}

export interface DistributorStatus {
  readonly enabled: boolean;
  readonly recurrenceSeconds: number;
  readonly lastRun: DistributorRun | null;
  readonly nextRunAt: number | null;
}

export interface SendChoice {
  readonly id: ProviderId;
  readonly label: string;
}

export interface Draft {
  readonly from: string;
  readonly to: string[];
  readonly cc: string[];
  readonly bcc: string[];
  readonly subject: string;
  readonly body: string;
  readonly html: string;
  readonly attachments: { filename: string; contentType?: string; size: number }[];
  readonly ask: boolean;
  readonly provider: ProviderId | null;
  readonly choices: SendChoice[];
}

export interface AttachmentUpload {
  readonly filename: string;
  readonly contentBase64: string;
  readonly contentType?: string;
}

export interface SendResult {
  readonly email: EmailView;
  readonly emlBase64?: string;
}

export interface CapturedEmail {
  readonly id: string;
  readonly receivedAt: number;
  readonly from: string;
  readonly to: string[];
  readonly subject: string;
  readonly sizeBytes: number;
}

export type CapturedDetail = CapturedEmail & MessageContent;
