import type { Static } from '@sinclair/typebox';
import type { AppContext } from '../../app-context.ts';
import { MailroomError } from '../../errors.ts';
import * as users from '../../users/users.service.ts';
import { assertSelfOrAdmin, currentUser } from '../auth.ts';
import { errors, PROVIDER_SETUP_ERRORS, type Api } from '../openapi.ts';
import { ApiToken, list, NewApiToken, NoContent, ref, SendAsList, User, UserDetail, UserOptions } from '../response-schemas.ts';
import { IdParams, NewUserBody, OptionsBody, UserChangesBody } from '../schemas.ts';
import { Type } from '@sinclair/typebox';

const admin = { access: 'admin' } as const;
const SendAsParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }), address: Type.String({ minLength: 1, maxLength: 320 }) }, { additionalProperties: false });
const TokenParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }), tokenId: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false });
const user = { access: 'user' } as const;

export function usersRoutes(app: Api, ctx: AppContext) {
  app.get('/api/users', { config: admin, schema: { tags: ['users'], summary: 'List users', response: { 200: list(ref(User)) } } }, async () => users.listUsers(ctx));

  app.post('/api/users', { config: admin, schema: { tags: ['users'], summary: 'Create a user', body: NewUserBody, response: { 201: ref(User), ...errors('CONFLICT', 'INVALID_ADDRESS', 'HEADER_INJECTION') } } }, async (request, reply) => {
    const user = await users.createUser(ctx, request.body as Static<typeof NewUserBody>);
    return reply.code(201).send(user);
  });

  app.get('/api/users/:id', { config: user, schema: { tags: ['users'], summary: 'A user with their Send-As grants (yourself, or anyone for administrators)', params: IdParams, response: { 200: ref(UserDetail), ...errors('NOT_FOUND', 'FORBIDDEN') } } }, async (request) => {
    const { id } = request.params as Static<typeof IdParams>;
    assertSelfOrAdmin(request, id);
    return { ...(await users.getUser(ctx, id)), sendAs: await users.listSendAs(ctx, id) };
  });

  app.patch('/api/users/:id', { config: admin, schema: { tags: ['users'], summary: 'Change a user (Email, name, role, language, password)', params: IdParams, body: UserChangesBody, response: { 200: ref(User), ...errors('NOT_FOUND', 'INVALID_ADDRESS', 'HEADER_INJECTION') } } }, async (request) => {
    const { id } = request.params as Static<typeof IdParams>;
    return users.updateUser(ctx, id, request.body as Static<typeof UserChangesBody>);
  });

  app.get('/api/users/:id/options', { config: user, schema: { tags: ['users'], summary: 'User options', params: IdParams, response: { 200: ref(UserOptions), ...errors('NOT_FOUND', 'FORBIDDEN') } } }, async (request) => {
    const { id } = request.params as Static<typeof IdParams>;
    assertSelfOrAdmin(request, id);
    return users.getOptions(ctx, id);
  });

  app.patch('/api/users/:id/options', { config: user, schema: { tags: ['users'], summary: 'Change user options (Sender email: administrators only)', params: IdParams, body: OptionsBody, response: { 200: ref(UserOptions), ...errors('NOT_FOUND', 'FORBIDDEN', 'INVALID_ADDRESS', 'UNKNOWN_PROVIDER', ...PROVIDER_SETUP_ERRORS) } } }, async (request) => {
    const { id } = request.params as Static<typeof IdParams>;
    const actor = assertSelfOrAdmin(request, id);
    const change = request.body as Static<typeof OptionsBody>;
    if (change.senderEmail !== undefined && actor.role !== 'admin') {
      throw new MailroomError('FORBIDDEN', { message: 'Only administrators set the Sender email.' });
    }
    return users.setOptions(ctx, id, change);
  });

  const GrantBody = Type.Object({ address: Type.String({ maxLength: 320 }) }, { additionalProperties: false });
  app.post('/api/users/:id/send-as', { config: admin, schema: { tags: ['users'], summary: 'Grant Send-As for an address', params: IdParams, body: GrantBody, response: { 200: ref(SendAsList), ...errors('NOT_FOUND', 'INVALID_ADDRESS') } } }, async (request) => {
    const { id } = request.params as Static<typeof IdParams>;
    await users.grantSendAs(ctx, id, (request.body as Static<typeof GrantBody>).address);
    return { sendAs: await users.listSendAs(ctx, id) };
  });

  app.delete('/api/users/:id/send-as/:address', { config: admin, schema: { tags: ['users'], summary: 'Revoke a Send-As grant', params: SendAsParams, response: { 200: ref(SendAsList), ...errors('NOT_FOUND') } } }, async (request) => {
    const { id, address } = request.params as { id: string; address: string };
    await users.revokeSendAs(ctx, id, address);
    return { sendAs: await users.listSendAs(ctx, id) };
  });

  const TokenBody = Type.Object({
    name: Type.String({ minLength: 1, maxLength: 100 }),
    expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
    /** The caller's own password: required when a console session (not an API token) creates the token. */
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
  }, { additionalProperties: false });
  app.post('/api/users/:id/tokens', { config: user, schema: { tags: ['users'], summary: 'Create an API token (shown once); a console session re-enters its password', params: IdParams, body: TokenBody, response: { 201: ref(NewApiToken), ...errors('NOT_FOUND', 'FORBIDDEN', 'BAD_CREDENTIALS', 'VALIDATION_FAILED') } } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const caller = assertSelfOrAdmin(request, id);
    const { name, expiresInDays, password } = request.body as Static<typeof TokenBody>;
    if (request.tokenKind === 'session') await users.assertPassword(ctx, caller.id, password);
    const created = await users.createApiToken(ctx, id, { name, expiresInDays });
    return reply.code(201).send(created);
  });

  app.get('/api/users/:id/tokens', { config: user, schema: { tags: ['users'], summary: 'API tokens (names and dates, never the tokens)', params: IdParams, response: { 200: list(ref(ApiToken)), ...errors('FORBIDDEN') } } }, async (request) => {
    const { id } = request.params as Static<typeof IdParams>;
    assertSelfOrAdmin(request, id);
    return users.listApiTokens(ctx, id);
  });

  app.delete('/api/users/:id/tokens/:tokenId', { config: user, schema: { tags: ['users'], summary: 'Revoke an API token', params: TokenParams, response: { 204: NoContent('Revoked'), ...errors('NOT_FOUND', 'FORBIDDEN') } } }, async (request, reply) => {
    const { id, tokenId } = request.params as { id: string; tokenId: string };
    assertSelfOrAdmin(request, id);
    await users.revokeApiToken(ctx, id, tokenId);
    return reply.code(204).send();
  });
}
