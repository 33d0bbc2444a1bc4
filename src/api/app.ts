import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import fastifyStatic from '@fastify/static';
import helmet from '@fastify/helmet';
import { ajvProblems, plainMessage, type AjvLikeError } from './validation-messages.ts';
import type { AppContext } from '../app-context.ts';
import { ERRORS, describeError, isMailroomError, MailroomError } from '../errors.ts';
import type { DistributorRun } from '../outbound/distributor-settings.ts';
import type { ProviderRegistry } from '../outbound/provider-registry.ts';
import { databaseFault, RETRY_AFTER_SECONDS, toDatabaseError } from '../store/database-errors.ts';
import { createAuthHook, requireDeclaredAccess, type RouteEntry } from './auth.ts';
import { operationsRoutes, type Operations } from './routes/operations.routes.ts';
import { BODY_LIMITS, bodyLimitOf, CONTENT_SECURITY_POLICY, refuseUnsafeText, validatorFor } from './hardening.ts';
import { swaggerOptions, useContract, type Api } from './openapi.ts';
import { ErrorDescription, Health, list, ref } from './response-schemas.ts';
import { emailContentRoutes } from './routes/email-content.routes.ts';
import { emailsRoutes } from './routes/emails.routes.ts';
import { parametersRoutes } from './routes/parameters.routes.ts';
import { sessionRoutes } from './routes/session.routes.ts';
import { usersRoutes } from './routes/users.routes.ts';
import { templatesRoutes } from './routes/templates.routes.ts';
import { workflowRoutes } from './routes/workflow.routes.ts';
import { crmRoutes } from './routes/crm.routes.ts';
import { crmRecordsRoutes } from './routes/crm-records.routes.ts';
import { activitiesRoutes } from './routes/activities.routes.ts';
import { outgoingActivitiesRoutes } from './routes/outgoing-activities.routes.ts';
import { syncRoutes } from './routes/sync.routes.ts';
import { incomingRoutes } from './routes/incoming.routes.ts';

export interface DistributorRunner {
  kick(): void;
  runOnce(): Promise<DistributorRun>;
}

export interface ApiOptions {
  readonly ctx: AppContext;
  readonly providers: ProviderRegistry;
  readonly distributor: DistributorRunner;
  /** Pino level; failures (500) are logged at every level but silent. Requests themselves only at debug. */
  readonly logLevel?: string;
  /** Where the log goes (standard output unless given; tests read it). */
  readonly logStream?: NodeJS.WritableStream;
  /** Extra routes (the demo's captured-mail page). */
  readonly extraRoutes?: (app: Api) => void;
  /** Health and metrics of the running process (serve gives them; API tests may not). */
  readonly operations?: Operations;
}

const WEB_DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));
const CONSOLE_FILES = 'servesConsoleFiles';
/** What `/` says on a checkout where the console was never built (`npm install` builds it). */
export const CONSOLE_NOT_BUILT = 'The console is not built in this checkout: run `npm run build:web` (or `npm install`, which builds it), then reload this page. The API under /api works without it.';

