import { simpleParser, type AddressObject, type Attachment } from 'mailparser';
import type { OutgoingMessage } from '../provider.ts';

/** Graph's recipient shape. */
export interface GraphRecipient {
  readonly emailAddress: { readonly address: string; readonly name?: string };
}

/** The subset of Graph's message resource Mailroom writes. */
export interface GraphMessage {
  readonly subject: string;
  readonly body: { readonly contentType: 'Text' | 'HTML'; readonly content: string };
  readonly from: GraphRecipient;
  readonly toRecipients: GraphRecipient[];
  readonly ccRecipients: GraphRecipient[];
  readonly bccRecipients: GraphRecipient[];
  readonly replyTo: GraphRecipient[];
  readonly internetMessageId: string;
  readonly importance: 'low' | 'normal' | 'high';
  attachments?: GraphFileAttachment[];
}

export interface GraphFileAttachment {
  readonly '@odata.type': '#microsoft.graph.fileAttachment';
  readonly name: string;
  readonly contentType: string;
  readonly contentBytes: string;
  readonly isInline: boolean;
  readonly contentId?: string;
}

/** An attachment as the message carries it, before it is encoded for Graph. */
export interface MessageAttachment {
  readonly name: string;
  readonly contentType: string;
  readonly content: Buffer;
  readonly isInline: boolean;
  readonly contentId?: string;
}

const recipients = (field: AddressObject | AddressObject[] | undefined): GraphRecipient[] =>
  (Array.isArray(field) ? field : field ? [field] : []).flatMap((group) => group.value)
    .filter((m) => m.address)
    .map((m) => ({ emailAddress: m.name ? { address: m.address!, name: m.name } : { address: m.address! } }));

function importance(headers: Map<string, unknown>): GraphMessage['importance'] {
  const value = String(headers.get('importance') ?? headers.get('priority') ?? '').toLowerCase();
  return value === 'high' || value === 'urgent' ? 'high' : value === 'low' || value === 'non-urgent' ? 'low' : 'normal';
}

/**
 * Reads the stored MIME message back into Graph's JSON shape. Bcc recipients are not in the
 * message's headers, only in its envelope: whoever the envelope adds to To and Cc is Bcc.
 */
export async function toGraphMessage(message: OutgoingMessage): Promise<{ message: GraphMessage; attachments: MessageAttachment[] }> {
  const parsed = await simpleParser(message.raw, { skipTextToHtml: true, skipImageLinks: true });
  const to = recipients(parsed.to);
  const cc = recipients(parsed.cc);
  const visible = new Set([...to, ...cc].map((r) => r.emailAddress.address.toLowerCase()));
  const bcc = message.envelope.to.filter((a) => !visible.has(a.toLowerCase())).map((address) => ({ emailAddress: { address } }));
  const from = recipients(parsed.from)[0] ?? { emailAddress: { address: message.envelope.from } };
  const html = typeof parsed.html === 'string' ? parsed.html : '';
  return {
    message: {
      subject: parsed.subject ?? '',
      body: html ? { contentType: 'HTML', content: html } : { contentType: 'Text', content: parsed.text ?? '' },
      from,
      toRecipients: to,
      ccRecipients: cc,
      bccRecipients: bcc,
      replyTo: recipients(parsed.replyTo),
      internetMessageId: message.messageId,
      importance: importance(parsed.headers),
    },
    attachments: parsed.attachments.map(toAttachment),
  };
}

function toAttachment(a: Attachment): MessageAttachment {
  const isInline = a.contentDisposition === 'inline' && Boolean(a.cid);
  return {
    name: a.filename ?? 'attachment',
    contentType: a.contentType || 'application/octet-stream',
    content: a.content,
    isInline,
    ...(isInline ? { contentId: a.cid } : {}),
  };
}

export function toFileAttachment(a: MessageAttachment): GraphFileAttachment {
  return {
    '@odata.type': '#microsoft.graph.fileAttachment',
    name: a.name, contentType: a.contentType, contentBytes: a.content.toString('base64'), isInline: a.isInline,
    ...(a.contentId ? { contentId: a.contentId } : {}),
  };
}
