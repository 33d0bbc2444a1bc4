import { MailroomError, type ErrorCode } from '../../errors.ts';

/** The fields nodemailer puts on its errors. */
interface NodemailerError extends Error {
  code?: string;
  response?: string;
  responseCode?: number;
  command?: string;
  rejected?: string[];
  rejectedErrors?: NodemailerError[];
  recipient?: string;
}

// Ordered: the first rule whose pattern matches the server's reply names the failure.
// Office 365 puts several of these behind the same 535 code, so the words decide.
const REPLY_RULES: readonly { pattern: RegExp; code: ErrorCode; permanentOnly?: boolean }[] = [
  { pattern: /single[- ]label domains? not accepted/i, code: 'SINGLE_LABEL_DOMAIN' },
  { pattern: /did not meet the criteria to be authenticated/i, code: 'AUTH_CRITERIA_NOT_MET' },
  { pattern: /SmtpClientAuthentication is disabled/i, code: 'SMTP_CLIENT_AUTH_DISABLED' },
  { pattern: /permissions? to send as this sender|\b5\.7\.60\b|SendAsDenied/i, code: 'SEND_AS_DENIED' },
  { pattern: /\b5\.7\.57\b|client was not authenticated|authentication (is )?required|\b5\.7\.0 Authentication\b/i, code: 'AUTH_FAILED' },
  { pattern: /mailbox (is )?full|\b5\.2\.2\b|over quota|quota exceeded/i, code: 'MAILBOX_FULL', permanentOnly: true },
  { pattern: /\b5\.3\.4\b|message (size )?(exceeds|too (big|large))/i, code: 'MESSAGE_TOO_LARGE', permanentOnly: true },
];

function codeForReply(responseCode: number | undefined, response: string): ErrorCode | undefined {
  const permanent = responseCode !== undefined && responseCode >= 500;
  for (const rule of REPLY_RULES) {
    if (rule.pattern.test(response) && (permanent || !rule.permanentOnly)) return rule.code;
  }
  return undefined;
}

function byReplyClass(responseCode: number | undefined): ErrorCode {
  return responseCode !== undefined && responseCode >= 400 && responseCode < 500 ? 'SMTP_TRANSIENT' : 'SMTP_REJECTED';
}

/** Maps a nodemailer failure to a Mailroom code, once, keeping the server's words. */
export function toSmtpError(err: unknown): MailroomError {
  if (err instanceof MailroomError) return err;
  const e = err as NodemailerError;
  const response = e.response ?? '';
  const command = e.command;
  const code = classify(e, response);
  return new MailroomError(code, { response: response || e.message, command, cause: err });
}

function classify(e: NodemailerError, response: string): ErrorCode {
  const fromReply = response ? codeForReply(e.responseCode, response) : undefined;
  switch (e.code) {
    case 'EAUTH':
      if (fromReply) return fromReply;
      if (e.command?.startsWith('AUTH') && [500, 502, 503, 504].includes(e.responseCode ?? 0)) return 'AUTH_NOT_SUPPORTED';
      return e.responseCode !== undefined && e.responseCode < 500 ? 'SMTP_TRANSIENT' : 'AUTH_FAILED';
    case 'ENOAUTH':
      return 'AUTH_FAILED';
    case 'ETLS':
      return e.command === 'STARTTLS' && (e.responseCode ?? 0) >= 500 ? 'TLS_REQUIRED' : 'TLS_FAILED';
    case 'EDNS':
      return 'CONNECTION_FAILED';
    case 'ETIMEDOUT':
      return 'TIMEOUT';
    case 'ECONNECTION':
    case 'ESOCKET': {
      if (fromReply) return fromReply;
      if (e.responseCode !== undefined) return byReplyClass(e.responseCode);
      const sys = (e as { errno?: string; code?: string }).errno ?? e.message;
      if (/ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN/.test(String(sys)) || e.command === 'CONN' && /ECONNREFUSED/.test(e.message)) return 'CONNECTION_FAILED';
      if (/certificate|self[- ]signed|SSL|TLS/i.test(e.message)) return 'TLS_FAILED';
      return e.command === 'CONN' && /connect/i.test(e.message) && !/closed/i.test(e.message) ? 'CONNECTION_FAILED' : 'CONNECTION_DROPPED';
    }
    case 'EENVELOPE': {
      const replies = (e.rejectedErrors ?? []).map((r) => codeForReply(r.responseCode, r.response ?? ''));
      const named = replies.find((c) => c !== undefined) ?? fromReply;
      if (named) return named;
      const anyTransient = (e.rejectedErrors ?? [e]).some((r) => (r.responseCode ?? 500) < 500);
      if (e.command === 'MAIL FROM') return byReplyClass(e.responseCode);
      return anyTransient ? 'SMTP_TRANSIENT' : 'RECIPIENTS_REJECTED';
    }
    default:
      if (fromReply) return fromReply;
      if (e.responseCode !== undefined) return byReplyClass(e.responseCode);
      return 'CONNECTION_DROPPED';
  }
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
