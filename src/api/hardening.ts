// What every request meets besides authentication: body limits by route, the console's
// security headers, and text that the databases cannot keep exactly.
import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyRequest, FastifySchema, RouteOptions } from 'fastify';
import { MailroomError } from '../errors.ts';

export const BODY_LIMITS = {
  /** Routes anyone may call (sign-in): a user name and a password. */
  public: 16 * 1024,
  /** Every signed-in route without attachments. */
  user: 1024 * 1024,
  /** Routes whose body takes attachments: the biggest allowed message (150 MB) in base64. */
  attachments: 210 * 1024 * 1024,
} as const;

interface BodySchema { readonly properties?: Record<string, BodySchema>; readonly allOf?: readonly BodySchema[] }

const takesAttachments = (schema: BodySchema | undefined): boolean =>
  Boolean(schema && (schema.properties?.attachments || schema.allOf?.some(takesAttachments)));

/**
 * The large limit only where a body holds attachments and a signed-in user is required; the body
 * is read only after onRequest has authenticated the caller.
 */
export function bodyLimitOf(route: RouteOptions): number {
  const access = (route.config as { access?: string } | undefined)?.access;
  if (access === 'public') return BODY_LIMITS.public;
  return takesAttachments((route.schema as { body?: BodySchema } | undefined)?.body) ? BODY_LIMITS.attachments : BODY_LIMITS.user;
}

/**
 * The console: scripts only from its own files (no inline script, no eval), no plugins, never
 * framed. Inline styles stay allowed for the sandboxed message frame; images may be remote when
 * the reader asks for them in a message.
 */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:', 'https:', 'http:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  upgradeInsecureRequests: null,
};

/** NUL, or half of a surrogate pair: neither database keeps such text as it was sent. */
export function unsafeTextIn(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return value.includes('\u0000') || !value.isWellFormed() ? path || '(value)' : null;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const found = unsafeTextIn(v, path ? `${path}.${i}` : String(i));
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const here = path ? `${path}.${k}` : k;
      if (unsafeTextIn(k, here)) return here;
      const found = unsafeTextIn(v, here);
      if (found) return found;
    }
  }
  return null;
}

/** A preValidation hook: such text is refused with 400 on both dialects, before anything is stored. */
export async function refuseUnsafeText(request: FastifyRequest): Promise<void> {
  for (const [where, value] of [['params', request.params], ['query', request.query], ['body', request.body]] as const) {
    const field = unsafeTextIn(value);
    if (field) {
      throw new MailroomError('VALIDATION_FAILED', {
        message: `${field} holds a NUL character or half of a surrogate pair; Mailroom cannot keep such text exactly.`,
        details: [{ field, in: where, keyword: 'text' }],
      });
    }
  }
}

const AJV_OPTIONS: Options = { removeAdditional: false, useDefaults: true, allErrors: true, verbose: true, strict: false };
/** JSON bodies: exact types. "false", 0 or null is not a boolean, "25" is not a port, ["x"] is not a subject. */
const bodyAjv = addFormats.default(new Ajv({ ...AJV_OPTIONS, coerceTypes: false }));
/** Path and query string: text by nature, read as the number or boolean their schema says (never into arrays). */
const textAjv = addFormats.default(new Ajv({ ...AJV_OPTIONS, coerceTypes: true }));

/** Fastify's validator compiler: one Ajv for bodies, one for the parts of the URL. */
export function validatorFor({ schema, httpPart }: { schema: FastifySchema; httpPart?: string }) {
  return (httpPart === 'body' ? bodyAjv : textAjv).compile(schema as object);
}
