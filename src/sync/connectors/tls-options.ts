// The TLS settings of an endpoint, shared by the IMAP, POP3 and SMTP clients.
import type { ConnectionOptions } from 'node:tls';
import { withSystemAuthorities } from '../../security/trusted-ca.ts';
import type { ServerEndpoint } from './connector.ts';

const IMPLICIT_TLS_PORTS: ReadonlySet<number> = new Set([993, 995, 465]);

/** TLS from the first byte (IMAPS, POP3S, SMTPS) rather than an upgrade. */
export function usesImplicitTls(endpoint: ServerEndpoint): boolean {
  return endpoint.ssl && (endpoint.implicitTls ?? IMPLICIT_TLS_PORTS.has(endpoint.port));
}

export function tlsOptions(endpoint: ServerEndpoint): ConnectionOptions {
  return {
    rejectUnauthorized: endpoint.verifyCertificate ?? true,
    servername: /^[\d.]+$|:/.test(endpoint.host) ? undefined : endpoint.host,
    ...(endpoint.ca ? { ca: withSystemAuthorities(endpoint.ca) } : {}),
  };
}

export const DEFAULT_TIMEOUT_MS = 30_000;
