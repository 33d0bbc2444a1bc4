// Email activities. A user reads their own, their mailboxes' and their queues' (the rule is in
// crm/email-activity.access.ts; administrators read all); whoever writes one owns it; the owner or
// an administrator changes or deletes it. Deleting an activity never touches the mail server.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Static } from '@sinclair/typebox';
import type { AppContext } from '../../app-context.ts';
import * as activities from '../../crm/email-activity.service.ts';
import { activityReader } from '../../crm/email-activity.access.ts';
import { currentUser } from '../auth.ts';
import { MailroomError } from '../../errors.ts';
import { IdParams } from '../schemas.ts';
import { Binary } from '../response-schemas.ts';
import * as S from '../schemas-crm.ts';
import { readEmailSettings } from '../../sync/email-settings.ts';
import { getMailboxFor } from '../../sync/mailboxes.service.ts';
import { toEmailInput } from './emails.routes.ts';
import { composeDraft } from '../../sync/outgoing/send-activity.ts';

const user = { access: 'user' } as const;
const tags = ['activities'];
const idOf = (request: FastifyRequest) => (request.params as Static<typeof IdParams>).id;
const ok = <T>(schema: T) => ({ 200: schema, ...S.errorAnswers });

export function activitiesRoutes(app: FastifyInstance, ctx: AppContext) {
  app.get('/api/activities', { config: user, schema: { tags, summary: 'Email activities, newest first; search with q, filter by regarding record or mailbox', querystring: S.ActivityListQuery, response: ok(S.ActivityPage) } }, async (request) => {
    const q = request.query as Static<typeof S.ActivityListQuery>;
    // A mailbox by id or address, as everywhere else; one the caller may not see is not found.
    const mailboxId = q.mailbox === undefined ? undefined : (await getMailboxFor(ctx, currentUser(request), q.mailbox)).id;
    return activities.listActivities(ctx, {
      q: q.q, direction: q.direction, status: q.status, regarding: q.regarding, mailboxId, ownerId: q.owner, limit: q.limit, cursor: q.cursor,
      reader: await activityReader(ctx, currentUser(request)),
    });
  });
  app.post('/api/activities', { config: user, schema: { tags, summary: 'Write an email activity: outgoing ones start as Draft, incoming ones are recorded as Received', body: S.NewActivityBody, response: { 201: S.ActivityDetail, ...S.errorAnswers } } }, async (request, reply) => {
    const { attachments, template, ...rest } = request.body as Static<typeof S.NewActivityBody>;
    const files = toEmailInput({ attachments }).attachments;
    const { maxAttachmentKb } = await readEmailSettings(ctx);
    if (template === undefined) return reply.code(201).send(await activities.createActivity(ctx, currentUser(request), { ...rest, attachments: files }, { maxAttachmentKb }));
    if (rest.direction !== 'outgoing' || rest.owner !== undefined) {
      throw new MailroomError('VALIDATION_FAILED', { message: 'A template writes an outgoing email activity of your own.', details: { field: 'template' } });
    }
    const { direction: _d, owner: _o, ...input } = rest;
    return reply.code(201).send(await composeDraft(ctx, currentUser(request), { ...input, attachments: files }, { template, maxAttachmentKb }));
  });
  app.get('/api/activities/:id', { config: user, schema: { tags, summary: 'An email activity with its text, HTML, parties, attachments, mailboxes and regarding record', params: IdParams, response: ok(S.ActivityDetail) } }, async (request) =>
    activities.getActivity(ctx, idOf(request), await activityReader(ctx, currentUser(request))));
  app.patch('/api/activities/:id', { config: user, schema: { tags, summary: 'Change the regarding record or owner; a Draft\'s text and recipients too', params: IdParams, body: S.ActivityChangesBody, response: ok(S.ActivityDetail) } }, async (request) =>
    activities.updateActivity(ctx, currentUser(request), idOf(request), request.body as Static<typeof S.ActivityChangesBody>));
  app.delete('/api/activities/:id', { config: user, schema: { tags, summary: 'Delete Mailroom\'s activity; the email on the mail server is not touched', params: IdParams, response: { 204: { type: 'null', description: 'Deleted' }, ...S.errorAnswers } } }, async (request, reply) => {
    await activities.deleteActivity(ctx, currentUser(request), idOf(request));
    return reply.code(204).send();
  });
  app.get('/api/activities/:id/attachments/:attachmentId', { config: user, schema: { tags, summary: 'An attachment\'s content, as a download', params: S.AttachmentParams, response: { 200: Binary('application/octet-stream', 'The attachment as stored'), ...S.errorAnswers } } }, async (request, reply) => {
    const { id, attachmentId } = request.params as Static<typeof S.AttachmentParams>;
    const file = await activities.getAttachment(ctx, id, attachmentId, await activityReader(ctx, currentUser(request)));
    return reply.header('content-type', 'application/octet-stream')
      .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}`)
      .header('x-content-type-options', 'nosniff').send(Buffer.from(file.content));
  });
}
