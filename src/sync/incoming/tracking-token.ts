// The tracking token of Email settings: prefix, ":", the legacy online digit (0), the user number
// (base + n, in userDigits digits) and the message counter (counterDigits digits, wrapping).
export interface TokenFormat {
  readonly prefix: string;
  readonly userDigits: number;
  readonly counterDigits: number;
}

const pad = (n: number, digits: number) => String(n % 10 ** digits).padStart(digits, '0');

export function formatToken(format: TokenFormat, userNumber: number, counter: number): string {
  return `${format.prefix}:0${pad(userNumber, format.userDigits)}${pad(counter, format.counterDigits)}`;
}

/** The first token of this format in a subject, or null. */
export function findToken(format: TokenFormat, subject: string): string | null {
  const prefix = format.prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const digits = 1 + format.userDigits + format.counterDigits;
  const match = new RegExp(`(?:^|[^A-Za-z0-9])(${prefix}:\\d{${digits}})(?!\\d)`, 'i').exec(subject);
  return match?.[1] ? `${format.prefix}:${match[1].slice(format.prefix.length + 1)}` : null;
}
