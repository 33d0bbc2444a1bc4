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
