import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../app-context.ts';
import { currentUser } from '../api/auth.ts';
import { defaultSender, listSendAs } from '../users/users.service.ts';
import { simpleParser } from 'mailparser';
import { MailroomError } from '../errors.ts';
import { Type } from '@sinclair/typebox';
import { errors, type Api } from '../api/openapi.ts';
import { Binary, CapturedDetail, CapturedEmail as CapturedEmailSchema, list, NoContent, ref } from '../api/response-schemas.ts';
import { DEMO_REFUSALS, type CaptureServer, type CapturedEmail } from './capture-server.ts';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false });

const user = { access: 'user' } as const;

/**
 * The Captured mail page's API: what the demo's mail sink received. Administrators see all of it;
 * a user sees the mail sent from their own addresses (their Email, Sender email and Send-As
 * grants), as in the email history.
 */
export function capturedRoutes(app: Api, capture: CaptureServer, ctx: AppContext) {
  const visible = async (request: FastifyRequest): Promise<(mail: CapturedEmail) => boolean> => {
    const me = currentUser(request);
    if (me.role === 'admin') return () => true;
    const own = new Set([me.email, await defaultSender(ctx, me), ...(await listSendAs(ctx, me.id))].map((a) => a.toLowerCase()));
    return (mail) => own.has(mail.from.toLowerCase());
  };
  const find = async (request: FastifyRequest): Promise<CapturedEmail> => {
    const mail = capture.get((request.params as { id: string }).id);
    if (!mail || !(await visible(request))(mail)) throw new MailroomError('NOT_FOUND', { message: 'No such captured email.' });
    return mail;
  };

  const Refusal = Type.Object({ address: Type.String(), code: Type.Integer(), reply: Type.String(), meaning: Type.String() }, { additionalProperties: false });
  app.get('/api/demo/refusals', {
    config: user,
    schema: { tags: ['demo'], summary: 'Recipients the demo capture server refuses on purpose, to show a failure', response: { 200: Type.Array(Refusal) } },
  }, async () => DEMO_REFUSALS.map(({ address, code, reply, meaning }) => ({ address, code, reply, meaning })));

  app.get('/api/demo/captured', { config: user, schema: { tags: ['demo'], summary: 'Emails the demo capture server received, newest first (a user: their own)', response: { 200: list(ref(CapturedEmailSchema)) } } }, async (request) => {
    const mine = await visible(request);
    return capture.list().filter(mine).map(({ raw: _raw, ...rest }) => rest);
  });

  app.get('/api/demo/captured/:id', { config: user, schema: { tags: ['demo'], summary: 'One captured email, parsed', params: IdParams, response: { 200: ref(CapturedDetail), ...errors('NOT_FOUND') } } }, async (request) => {
    const mail = await find(request);
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

  app.get('/api/demo/captured/:id/eml', { config: user, schema: { tags: ['demo'], summary: 'One captured email as an .eml file', params: IdParams, response: { 200: Binary('message/rfc822', 'The message as received'), ...errors('NOT_FOUND') } } }, async (request, reply) => {
    const mail = await find(request);
    return reply.type('message/rfc822').header('content-disposition', `attachment; filename="${mail.id}.eml"`).send(mail.raw);
  });

  app.delete('/api/demo/captured', { config: { access: 'admin' }, schema: { tags: ['demo'], summary: 'Forget every captured email', response: { 204: NoContent('Cleared') } } }, async (_request, reply) => {
    capture.clear();
    return reply.code(204).send();
  });
}
