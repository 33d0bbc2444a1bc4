import type { EmailStatus, Mailbox } from '../api/types.ts';

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

const shortDateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'medium' });

export const formatTime = (ms: number | null | undefined) => (ms ? dateTime.format(new Date(ms)) : '—');
/** For table cells: the same instant, shorter. */
export const formatShortTime = (ms: number | null | undefined) => (ms ? shortDateTime.format(new Date(ms)) : '—');

/** "in 40 s", "3 min ago": for next tries and last runs. */
export function relativeTime(ms: number | null | undefined, now = Date.now()): string {
  if (!ms) return '—';
  const diff = Math.round((ms - now) / 1000);
  const abs = Math.abs(diff);
  const text = abs < 60 ? `${abs} s` : abs < 3600 ? `${Math.round(abs / 60)} min` : abs < 86_400 ? `${Math.round(abs / 3600)} h` : `${Math.round(abs / 86_400)} days`;
  if (abs < 2) return 'now';
  return diff > 0 ? `in ${text}` : `${text} ago`;
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export const formatMailbox = (m: Mailbox) => (m.name ? `${m.name} <${m.address}>` : m.address);
export const formatMailboxes = (list: readonly Mailbox[]) => list.map(formatMailbox).join(', ');

export const STATUS_LABELS: Record<EmailStatus, string> = {
  waiting: 'Waiting',
  deferred: 'Deferred',
  sending: 'Sending',
  sent: 'Sent',
  generated: 'Generated (.eml)',
  failed: 'Failed',
  expired: 'Expired',
  cancelled: 'Cancelled',
};

export const PROVIDER_LABELS: Record<string, string> = {
  smtp: 'SMTP',
  eml: 'Email app (.eml file)',
  graph: 'Microsoft Graph',
  exchange: 'Exchange',
};