export async function buildApi({ ctx, providers, distributor, logLevel = 'silent', logStream, extraRoutes, operations }: ApiOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: logLevel === 'silent' ? false : { level: logLevel, redact: ['req.headers.authorization', 'body.password', 'body.smtp.password'], ...(logStream ? { stream: logStream } : {}) },
    logController: new LogController({ disableRequestLogging: logLevel !== 'debug' }),
    bodyLimit: BODY_LIMITS.public,
  });
  app.setValidatorCompiler(validatorFor);
  await app.register(helmet, { contentSecurityPolicy: { directives: CONTENT_SECURITY_POLICY } });
  await app.register(swagger, swaggerOptions);
  useContract(app);
  app.setErrorHandler((err, request, reply) => {
    const e = toMailroomError(err);
    if (databaseFault(e)) reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    else if (e.status >= 500) request.log.error({ err }, 'request failed');
    return reply.code(e.status).send({ error: { ...describeError(e.code), message: e.message, details: e.details, response: e.response } });
  });
  const routeTable: RouteEntry[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', function declareAccess(route) {
    // The console's files hold no data: the scope that serves them is the one place routes are public by default.
    if (this.hasDecorator(CONSOLE_FILES)) route.config = { ...route.config, access: 'public' };
    requireDeclaredAccess(route);
    for (const method of [route.method].flat()) routeTable.push({ method, url: route.url, access: route.config!.access! });
    route.bodyLimit = bodyLimitOf(route);
  });
  // Authentication runs on onRequest, before the body is read: a request without a valid token
  // is refused without Mailroom reading (or holding) what it sent.
  app.addHook('onRequest', createAuthHook(ctx));
  app.addHook('preValidation', refuseUnsafeText);

  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get('/api/health', { config: { access: 'public' }, schema: { hide: true, response: { 200: ref(Health) } } }, async () => ({ ok: true }));
  api.get('/api/errors', { config: { access: 'public' }, schema: { tags: ['meta'], summary: 'Every error code with its explanation and fix', response: { 200: list(ref(ErrorDescription)) } } }, async () =>
    Object.keys(ERRORS).map((code) => describeError(code as keyof typeof ERRORS)));
  sessionRoutes(api, ctx);
  usersRoutes(api, ctx);
  parametersRoutes(api, ctx, providers, distributor);
  emailsRoutes(api, ctx, providers);
  templatesRoutes(api, ctx);
  workflowRoutes(api, ctx);
  crmRoutes(api, ctx, providers);
  crmRecordsRoutes(app, ctx);
  activitiesRoutes(app, ctx);
  outgoingActivitiesRoutes(app, ctx);
  syncRoutes(app, ctx);
  incomingRoutes(app, ctx);
  emailContentRoutes(api, ctx);
  if (operations) operationsRoutes(app, operations);
  extraRoutes?.(api);
  app.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true, response: { 200: Type.Object({}, { additionalProperties: true, description: 'this document' }) } } }, async () => app.swagger());
  const notFound = (request: FastifyRequest, reply: FastifyReply) =>
    reply.code(404).send({ error: { ...describeError('NOT_FOUND'), message: `No route ${request.method} ${request.url}.` } });
  if (!existsSync(WEB_DIST)) {
    app.setNotFoundHandler((request, reply) => request.url.startsWith('/api/') ? notFound(request, reply) : reply.code(404).send({ error: { ...describeError('NOT_FOUND'), message: CONSOLE_NOT_BUILT } }));
    return app;
  }
  await app.register(async (files) => {
    files.decorate(CONSOLE_FILES, true);
    await files.register(fastifyStatic, { root: WEB_DIST, prefix: '/', wildcard: false });
    // The console's own paths (/emails, /users…) load its page; unknown API paths say so.
    files.setNotFoundHandler((request, reply) => request.url.startsWith('/api/') ? notFound(request, reply) : reply.sendFile('index.html'));
  });
  return app;
}

function toMailroomError(err: unknown): MailroomError {
  // The database away (a restart, a failover, a locked or full SQLite file): 503 with Retry-After.
  const database = toDatabaseError(err);
  if (database) return database;
  if (isMailroomError(err)) return err;
  const f = err as FastifyError;
  if (f.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new MailroomError('MESSAGE_TOO_LARGE', { message: 'The request is larger than Mailroom accepts.' });
  if (f.validation) {
    // Plain sentences naming each field and what it accepts (validation-messages.ts); never the value sent back.
    const problems = ajvProblems(f.validation as unknown as AjvLikeError[]);
    return new MailroomError('VALIDATION_FAILED', { message: plainMessage(problems), details: problems.map(({ field, keyword, message }) => ({ field, keyword, message })) });
  }
  if (f.statusCode && f.statusCode < 500) return new MailroomError('VALIDATION_FAILED', { message: f.message });
  return new MailroomError('INTERNAL', { cause: err });
}

