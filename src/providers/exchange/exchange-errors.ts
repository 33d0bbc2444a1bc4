import { MailroomError, type ErrorCode } from '../../errors.ts';
import { parseRetryAfter } from '../graph/graph-errors.ts';
import type { EwsAnswer } from './ews-soap.ts';

export interface EwsCall {
  /** The mailbox the request acts for: the Email sender a failure names. */
  readonly mailbox: string;
  /** The operation and the URL, as the failure details show it. */
  readonly command: string;
}

// EWS ResponseCode values (messages.xsd ResponseCodeType) that mean something an administrator can fix.
const RESPONSE_CODES: Readonly<Record<string, ErrorCode>> = {
  ErrorAccessDenied: 'MAILBOX_UNAUTHORIZED',
  ErrorImpersonateUserDenied: 'MAILBOX_UNAUTHORIZED',
  ErrorImpersonationDenied: 'MAILBOX_UNAUTHORIZED',
  ErrorNotDelegate: 'MAILBOX_UNAUTHORIZED',
  ErrorSendAsDenied: 'SEND_AS_DENIED',
  ErrorNonExistentMailbox: 'MAILBOX_NOT_FOUND',
  ErrorMailRecipientNotFound: 'MAILBOX_NOT_FOUND',
  ErrorMessageSizeExceeded: 'MESSAGE_TOO_LARGE',
  ErrorServerBusy: 'SERVICE_BUSY',
  ErrorTimeoutExpired: 'SERVICE_BUSY',
  ErrorMailboxStoreUnavailable: 'SERVICE_BUSY',
  ErrorMailboxMoveInProgress: 'SERVICE_BUSY',
  ErrorInternalServerTransientError: 'SERVICE_BUSY',
  ErrorConnectionFailed: 'SERVICE_BUSY',
};

function withSender(code: ErrorCode, status: string, mailbox: string): string | undefined {
  if (code === 'MAILBOX_UNAUTHORIZED') return `${status}: Exchange refused the mailbox of the Email sender ${mailbox}.`;
  if (code === 'MAILBOX_NOT_FOUND') return `${status}: Exchange has no mailbox for the Email sender ${mailbox}.`;
  return undefined;
}

/** Maps an EWS error response or SOAP fault, keeping the ResponseCode and its text verbatim. */
export function toEwsError(answer: Exclude<EwsAnswer, { kind: 'success' }>, call: EwsCall): MailroomError {
  const code = RESPONSE_CODES[answer.responseCode] ?? 'EXCHANGE_REJECTED';
  return new MailroomError(code, {
    message: withSender(code, answer.responseCode, call.mailbox),
    response: `${answer.responseCode}: ${answer.text}`,
    command: call.command,
    retryAfterMs: answer.backOffMs,
    details: { mailbox: call.mailbox, responseCode: answer.responseCode },
  });
}

/** An HTTP answer without a readable SOAP envelope: 401/403 before EWS ran, a proxy's page… */
export function toEwsHttpError(status: number, statusText: string, body: string, retryAfter: string | null, call: EwsCall): MailroomError {
  const response = `${status} ${statusText}${body ? `: ${body.replace(/\s+/g, ' ').slice(0, 300)}` : ''}`;
  const options = { response, command: call.command, details: { mailbox: call.mailbox, status } };
  if (status === 401 || status === 403) {
    return new MailroomError('MAILBOX_UNAUTHORIZED', { ...options, message: withSender('MAILBOX_UNAUTHORIZED', `(${status}) ${status === 401 ? 'Unauthorized' : 'Forbidden'}`, call.mailbox) });
  }
  if (status === 404) return new MailroomError('MAILBOX_NOT_FOUND', { ...options, message: withSender('MAILBOX_NOT_FOUND', '(404) Not found', call.mailbox) });
  if (status === 413) return new MailroomError('MESSAGE_TOO_LARGE', options);
  if (status === 429 || status >= 500) return new MailroomError('SERVICE_BUSY', { ...options, retryAfterMs: parseRetryAfter(retryAfter) });
  return new MailroomError('EXCHANGE_REJECTED', options);
}

/** No HTTP answer at all. */
export function toEwsNetworkError(err: unknown, call: EwsCall): MailroomError {
  if (err instanceof MailroomError) return err;
  const e = err as NodeJS.ErrnoException;
  const code: ErrorCode = e.code === 'ETIMEDOUT' || e.name === 'TimeoutError' ? 'TIMEOUT'
    : e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN' ? 'CONNECTION_FAILED'
    : /CERT|SSL|TLS/.test(e.code ?? '') ? 'TLS_FAILED' : 'CONNECTION_DROPPED';
  return new MailroomError(code, { response: e.code ?? e.message, command: call.command, cause: err });
}
