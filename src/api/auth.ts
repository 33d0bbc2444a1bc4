import type { FastifyContextConfig, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { AppContext } from '../app-context.ts';
import { MailroomError } from '../errors.ts';
import { authenticate, type User } from '../users/users.service.ts';

declare module 'fastify' {
  interface FastifyRequest {
    user: User | null;
    token: string | null;
    /** What kind of token signed the request in (a console session or an API token). */
    tokenKind: 'session' | 'api' | null;
  }
  interface FastifyInstance {
    /** Every route the app serves, with the access it declared (the security suite compares it with the OpenAPI document). */
    readonly routeTable: readonly RouteEntry[];
  }
  interface FastifyContextConfig {
    /** Who may call the route: anyone, any signed-in user, or administrators only. */
    access?: 'public' | 'user' | 'admin';
  }
}

export function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1] ?? null;
}

export const ACCESS_LEVELS = ['public', 'user', 'admin'] as const;
export type Access = (typeof ACCESS_LEVELS)[number];

export interface RouteEntry {
  readonly method: string;
  readonly url: string;
  readonly access: Access;
}

/**
 * An onRoute hook: a route that does not say who may call it stops the server from starting.
 * (The console's static files are marked public by the scope that serves them, in app.ts.)
 */
export function requireDeclaredAccess(route: RouteOptions): void {
  const access = (route.config as FastifyContextConfig | undefined)?.access;
  if (!ACCESS_LEVELS.includes(access as Access)) {
    throw new Error(`Route ${String(route.method)} ${route.url} declares no config.access ('public', 'user' or 'admin'); every route must say who may call it.`);
  }
}

/**
 * Every request is checked against the route it matched (never its raw URL, which may be
 * percent-encoded, absolute-form or otherwise spelled differently from the route).
 * A request that matched nothing gets the 404 answer, which holds no data; under /api/ it
 * still needs a token so that unknown paths say nothing before sign-in.
 */
export function createAuthHook(ctx: AppContext) {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    request.user = null;
    request.tokenKind = null;
    request.token = bearerToken(request);
    const access: Access = request.is404 ? (request.url.startsWith('/api/') ? 'user' : 'public') : declaredAccess(request);
    if (access === 'public') {
      // A stale token must not stop anyone from signing in again.
      const found = request.token ? await authenticate(ctx, request.token).catch(() => null) : null;
      request.user = found?.user ?? null;
      request.tokenKind = found?.kind ?? null;
      return;
    }
    if (!request.token) throw new MailroomError('UNAUTHENTICATED');
    ({ user: request.user, kind: request.tokenKind } = await authenticate(ctx, request.token));
    if (access === 'admin' && request.user.role !== 'admin') {
      throw new MailroomError('FORBIDDEN', { message: 'Only administrators may do this.' });
    }
  };
}

function declaredAccess(request: FastifyRequest): Access {
  const access = request.routeOptions.config?.access;
  // requireDeclaredAccess refuses such a route at start; deny rather than guess if one slips through.
  if (!ACCESS_LEVELS.includes(access as Access)) throw new MailroomError('FORBIDDEN', { message: 'This route declares no access.' });
  return access as Access;
}

export function currentUser(request: FastifyRequest): User {
  if (!request.user) throw new MailroomError('UNAUTHENTICATED');
  return request.user;
}

/** The user acts on themselves, or an administrator acts on anyone. */
export function assertSelfOrAdmin(request: FastifyRequest, userId: string): User {
  const user = currentUser(request);
  if (user.id !== userId && user.role !== 'admin') throw new MailroomError('FORBIDDEN', { message: 'You may only change your own settings.' });
  return user;
}
