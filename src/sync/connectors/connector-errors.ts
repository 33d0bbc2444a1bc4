// Maps what the network, TLS and the protocol clients throw to Mailroom's codes, once, at the
// connector boundary. The server's words ride along as `response`; the original error as `cause`.
import { ERRORS, MailroomError, type ErrorCode } from '../../errors.ts';
import type { Channel, ConnectionTestReport, TestStep, TestStepName } from './connector.ts';

/** The fields imapflow, our POP3 client and Node's sockets put on their errors. */
export interface WireError extends Error {
  code?: string;
  tlsFailed?: boolean;
  authenticationFailed?: boolean;
  response?: string;
  responseText?: string;
  serverResponseCode?: string;
  executedCommand?: string;
  command?: string;
}

const UNREACHABLE: ReadonlySet<string> = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL']);
const TIMEOUTS: ReadonlySet<string> = new Set(['GREETING_TIMEOUT', 'CONNECT_TIMEOUT', 'UPGRADE_TIMEOUT', 'ETIMEOUT', 'ETIMEDOUT', 'MAILROOM_TIMEOUT']);
const DROPPED: ReadonlySet<string> = new Set(['NoConnection', 'ECONNRESET', 'EPIPE', 'MAILROOM_CLOSED']);
const TLS_CODE = /^(ERR_SSL_|ERR_TLS_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|UNABLE_TO_|CERT_|HOSTNAME_MISMATCH$)/;
// IMAP response codes (RFC 5530) and POP3 ones (RFC 3206) that say "not now".
const BUSY = /^(UNAVAILABLE|INUSE|IN-USE|LIMIT|SYS\/TEMP)$/i;
const AUTH = /^(AUTHENTICATIONFAILED|AUTHORIZATIONFAILED|AUTH)$/i;

function codeFor(e: WireError): ErrorCode {
  const code = e.code ?? '';
  if (UNREACHABLE.has(code)) return 'MAILBOX_UNREACHABLE';
  if (TIMEOUTS.has(code)) return 'MAILBOX_TIMEOUT';
  if (e.tlsFailed && /not support (STARTTLS|STLS)|STARTTLS is not possible|offers no (STARTTLS|STLS)/i.test(e.message)) return 'MAILBOX_TLS_REQUIRED';
  if (e.tlsFailed || TLS_CODE.test(code)) return 'MAILBOX_TLS_FAILED';
  if (e.serverResponseCode && BUSY.test(e.serverResponseCode)) return 'MAILBOX_SERVER_BUSY';
  if (e.authenticationFailed || (e.serverResponseCode && AUTH.test(e.serverResponseCode))) return 'MAILBOX_AUTH_FAILED';
  if (e.serverResponseCode === 'NONEXISTENT') return 'MAILBOX_FOLDER_MISSING';
  if (DROPPED.has(code)) return 'MAILBOX_CONNECTION_DROPPED';
  return 'MAILBOX_PROTOCOL_ERROR';
}

/** The one mapping of a connection failure to a code, keeping the server's words. */
export function toMailboxError(err: unknown, fallback?: ErrorCode): MailroomError {
  if (err instanceof MailroomError) return err;
  const e = (err instanceof Error ? err : new Error(String(err))) as WireError;
  let code = codeFor(e);
  if (code === 'MAILBOX_PROTOCOL_ERROR' && fallback) code = fallback;
  const response = (e.response ?? e.responseText ?? e.message) || undefined;
  return new MailroomError(code, { response, command: e.executedCommand ?? e.command, cause: err });
}

/** Builds a test report step by step; fail() maps the error and closes the report. */
export class TestReportBuilder {
  readonly #channel: Channel;
  readonly #steps: TestStep[] = [];
  constructor(channel: Channel) { this.#channel = channel; }

  pass(step: TestStepName, detail: string): void { this.#steps.push({ step, ok: true, detail }); }

  fail(step: TestStepName, err: unknown): ConnectionTestReport {
    const error = toMailboxError(err);
    this.#steps.push({ step, ok: false, detail: error.response ?? error.message });
    return {
      channel: this.#channel, ok: false, steps: [...this.#steps],
      failure: { code: error.code, transient: ERRORS[error.code].retryable, message: error.message, response: error.response },
    };
  }

  done(): ConnectionTestReport { return { channel: this.#channel, ok: true, steps: [...this.#steps] }; }
}

/** The step a connect-and-sign-in failure belongs to, from the code it maps to. */
export function stepOf(code: ErrorCode): TestStepName {
  if (code === 'MAILBOX_TLS_FAILED' || code === 'MAILBOX_TLS_REQUIRED') return 'tls';
  if (code === 'MAILBOX_AUTH_FAILED' || code === 'MAILBOX_SERVER_BUSY') return 'authenticate';
  if (code === 'MAILBOX_FOLDER_MISSING') return 'open-inbox';
  return 'connect';
}

/** The report for the appointments, contacts and tasks channel on a protocol that has none. */
export function actNotSupported(protocol: string): ConnectionTestReport {
  const message = `Appointments, contacts and tasks cannot be synchronized over ${protocol}: only Exchange has them.`;
  return {
    channel: 'act', ok: false, steps: [],
    failure: { code: 'MAILBOX_CHANNEL_UNSUPPORTED', transient: false, message },
  };
}
