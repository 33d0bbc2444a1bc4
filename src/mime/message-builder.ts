import { randomUUID } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import { MailroomError } from '../errors.ts';
import { assertNoLineBreak, type Mailbox } from './addresses.ts';

export interface AttachmentInput {
  readonly filename: string;
  readonly content: Buffer;
  readonly contentType?: string;
}

export interface MessageInput {
  readonly from: Mailbox;
  readonly to: readonly Mailbox[];
  readonly cc: readonly Mailbox[];
  readonly bcc: readonly Mailbox[];
  readonly subject: string;
  readonly text?: string;
  readonly html?: string;
  readonly attachments: readonly AttachmentInput[];
  readonly messageId: string;
  readonly date: Date;
  readonly priority?: 'high' | 'normal' | 'low';
}

export interface BuildOptions {
  /** For .eml drafts a mail app opens: keep Bcc and mark the message unsent. */
  readonly draft?: boolean;
}

export function newMessageId(domain: string): string {
  return `<${randomUUID()}@${domain}>`;
}

// The composer alone writes no priority headers (nodemailer's transport layer does); these are
// the ones mail clients read.
const PRIORITY_HEADERS: Record<'high' | 'normal' | 'low', Record<string, string>> = {
  high: { 'X-Priority': '1 (Highest)', 'X-MSMail-Priority': 'High', Importance: 'High' },
  normal: {},
  low: { 'X-Priority': '5 (Lowest)', 'X-MSMail-Priority': 'Low', Importance: 'Low' },
};

// type/subtype with optional parameters (RFC 2045 tokens); anything else would be rewritten by the composer.
const CONTENT_TYPE = /^[A-Za-z0-9!#$&^_.+-]+\/[A-Za-z0-9!#$&^_.+-]+(?:\s*;\s*[A-Za-z0-9!#$&^_.+-]+=(?:[A-Za-z0-9!#$&^_.+-]+|"[^"\\]*"))*$/;

function assertContentType(filename: string, contentType: string): void {
  assertNoLineBreak('Attachment content type', contentType);
  if (!CONTENT_TYPE.test(contentType.trim())) {
    throw new MailroomError('VALIDATION_FAILED', { message: `The content type of ${filename} is not type/subtype (e.g. application/pdf): "${contentType}".`, details: { field: 'contentType', value: contentType } });
  }
}

/** Composes the RFC 5322 message with nodemailer's composer. */
export async function buildMessage(input: MessageInput, options: BuildOptions = {}): Promise<Buffer> {
  assertNoLineBreak('Subject', input.subject);
  for (const a of input.attachments) {
    assertNoLineBreak('Attachment file name', a.filename);
    if (a.contentType !== undefined) assertContentType(a.filename, a.contentType);
  }
  const composer = new MailComposer({
    from: input.from,
    to: [...input.to],
    cc: [...input.cc],
    bcc: [...input.bcc],
    subject: input.subject,
    text: input.text,
    html: input.html,
    messageId: input.messageId,
    date: input.date,
    priority: input.priority,
    attachments: input.attachments.map((a) => ({ filename: a.filename, content: a.content, contentType: a.contentType })),
    headers: { ...PRIORITY_HEADERS[input.priority ?? 'normal'], ...(options.draft ? { 'X-Unsent': '1' } : {}) },
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  const node = composer.compile();
  if (options.draft) node.keepBcc = true;
  return node.build();
}
