import { MailroomError } from '../errors.ts';
import { EMAIL_STATUSES, type EmailStatus } from '../store/tables.ts';

/** "failed" or "failed,expired" as the history filter takes it from a query string or a flag. */
export function parseStatuses(value: string | undefined): EmailStatus[] | undefined {
  if (!value) return undefined;
  const list = value.split(',').map((s) => s.trim().toLowerCase());
  const bad = list.filter((s) => !EMAIL_STATUSES.includes(s as EmailStatus));
  if (bad.length) throw new MailroomError('VALIDATION_FAILED', { message: `Unknown status ${bad.join(', ')}; use ${EMAIL_STATUSES.join(', ')}.`, details: { field: 'status' } });
  return list as EmailStatus[];
}

/**
 * True when a text that starts YYYY-MM-DD names a day the calendar has: Date.parse rolls
 * 2026-02-31 over into March instead of refusing it.
 */
export function isCalendarDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = new Date(Date.UTC(y, mo - 1, d));
  return day.getUTCFullYear() === y && day.getUTCMonth() === mo - 1 && day.getUTCDate() === d;
}

/** An ISO date or epoch milliseconds; empty means no bound. */
export function parseTime(field: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) : isCalendarDate(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw new MailroomError('VALIDATION_FAILED', { message: `${field} is not a date: ${value}.`, details: { field } });
  return ms;
}
