import { Type, type Static } from '@sinclair/typebox';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { AppContext } from '../../app-context.ts';
import { MailroomError } from '../../errors.ts';
import { getRawEmail } from '../../outbound/outbound.service.ts';
import { currentUser } from '../auth.ts';
import { errors, type Api } from '../openapi.ts';
import { Binary, MessageContent, ref } from '../response-schemas.ts';

const user = { access: 'user' } as const;

const AttachmentParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }), index: Type.Integer({ minimum: 0, maximum: 999 }) });

/** What the console's email detail shows: the stored message, parsed on the server. */
export interface EmailContent {
  readonly headers: string[];
  readonly text: string;
  /** The HTML body with cid: images turned into data: URLs; the console renders it sandboxed. */
  readonly html: string | null;
  readonly attachments: { index: number; filename: string | null; contentType: string; size: number; inline: boolean }[];
}

export function describeContent(parsed: ParsedMail): EmailContent {
  return {
    headers: parsed.headerLines.map((h) => h.line),
    text: parsed.text ?? '',
    html: parsed.html || null,
    attachments: parsed.attachments.map((a, index) => ({
      index, filename: a.filename ?? null, contentType: a.contentType, size: a.size, inline: a.related === true,
    })),
  };
}

/** The email detail's message tab and attachment downloads; the same access rules as the email itself. */
export function emailContentRoutes(app: Api, ctx: AppContext) {
  app.get('/api/emails/:id/content', { config: user, schema: { tags: ['emails'], summary: 'Headers, text, HTML body and attachment list of the stored message', params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }), response: { 200: ref(MessageContent), ...errors('NOT_FOUND') } } }, async (request) => {
    const raw = await getRawEmail(ctx, currentUser(request), (request.params as { id: string }).id);
    return describeContent(await simpleParser(raw));
  });

  app.get('/api/emails/:id/attachments/:index', { config: user, schema: { tags: ['emails'], summary: 'One attachment of the stored message', params: AttachmentParams, response: { 200: Binary('*/*', 'The attachment, in its own content type'), ...errors('NOT_FOUND') } } }, async (request, reply) => {
    const { id, index } = request.params as Static<typeof AttachmentParams>;
    const parsed = await simpleParser(await getRawEmail(ctx, currentUser(request), id));
    const attachment = parsed.attachments[index];
    if (!attachment) throw new MailroomError('NOT_FOUND', { message: 'The email has no such attachment.' });
    const filename = (attachment.filename ?? `attachment-${index}`).replace(/["\\\r\n]/g, '_');
    return reply.type(attachment.contentType || 'application/octet-stream')
      .header('content-disposition', `attachment; filename="${filename.replace(/[^\x20-\x7e]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(filename)}`)
      .send(attachment.content);
  });
}
