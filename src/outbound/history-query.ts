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

/** An ISO date or epoch milliseconds; empty means no bound. */
export function parseTime(field: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (Number.isNaN(ms)) throw new MailroomError('VALIDATION_FAILED', { message: `${field} is not a date: ${value}.`, details: { field } });
  return ms;
}
