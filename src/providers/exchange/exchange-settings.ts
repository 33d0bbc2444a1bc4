import { Type, type Static } from '@sinclair/typebox';
import type { FieldProblem } from '../../config/schema-problems.ts';

/** The Exchange settings as stored (Exchange Web Services); the password stays sealed. */
export const ExchangeStoredSchema = Type.Object({
  /** https://mail.example.com/EWS/Exchange.asmx; empty with autodiscover on: found from the sender's address. */
  ewsUrl: Type.String({ maxLength: 500, default: '' }),
  autodiscover: Type.Boolean({ default: false }),
  /** An Autodiscover endpoint to ask first, for a domain whose records do not point at the server. */
  autodiscoverUrl: Type.String({ maxLength: 500, default: '' }),
  authentication: Type.Union([Type.Literal('basic'), Type.Literal('ntlm')], { default: 'ntlm' }),
  username: Type.String({ maxLength: 320, default: '' }),
  /** The Windows domain for NTLM; empty when the user name carries it (DOMAIN\user or user@domain). */
  domain: Type.String({ maxLength: 100, default: '' }),
  passwordSealed: Type.String({ default: '' }),
  /** Send as the sending user's own mailbox through the ExchangeImpersonation header. */
  impersonation: Type.Boolean({ default: false }),
  /** The mailbox batch sends go out from; empty: each email's own sender. */
  batchAccount: Type.String({ maxLength: 320, default: '' }),
}, { default: {}, additionalProperties: false });

export type ExchangeStored = Static<typeof ExchangeStoredSchema>;
export type ExchangeSettings = Omit<ExchangeStored, 'passwordSealed'> & { readonly password: string };
export type ExchangeChange = Partial<Omit<ExchangeStored, 'passwordSealed'>> & { password?: string | null };

export function exchangeProblems(x: ExchangeStored | undefined): FieldProblem[] {
  if (!x || typeof x !== 'object') return [];
  const problems: FieldProblem[] = [];
  for (const field of ['ewsUrl', 'autodiscoverUrl'] as const) {
    if (typeof x[field] === 'string' && x[field] && !isHttpUrl(x[field])) {
      problems.push({ field: `exchange.${field}`, message: 'Give a full https:// address, such as https://mail.example.com/EWS/Exchange.asmx.' });
    }
  }
  if (typeof x.batchAccount === 'string' && x.batchAccount && !/^[^\s@]+@[^\s@]+$/.test(x.batchAccount)) {
    problems.push({ field: 'exchange.batchAccount', message: 'Give the batch account\'s email address, or leave it empty.' });
  }
  return problems;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && !url.username;
  } catch {
    return false;
  }
}
