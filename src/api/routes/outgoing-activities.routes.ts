// Sending email activities written in the application: through the signed-in user's own mailbox
// or a queue's they belong to, on the email queue. Only an activity's owner sends it; the owner or
// an administrator cancels or resends it. What waits or failed says why on the activity.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { AppContext } from '../../app-context.ts';
import { cancelActivity, composeAndSend, resendActivity, sendActivity } from '../../sync/outgoing/send-activity.ts';
import { listActivityTemplates, renderActivityTemplate } from '../../sync/outgoing/activity-template.ts';
import { assertRegardingExists, parseRegarding } from '../../crm/record-types.ts';
import { readEmailSettings } from '../../sync/email-settings.ts';
import { currentUser } from '../auth.ts';
import { IdParams } from '../schemas.ts';
import * as S from '../schemas-crm.ts';
import { toEmailInput } from './emails.routes.ts';

const user = { access: 'user' } as const;
const tags = ['activities'];
const idOf = (request: FastifyRequest) => (request.params as Static<typeof IdParams>).id;
const ok = <T>(schema: T) => ({ 200: schema, ...S.errorAnswers });

export function outgoingActivitiesRoutes(app: FastifyInstance, ctx: AppContext) {
  app.get('/api/activity-templates', {
    config: user,
    schema: { tags, summary: 'The general email templates you may write an email activity from (for a regarding record: its organization\'s, then the system\'s)', querystring: S.ActivityTemplateQuery, response: ok(Type.Array(S.ActivityTemplate)) },
  }, async (request) => {
    const { regarding } = request.query as Static<typeof S.ActivityTemplateQuery>;
    return listActivityTemplates(ctx, { regarding: regarding ? await parseRegarding(ctx, regarding) : null });
  });
  app.post('/api/activity-templates/:id/render', {
    config: user,
    schema: { tags, summary: 'A general template (id or Email ID) filled for the record it regards: the subject and HTML to start an email activity from', params: IdParams, body: S.RenderTemplateBody, response: ok(S.RenderedActivityTemplate) },
  }, async (request) => {
    const body = (request.body ?? {}) as Static<typeof S.RenderTemplateBody>;
    if (body.regarding) await assertRegardingExists(ctx, body.regarding);
    return renderActivityTemplate(ctx, idOf(request), body);
  });
  app.post('/api/activities/send', {
    config: user,
    schema: { tags, summary: 'Write an outgoing email activity and send it through your mailbox (or a queue\'s): it is Pending send at once and follows its queued email', body: S.ComposeSendBody, response: { 201: S.ActivityDetail, ...S.errorAnswers } },
  }, async (request, reply) => {
    const { attachments, queue, template, ...rest } = request.body as Static<typeof S.ComposeSendBody>;
    const files = toEmailInput({ attachments }).attachments;
    const { maxAttachmentKb } = await readEmailSettings(ctx);
    return reply.code(201).send(await composeAndSend(ctx, currentUser(request), { ...rest, attachments: files }, { queue, template, maxAttachmentKb }));
  });
  app.post('/api/activities/:id/send', {
    config: user,
    schema: { tags, summary: 'Send your outgoing Draft through your mailbox (or a queue\'s)', params: IdParams, body: S.SendActivityBody, response: ok(S.ActivityDetail) },
  }, async (request) => sendActivity(ctx, currentUser(request), idOf(request), { queue: (request.body as Static<typeof S.SendActivityBody> | undefined)?.queue }));
  app.post('/api/activities/:id/cancel', {
    config: user,
    schema: { tags, summary: 'Cancel a Draft or a Pending send email activity; one being sent or sent is not canceled', params: IdParams, response: ok(S.ActivityDetail) },
  }, async (request) => cancelActivity(ctx, currentUser(request), idOf(request)));
  app.post('/api/activities/:id/resend', {
    config: user,
    schema: { tags, summary: 'Send a Failed email activity again: the same message and Message-ID go back on the queue', params: IdParams, response: ok(S.ActivityDetail) },
  }, async (request) => resendActivity(ctx, currentUser(request), idOf(request)));
}
