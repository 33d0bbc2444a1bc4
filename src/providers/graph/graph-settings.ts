import { Type, type Static } from '@sinclair/typebox';
import type { FieldProblem } from '../../config/schema-problems.ts';

export const PUBLIC_AUTHORITY_HOST = 'https://login.microsoftonline.com';
export const PUBLIC_GRAPH_ENDPOINT = 'https://graph.microsoft.com';

/** The Microsoft Graph settings tab as stored; the Application secret stays sealed. */
export const GraphStoredSchema = Type.Object({
  /** Directory (tenant) ID: a GUID or a verified domain of the tenant. */
  tenantId: Type.String({ maxLength: 253, default: '' }),
  /** Application (client) ID of the app registration. */
  clientId: Type.String({ maxLength: 100, default: '' }),
  clientSecretSealed: Type.String({ default: '' }),
  /** The sign-in host of the cloud (national clouds have their own). */
  authorityHost: Type.String({ maxLength: 300, default: PUBLIC_AUTHORITY_HOST }),
  /** The Graph endpoint of the same cloud. */
  graphEndpoint: Type.String({ maxLength: 300, default: PUBLIC_GRAPH_ENDPOINT }),
  saveToSentItems: Type.Boolean({ default: true }),
  /** The mailbox batch sends go out from ("the account associated with the batch process"); empty: each email's own sender. */
  batchAccount: Type.String({ maxLength: 320, default: '' }),
}, { default: {}, additionalProperties: false });

export type GraphStored = Static<typeof GraphStoredSchema>;
export type GraphSettings = Omit<GraphStored, 'clientSecretSealed'> & { readonly clientSecret: string };
export type GraphChange = Partial<Omit<GraphStored, 'clientSecretSealed'>> & { clientSecret?: string | null };

const TENANT = /^[A-Za-z0-9][A-Za-z0-9.-]*$/;
const ADDRESS = /^[^\s@]+@[^\s@]+$/;

/** Problems a schema cannot see: URL shapes and ID characters. */
export function graphProblems(g: GraphStored | undefined): FieldProblem[] {
  if (!g || typeof g !== 'object') return [];
  const problems: FieldProblem[] = [];
  if (typeof g.tenantId === 'string' && g.tenantId.trim() && !TENANT.test(g.tenantId.trim())) {
    problems.push({ field: 'graph.tenantId', message: 'Give the Directory (tenant) ID: a GUID or the tenant\'s domain name.' });
  }
  for (const field of ['authorityHost', 'graphEndpoint'] as const) {
    if (typeof g[field] === 'string' && !isHttpsOrigin(g[field])) {
      problems.push({ field: `graph.${field}`, message: 'Give an https:// address with no path, such as https://login.microsoftonline.com.' });
    }
  }
  if (typeof g.batchAccount === 'string' && g.batchAccount && !ADDRESS.test(g.batchAccount)) {
    problems.push({ field: 'graph.batchAccount', message: 'Give the batch account\'s email address, or leave it empty.' });
  }
  return problems;
}

export function isHttpsOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && (url.pathname === '/' || url.pathname === '') && !url.search && !url.username;
  } catch {
    return false;
  }
}

/** Trailing slashes off, so that paths join cleanly. */
export const origin = (value: string) => new URL(value).origin;
