// Accounts, contacts and leads. Every signed-in user reads them and may create them (becoming
// the owner); only the owner or an administrator changes or deletes one.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Static } from '@sinclair/typebox';
import type { AppContext } from '../../app-context.ts';
import * as accounts from '../../crm/accounts.service.ts';
import * as contacts from '../../crm/contacts.service.ts';
import * as leads from '../../crm/leads.service.ts';
import { currentUser } from '../auth.ts';
import { IdParams } from '../schemas.ts';
import * as S from '../schemas-crm.ts';

const user = { access: 'user' } as const;
const idOf = (request: FastifyRequest) => (request.params as Static<typeof IdParams>).id;
const listQuery = (q: Static<typeof S.ListQuery>) => ({ q: q.q, state: q.state, ownerId: q.owner, limit: q.limit, cursor: q.cursor });
const ok = <T>(schema: T) => ({ 200: schema, ...S.errorAnswers });
const created = <T>(schema: T) => ({ 201: schema, ...S.errorAnswers });
const deleted = { 204: { type: 'null', description: 'Deleted' }, ...S.errorAnswers } as const;

export function crmRecordsRoutes(app: FastifyInstance, ctx: AppContext) {
  let tags = ['accounts'];
  app.get('/api/accounts', { config: user, schema: { tags, summary: 'Accounts, by name; search with q', querystring: S.ListQuery, response: ok(S.AccountPage) } }, async (request) =>
    accounts.listAccounts(ctx, listQuery(request.query as Static<typeof S.ListQuery>)));
  app.post('/api/accounts', { config: user, schema: { tags, summary: 'Create an account (you own it)', body: S.NewAccountBody, response: created(S.Account) } }, async (request, reply) =>
    reply.code(201).send(await accounts.createAccount(ctx, currentUser(request), request.body as Static<typeof S.NewAccountBody>)));
  app.get('/api/accounts/:id', { config: user, schema: { tags, summary: 'An account (id or account number) with its contacts and open invoices', params: IdParams, response: ok(S.AccountDetail) } }, async (request) =>
    accounts.getAccountDetail(ctx, idOf(request)));
  app.patch('/api/accounts/:id', { config: user, schema: { tags, summary: 'Change an account (its owner or an administrator)', params: IdParams, body: S.AccountChangesBody, response: ok(S.Account) } }, async (request) =>
    accounts.updateAccount(ctx, currentUser(request), idOf(request), request.body as Static<typeof S.AccountChangesBody>));
  app.delete('/api/accounts/:id', { config: user, schema: { tags, summary: 'Delete an account and its invoices; its contacts stay, without an account', params: IdParams, response: deleted } }, async (request, reply) => {
    await accounts.deleteAccount(ctx, currentUser(request), idOf(request));
    return reply.code(204).send();
  });
  app.post('/api/accounts/:id/invoices', { config: user, schema: { tags, summary: 'Record an invoice on the account', params: IdParams, body: S.InvoiceBody, response: created(S.Invoice) } }, async (request, reply) =>
    reply.code(201).send(await accounts.addAccountInvoice(ctx, currentUser(request), idOf(request), request.body as Static<typeof S.InvoiceBody>)));

  tags = ['contacts'];
  app.get('/api/contacts', { config: user, schema: { tags, summary: 'Contacts, by name; search with q, or those of one account', querystring: S.ContactListQuery, response: ok(S.ContactPage) } }, async (request) => {
    const q = request.query as Static<typeof S.ContactListQuery>;
    return contacts.listContacts(ctx, { ...listQuery(q), accountId: q.account });
  });
  app.post('/api/contacts', { config: user, schema: { tags, summary: 'Create a contact (you own it)', body: S.NewContactBody, response: created(S.Contact) } }, async (request, reply) =>
    reply.code(201).send(await contacts.createContact(ctx, currentUser(request), request.body as Static<typeof S.NewContactBody>)));
  app.get('/api/contacts/:id', { config: user, schema: { tags, summary: 'A contact', params: IdParams, response: ok(S.Contact) } }, async (request) => contacts.getContact(ctx, idOf(request)));
  app.patch('/api/contacts/:id', { config: user, schema: { tags, summary: 'Change a contact (its owner or an administrator)', params: IdParams, body: S.ContactChangesBody, response: ok(S.Contact) } }, async (request) =>
    contacts.updateContact(ctx, currentUser(request), idOf(request), request.body as Static<typeof S.ContactChangesBody>));
  app.delete('/api/contacts/:id', { config: user, schema: { tags, summary: 'Delete a contact (its owner or an administrator)', params: IdParams, response: deleted } }, async (request, reply) => {
    await contacts.deleteContact(ctx, currentUser(request), idOf(request));
    return reply.code(204).send();
  });

  tags = ['leads'];
  app.get('/api/leads', { config: user, schema: { tags, summary: 'Leads, by name; search with q', querystring: S.ListQuery, response: ok(S.LeadPage) } }, async (request) =>
    leads.listLeads(ctx, listQuery(request.query as Static<typeof S.ListQuery>)));
  app.post('/api/leads', { config: user, schema: { tags, summary: 'Create a lead (you own it)', body: S.NewLeadBody, response: created(S.Lead) } }, async (request, reply) =>
    reply.code(201).send(await leads.createLead(ctx, currentUser(request), request.body as Static<typeof S.NewLeadBody>)));
  app.get('/api/leads/:id', { config: user, schema: { tags, summary: 'A lead', params: IdParams, response: ok(S.Lead) } }, async (request) => leads.getLead(ctx, idOf(request)));
  app.patch('/api/leads/:id', { config: user, schema: { tags, summary: 'Change a lead (its owner or an administrator)', params: IdParams, body: S.LeadChangesBody, response: ok(S.Lead) } }, async (request) =>
    leads.updateLead(ctx, currentUser(request), idOf(request), request.body as Static<typeof S.LeadChangesBody>));
  app.delete('/api/leads/:id', { config: user, schema: { tags, summary: 'Delete a lead (its owner or an administrator)', params: IdParams, response: deleted } }, async (request, reply) => {
    await leads.deleteLead(ctx, currentUser(request), idOf(request));
    return reply.code(204).send();
  });
}
