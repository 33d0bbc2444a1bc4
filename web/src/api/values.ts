// The lists and labels the console iterates over. Each list is checked against the document's
// union (allOf), so a status or provider the server adds or drops fails the typecheck.
import { allOf, type ActivityStatus, type EmailStatus, type ProviderId } from './schema.ts';

export const PROVIDER_IDS = allOf<ProviderId>()(['smtp', 'eml', 'graph', 'exchange']);
export const EMAIL_STATUSES = allOf<EmailStatus>()(['waiting', 'deferred', 'sending', 'sent', 'generated', 'failed', 'expired', 'cancelled']);

export const ACTIVITY_STATUS_LABELS: Record<ActivityStatus, string> = {
  draft: 'Draft', 'pending-send': 'Pending send', sending: 'Sending', sent: 'Sent', received: 'Received', failed: 'Failed', canceled: 'Canceled',
};

export const RECORD_TYPE_LABELS: Record<string, string> = {
  user: 'User', contact: 'Contact', account: 'Account', lead: 'Lead', queue: 'Queue', organization: 'Organization', invoice: 'Invoice', 'workflow-instance': 'Workflow',
};

/** The console page of a record, where it has one. */
export function recordPath(ref: { readonly type: string; readonly id: string }): string | null {
  const base: Record<string, string> = { account: '/accounts', contact: '/contacts', lead: '/leads' };
  return base[ref.type] ? `${base[ref.type]}/${encodeURIComponent(ref.id)}` : null;
}
