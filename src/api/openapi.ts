// The API contract: the OpenAPI document's settings, the registry's error shape per route, and an
// onRoute hook that completes every route's declaration (security, the errors every route can
// give) and refuses a route that does not say what it answers.
//
// How to declare a route:
//   app.get('/api/things/:id', { config: { access: 'user' }, schema: {
//     tags: ['things'], summary: '…', params: IdParams,
//     response: { 200: ref(Thing), ...errors('NOT_FOUND') },
//   } }, handler)
// The hook adds 400 VALIDATION_FAILED (routes with input), 401 UNAUTHENTICATED (not public),
// 403 FORBIDDEN (admin), 413 MESSAGE_TOO_LARGE (with a body) and 500 INTERNAL. Name a new shared
// answer in response-schemas.ts and register it there; then add the route's calls to
// test/api/contract.test.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import type { FastifyBaseLogger, FastifyInstance, RawServerDefault, RouteOptions } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from '@sinclair/typebox';
import { ERROR_CODES, ERRORS, type ErrorCode } from '../errors.ts';
import { literals, RESPONSE_SCHEMAS_CORE } from './response-schemas.ts';
import { RESPONSE_SCHEMAS_RECORDS } from './workflow-response-schemas.ts';

/** A Fastify instance whose handlers are typed from their TypeBox schemas, answers included. */
export type Api = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>;

const PACKAGE = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

export const TAGS = [
  { name: 'session', description: 'Sign in and out; who you are. Every other call sends `Authorization: Bearer <token>`.' },
  { name: 'emails', description: 'Hand emails in (queued or sent now), read the history and the queue, resend or cancel.' },
  { name: 'users', description: 'Users, their options (provider, Sender email), Send-As grants and API tokens.' },
  { name: 'parameters', description: 'Email parameters: the batch provider, limits, expiry, retention, throttling and SMTP settings.' },
  { name: 'distributor', description: 'The Email distributor batch: on/off, recurrence, and a run on demand.' },
  { name: 'templates', description: 'System and organization email templates with placeholders, previews and test sends.' },
  { name: 'workflow', description: 'Workflow definitions, submitted documents, work items and their notifications.' },
  { name: 'organizations', description: 'Organizations (legal entities) that own templates, workflows and customers.' },
  { name: 'accounts', description: 'Accounts (customers) with their contacts and open invoices, and the statement email.' },
  { name: 'contacts', description: 'Contacts, on an account or alone, with up to three email addresses.' },
  { name: 'leads', description: 'Leads: people and companies that are not customers yet.' },
  { name: 'activities', description: 'Email activities: the CRM record of an email sent or received, regarding a record.' },
  { name: 'email settings', description: 'Server-side synchronization settings of the environment: defaults, approval, alerts, tracking, retries.' },
  { name: 'email server profiles', description: 'IMAP and POP3 (and SMTP) servers mailboxes synchronize with, their credentials, tests and Test and enable.' },
  { name: 'mailboxes', description: 'Every user\'s and queue\'s mailbox: approval, channels, test and enable, alerts, delegated approvers.' },
  { name: 'queues', description: 'Queues: shared mailboxes such as support@ with their members.' },
  { name: 'meta', description: 'What Mailroom can tell about itself: every error code with its explanation and fix.' },
  { name: 'demo', description: 'Demo mode only: the emails the demo\'s capture server received.' },
] as const;

export const swaggerOptions = {
  openapi: {
    openapi: '3.1.0',
    info: {
      title: 'Mailroom API', version: PACKAGE.version,
      description: 'Outbound email (queue, send, history, parameters, users), templates and workflow notifications. '
        + 'Errors answer `{ "error": { "code", "message", "explanation", "fix", "retryable", "details" } }`; '
        + 'GET /api/errors lists every code.',
    },
    tags: [...TAGS],
    components: { securitySchemes: { bearer: { type: 'http' as const, scheme: 'bearer', description: 'A session token from POST /api/session, or an API token' } } },
  },
  // Named schemas appear under components.schemas by their $id.
  refResolver: { buildLocalReference: (json: { $id?: unknown }, _base: unknown, _fragment: unknown, i: number) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
};

const ErrorFields = {
  message: Type.String(), explanation: Type.Optional(Type.String()), fix: Type.Optional(Type.String()), retryable: Type.Boolean(),
  details: Type.Optional(Type.Unknown({ description: 'what failed, e.g. the fields of a refused request' })),
  response: Type.Optional(Type.String({ description: 'a server\'s own words, verbatim' })),
};
const codesOf = new WeakMap<object, readonly ErrorCode[]>();

/** The registry's error answer with these codes, one entry per HTTP status the codes map to. */
export function errors(...codes: ErrorCode[]): Record<number, TSchema> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(codes)) byStatus.set(ERRORS[code].status, [...(byStatus.get(ERRORS[code].status) ?? []), code]);
  const out: Record<number, TSchema> = {};
  for (const [status, list] of byStatus) {
    const schema = Type.Object({ error: Type.Object({ code: literals(list), ...ErrorFields }, { additionalProperties: false }) },
      { additionalProperties: false, description: list.join(', ') });
    codesOf.set(schema, list);
    out[status] = schema;
  }
  return out;
}

/** A provider that is not set up, or whose stored secret cannot be opened. */
export const PROVIDER_SETUP_ERRORS = ['SMTP_NOT_CONFIGURED', 'SMTP_AUTH_INCOMPLETE', 'GRAPH_NOT_CONFIGURED', 'EXCHANGE_NOT_CONFIGURED', 'SECRET_UNDECRYPTABLE'] as const satisfies readonly ErrorCode[];
/** What a mail server or Microsoft service answered, for the routes that report it at once (502, 503, 504). */
export const PROVIDER_FAILURE_ERRORS = ERROR_CODES.filter((code) => ERRORS[code].status >= 502);

const isSuccess = (status: string) => /^2\d\d$/.test(status);

/** Completes a route's contract, or refuses a route that does not declare what it answers. */
export function completeContract(route: RouteOptions) {
  if (!route.url.startsWith('/api/') && route.url !== '/openapi.json') return; // the console's static files
  const access = route.config?.access ?? 'user';
  const schema = (route.schema ??= {}) as Record<string, unknown> & { response?: Record<string, unknown> };
  const response = (schema.response ??= {});
  const where = `${String(route.method)} ${route.url}`;
  if (!Object.keys(response).some(isSuccess)) {
    throw new Error(`${where} declares no success response: add schema.response { 200: … } (see src/api/openapi.ts).`);
  }
  schema.security = access === 'public' ? [] : [{ bearer: [] }];
  const codes: ErrorCode[] = ['INTERNAL'];
  if (schema.body || schema.params || schema.querystring) codes.push('VALIDATION_FAILED');
  if (schema.body) codes.push('MESSAGE_TOO_LARGE');
  if (access !== 'public') codes.push('UNAUTHENTICATED');
  if (access === 'admin') codes.push('FORBIDDEN');
  for (const [status, declared] of Object.entries(response)) {
    const known = codesOf.get(declared as object);
    if (isSuccess(status) || !known) continue;
    codes.push(...known);
    delete response[status];
  }
  // An error answer declared without errors() (any code) stays as it is.
  for (const [status, schema] of Object.entries(errors(...codes))) response[status] ??= schema;
}

/** Registers the named answers and the hook; call before any route is added. */
export function useContract(app: FastifyInstance) {
  for (const schema of [...RESPONSE_SCHEMAS_CORE, ...RESPONSE_SCHEMAS_RECORDS]) app.addSchema(schema);
  app.addHook('onRoute', completeContract);
}
