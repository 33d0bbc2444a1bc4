import { Type, type Static } from '@sinclair/typebox';
import type { AppContext } from '../../app-context.ts';
import { listKinds, TEMPLATE_KINDS, type TemplateKind } from '../../templates/template-kinds.ts';
import * as templates from '../../templates/templates.service.ts';
import { errors, type Api } from '../openapi.ts';
import { list, NoContent, ref } from '../response-schemas.ts';
import { IdParams } from '../schemas.ts';
import { EmailTemplate, TemplateKindSpec, TemplatePreview, TestSendResult } from '../workflow-response-schemas.ts';

const admin = { access: 'admin' } as const;
const user = { access: 'user' } as const;
const tags = ['templates'];
const TEMPLATE_ERRORS = ['TEMPLATE_PLACEHOLDER_UNKNOWN', 'TEMPLATE_BLOCK_INVALID', 'TEMPLATE_LANGUAGE_MISSING', 'TEMPLATE_SENDER_INVALID'] as const;

const NewTemplateBody = Type.Composite([templates.TemplateInputSchema, Type.Object({
  organization: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()], { description: 'organization id or code for an organization email template; absent or null for a system email template' })),
})], { additionalProperties: false });

const ListQuery = Type.Object({
  scope: Type.Optional(Type.Union([Type.Literal('system'), Type.Literal('organization')])),
  organization: Type.Optional(Type.String({ description: 'organization id or code' })),
  kind: Type.Optional(Type.Union(TEMPLATE_KINDS.map((k) => Type.Literal(k)), { description: TEMPLATE_KINDS.join(', ') })),
}, { additionalProperties: false });

const PreviewBody = Type.Object({
  language: Type.Optional(Type.String({ maxLength: 20 })),
  data: Type.Optional(Type.Object({
    values: Type.Record(Type.String(), Type.String()),
    tables: Type.Optional(Type.Record(Type.String(), Type.Array(Type.Record(Type.String(), Type.String()), { maxItems: 1000 }))),
  }, { additionalProperties: false, description: 'merge data; the kind\'s sample data when absent' })),
}, { additionalProperties: false });

const TestSendBody = Type.Object({ to: Type.String({ maxLength: 320 }), language: Type.Optional(Type.String({ maxLength: 20 })) }, { additionalProperties: false });

export function templatesRoutes(app: Api, ctx: AppContext) {
  app.get('/api/template-kinds', { config: user, schema: { tags, summary: 'Kinds of email template and the placeholders and repeating blocks each offers', response: { 200: list(ref(TemplateKindSpec)) } } }, async () => listKinds());

  app.get('/api/templates', { config: admin, schema: { tags, summary: 'System and organization email templates', querystring: ListQuery, response: { 200: list(ref(EmailTemplate)), ...errors('NOT_FOUND') } } }, async (request) => {
    const q = request.query as Static<typeof ListQuery>;
    const kind = q.kind as TemplateKind | undefined;
    const all = await templates.listTemplates(ctx, { organization: q.organization ?? (q.scope === 'system' ? null : undefined), kind });
    return q.scope ? all.filter((t) => t.scope === q.scope) : all;
  });

  app.post('/api/templates', { config: admin, schema: { tags, summary: 'Create a system or organization email template', body: NewTemplateBody, response: { 201: ref(EmailTemplate), ...errors(...TEMPLATE_ERRORS, 'CONFLICT', 'NOT_FOUND', 'INVALID_ADDRESS') } } }, async (request, reply) => {
    const { organization, ...input } = request.body as Static<typeof NewTemplateBody>;
    return reply.code(201).send(await templates.createTemplate(ctx, organization ?? null, input));
  });

  app.get('/api/templates/:id', { config: admin, schema: { tags, summary: 'One email template with its messages', params: IdParams, response: { 200: ref(EmailTemplate), ...errors('NOT_FOUND') } } }, async (request) =>
    templates.getTemplate(ctx, (request.params as Static<typeof IdParams>).id));

  app.put('/api/templates/:id', { config: admin, schema: { tags, summary: 'Replace a template\'s header and messages', params: IdParams, body: templates.TemplateInputSchema, response: { 200: ref(EmailTemplate), ...errors(...TEMPLATE_ERRORS, 'CONFLICT', 'NOT_FOUND', 'INVALID_ADDRESS') } } }, async (request) =>
    templates.updateTemplate(ctx, (request.params as Static<typeof IdParams>).id, request.body as templates.TemplateInput));

  app.delete('/api/templates/:id', { config: admin, schema: { tags, summary: 'Delete a template', params: IdParams, response: { 204: NoContent('Deleted'), ...errors('NOT_FOUND', 'CONFLICT') } } }, async (request, reply) => {
    await templates.deleteTemplate(ctx, (request.params as Static<typeof IdParams>).id);
    return reply.code(204).send();
  });

  app.post('/api/templates/:id/preview', { config: admin, schema: { tags, summary: 'The template filled with sample (or given) data in one language', params: IdParams, body: PreviewBody, response: { 200: ref(TemplatePreview), ...errors('NOT_FOUND', ...TEMPLATE_ERRORS) } } }, async (request) => {
    const body = (request.body ?? {}) as Static<typeof PreviewBody>;
    return templates.previewTemplate(ctx, (request.params as Static<typeof IdParams>).id, body);
  });

  app.post('/api/templates/:id/test-send', { config: admin, schema: { tags, summary: 'Queue the template with sample data to one address, from the template\'s sender', params: IdParams, body: TestSendBody, response: { 201: ref(TestSendResult), ...errors('NOT_FOUND', 'INVALID_ADDRESS', 'HEADER_INJECTION', 'MESSAGE_TOO_LARGE', ...TEMPLATE_ERRORS) } } }, async (request, reply) => {
    const body = request.body as Static<typeof TestSendBody>;
    return reply.code(201).send({ email: await templates.testSendTemplate(ctx, (request.params as Static<typeof IdParams>).id, body) });
  });
}
