import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { AppContext } from '../../app-context.ts';
import * as customers from '../../crm/customers.service.ts';
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
const CustomerBody = Type.Object({
  account: Type.String({ maxLength: 20 }), name: Type.String({ maxLength: 200 }),
  organization: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()])), currency: Type.Optional(Type.String({ maxLength: 3 })),
}, strict);
const ContactBody = Type.Object({
  name: Type.String({ maxLength: 200 }), email: Type.String({ maxLength: 320 }),
  purpose: Type.Optional(Type.String({ maxLength: 60, description: 'e.g. Statements' })), language: Type.Optional(Type.Union([Type.String({ maxLength: 20 }), Type.Null()])),
}, strict);
const InvoiceBody = Type.Object({
  number: Type.String({ maxLength: 40 }), invoiceDate: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }), dueDate: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
  amount: Type.Number({ minimum: 0 }), open: Type.Optional(Type.Number({ minimum: 0 })),
}, strict);
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

  const ctags = ['customers'];
  app.get('/api/customers', { config: user, schema: { tags: ctags } }, async () => customers.listCustomers(ctx));
  app.post('/api/customers', { config: admin, schema: { tags: ctags, body: CustomerBody } }, async (request, reply) =>
    reply.code(201).send(await customers.createCustomer(ctx, request.body as Static<typeof CustomerBody>)));
  app.get('/api/customers/:id', { config: user, schema: { tags: ctags, summary: 'A customer (id or account) with contacts and open invoices', params: IdParams } }, async (request) =>
    customers.getCustomer(ctx, idOf(request)));
  app.post('/api/customers/:id/contacts', { config: admin, schema: { tags: ctags, params: IdParams, body: ContactBody } }, async (request, reply) =>
    reply.code(201).send(await customers.addContact(ctx, idOf(request), request.body as Static<typeof ContactBody>)));
  app.post('/api/customers/:id/invoices', { config: admin, schema: { tags: ctags, params: IdParams, body: InvoiceBody } }, async (request, reply) =>
    reply.code(201).send(await customers.addInvoice(ctx, idOf(request), request.body as Static<typeof InvoiceBody>)));

  app.post('/api/customers/:id/statement/draft', { config: user, schema: { tags: ctags, summary: 'Statements to contact: the Send email dialog prefilled (To the Statements contact, the template, the workbook)', params: IdParams, body: StatementBody } }, async (request) =>
    statementDraft(ctx, currentUser(request), idOf(request), (request.body ?? {}) as Static<typeof StatementBody>));
  app.post('/api/customers/:id/statement/send', { config: user, schema: { tags: ctags, summary: 'Send the statement: the email app returns the .eml, SMTP sends now', params: IdParams, body: SendStatementBody } }, async (request) => {
    const { asOf, templateEmailId, provider, doNotAskAgain, ...edits } = request.body as Static<typeof SendStatementBody>;
    const result = await sendStatement(ctx, providers, currentUser(request), idOf(request), { asOf, templateEmailId, provider, doNotAskAgain, edits });
    return { email: result.email, emlBase64: result.eml?.toString('base64') };
  });
}
