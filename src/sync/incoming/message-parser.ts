// Parsing a kept message on postal-mime (bench/sync/parsers.ts measures it against mailparser:
// postal-mime was the faster of the two on this machine, and it streams attachments as bytes).
// Synchronization parses on a thread of its own (parser-thread.ts); parseMessage here is the same
// parse on the calling thread.
import PostalMime, { addressParser, decodeWords, type Address, type Email } from 'postal-mime';
import { headerValue } from '../connectors/header-lines.ts';
import { MailroomError } from '../../errors.ts';

export interface ParsedParty { readonly address: string; readonly name: string }

export interface ParsedAttachment {
  readonly filename: string;
  readonly contentType: string;
  readonly contentId: string | null;
  readonly content: Uint8Array;
}

export interface ParsedMessage {
  readonly messageId: string | null;
  readonly inReplyTo: string | null;
  readonly references: readonly string[];
  readonly subject: string;
  readonly from: ParsedParty | null;
  readonly to: readonly ParsedParty[];
  readonly cc: readonly ParsedParty[];
  readonly bcc: readonly ParsedParty[];
  readonly date: number | null;
  readonly text: string | null;
  readonly html: string | null;
  readonly attachments: readonly ParsedAttachment[];
}

/** Group addresses flattened to their members; entries without an address dropped. */
function parties(list: readonly Address[] | undefined): ParsedParty[] {
  const out: ParsedParty[] = [];
  for (const entry of list ?? []) {
    if ('group' in entry && Array.isArray(entry.group)) out.push(...parties(entry.group));
    else if (entry.address) out.push({ address: entry.address.trim(), name: (entry.name ?? '').trim() });
  }
  return out;
}

export const messageIds = (value: string | undefined): string[] => (value ?? '').match(/<[^<>\s]+>/g) ?? [];

function toParsed(email: Email): ParsedMessage {
  const date = email.date ? Date.parse(email.date) : NaN;
  return {
    messageId: messageIds(email.messageId)[0] ?? (email.messageId?.trim() || null),
    inReplyTo: messageIds(email.inReplyTo)[0] ?? null,
    references: messageIds(email.references),
    subject: (email.subject ?? '').trim(),
    from: parties(email.from ? [email.from] : [])[0] ?? null,
    to: parties(email.to), cc: parties(email.cc), bcc: parties(email.bcc),
    date: Number.isNaN(date) ? null : date,
    text: email.text ?? null,
    html: email.html ?? null,
    attachments: email.attachments.map((a) => ({
      filename: a.filename ?? 'attachment', contentType: a.mimeType || 'application/octet-stream', contentId: a.contentId ?? null,
      content: typeof a.content === 'string' ? Buffer.from(a.content) : new Uint8Array(a.content),
    })),
  };
}

function assertHeaderBlock(source: Buffer): void {
  const head = source.subarray(0, Math.min(source.length, 8192)).toString('latin1');
  if (!/^[!-9;-~]+:/m.test(head.split(/\r?\n\r?\n/)[0] ?? '')) {
    throw new MailroomError('MESSAGE_PARSE_FAILED', { message: 'The message has no header fields.' });
  }
}

async function parse(source: Buffer): Promise<ParsedMessage> {
  try {
    return toParsed(await PostalMime.parse(source, { attachmentEncoding: 'arraybuffer' }));
  } catch (err) {
    throw new MailroomError('MESSAGE_PARSE_FAILED', { message: `The message could not be parsed: ${(err as Error).message}`, cause: err });
  }
}

/** A message without a header block is not mail: refused with the reason, the rest syncs on. */
export async function parseMessage(source: Buffer): Promise<ParsedMessage> {
  assertHeaderBlock(source);
  return parse(source);
}

/**
 * The header block alone (ids, subject, parties): enough to decide whether a message is tracked
 * and to correlate it, without reading its body. Read with postal-mime's address parser and
 * encoded-word decoder, not a whole parse (which would pass even an empty body through its part
 * decoders). Bodies and attachments come out empty.
 */
export async function parseHeaders(headers: Buffer): Promise<ParsedMessage> {
  assertHeaderBlock(headers);
  const text = headers.toString('utf8');
  const field = (name: string) => headerValue(text, name);
  const addresses = (name: string) => {
    const value = field(name);
    if (!value) return [];
    try {
      return parties(addressParser(value).map((a) => ({ ...a, name: decodeWords(a.name ?? '') })));
    } catch (err) {
      throw new MailroomError('MESSAGE_PARSE_FAILED', { message: `The ${name} header could not be read: ${(err as Error).message}`, cause: err });
    }
  };
  const date = Date.parse(field('date') ?? '');
  return {
    messageId: messageIds(field('message-id') ?? undefined)[0] ?? (field('message-id') || null),
    inReplyTo: messageIds(field('in-reply-to') ?? undefined)[0] ?? null,
    references: messageIds(field('references') ?? undefined),
    subject: decodeWords(field('subject') ?? '').trim(),
    from: addresses('from')[0] ?? null,
    to: addresses('to'), cc: addresses('cc'), bcc: addresses('bcc'),
    date: Number.isNaN(date) ? null : date,
    text: null, html: null, attachments: [],
  };
}
