import { MailroomError } from '../errors.ts';

/** For options given more than once: --to a --to b. */
export const collect = (value: string, previous: string[] = []) => [...previous, value];

/** yes/no flags; anything else is refused rather than read as no. */
export function parseYesNo(flag: string, value: string): boolean {
  const v = value.trim().toLowerCase();
  if (['yes', 'true', 'on', '1'].includes(v)) return true;
  if (['no', 'false', 'off', '0'].includes(v)) return false;
  throw new MailroomError('VALIDATION_FAILED', { message: `${flag} takes yes or no, not ${value}.`, details: { field: flag } });
}

/** A whole number of days, 1 to 3650. */
export function parseDays(value: string): number {
  const days = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isInteger(days) || days < 1 || days > 3650) {
    throw new MailroomError('VALIDATION_FAILED', { message: `--expires-in-days takes a whole number of days from 1 to 3650, not ${value}.`, details: { field: 'expires-in-days' } });
  }
  return days;
}
