import addressparser from 'nodemailer/lib/addressparser';
import { MailroomError } from '../errors.ts';

export interface Mailbox {
  readonly name: string;
  readonly address: string;
}

// Dot-atom local part or a quoted string, then a domain of letters, digits and hyphens (or an
// IDN in any script). Deliberately stricter than RFC 5322: what a person types by mistake fails.
const LOCAL = /^(?:[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*|"(?:[^"\\\r\n]|\\.)+")$/;
const LABEL = /^(?!-)[\p{L}\p{N}-]{1,63}(?<!-)$/u;

export function isValidAddress(address: string): boolean {
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1 || address.length > 254) return false;
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (local.length > 64 || !LOCAL.test(local)) return false;
  return domain.split('.').every((label) => LABEL.test(label));
}

export function assertNoLineBreak(field: string, value: string): void {
  if (/[\r\n\u2028\u2029\0]/.test(value)) {
    throw new MailroomError('HEADER_INJECTION', { message: `${field} contains a line break.`, details: { field } });
  }
}

/**
 * Parses one field's worth of recipients: an array of entries, each either "name@domain",
 * "Name <name@domain>" or a comma-separated list of those. Groups are refused.
 */
export function parseMailboxes(field: string, input: readonly string[] | string | undefined): Mailbox[] {
  const entries = input === undefined ? [] : typeof input === 'string' ? [input] : input;
  const out: Mailbox[] = [];
  for (const entry of entries) {
    if (typeof entry !== 'string') throw new MailroomError('INVALID_ADDRESS', { message: `${field} must hold strings.`, details: { field } });
    assertNoLineBreak(field, entry);
    if (entry.trim() === '') continue;
    for (const parsed of addressparser(entry)) {
      if ('group' in parsed && parsed.group) {
        throw new MailroomError('INVALID_ADDRESS', { message: `${field}: address groups are not supported ("${entry}").`, details: { field, value: entry } });
      }
      const address = ('address' in parsed ? parsed.address : '') ?? '';
      if (!isValidAddress(address)) {
        // Name the entry that is wrong, not the whole list it came in.
        const bad = (address || parsed.name || entry).trim();
        throw new MailroomError('INVALID_ADDRESS', { message: `${field}: "${bad}" is not a valid email address.`, details: { field, value: bad } });
      }
      out.push({ name: parsed.name ?? '', address });
    }
  }
  return out;
}

export function parseMailbox(field: string, input: string): Mailbox {
  const list = parseMailboxes(field, input);
  if (list.length !== 1) {
    throw new MailroomError('INVALID_ADDRESS', { message: `${field} must be exactly one email address.`, details: { field, value: input } });
  }
  return list[0]!;
}

export function formatMailbox(m: Mailbox): string {
  return m.name ? `${JSON.stringify(m.name)} <${m.address}>` : m.address;
}

export const sameAddress = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();
