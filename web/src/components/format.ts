import type { EmailStatus, Mailbox, QueueProviderId } from '../api/schema.ts';

// One way to write an instant on every page, lists and details alike: "1 Dec 2026, 20:26:26".
const dateTime = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
const timeOnly = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

export const formatTime = (ms: number | null | undefined) => (ms ? dateTime.format(new Date(ms)) : '—');
/** The time of day alone, in the same style (for "last update" lines). */
export const formatTimeOfDay = (ms: number) => timeOnly.format(new Date(ms));

/** A worker id ("host:pid") as words: "the Mailroom process 25933 on vm". */
export function describeWorker(worker: string | null | undefined): string {
  if (!worker) return 'an unknown Mailroom process';
  const at = worker.lastIndexOf(':');
  const pid = worker.slice(at + 1);
  return at > 0 && /^\d+$/.test(pid) ? `the Mailroom process ${pid} on ${worker.slice(0, at)}` : `the Mailroom process “${worker}”`;
}

/** What an SMTP command was doing, for "the step that failed". */
const SMTP_STEPS: Record<string, string> = {
  CONN: 'Connecting to the mail server', EHLO: 'Greeting the mail server', HELO: 'Greeting the mail server', STARTTLS: 'Starting encryption (STARTTLS)',
  AUTH: 'Signing in to the mail server', 'AUTH PLAIN': 'Signing in to the mail server', 'AUTH LOGIN': 'Signing in to the mail server',
  MAIL: 'Naming the sender (MAIL FROM)', 'MAIL FROM': 'Naming the sender (MAIL FROM)', RCPT: 'Naming a recipient (RCPT TO)', 'RCPT TO': 'Naming a recipient (RCPT TO)',
  DATA: 'Handing over the message (DATA)', MESSAGE: 'Handing over the message (DATA)',
};
export const describeSmtpCommand = (command: string) => SMTP_STEPS[command.toUpperCase()] ?? SMTP_STEPS[command.toUpperCase().split(' ')[0]!] ?? `The server command ${command}`;

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

export const PROVIDER_LABELS: Record<QueueProviderId, string> = {
  smtp: 'SMTP',
  eml: 'Email app (.eml file)',
  graph: 'Microsoft Graph',
  exchange: 'Exchange',
  mailbox: 'The sender\'s mailbox (email activity)',
};
