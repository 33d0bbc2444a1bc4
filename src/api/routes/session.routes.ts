import type { Static } from '@sinclair/typebox';
import type { AppContext } from '../../app-context.ts';
import { getOptions, listSendAs, signIn, signOut } from '../../users/users.service.ts';
import { currentUser } from '../auth.ts';
import { errors, type Api } from '../openapi.ts';
import { Me, NoContent, ref, Session } from '../response-schemas.ts';
import { SignInBody } from '../schemas.ts';

const user = { access: 'user' } as const;

export function sessionRoutes(app: Api, ctx: AppContext) {
  app.post('/api/session', { config: { access: 'public' }, schema: { tags: ['session'], summary: 'Sign in; returns a bearer token', body: SignInBody, response: { 200: ref(Session), ...errors('BAD_CREDENTIALS') } } }, async (request) => {
    const { username, password } = request.body as Static<typeof SignInBody>;
    return signIn(ctx, { username, password, address: request.ip });
  });

  app.delete('/api/session', { config: user, schema: { tags: ['session'], summary: 'Sign out: the session or API token the request came with stops working', response: { 204: NoContent('Signed out: the token no longer works') } } }, async (request, reply) => {
    await signOut(ctx, request.token!);
    return reply.code(204).send();
  });

  app.get('/api/me', { config: user, schema: { tags: ['session'], summary: 'The signed-in user, their options and Send-As grants', response: { 200: ref(Me) } } }, async (request) => {
    const user = currentUser(request);
    return { user, options: await getOptions(ctx, user.id), sendAs: await listSendAs(ctx, user.id) };
  });
}
