import type { FastifyInstance } from 'fastify';
import { simpleParser } from 'mailparser';
import { MailroomError } from '../errors.ts';
import { Type } from '@sinclair/typebox';
import { DEMO_REFUSALS, type CaptureServer } from './capture-server.ts';

const user = { access: 'user' } as const;

/** The Captured mail page's API: what the demo's mail sink received. Any signed-in user may look. */
export function capturedRoutes(app: FastifyInstance, capture: CaptureServer) {
  const Refusal = Type.Object({ address: Type.String(), code: Type.Integer(), reply: Type.String(), meaning: Type.String() }, { additionalProperties: false });
  app.get('/api/demo/refusals', {
    config: user,
    schema: { tags: ['demo'], summary: 'Recipients the demo capture server refuses on purpose, to show a failure', response: { 200: Type.Array(Refusal) } },
  }, async () => DEMO_REFUSALS.map(({ address, code, reply, meaning }) => ({ address, code, reply, meaning })));

  app.get('/api/demo/captured', { config: user, schema: { tags: ['demo'], summary: 'Emails the demo capture server received, newest first' } }, async () =>
    capture.list().map(({ raw: _raw, ...rest }) => rest));

  app.get('/api/demo/captured/:id', { config: user, schema: { tags: ['demo'] } }, async (request) => {
    const mail = capture.get((request.params as { id: string }).id);
    if (!mail) throw new MailroomError('NOT_FOUND', { message: 'No such captured email.' });
    const parsed = await simpleParser(mail.raw);
    const { raw: _raw, ...rest } = mail;
    return {
      ...rest,
      headers: [...parsed.headerLines].map((h) => h.line),
      text: parsed.text ?? '',
      html: parsed.html || null,
      attachments: parsed.attachments.map((a) => ({ filename: a.filename ?? null, contentType: a.contentType, size: a.size })),
    };
  });

  app.get('/api/demo/captured/:id/eml', { config: user, schema: { tags: ['demo'] } }, async (request, reply) => {
    const mail = capture.get((request.params as { id: string }).id);
    if (!mail) throw new MailroomError('NOT_FOUND', { message: 'No such captured email.' });
    return reply.type('message/rfc822').header('content-disposition', `attachment; filename="${mail.id}.eml"`).send(mail.raw);
  });

  app.delete('/api/demo/captured', { config: { access: 'admin' }, schema: { tags: ['demo'] } }, async (_request, reply) => {
    capture.clear();
    return reply.code(204).send();
  });
}
