import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../app-context.ts';
import { MailroomError } from '../errors.ts';
import { authenticate, type User } from '../users/users.service.ts';

declare module 'fastify' {
  interface FastifyRequest {
    user: User | null;
    token: string | null;
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

/**
 * Every API route is checked: unless it says `access: 'public'`, it needs a signed-in user.
 * The console's static files are public; they hold no data.
 */
export function createAuthHook(ctx: AppContext) {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    request.user = null;
    request.token = bearerToken(request);
    const access = request.routeOptions.config?.access ?? (request.url.startsWith('/api/') ? 'user' : 'public');
    if (access === 'public') {
      // A stale token must not stop anyone from signing in again.
      request.user = request.token ? await authenticate(ctx, request.token).catch(() => null) : null;
      return;
    }
    if (!request.token) throw new MailroomError('UNAUTHENTICATED');
    request.user = await authenticate(ctx, request.token);
    if (access === 'admin' && request.user.role !== 'admin') {
      throw new MailroomError('FORBIDDEN', { message: 'Only administrators may do this.' });
    }
  };
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
