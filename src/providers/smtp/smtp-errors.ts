import { MailroomError, type ErrorCode } from '../../errors.ts';

/** The fields nodemailer puts on its errors. */
interface NodemailerError extends Error {
  code?: string;
  /** The system error code (ECONNREFUSED, DEPTH_ZERO_SELF_SIGNED_CERT…) that `code` replaced. */
  originalCode?: string;
  response?: string;
  responseCode?: number;
  command?: string;
  rejected?: string[];
  rejectedErrors?: NodemailerError[];
  recipient?: string;
}

interface ReplyRule {
  readonly pattern: RegExp;
  readonly code: ErrorCode;
  /** Only a 5xx reply means this; the same words in a 4xx reply stay a temporary failure. */
  readonly permanentOnly?: boolean;
}

// Ordered: the first rule whose pattern matches the server's reply names the failure.
// Office 365 puts several of these behind the same 535 5.7.139 code, so the words decide.
const REPLY_RULES: readonly ReplyRule[] = [
  // Office 365: "550 5.1.6 Recipient addresses in single-label domains not accepted";
  // Postfix (reject_non_fqdn_recipient): "Recipient address rejected: need fully-qualified address".
  { pattern: /single[- ]label domains? not accepted|Recipient address rejected: need fully[- ]qualified address/i, code: 'SINGLE_LABEL_DOMAIN' },
  // Security defaults force MFA on the account, which basic SMTP AUTH cannot satisfy.
  { pattern: /did not meet the criteria to be authenticated|locked by your organization's security defaults/i, code: 'AUTH_CRITERIA_NOT_MET' },
  { pattern: /SmtpClientAuthentication is disabled|basic authentication is disabled/i, code: 'SMTP_CLIENT_AUTH_DISABLED' },
  { pattern: /permissions? to send as this sender|\b5\.7\.60\b|SendAsDenied/i, code: 'SEND_AS_DENIED' },
  { pattern: /\b5\.7\.57\b|client was not authenticated|authentication (is )?required|\b5\.7\.0 Authentication\b/i, code: 'AUTH_FAILED' },
  { pattern: /mailbox (is )?full|\b5\.2\.2\b|over quota|quota exceeded/i, code: 'MAILBOX_FULL', permanentOnly: true },
  { pattern: /\b5\.3\.4\b|message (size )?(exceeds|too (big|large))/i, code: 'MESSAGE_TOO_LARGE', permanentOnly: true },
];

// Replies to AUTH from a server that has no AUTH at all: "500 command not recognized" (smtp-server),
// "503 5.5.1 Error: authentication not enabled" (Postfix), "504 5.7.4 Unrecognized authentication type" (Exchange).
const NO_AUTH_REPLY_CODES: readonly number[] = [500, 502, 503, 504];

// System codes under nodemailer's ESOCKET/ECONNECTION: no connection was ever made…
const CONNECT_FAILURES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL']);
// …or the TLS handshake failed (untrusted or mismatched certificate, TLS spoken to a plain port).
const TLS_FAILURE = /^(ERR_SSL_|ERR_TLS_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|UNABLE_TO_|CERT_)/;

function codeForReply(responseCode: number | undefined, response: string): ErrorCode | undefined {
  const permanent = responseCode !== undefined && responseCode >= 500;
  return REPLY_RULES.find((rule) => rule.pattern.test(response) && (permanent || !rule.permanentOnly))?.code;
}

function byReplyClass(responseCode: number | undefined): ErrorCode {
  return responseCode !== undefined && responseCode >= 400 && responseCode < 500 ? 'SMTP_TRANSIENT' : 'SMTP_REJECTED';
}

/** Maps a nodemailer failure to a Mailroom code, once, keeping the server's words. */
export function toSmtpError(err: unknown): MailroomError {
  if (err instanceof MailroomError) return err;
  const e = err as NodemailerError;
  const response = e.response ?? '';
  return new MailroomError(classify(e, response), { response: response || e.message, command: e.command, cause: err });
}

function classify(e: NodemailerError, response: string): ErrorCode {
  const fromReply = response ? codeForReply(e.responseCode, response) : undefined;
  switch (e.code) {
    case 'EAUTH': return fromReply ?? authFailure(e);
    case 'ENOAUTH': return 'AUTH_FAILED';
    case 'ETLS': return e.command === 'STARTTLS' && (e.responseCode ?? 0) >= 500 ? 'TLS_REQUIRED' : 'TLS_FAILED';
    case 'EDNS': return 'CONNECTION_FAILED';
    case 'ETIMEDOUT': return 'TIMEOUT';
    case 'ECONNECTION':
    case 'ESOCKET':
      return fromReply ?? (e.responseCode !== undefined ? byReplyClass(e.responseCode) : socketFailure(e));
    case 'EENVELOPE': return envelopeFailure(e, fromReply);
    default:
      return fromReply ?? (e.responseCode !== undefined ? byReplyClass(e.responseCode) : 'CONNECTION_DROPPED');
  }
}

function authFailure(e: NodemailerError): ErrorCode {
  const replyCode = e.responseCode ?? 0;
  if (e.command?.startsWith('AUTH') && NO_AUTH_REPLY_CODES.includes(replyCode)) return 'AUTH_NOT_SUPPORTED';
  return e.responseCode !== undefined && e.responseCode < 500 ? 'SMTP_TRANSIENT' : 'AUTH_FAILED';
}

/** A failure below SMTP: the socket or the TLS layer, with no reply from the server. */
function socketFailure(e: NodemailerError): ErrorCode {
  const system = e.originalCode ?? '';
  if (CONNECT_FAILURES.has(system)) return 'CONNECTION_FAILED';
  if (system === 'ETIMEDOUT') return 'TIMEOUT';
  if (TLS_FAILURE.test(system)) return 'TLS_FAILED';
  return 'CONNECTION_DROPPED';
}

function envelopeFailure(e: NodemailerError, fromReply: ErrorCode | undefined): ErrorCode {
  const refusals = e.rejectedErrors ?? [];
  const named = refusals.map((r) => codeForReply(r.responseCode, r.response ?? '')).find((c) => c !== undefined) ?? fromReply;
  if (named) return named;
  if (e.command === 'MAIL FROM') return byReplyClass(e.responseCode);
  const anyTransient = (refusals.length > 0 ? refusals : [e]).some((r) => (r.responseCode ?? 500) < 500);
  return anyTransient ? 'SMTP_TRANSIENT' : 'RECIPIENTS_REJECTED';
}

/** Per-recipient results from the refusals nodemailer collected on a partly accepted message. */
export function rejectedRecipients(errors: readonly NodemailerError[] | undefined) {
  return (errors ?? []).map((r) => ({
    address: r.recipient ?? '',
    accepted: false,
    code: codeForReply(r.responseCode, r.response ?? '') ?? byReplyClass(r.responseCode),
    response: r.response ?? r.message,
  }));
}
