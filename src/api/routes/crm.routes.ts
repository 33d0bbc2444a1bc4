import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { AppContext } from '../../app-context.ts';
import * as organizations from '../../crm/organizations.service.ts';
import { sendStatement, statementDraft } from '../../crm/statements.service.ts';
import type { ProviderRegistry } from '../../outbound/provider-registry.ts';
import { currentUser } from '../auth.ts';
import { IdParams } from '../schemas.ts';

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

const idOf = (request: { params: unknown }) => (request.params as Static<typeof IdParams>).id;

/** Organizations, and the Statements scenario on an account. */
export function crmRoutes(app: FastifyInstance, ctx: AppContext, providers: ProviderRegistry) {
  const tags = ['organizations'];
  app.get('/api/organizations', { config: user, schema: { tags, summary: 'Organizations (legal entities)' } }, async () => organizations.listOrganizations(ctx));
  app.post('/api/organizations', { config: admin, schema: { tags, body: OrganizationBody } }, async (request, reply) =>
    reply.code(201).send(await organizations.createOrganization(ctx, request.body as Static<typeof OrganizationBody>)));
  app.patch('/api/organizations/:id', { config: admin, schema: { tags, params: IdParams, body: RenameBody } }, async (request) =>
    organizations.renameOrganization(ctx, idOf(request), (request.body as Static<typeof RenameBody>).name));
  app.delete('/api/organizations/:id', { config: admin, schema: { tags, summary: 'Delete an organization nothing belongs to', params: IdParams } }, async (request, reply) => {
    await organizations.deleteOrganization(ctx, idOf(request));
    return reply.code(204).send();
  });

  const ctags = ['accounts'];
  app.post('/api/accounts/:id/statement/draft', { config: user, schema: { tags: ctags, summary: 'Statements to contact: the Send email dialog prefilled (To the Statements contact, the template, the workbook)', params: IdParams, body: StatementBody } }, async (request) =>
    statementDraft(ctx, currentUser(request), idOf(request), (request.body ?? {}) as Static<typeof StatementBody>));
  app.post('/api/accounts/:id/statement/send', { config: user, schema: { tags: ctags, summary: 'Send the statement: the email app returns the .eml, SMTP sends now', params: IdParams, body: SendStatementBody } }, async (request) => {
    const { asOf, templateEmailId, provider, doNotAskAgain, ...edits } = request.body as Static<typeof SendStatementBody>;
    const result = await sendStatement(ctx, providers, currentUser(request), idOf(request), { asOf, templateEmailId, provider, doNotAskAgain, edits });
    return { email: result.email, emlBase64: result.eml?.toString('base64') };
  });
}
