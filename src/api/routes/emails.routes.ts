import type { Static } from '@sinclair/typebox';
import type { AppContext } from '../../app-context.ts';
import { MailroomError } from '../../errors.ts';
import type { EmailInput } from '../../outbound/hand-in.ts';
import { parseStatuses, parseTime } from '../../outbound/history-query.ts';
import * as outbound from '../../outbound/outbound.service.ts';
import { retryNow } from '../../outbound/retry-now.ts';
import { resendNotification } from '../../workflow/workflow-notifier.ts';
import type { ProviderRegistry } from '../../outbound/provider-registry.ts';
import { currentUser } from '../auth.ts';
import { errors, PROVIDER_SETUP_ERRORS, type Api } from '../openapi.ts';
import { Binary, Draft, EmailDetail, EmailView, HistoryPage, list, QueuedEmail, ref, SendResult, Summary } from '../response-schemas.ts';
import { EmailBody, HistoryQuery, IdParams, QueueEmailBody, SendBody } from '../schemas.ts';

/** What hand-in refuses: the message itself, the sender, the provider. */
const HAND_IN = ['INVALID_ADDRESS', 'NO_RECIPIENTS', 'TOO_MANY_RECIPIENTS', 'SENDER_NAME_MISLEADING', 'HEADER_INJECTION', 'MESSAGE_TOO_LARGE', 'SEND_AS_DENIED', 'UNKNOWN_PROVIDER'] as const;

/** What building a refused workflow notification again may still refuse. */
const NOTIFICATION_REFUSALS = ['WORKFLOW_TEMPLATE_MISSING', 'TEMPLATE_SENDER_INVALID', 'TEMPLATE_LANGUAGE_MISSING', 'TEMPLATE_PLACEHOLDER_UNKNOWN', ...HAND_IN.filter((c) => c !== 'SEND_AS_DENIED' && c !== 'UNKNOWN_PROVIDER')] as const;

const user = { access: 'user' } as const;

export function toEmailInput(body: EmailBody): EmailInput {
  const { attachments, ...rest } = body;
  return {
    ...rest,
    attachments: attachments?.map((a) => {
      if (!/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(a.contentBase64)) {
        throw new MailroomError('VALIDATION_FAILED', { message: `Attachment ${a.filename} is not valid base64.` });
      }
      return { filename: a.filename, contentType: a.contentType, content: Buffer.from(a.contentBase64, 'base64') };
    }),
  };
}

export function emailsRoutes(app: Api, ctx: AppContext, providers: ProviderRegistry) {
  app.post('/api/emails', { config: user, schema: { tags: ['emails'], summary: 'Hand an email to the queue (batch); Idempotency-Key header or idempotencyKey field', body: QueueEmailBody, response: { 201: ref(QueuedEmail), 200: { ...ref(QueuedEmail), description: 'The email already queued under this idempotency key' }, ...errors(...HAND_IN) } } }, async (request, reply) => {
    const { provider, idempotencyKey, ...email } = request.body as Static<typeof QueueEmailBody>;
    const key = idempotencyKey ?? (request.headers['idempotency-key'] as string | undefined);
    const result = await outbound.queueEmail(ctx, currentUser(request), toEmailInput(email), { provider, idempotencyKey: key });
    return reply.code(result.duplicate ? 200 : 201).send(result);
  });

  app.post('/api/compose', { config: user, schema: { tags: ['emails'], summary: 'The Send email dialog prefilled by the calling process', body: EmailBody, response: { 200: ref(Draft), ...errors('INVALID_ADDRESS', 'HEADER_INJECTION') } } }, async (request) =>
    outbound.composeDraft(ctx, currentUser(request), toEmailInput(request.body as EmailBody)));

  app.post('/api/send', { config: user, schema: { tags: ['emails'], summary: 'Send now (interactive): SMTP sends, the email app returns the .eml', body: SendBody, response: { 200: ref(SendResult), ...errors(...HAND_IN, 'PROVIDER_CHOICE_REQUIRED', ...PROVIDER_SETUP_ERRORS) } } }, async (request) => {
    const { provider, doNotAskAgain, ...email } = request.body as Static<typeof SendBody>;
    const result = await outbound.sendInteractive(ctx, providers, currentUser(request), toEmailInput(email), { provider, doNotAskAgain });
    return { email: result.email, emlBase64: result.eml?.toString('base64') };
  });

  app.get('/api/emails', { config: user, schema: { tags: ['emails'], summary: 'Email history, newest first', querystring: HistoryQuery, response: { 200: ref(HistoryPage) } } }, async (request) => {
    const q = request.query as Static<typeof HistoryQuery>;
    return outbound.listHistory(ctx, currentUser(request), {
      status: parseStatuses(q.status), sender: q.sender, text: q.text, cursor: q.cursor, limit: q.limit,
      from: parseTime('from', q.from), to: parseTime('to', q.to),
    });
  });

  app.get('/api/queue', { config: user, schema: { tags: ['emails'], summary: 'Batch email sending status: waiting, deferred and sending emails', response: { 200: list(ref(EmailView)) } } }, async (request) =>
    outbound.listQueue(ctx, currentUser(request)));

  app.get('/api/summary', { config: user, schema: { tags: ['emails'], summary: 'Counts by status over the last 24 hours', response: { 200: ref(Summary) } } }, async (request) =>
    outbound.summary(ctx, currentUser(request)));

  app.get('/api/emails/:id', { config: user, schema: { tags: ['emails'], summary: 'One email with its attempts', params: IdParams, response: { 200: ref(EmailDetail), ...errors('NOT_FOUND') } } }, async (request) =>
    outbound.getEmail(ctx, currentUser(request), (request.params as Static<typeof IdParams>).id));

  app.get('/api/emails/:id/eml', { config: user, schema: { tags: ['emails'], summary: 'The message as an .eml file', params: IdParams, response: { 200: Binary('message/rfc822', 'The stored message'), ...errors('NOT_FOUND') } } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const raw = await outbound.getRawEmail(ctx, currentUser(request), id);
    return reply.type('message/rfc822').header('content-disposition', `attachment; filename="${id}.eml"`).send(raw);
  });

  app.post('/api/emails/:id/resend', { config: user, schema: { tags: ['emails'], summary: 'Queue a failed or expired email again; a workflow notification refused before its message was built is built again from its event', params: IdParams, response: { 200: ref(EmailView), ...errors('NOT_FOUND', 'NOT_RESENDABLE', 'SEND_AS_DENIED', ...PROVIDER_SETUP_ERRORS, ...NOTIFICATION_REFUSALS) } } }, async (request) => {
    const id = (request.params as Static<typeof IdParams>).id;
    return (await resendNotification(ctx, currentUser(request), id)) ?? outbound.resendEmail(ctx, currentUser(request), id);
  });

  app.post('/api/emails/:id/retry-now', { config: { access: 'admin' }, schema: { tags: ['emails'], summary: 'Try a waiting or deferred email again now, without waiting for its next try', params: IdParams, response: { 200: ref(EmailView), ...errors('NOT_FOUND') } } }, async (request) =>
    retryNow(ctx, (request.params as Static<typeof IdParams>).id, currentUser(request).id));

  app.post('/api/emails/:id/cancel', { config: user, schema: { tags: ['emails'], summary: 'Cancel an email that is still waiting', params: IdParams, response: { 200: ref(EmailView), ...errors('NOT_FOUND', 'NOT_CANCELLABLE') } } }, async (request) =>
    outbound.cancelEmail(ctx, currentUser(request), (request.params as Static<typeof IdParams>).id));
}
