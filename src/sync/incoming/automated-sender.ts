// Senders that are machines: their mail may be tracked (as the tracking option says), but they
// never become contacts or leads.
import { headerValue } from '../connectors/header-lines.ts';

const NO_REPLY = /^(no[-_.]?reply|do[-_.]?not[-_.]?reply|noreply-.*|.*[-_.]no[-_.]?reply)$/i;
const SYSTEM = /^(mailer-daemon|postmaster)$/i;

/** Why this sender is automated, or null for a person. */
export function automatedReason(headers: Buffer | string, fromAddress: string | null): string | null {
  const autoSubmitted = headerValue(headers, 'auto-submitted');
  if (autoSubmitted && !/^no\b/i.test(autoSubmitted)) return `Auto-Submitted: ${autoSubmitted}`;
  const precedence = headerValue(headers, 'precedence');
  if (precedence && /^(bulk|list|junk)\b/i.test(precedence)) return `Precedence: ${precedence}`;
  if (headerValue(headers, 'list-id') !== null) return 'List-Id header (mailing list)';
  if (headerValue(headers, 'list-unsubscribe') !== null) return 'List-Unsubscribe header (bulk mail)';
  const contentType = headerValue(headers, 'content-type') ?? '';
  if (/multipart\/report/i.test(contentType) && /report-type="?delivery-status/i.test(contentType)) return 'delivery status notification';
  const local = (fromAddress ?? '').split('@')[0] ?? '';
  if (SYSTEM.test(local)) return `system sender ${local}`;
  if (NO_REPLY.test(local)) return `no-reply address ${fromAddress}`;
  if (!fromAddress) return 'no sender address';
  return null;
}
