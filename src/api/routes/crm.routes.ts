import { Type, type Static } from '@sinclair/typebox';
import type { AppContext } from '../../app-context.ts';
import * as organizations from '../../crm/organizations.service.ts';
import { sendStatement, statementDraft } from '../../crm/statements.service.ts';
import type { ProviderRegistry } from '../../outbound/provider-registry.ts';
import { currentUser } from '../auth.ts';
import { errors, PROVIDER_SETUP_ERRORS, type Api } from '../openapi.ts';
import { list, NoContent, ref, SendResult } from '../response-schemas.ts';
import { IdParams } from '../schemas.ts';
import { Organization, StatementDraft } from '../workflow-response-schemas.ts';

const admin = { access: 'admin' } as const;
const user = { access: 'user' } as const;
const strict = { additionalProperties: false } as const;
const Addresses = Type.Union([Type.String({ maxLength: 10_000 }), Type.Array(Type.String({ maxLength: 1_000 }), { maxItems: 500 })]);

const OrganizationBody = Type.Object({ code: Type.String({ maxLength: 10 }), name: Type.String({ maxLength: 200 }) }, strict);
const RenameBody = Type.Object({ name: Type.String({ maxLength: 200 }) }, strict);
const StatementBody = Type.Object({
  asOf: Type.Optional(Type.String({ description: 'statement date, YYYY-MM-DD; today by default' })),
  templateEmailId: Type.Optional(Type.String({ maxLength: 40, description: 'STATEMENT by default' })),
}, strict);
const SendStatementBody = Type.Composite([StatementBody, Type.Object({
  provider: Type.Optional(Type.String({ maxLength: 32, description: 'eml (the email app: the .eml is returned) or smtp (sent now)' })),
  doNotAskAgain: Type.Optional(Type.Boolean()),
  from: Type.Optional(Type.String({ maxLength: 1_000 })), to: Type.Optional(Addresses), cc: Type.Optional(Addresses), bcc: Type.Optional(Addresses),
  subject: Type.Optional(Type.String({ maxLength: 2_000 })), body: Type.Optional(Type.String()), html: Type.Optional(Type.String()),
})], strict);

const TEMPLATE_ERRORS = ['TEMPLATE_LANGUAGE_MISSING', 'TEMPLATE_PLACEHOLDER_UNKNOWN', 'TEMPLATE_BLOCK_INVALID'] as const;

const idOf = (request: { params: unknown }) => (request.params as Static<typeof IdParams>).id;

/** Organizations, and the Statements scenario on an account. */
export function crmRoutes(app: Api, ctx: AppContext, providers: ProviderRegistry) {
  const tags = ['organizations'];
  app.get('/api/organizations', { config: user, schema: { tags, summary: 'Organizations (legal entities)', response: { 200: list(ref(Organization)) } } }, async () => organizations.listOrganizations(ctx));
  app.post('/api/organizations', { config: admin, schema: { tags, summary: 'Create an organization', body: OrganizationBody, response: { 201: ref(Organization), ...errors('CONFLICT') } } }, async (request, reply) =>
    reply.code(201).send(await organizations.createOrganization(ctx, request.body as Static<typeof OrganizationBody>)));
  app.patch('/api/organizations/:id', { config: admin, schema: { tags, summary: 'Rename an organization', params: IdParams, body: RenameBody, response: { 200: ref(Organization), ...errors('NOT_FOUND') } } }, async (request) =>
    organizations.renameOrganization(ctx, idOf(request), (request.body as Static<typeof RenameBody>).name));
  app.delete('/api/organizations/:id', { config: admin, schema: { tags, summary: 'Delete an organization nothing belongs to', params: IdParams, response: { 204: NoContent('Deleted'), ...errors('NOT_FOUND', 'CONFLICT') } } }, async (request, reply) => {
    await organizations.deleteOrganization(ctx, idOf(request));
    return reply.code(204).send();
  });

  const ctags = ['accounts'];
  app.post('/api/accounts/:id/statement/draft', { config: user, schema: { tags: ctags, summary: 'Statements to contact: the Send email dialog prefilled (To the Statements contact, the template, the workbook)', params: IdParams, body: StatementBody, response: { 200: ref(StatementDraft), ...errors('NOT_FOUND', 'STATEMENT_NO_CONTACT', ...TEMPLATE_ERRORS) } } }, async (request) =>
    statementDraft(ctx, currentUser(request), idOf(request), (request.body ?? {}) as Static<typeof StatementBody>));
  app.post('/api/accounts/:id/statement/send', { config: user, schema: { tags: ctags, summary: 'Send the statement: the email app returns the .eml, SMTP sends now', params: IdParams, body: SendStatementBody, response: { 200: ref(SendResult), ...errors('NOT_FOUND', 'STATEMENT_NO_CONTACT', 'PROVIDER_CHOICE_REQUIRED', 'UNKNOWN_PROVIDER', 'INVALID_ADDRESS', 'NO_RECIPIENTS', 'TOO_MANY_RECIPIENTS', 'SENDER_NAME_MISLEADING', 'HEADER_INJECTION', 'MESSAGE_TOO_LARGE', 'SEND_AS_DENIED', ...PROVIDER_SETUP_ERRORS, ...TEMPLATE_ERRORS) } } }, async (request) => {
    const { asOf, templateEmailId, provider, doNotAskAgain, ...edits } = request.body as Static<typeof SendStatementBody>;
    const result = await sendStatement(ctx, providers, currentUser(request), idOf(request), { asOf, templateEmailId, provider, doNotAskAgain, edits });
    return { email: result.email, emlBase64: result.eml?.toString('base64') };
  });
}
