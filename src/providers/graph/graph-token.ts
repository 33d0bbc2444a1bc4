import { ConfidentialClientApplication, LogLevel } from '@azure/msal-node';
import { MailroomError } from '../../errors.ts';
import { origin, type GraphSettings } from './graph-settings.ts';
import { toTokenError } from './graph-errors.ts';

export interface GraphToken {
  readonly accessToken: string;
  /** The application permissions granted to the app, from the token's `roles` claim. */
  readonly roles: readonly string[] | undefined;
}

export interface GraphTokenSource {
  /** Where tokens come from, for failure details. */
  readonly endpoint: string;
  /** A token for Graph's `.default` scope; MSAL answers from its cache until shortly before expiry. */
  token(): Promise<GraphToken>;
}

/**
 * The OAuth 2.0 client-credentials flow through MSAL. The authority host is listed as known, so
 * MSAL skips the public instance discovery and reads the tenant's OpenID configuration from the
 * host itself: that is what lets a national cloud (or a local test server) stand in.
 */
export function createGraphTokenSource(settings: GraphSettings): GraphTokenSource {
  const authorityHost = origin(settings.authorityHost);
  const authority = `${authorityHost}/${encodeURIComponent(settings.tenantId)}`;
  const app = new ConfidentialClientApplication({
    auth: {
      clientId: settings.clientId,
      clientSecret: settings.clientSecret,
      authority,
      knownAuthorities: [new URL(authorityHost).host],
    },
    // MSAL logs nothing here: its messages can carry request details.
    system: { loggerOptions: { logLevel: LogLevel.Error, piiLoggingEnabled: false, loggerCallback: () => {} } },
  });
  const scopes = [`${origin(settings.graphEndpoint)}/.default`];
  const endpoint = `${authority}/oauth2/v2.0/token`;
  async function acquire(): Promise<GraphToken> {
    let accessToken: string | undefined;
    try {
      accessToken = (await app.acquireTokenByClientCredential({ scopes }))?.accessToken;
    } catch (err) {
      throw toTokenError(err, endpoint);
    }
    if (!accessToken) throw new MailroomError('GRAPH_SECRET_INVALID', { message: 'Entra ID answered without an access token.', command: `POST ${endpoint}` });
    return { accessToken, roles: rolesOf(accessToken) };
  }
  // Sends that start together share one request: MSAL's cache fills only once a token has come
  // back, and before that each caller would ask Entra ID for one of its own.
  let pending: Promise<GraphToken> | undefined;
  return {
    endpoint,
    token() {
      pending ??= acquire().finally(() => { pending = undefined; });
      return pending;
    },
  };
}

/** The roles claim of a JWT access token; undefined when the token is not a readable JWT. */
function rolesOf(accessToken: string): string[] | undefined {
  const payload = accessToken.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { roles?: unknown };
    return Array.isArray(claims.roles) ? claims.roles.map(String) : [];
  } catch {
    return undefined;
  }
}
