import { MailroomError, type ErrorCode } from '../../errors.ts';

/** What a Graph error body carries: `{ "error": { "code", "message" } }`. */
interface GraphErrorBody {
  readonly error?: { readonly code?: string; readonly message?: string };
}

/** The fields MSAL puts on a ServerError from the token endpoint (error, error_description, error_codes). */
interface MsalError extends Error {
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly errorNo?: string;
  readonly status?: number;
}

export interface GraphCall {
  /** The mailbox the request acts for: the Email sender a failure names. */
  readonly mailbox: string;
  /** Method and path, as the failure details show it. */
  readonly command: string;
}

// Entra ID's AADSTS numbers behind the failures an administrator can fix.
const TOKEN_RULES: readonly { readonly pattern: RegExp; readonly code: ErrorCode }[] = [
  { pattern: /\bAADSTS65001\b|consent_required/, code: 'GRAPH_CONSENT_MISSING' },
  { pattern: /\bAADSTS(90002|700016|90023)\b|unauthorized_client/, code: 'GRAPH_APP_NOT_FOUND' },
  { pattern: /\bAADSTS(7000215|7000222|7000216)\b|invalid_client/, code: 'GRAPH_SECRET_INVALID' },
];

/** Maps a failure to get a token (MSAL's error, or no answer at all) to a Mailroom code, once. */
export function toTokenError(err: unknown, tokenEndpoint: string): MailroomError {
  if (err instanceof MailroomError) return err;
  const e = err as MsalError;
  const words = [e.errorCode, e.errorMessage, e.errorNo ? `AADSTS${e.errorNo}` : ''].filter(Boolean).join(': ');
  const rule = TOKEN_RULES.find((r) => r.pattern.test(words));
  const command = `POST ${tokenEndpoint}`;
  if (rule) return new MailroomError(rule.code, { response: e.errorMessage || words, command, cause: err });
  if (e.status === 429 || (e.status ?? 0) >= 500) return new MailroomError('SERVICE_BUSY', { response: words || e.message, command, cause: err });
  // No server answer: MSAL reports a network or endpoint-discovery failure.
  return new MailroomError('CONNECTION_FAILED', {
    message: `Mailroom could not get a token from ${tokenEndpoint}.`, response: words || e.message, command, cause: err,
  });
}

/** Maps a Graph answer that is not a success, keeping Graph's error code and message verbatim. */
export async function toGraphError(res: Response, call: GraphCall, now = Date.now()): Promise<MailroomError> {
  const text = await res.text().catch(() => '');
  let body: GraphErrorBody = {};
  try { body = JSON.parse(text) as GraphErrorBody; } catch { /* a proxy's HTML page: keep the text */ }
  const graphCode = body.error?.code ?? '';
  const response = `${res.status} ${res.statusText}${graphCode ? ` ${graphCode}` : ''}: ${body.error?.message ?? text.slice(0, 500)}`;
  const options = { response, command: call.command, details: { mailbox: call.mailbox, status: res.status, graphCode } };
  const statusWords = `(${res.status}) ${res.status === 401 ? 'Unauthorized' : res.status === 403 ? 'Forbidden' : 'Not found'}`;
  if (res.status === 401 || res.status === 403) {
    return new MailroomError('MAILBOX_UNAUTHORIZED', { ...options, message: `${statusWords}: Microsoft Graph refused the mailbox of the Email sender ${call.mailbox}.` });
  }
  if (res.status === 404) {
    return new MailroomError('MAILBOX_NOT_FOUND', { ...options, message: `${statusWords}: Exchange has no mailbox for the Email sender ${call.mailbox}.` });
  }
  if (res.status === 413 || /ErrorMessageSizeExceeded|MessageTooLarge/i.test(graphCode)) return new MailroomError('MESSAGE_TOO_LARGE', options);
  if (res.status === 429 || res.status >= 500) {
    return new MailroomError('SERVICE_BUSY', { ...options, retryAfterMs: parseRetryAfter(res.headers.get('retry-after'), now) });
  }
  return new MailroomError('GRAPH_REJECTED', options);
}

/** A request that got no HTTP answer: refused, reset or timed out. */
export function toNetworkError(err: unknown, call: GraphCall): MailroomError {
  if (err instanceof MailroomError) return err;
  const cause = (err as { cause?: { code?: string } }).cause;
  const code: ErrorCode = (err as Error).name === 'TimeoutError' ? 'TIMEOUT' : cause?.code === 'ECONNREFUSED' || cause?.code === 'ENOTFOUND' ? 'CONNECTION_FAILED' : 'CONNECTION_DROPPED';
  return new MailroomError(code, { response: cause?.code ?? (err as Error).message, command: call.command, cause: err });
}

/** Retry-After is either seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
